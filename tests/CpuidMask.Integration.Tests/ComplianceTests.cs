using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using CpuidMask.Engine.Compliance;
using CpuidMask.Vim.Inventory;
using Xunit;

namespace CpuidMask.Integration.Tests
{
    /// <summary>A simulator with tests/vcsim/compliance.json: one VM per compliance status.</summary>
    public sealed class ComplianceVcsim : VcsimServer
    {
        public ComplianceVcsim()
            : base(new VcsimOptions { Inventory = RepoPaths.ComplianceInventory })
        {
        }
    }

    /// <summary>The compliance check live: what is read, in how many round trips, and the verdict on each VM.</summary>
    public class ComplianceTests : IClassFixture<ComplianceVcsim>
    {
        private readonly ComplianceVcsim _vcsim;

        public ComplianceTests(ComplianceVcsim vcsim) => _vcsim = vcsim;

        [Fact]
        public async Task Read_OneVmOrAllVms_TakesTheSameRoundTripsAndReadsEveryHostAndClusterEvcMode()
        {
            using var client = await VcsimCli.ConnectAsync(_vcsim);
            var inventory = new ComplianceInventory(client);

            int start = _vcsim.RequestCount;
            var hosts = await inventory.ReadHostsAsync();
            var one = await inventory.ReadVmsAsync(new[] { "vm-prod-off" });
            string[] oneRequests = _vcsim.RequestsSince(start);
            start = _vcsim.RequestCount;
            await inventory.ReadHostsAsync();
            var all = await inventory.ReadVmsAsync(null);
            string[] allRequests = _vcsim.RequestsSince(start);

            Assert.Single(one);
            Assert.Equal(11, all.Count);
            Assert.Equal(11, hosts.Hosts.Count);
            Assert.Equal(oneRequests, allRequests);
            Assert.True(allRequests.Length <= 14, string.Join(", ", allRequests));
            Assert.Equal("intel-haswell", hosts.ClusterEvcModes["Prod"]);
            Assert.False(hosts.ClusterEvcModes.ContainsKey("Lab"));
            Assert.NotEmpty(hosts.EvcModes);
        }

        [Fact]
        public async Task Read_ManySmallPages_StillAConstantNumberOfRequests()
        {
            using var server = new VcsimServer(new VcsimOptions { Inventory = RepoPaths.ComplianceInventory, MaxObjects = 2 });
            using var client = await VcsimCli.ConnectAsync(server);
            var inventory = new ComplianceInventory(client);

            int start = server.RequestCount;
            await inventory.ReadHostsAsync();
            var all = await inventory.ReadVmsAsync(null);
            string[] requests = server.RequestsSince(start);

            Assert.Equal(11, all.Count);
            Assert.Contains("ContinueRetrievePropertiesEx", requests);
            Assert.True(requests.Count(r => r != "ContinueRetrievePropertiesEx") <= 14, string.Join(", ", requests));
        }

        [Theory]
        [InlineData("vm-prod-off", ComplianceStatus.Compliant)]
        [InlineData("vm-prod-on", ComplianceStatus.Compliant)]
        [InlineData("vm-lab-stale", ComplianceStatus.Stale)]
        [InlineData("vm-lab-unmasked", ComplianceStatus.Unmasked)]
        [InlineData("vm-dev-pending", ComplianceStatus.PendingPowerCycle)]
        [InlineData("vm-dev-unmasked", ComplianceStatus.Unmasked)]
        [InlineData("vm-dev-evc", ComplianceStatus.Compliant)]
        [InlineData("vm-dev-gone", ComplianceStatus.Unknown)]
        [InlineData("vm-twin-wider", ComplianceStatus.Wider)]
        [InlineData("vm-twin-ok", ComplianceStatus.Compliant)]
        [InlineData("vm-solo-amd", ComplianceStatus.Compliant)]
        public async Task Check_EachVmOfTheComplianceInventory_HasItsStatus(string vm, ComplianceStatus expected)
        {
            var result = (await CheckAsync(ComplianceScope.OwnCluster)).Single(r => r.Vm.Name == vm);

            Assert.True(result.Status == expected, $"{vm}: {result.Status}, {result.Reason}");
        }

        [Fact]
        public async Task Check_RunningVmPoweredOnOnTheBiggerHost_IsBlockedToTheSmallerOneWithVCentersWording()
        {
            var result = (await CheckAsync(ComplianceScope.OwnCluster)).Single(r => r.Vm.Name == "vm-dev-unmasked");

            Assert.StartsWith("runtime.featureRequirement", result.Basis, StringComparison.Ordinal);
            Assert.Equal(new[] { "esx-dev-haswell" }, result.CannotMoveTo);
            Assert.Equal(new[] { "esx-dev-broadwell" }, result.UnknownHosts);
            Assert.Contains(result.BlockingFeatures, b => b.Key == "cpuid.AVX512F" && b.Required == "Bool:Min:1" && b.HostValue == "0");
        }

        [Fact]
        public async Task Check_VmOnADisconnectedHost_SaysSo()
        {
            var result = (await CheckAsync(ComplianceScope.OwnCluster)).Single(r => r.Vm.Name == "vm-dev-gone");

            Assert.Contains("esx-dev-broadwell is disconnected", result.Reason, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Check_NamedHostOfAnotherVendor_IsBlocked()
        {
            var result = (await CheckAsync(ComplianceScope.Hosts(new[] { "esx-lab-avoton", "esx-solo-epyc" }))).Single(r => r.Vm.Name == "vm-lab-stale");

            Assert.Equal(ComplianceStatus.Blocked, result.Status);
            Assert.Equal(new[] { "esx-lab-avoton" }, result.CanMoveTo);
        }

        private async Task<IReadOnlyList<VmCompliance>> CheckAsync(ComplianceScope scope)
        {
            using var client = await VcsimCli.ConnectAsync(_vcsim);
            var inventory = new ComplianceInventory(client);
            var hosts = await inventory.ReadHostsAsync();
            var vms = await inventory.ReadVmsAsync(null);
            var checker = new ComplianceChecker(null, ComplianceInventory.ToEvcModes(hosts.EvcModes));
            return checker.Check(
                vms.Select(ComplianceInventory.ToComplianceVm).ToArray(),
                hosts.Hosts.Select(h => ComplianceInventory.ToComplianceHost(h, hosts.ClusterEvcModes)).ToArray(),
                scope);
        }
    }
}
