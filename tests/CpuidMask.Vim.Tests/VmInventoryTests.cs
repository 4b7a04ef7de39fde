using System;
using System.Linq;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Vim.Inventory;
using CpuidMask.Vim.Tests.Fakes;
using CpuidMask.Vim.Types;
using Xunit;

namespace CpuidMask.Vim.Tests
{
    public class VmInventoryTests
    {
        private static FakeVimServer ScriptFind(FakeVimServer server) =>
            server.Reply("CreateContainerView", "CreateContainerView.xml")
                .Reply("RetrievePropertiesEx", "RetrievePropertiesEx_VmNames.xml")
                .Reply("DestroyView", "DestroyView.xml")
                .Reply("RetrievePropertiesEx", "RetrievePropertiesEx_Vms.xml")
                .Reply("RetrievePropertiesEx", "RetrievePropertiesEx_VmHostNames.xml");

        [Fact]
        public async Task FindVmsAsync_ReadsNamesThenDetailsThenHostNames_InFiveRoundTrips()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            ScriptFind(server);

            var vms = await new VmInventory(client).FindVmsAsync(new[] { "app01", "web/01" });

            Assert.Equal(new[] { "app01", "web/01" }, vms.Select(v => v.Name));
            Assert.Equal(
                new[] { "CreateContainerView", "RetrievePropertiesEx", "DestroyView", "RetrievePropertiesEx", "RetrievePropertiesEx" },
                server.Methods.Skip(2));
            Assert.Equal(new[] { "vm-42", "vm-43" }, server.Requests[5].Values("obj"));
            Assert.Equal(
                new[] { "name", "config.extraConfig", "config.changeVersion", "config.version", "runtime.powerState", "runtime.host", "runtime.featureRequirement", "runtime.featureMask" },
                server.Requests[5].Values("pathSet"));
            Assert.Equal(new[] { "host-10", "host-12" }, server.Requests[6].Values("obj"));
        }

        [Fact]
        public async Task FindVmsAsync_ReportsEveryNameReadWithoutATotal_ThenTheMatchesAndTheirHostsAsNOfTotal()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            ScriptFind(server);
            var progress = new ReportList<InventoryReadProgress>();

            await new VmInventory(client, progress).FindVmsAsync(new[] { "app01", "web/01" });

