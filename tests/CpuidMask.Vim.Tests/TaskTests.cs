using System;
using System.Linq;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Vim.Tests.Fakes;
using CpuidMask.Vim.Types;
using Xunit;

namespace CpuidMask.Vim.Tests
{
    public class TaskTests
    {
        private static readonly ManagedObjectReference Vm = new ManagedObjectReference("VirtualMachine", "vm-42");

        [Fact]
        public async Task WaitForTaskAsync_TaskInError_ThrowsItsFaultTyped()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Reply("RetrievePropertiesEx", "Task_Running.xml").Reply("RetrievePropertiesEx", "Task_Error_InvalidPowerState.xml");

            var ex = await Assert.ThrowsAsync<VimFaultException>(() => client.WaitForTaskAsync(new ManagedObjectReference("Task", "task-3004"), TimeSpan.FromSeconds(30)));

            Assert.Equal("InvalidPowerState", ex.ErrorId);
            Assert.Equal(ErrorKind.InvalidOperation, ex.Kind);
            Assert.Equal("VirtualMachine.reconfigure", ex.Method);
            Assert.Contains("VirtualMachine.reconfigure on app01", ex.Message);
            Assert.Contains("Powered on", ex.Message);
            Assert.Contains("Power the VM off first", ex.Message);
        }

        [Fact]
        public async Task WaitForTaskAsync_TaskStillRunningAtTheDeadline_FailsWithTaskTimeout()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            for (int i = 0; i < 50; i++)
            {
                server.Reply("RetrievePropertiesEx", "Task_Running.xml");
            }

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => client.WaitForTaskAsync(new ManagedObjectReference("Task", "task-3004"), TimeSpan.FromMilliseconds(30)));

            Assert.Equal(VimErrorIds.TaskTimeout, ex.ErrorId);
            Assert.Contains("task-3004", ex.Message);
            Assert.Contains("still running", ex.Message);
            Assert.Contains("not cancelled", ex.Message);
        }

        [Fact]
        public async Task ApplyEvcModeVM_Task_SendsMasksAndCompleteMasks()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Reply("ApplyEvcModeVM_Task", "ApplyEvcModeVM_Task.xml");

            var task = await client.Service.ApplyEvcModeVM_Task(
                Vm,
                new[] { new HostFeatureMask { Key = "cpuid.AVX", FeatureName = "cpuid.AVX", Value = "Val:0" }, new HostFeatureMask { Key = "cpuid.MOVBE", Value = "Val:0" } },
                completeMasks: true);

            Assert.Equal(new ManagedObjectReference("Task", "task-3005"), task);
            var request = server.Requests[2];
            Assert.Equal(new[] { "_this", "mask", "mask", "completeMasks" }, request.Call.Elements().Select(e => e.Name.LocalName));
            Assert.Equal(new[] { "cpuid.AVX", "cpuid.MOVBE" }, request.Values("key"));
            Assert.Equal(new[] { "cpuid.AVX", "cpuid.MOVBE" }, request.Values("featureName"));
            Assert.Equal(new[] { "true" }, request.Values("completeMasks"));
        }

        [Fact]
        public async Task ApplyEvcModeVM_Task_WithNoMask_SendsNoMaskToClearPerVmEvc()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Reply("ApplyEvcModeVM_Task", "ApplyEvcModeVM_Task.xml");

            await client.Service.ApplyEvcModeVM_Task(Vm, null, completeMasks: null);

            Assert.Equal(new[] { "_this" }, server.Requests[2].Call.Elements().Select(e => e.Name.LocalName));
        }
    }
}
