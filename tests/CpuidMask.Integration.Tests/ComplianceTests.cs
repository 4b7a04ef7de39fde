using System;
using System.Collections.Generic;
using System.Linq;
using System.IO;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
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
            Assert.Contains($"fix:            Apply the minimal mask for its scope in place of its CPUID masks with cpuidmask apply --server {_vcsim.Url} --vm vm-lab-stale --mask-file FILE --replace, FILE holding these lines, one per line: cpuid.", run.Out);
            Assert.DoesNotContain("Set-Vm", run.Out);
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

        [Fact]
        public async Task CheckCommand_EveryFixWithACommand_DoesWhatItSaysWhenRunAsPrinted()
        {
            using var server = new ComplianceVcsim();
            string dir = VcsimCli.TempDirectory();
            try
            {
                // A per-VM EVC mode lower than the twins need makes vm-twin-ok Wider, with a better mode to apply; a value no
                // mask reader takes makes vm-prod-off's masks unreadable.
                Assert.Equal(0, VcsimCli.Run(server, "apply", "--vm", "vm-twin-ok", "--method", "PerVmEvc", "--baseline", "intel-westmere", "--undo-file", dir).ExitCode);
                var soap = await VcsimSoap.LoginAsync(server);
                var before = Vms(VcsimCli.Run(server, "check", "--all", "--json"));
                string prodOff = ((string)before["vm-prod-off"]["moref"]!).Split(':')[1];
                Assert.Equal("success", (await soap.WaitForTaskAsync(VcsimSoap.TaskOf(await soap.ReconfigureAsync(prodOff, "cpuid.1.ecx", "not a mask", null)), TimeSpan.FromSeconds(30))).State);

                var vms = Vms(VcsimCli.Run(server, "check", "--all", "--json"));
                var ran = new List<string>();
                foreach (var (name, vm) in vms.Where(v => v.Value["fix"]!.ToString().Contains("cpuidmask ", StringComparison.Ordinal)).Select(v => (v.Key, v.Value)))
                {
                    string fix = (string)vm["fix"]!;
                    Assert.DoesNotContain("Set-Vm", fix, StringComparison.Ordinal);
                    foreach (Match command in Regex.Matches(fix, @"cpuidmask ((?:[a-z-]+)(?: --[a-z-]+(?: [^-\s,][^\s,]*)?)*)"))
                    {
                        // The user adds what logs in; the command names the rest. FILE holds the mask's lines, EMPTY nothing.
                        // The command ends the fix's sentence, or a clause before a comma.
                        var args = command.Groups[1].Value.TrimEnd('.').Split(' ').Select(a => a == "FILE" ? Write(dir, "mask.vmx", vm["fixMask"]!.AsArray().Select(l => (string)l!)) : a == "EMPTY" ? Write(dir, "empty.vmx", Array.Empty<string>()) : a)
                            .Concat(new[] { "--thumbprint", server.Thumbprint, "--user", server.User })
                            .Concat(command.Value.StartsWith("cpuidmask apply", StringComparison.Ordinal) ? new[] { "--undo-file", dir } : Array.Empty<string>())
                            .ToArray();
                        var run = VcsimCli.RunRaw(server, new Dictionary<string, string?> { ["CPUIDMASK_PASSWORD"] = server.Password }, args);
                        Assert.True(run.ExitCode == 0, $"{name}: {command.Value}\n{run.Out}{run.Err}");
                        ran.Add($"{name}: {command.Value.TrimEnd('.')}");
                        if (command.Value.StartsWith("cpuidmask vm-mask", StringComparison.Ordinal))
                        {
                            Assert.Contains("not a mask", run.Out, StringComparison.Ordinal);
                        }
                    }
                }

                var after = Vms(VcsimCli.Run(server, "check", "--all", "--json"));
                Assert.Contains(ran, c => c.StartsWith("vm-lab-stale: cpuidmask apply --server ", StringComparison.Ordinal) && c.EndsWith(" --vm vm-lab-stale --mask-file FILE --replace", StringComparison.Ordinal));
                Assert.Contains(ran, c => c.StartsWith("vm-dev-unmasked: ", StringComparison.Ordinal) && c.EndsWith(" --replace --force", StringComparison.Ordinal));
                Assert.Contains(ran, c => c.StartsWith("vm-twin-wider: ", StringComparison.Ordinal) && c.EndsWith(" --mask-file EMPTY --replace", StringComparison.Ordinal));
                Assert.Contains(ran, c => c.StartsWith("vm-twin-ok: ", StringComparison.Ordinal) && c.Contains(" --method PerVmEvc --baseline intel-", StringComparison.Ordinal));
                Assert.Contains(ran, c => c.StartsWith("vm-prod-off: cpuidmask vm-mask ", StringComparison.Ordinal));
                foreach (string vm in new[] { "vm-lab-stale", "vm-lab-unmasked", "vm-twin-wider", "vm-twin-ok" })
                {
                    Assert.True((string)after[vm]["status"]! == "Compliant", $"{vm}: {after[vm]["status"]}, {after[vm]["reason"]}");
                }

                // Written while it runs: the mask takes effect at its next power-on, as the fix says.
                Assert.Equal("PendingPowerCycle", (string)after["vm-dev-unmasked"]["status"]!);
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

        private static Dictionary<string, JsonNode> Vms(CliRun run) =>
            JsonNode.Parse(run.Out)!["vms"]!.AsArray().ToDictionary(v => (string)v!["name"]!, v => v!);

        private static string Write(string directory, string name, IEnumerable<string> lines)
        {
            string path = Path.Combine(directory, name);
            File.WriteAllLines(path, lines);
            return path;
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
