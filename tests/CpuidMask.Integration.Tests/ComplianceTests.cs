using System;
using System.Collections.Generic;
using System.Linq;
using System.IO;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using CpuidMask.Engine.Readers;
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

        [Fact]
        public void CheckCommand_AllVms_ExitsOneAndPrintsEachVerdictWithTheFix()
        {
            var run = VcsimCli.Run(_vcsim, "check", "--all");

            Assert.Equal(1, run.ExitCode);
            Assert.Contains("vm-lab-stale: Stale (cluster Lab; on esx-lab-ivy, poweredOff)", run.Out);
            Assert.Contains("cannot move to: esx-lab-haswell: ", run.Out);
            Assert.Contains("fix:            Apply the minimal mask for its scope with Set-VmCpuidMask -Replace (or cpuidmask apply): cpuid.", run.Out);
            Assert.Contains("vm-dev-gone: Unknown", run.Out);
            Assert.Contains("11 VMs: 5 Compliant, 1 Stale, 1 Wider, 1 PendingPowerCycle, 2 Unmasked, 1 Unknown", run.Out);
        }

        [Fact]
        public void CheckCommand_OneVmOrAll_SameRoundTrips()
        {
            var one = VcsimCli.Run(_vcsim, "check", "--vm", "vm-prod-off", "--json");
            var all = VcsimCli.Run(_vcsim, "check", "--all", "--json");

            Assert.Equal(one.Requests, all.Requests);
        }

        [Fact]
        public void CheckCommand_CompliantVmsOnly_ExitsZero()
        {
            var run = VcsimCli.Run(_vcsim, "check", "--vm", "vm-prod-*", "vm-twin-ok");

            Assert.Equal(0, run.ExitCode);
            Assert.Contains("3 VMs: 3 Compliant", run.Out);
        }

        [Fact]
        public void CheckCommand_Json_HasEveryStatusAndTheBlockersWithVCentersValues()
        {
            var run = VcsimCli.Run(_vcsim, "check", "--all", "--json");
            var root = JsonNode.Parse(run.Out)!;

            Assert.Equal(1, run.ExitCode);
            Assert.False((bool)root["compliant"]!);
            var vms = root["vms"]!.AsArray().ToDictionary(v => (string)v!["name"]!, v => v!);
            Assert.Equal("PendingPowerCycle", (string)vms["vm-dev-pending"]["status"]!);
            var blocked = vms["vm-dev-unmasked"]["destinations"]!.AsArray().Single(d => (string)d!["host"]! == "esx-dev-haswell")!;
            Assert.Equal("Blocked", (string)blocked["outcome"]!);
            Assert.Contains(blocked["blockers"]!.AsArray(), b => (string)b!["key"]! == "cpuid.AVX512F" && (string)b["required"]! == "Bool:Min:1" && (string)b["hostValue"]! == "0");
            Assert.NotEmpty(vms["vm-lab-stale"]["fixMask"]!.AsArray());
        }

        [Fact]
        public void CheckCommand_Csv_OneQuotedLinePerVm()
        {
            var run = VcsimCli.Run(_vcsim, "check", "--vm", "vm-lab-stale", "vm-twin-ok", "--csv");
            var lines = run.Out.TrimEnd('\n').Split('\n');

            Assert.Equal(1, run.ExitCode);
            Assert.Equal(3, lines.Length);
            Assert.StartsWith("Name,Server,Cluster,VMHost,PowerState,HardwareVersion,Status,Reason,", lines[0]);
            Assert.StartsWith("vm-lab-stale,", lines[1]);
            Assert.Contains(",Stale,", lines[1]);
            Assert.Contains("\"cpuid.1.ecx = \"\"", lines[1]);
        }

        [Fact]
        public void CheckCommand_NamedHostOfAnotherVendor_IsBlocked()
        {
            var run = VcsimCli.Run(_vcsim, "check", "--vm", "vm-lab-stale", "--hosts", "esx-lab-avoton", "esx-solo-*");

            Assert.Equal(1, run.ExitCode);
            Assert.Contains("vm-lab-stale: Blocked (hosts esx-lab-avoton, esx-solo-epyc;", run.Out);
        }

        [Fact]
        public void CheckCommand_HostNotThere_ExitsTwoNamingIt()
        {
            var run = VcsimCli.Run(_vcsim, "check", "--vm", "vm-lab-stale", "--hosts", "esx-nope");

            Assert.Equal(2, run.ExitCode);
            Assert.Contains("esx-nope", run.Err);
        }

        [Fact]
        public void CheckCommand_NoVmsNamed_IsAUsageError()
        {
            var run = VcsimCli.Run(_vcsim, "check");

            Assert.Equal(2, run.ExitCode);
            Assert.Contains("--vm NAME", run.Err);
        }

        [Fact]
        public void CheckCommand_HostThatLostFeaturesSinceTheSnapshot_IsReportedWithTheVmsItNowBlocks()
        {
            string dir = VcsimCli.TempDirectory();
            try
            {
                string saved = Path.Combine(dir, "saved.json");
                Assert.Equal(0, VcsimCli.Run(_vcsim, "check", "--vm", "vm-twin-ok", "--save-snapshot", saved).ExitCode);

                // As if esx-dev-haswell had been a Cascade Lake when the snapshot was taken (it lost AVX-512 since).
                var profiles = ProfileReader.ReadHosts(saved);
                var edited = profiles.Select(p => p.Name == "esx-dev-haswell" ? profiles.Single(c => c.Name == "esx-dev-cascade").WithName("esx-dev-haswell") : p).ToArray();
                string snapshot = Path.Combine(dir, "snapshot.json");
                File.WriteAllText(snapshot, ProfileJson.WriteAll(edited));

                var run = VcsimCli.Run(_vcsim, "check", "--vm", "vm-twin-ok", "vm-dev-unmasked", "--snapshot", snapshot, "--json");
                var drift = JsonNode.Parse(run.Out)!["drift"]!.AsArray();

                Assert.Equal(1, run.ExitCode);
                var host = Assert.Single(drift)!;
                Assert.Equal("esx-dev-haswell", (string)host["host"]!);
                Assert.Contains(host["lost"]!.AsArray(), f => ((string)f!).Contains("AVX-512", StringComparison.OrdinalIgnoreCase) || ((string)f!).Contains("AVX512", StringComparison.OrdinalIgnoreCase));
                Assert.Equal(new[] { "vm-dev-unmasked" }, host["blockedVms"]!.AsArray().Select(v => (string)v!));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Theory]
        [InlineData("vm-prod-off")] // cluster EVC intel-haswell on a Cascade Lake host
        [InlineData("vm-dev-evc")] // per-VM EVC intel-haswell on a Cascade Lake host, no cluster EVC
        public async Task PowerOn_VmUnderEvc_RequiresOnlyWhatTheEvcModeLeavesSoItStaysCompliant(string name)
        {
            // The simulator derives runtime.featureRequirement at power-on; under a complete EVC mask the VM must not
            // require the host's AVX-512, or it could not move to the Haswell host of its cluster.
            using var server = new ComplianceVcsim();
            using var client = await VcsimCli.ConnectAsync(server);
            var vm = (await new ComplianceInventory(client).ReadVmsAsync(new[] { name })).Single();
            var soap = await VcsimSoap.LoginAsync(server);
            var task = VcsimSoap.TaskOf(await soap.CallAsync($"<PowerOnVM_Task xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">{vm.MoRef.Value}</_this></PowerOnVM_Task>"));
            Assert.Equal("success", (await soap.WaitForTaskAsync(task, TimeSpan.FromSeconds(30))).State);

            var running = (await new ComplianceInventory(client).ReadVmsAsync(new[] { name })).Single();
            var inventory = new ComplianceInventory(client);
            var hosts = await inventory.ReadHostsAsync();
            var result = new ComplianceChecker(null, ComplianceInventory.ToEvcModes(hosts.EvcModes)).Check(
                new[] { ComplianceInventory.ToComplianceVm(running) },
                hosts.Hosts.Select(h => ComplianceInventory.ToComplianceHost(h, hosts.ClusterEvcModes)).ToArray()).Single();

            Assert.Equal("poweredOn", running.PowerState);
            Assert.NotEmpty(running.FeatureRequirement);
            Assert.DoesNotContain(running.FeatureRequirement, r => r.Key == "cpuid.AVX512F");
            Assert.True(result.Status == ComplianceStatus.Compliant, result.Reason);
            Assert.StartsWith("runtime.featureRequirement", result.Basis, StringComparison.Ordinal);
        }

        private async Task<IReadOnlyList<VmCompliance>> CheckAsync(ComplianceScope scope)
        {
            using var client = await VcsimCli.ConnectAsync(_vcsim);
            var inventory = new ComplianceInventory(client);
            var hosts = await inventory.ReadHostsAsync();
            var vms = await inventory.ReadVmsAsync(null);
            var checker = new ComplianceChecker(null, ComplianceInventory.ToEvcModes(hosts.EvcModes));
            return checker.Check(
                vms.Select(v => ComplianceInventory.ToComplianceVm(v)).ToArray(),
                hosts.Hosts.Select(h => ComplianceInventory.ToComplianceHost(h, hosts.ClusterEvcModes)).ToArray(),
                scope);
        }
    }
}