            Assert.Equal(
                new[] { "Vm 3 of ? names=True", "Vm 2 of 2 names=False", "Host 2 of 2 names=False" },
                progress.Items.Select(p => $"{p.Kind} {p.Read} of {p.Total?.ToString() ?? "?"} names={p.NamesOnly}"));
        }

        [Fact]
        public async Task ReadVmsAsync_ByReference_CountsEachVmOnce()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Reply("RetrievePropertiesEx", "RetrievePropertiesEx_Vms.xml")
                .Reply("RetrievePropertiesEx", "RetrievePropertiesEx_VmHostNames.xml");
            var progress = new ReportList<InventoryReadProgress>();
            var app = new ManagedObjectReference("VirtualMachine", "vm-42");

            await new VmInventory(client, progress).ReadVmsAsync(new[] { app, new ManagedObjectReference("VirtualMachine", "vm-43"), app });

            Assert.Equal(new int?[] { 2, 2 }, progress.Items.Select(p => p.Total));
            Assert.Equal(new[] { InventoryObjectKind.Vm, InventoryObjectKind.Host }, progress.Items.Select(p => p.Kind));
        }

        [Fact]
        public async Task FindVmsAsync_DecodesWhatMaskingNeeds()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            ScriptFind(server);

            var vms = await new VmInventory(client).FindVmsAsync(new[] { "*" });

            var app = vms.Single(v => v.Name == "app01");
            Assert.Equal("vm-42", app.MoRef.Value);
            Assert.Equal("poweredOff", app.PowerState);
            Assert.True(app.IsPoweredOff);
            Assert.Equal("vmx-14", app.HardwareVersion);
            Assert.Equal(14, app.HardwareVersionNumber);
            Assert.Equal("2026-11-20T09:14:03.512004Z", app.ChangeVersion);
            Assert.Equal("esx01.example.com", app.HostName);
            Assert.Equal("-----------------------0--------", app.GetExtraConfig("CPUID.80000001.ECX"));
            Assert.Equal(new[] { "cpuid.AVX", "cpuid.MOVBE" }, app.FeatureMask.Select(m => m.Key));
            Assert.Empty(app.FeatureRequirement);

            var web = vms.Single(v => v.Name == "web/01");
            Assert.Equal("poweredOn", web.PowerState);
            Assert.Equal("esx02.example.com", web.HostName);
            Assert.Equal(19, web.HardwareVersionNumber);
            Assert.Equal("Bool:Min:1", web.FeatureRequirement.Single(r => r.Key == "cpuid.AVX").Value);
            Assert.Empty(web.FeatureMask);
        }

        [Fact]
        public async Task FindVmsAsync_WithUnknownName_FailsWithVmNotFoundNamingIt()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Reply("CreateContainerView", "CreateContainerView.xml")
                .Reply("RetrievePropertiesEx", "RetrievePropertiesEx_VmNames.xml")
                .Reply("DestroyView", "DestroyView.xml");

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => new VmInventory(client).FindVmsAsync(new[] { "app01", "app02" }));

            Assert.Equal(VimErrorIds.VmNotFound, ex.ErrorId);
            Assert.Equal(ErrorKind.ObjectNotFound, ex.Kind);
            Assert.Equal("app02", ex.Target);
            Assert.Contains("No VM named 'app02'", ex.Message);
            Assert.Equal(5, server.Requests.Count);
        }

        [Fact]
        public async Task VmPaths_OnAnApi65Server_LeaveOutFeatureMask()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server, "RetrieveServiceContent_VC65.xml");

            Assert.DoesNotContain("runtime.featureMask", new VmInventory(client).VmPaths);
        }

        [Theory]
        [InlineData("6.5", false)]
        [InlineData("6.0", false)]
        [InlineData("6.7", true)]
        [InlineData("6.7.3", true)]
        [InlineData("7.0.3.0", true)]
        [InlineData("8.0.2.0", true)]
        [InlineData(null, true)]
        public void SupportsFeatureMask_FromApiVersion(string? version, bool expected)
        {
            Assert.Equal(expected, VmInventory.SupportsFeatureMask(version));
        }

        [Fact]
        public async Task ReconfigureExtraConfigAsync_SendsChangeVersionAndTypedValues_ThenWaitsForTheTask()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Reply("ReconfigVM_Task", "ReconfigVM_Task.xml")
                .Reply("RetrievePropertiesEx", "Task_Queued.xml")
                .Reply("RetrievePropertiesEx", "Task_Running.xml")
                .Reply("RetrievePropertiesEx", "Task_Success.xml");
            var vm = new VmRecord(client.ServerName, "app01", new ManagedObjectReference("VirtualMachine", "vm-42")) { ChangeVersion = "2026-11-20T09:14:03.512004Z" };

            var info = await new VmInventory(client).ReconfigureExtraConfigAsync(
                vm,
                new[] { new OptionValue("cpuid.1.ecx", "--00-0---0----0-----------------"), new OptionValue("cpuid.7.ebx", string.Empty) },
                TimeSpan.FromSeconds(30));

            Assert.Equal(TaskInfoState.Success, info.State);
            var reconfig = server.Requests[2];
            Assert.Equal(new[] { "vm-42" }, reconfig.Values("_this"));
            var spec = reconfig.Call.Elements().Single(e => e.Name.LocalName == "spec");
            Assert.Equal(new[] { "changeVersion", "extraConfig", "extraConfig" }, spec.Elements().Select(e => e.Name.LocalName));
            Assert.Equal("2026-11-20T09:14:03.512004Z", spec.Elements().First().Value);
            Assert.Equal(new[] { "cpuid.1.ecx", "cpuid.7.ebx" }, reconfig.Values("key"));
            Assert.Equal(new[] { "--00-0---0----0-----------------", string.Empty }, reconfig.Values("value"));
            Assert.Equal(new[] { "task-3004" }, server.Requests[3].Values("obj"));
            Assert.Equal(new[] { "info" }, server.Requests[3].Values("pathSet"));
            Assert.Equal(6, server.Requests.Count);
        }

        [Fact]
        public async Task ReconfigureExtraConfigAsync_WhenSomeoneElseChangedTheVm_FailsWithConcurrentAccess()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Fault("ReconfigVM_Task", "Fault_ConcurrentAccess.xml");
            var vm = new VmRecord(client.ServerName, "app01", new ManagedObjectReference("VirtualMachine", "vm-42")) { ChangeVersion = "old" };

            var ex = await Assert.ThrowsAsync<VimFaultException>(() =>
                new VmInventory(client).ReconfigureExtraConfigAsync(vm, new[] { new OptionValue("cpuid.1.ecx", "0") }, TimeSpan.FromSeconds(30)));

            Assert.Equal("ConcurrentAccess", ex.ErrorId);
            Assert.Equal(ErrorKind.InvalidOperation, ex.Kind);
            Assert.Contains("read it again and retry", ex.Message);
        }
    }
}
