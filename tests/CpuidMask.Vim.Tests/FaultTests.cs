using System.Net;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Vim.Tests.Fakes;
using CpuidMask.Vim.Types;
using Xunit;

namespace CpuidMask.Vim.Tests
{
    public class FaultTests
    {
        [Theory]
        [InlineData("Fault_InvalidLogin.xml", "InvalidLogin", ErrorKind.AuthenticationError)]
        [InlineData("Fault_NotAuthenticated.xml", "NotAuthenticated", ErrorKind.AuthenticationError)]
        [InlineData("Fault_ConcurrentAccess.xml", "ConcurrentAccess", ErrorKind.InvalidOperation)]
        [InlineData("Fault_ManagedObjectNotFound.xml", "ManagedObjectNotFound", ErrorKind.ObjectNotFound)]
        [InlineData("Fault_NoPermission.xml", "NoPermission", ErrorKind.SecurityError)]
        [InlineData("Fault_InvalidProperty.xml", "InvalidProperty", ErrorKind.InvalidArgument)]
        [InlineData("Fault_TaskInProgress.xml", "TaskInProgress", ErrorKind.InvalidOperation)]
        [InlineData("Fault_InvalidPowerState.xml", "InvalidPowerState", ErrorKind.InvalidOperation)]
        public async Task RecordedFault_BecomesVimFaultException_WithItsTypeNameAndKind(string file, string faultType, ErrorKind kind)
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Fault("ReconfigVM_Task", file);

            var ex = await Assert.ThrowsAsync<VimFaultException>(() =>
                client.Service.ReconfigVM_Task(new ManagedObjectReference("VirtualMachine", "vm-42"), new VirtualMachineConfigSpec()));

            Assert.Equal(faultType, ex.FaultType);
            Assert.Equal(faultType, ex.ErrorId);
            Assert.Equal(kind, ex.Kind);
            Assert.Equal("ReconfigVM_Task", ex.Method);
            Assert.Contains("vc01.example.com", ex.Message);
            Assert.Contains("[" + faultType + "]", ex.Message);
            Assert.IsAssignableFrom<CpuidMaskException>(ex);
        }

        [Fact]
        public async Task ManagedObjectNotFound_NamesTheMissingObject()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Fault("ReconfigVM_Task", "Fault_ManagedObjectNotFound.xml");

            var ex = await Assert.ThrowsAsync<VimFaultException>(() =>
                client.Service.ReconfigVM_Task(new ManagedObjectReference("VirtualMachine", "vm-99"), new VirtualMachineConfigSpec()));

            Assert.Equal(new ManagedObjectReference("VirtualMachine", "vm-99"), ex.FaultObject);
            Assert.Contains("vm-99", ex.Message);
        }

        [Fact]
        public async Task NoPermission_NamesTheMissingPrivilege()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Fault("ReconfigVM_Task", "Fault_NoPermission.xml");

            var ex = await Assert.ThrowsAsync<VimFaultException>(() =>
                client.Service.ReconfigVM_Task(new ManagedObjectReference("VirtualMachine", "vm-42"), new VirtualMachineConfigSpec()));

            Assert.Equal("VirtualMachine.Config.AdvancedConfig", ex.PrivilegeId);
            Assert.Contains("VirtualMachine.Config.AdvancedConfig", ex.Message);
        }

        [Fact]
        public async Task InvalidProperty_WithEmptyFaultString_StillNamesTheFaultAndProperty()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Fault("ReconfigVM_Task", "Fault_InvalidProperty.xml");

            var ex = await Assert.ThrowsAsync<VimFaultException>(() =>
                client.Service.ReconfigVM_Task(new ManagedObjectReference("VirtualMachine", "vm-42"), new VirtualMachineConfigSpec()));

            Assert.Null(ex.FaultString);
            Assert.Equal("runtime.featureMask", ex.InvalidProperty);
            Assert.Contains("InvalidProperty", ex.Message);
        }

        [Fact]
        public async Task FaultWithoutDetail_IsASoapFault()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Fault("DestroyView", "Fault_NoDetail.xml");

            var ex = await Assert.ThrowsAsync<VimFaultException>(() => client.Service.DestroyView(new ManagedObjectReference("ContainerView", "v-1")));

            Assert.Equal("SoapFault", ex.FaultType);
            Assert.Contains("Unable to parse SOAP message", ex.Message);
        }

        // Found by the fuzz suite: an empty xsi:type ("" or "xsi:") made a fault without a type, so an error without an id.
        [Theory]
        [InlineData("")]
        [InlineData("vim25:")]
        public async Task FaultWithAnEmptyXsiType_IsNamedByItsElement(string type)
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            string fault = Recorded.Text("Fault_ConcurrentAccess.xml").Replace("xsi:type=\"ConcurrentAccess\"", $"xsi:type=\"{type}\"");
            server.ReplyWith("DestroyView", _ => FakeVimServer.Response(fault, HttpStatusCode.InternalServerError));

            var ex = await Assert.ThrowsAsync<VimFaultException>(() => client.Service.DestroyView(new ManagedObjectReference("ContainerView", "v-1")));

            Assert.Equal("ConcurrentAccess", ex.FaultType);
            Assert.Equal("ConcurrentAccess", ex.ErrorId);
        }

        [Fact]
        public async Task FaultWithHttp200_IsStillAFault()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Reply("DestroyView", "Fault_ConcurrentAccess.xml", HttpStatusCode.OK);

            var ex = await Assert.ThrowsAsync<VimFaultException>(() => client.Service.DestroyView(new ManagedObjectReference("ContainerView", "v-1")));

            Assert.Equal("ConcurrentAccess", ex.FaultType);
        }

        [Theory]
        [InlineData("InvalidLogin", ErrorKind.AuthenticationError)]
        [InlineData("NotAuthenticated", ErrorKind.AuthenticationError)]
        [InlineData("ManagedObjectNotFound", ErrorKind.ObjectNotFound)]
        [InlineData("InvalidPowerState", ErrorKind.InvalidOperation)]
        [InlineData("InvalidState", ErrorKind.InvalidOperation)]
        [InlineData("ConcurrentAccess", ErrorKind.InvalidOperation)]
        [InlineData("TaskInProgress", ErrorKind.InvalidOperation)]
        [InlineData("InvalidArgument", ErrorKind.InvalidArgument)]
        [InlineData("NoPermission", ErrorKind.SecurityError)]
        [InlineData("NotSupported", ErrorKind.NotImplemented)]
        [InlineData("HostNotConnected", ErrorKind.ResourceUnavailable)]
        [InlineData("SomeFaultFromvSphere10", ErrorKind.InvalidOperation)]
        public void KindOf_MapsFaultTypesToErrorKinds(string faultType, ErrorKind kind)
        {
            Assert.Equal(kind, VimFaultException.KindOf(faultType));
        }
    }
}
