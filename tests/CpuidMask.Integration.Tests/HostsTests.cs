using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using CpuidMask.Vim.Inventory;
using Xunit;

namespace CpuidMask.Integration.Tests
{
    /// <summary>Reading hosts live: round trips, the worked case from live hosts, disconnected hosts.</summary>
    [Collection("vcsim")]
    public class HostsTests
    {
        private readonly VcsimFixture _vcsim;

        public HostsTests(VcsimFixture vcsim) => _vcsim = vcsim;

        [Fact]
        public async Task ReadHostsAsync_OneHostOrAllSix_TakesTheSameRoundTrips()
        {
            using var client = await VcsimCli.ConnectAsync(_vcsim);
            var inventory = new HostInventory(client);

            int start = _vcsim.RequestCount;
            var one = await inventory.ReadHostsAsync(new[] { "esx-haswell-01" });
            string[] oneRequests = _vcsim.RequestsSince(start);
            start = _vcsim.RequestCount;
            var six = await inventory.ReadHostsAsync(new[] { "esx-*" });
            string[] sixRequests = _vcsim.RequestsSince(start);
            start = _vcsim.RequestCount;
            var all = await inventory.ReadHostsAsync();
            string[] allRequests = _vcsim.RequestsSince(start);

            Assert.Single(one);
            Assert.Equal(6, six.Count);
            Assert.Equal(6, all.Count);
            // Names through a container view, then the CPU paths of the matches, then their clusters' names.
            string[] byName = { "CreateContainerView", "RetrievePropertiesEx", "DestroyView", "RetrievePropertiesEx", "RetrievePropertiesEx" };
            Assert.Equal(byName, oneRequests);
            Assert.Equal(byName, sixRequests);
            Assert.Equal(new[] { "CreateContainerView", "RetrievePropertiesEx", "DestroyView", "RetrievePropertiesEx" }, allRequests);
        }

        [Fact]
        public async Task ReadHostsAsync_EveryHost_IsExactlyWhatTheInventoryGaveTheSimulator()
        {
            // The read path decodes each host as its page is read and takes the brand from
            // summary.hardware.cpuModel; nothing of what the inventory put in may be lost or changed.
            var inventory = JsonNode.Parse(System.IO.File.ReadAllText(RepoPaths.Inventory))!;
            var expected = inventory["clusters"]!.AsArray().SelectMany(c => c!["hosts"]!.AsArray().Select(h => (Cluster: (string?)c["name"], Host: h!)))
                .Concat(inventory["hosts"]!.AsArray().Select(h => (Cluster: (string?)null, Host: h!)))
                .OrderBy(h => (string)h.Host["name"]!, System.StringComparer.OrdinalIgnoreCase)
                .ToArray();
            using var client = await VcsimCli.ConnectAsync(_vcsim);

            var hosts = await new HostInventory(client).ReadHostsAsync();

            Assert.Equal(expected.Select(e => (string)e.Host["name"]!), hosts.Select(h => h.Name));
            foreach (var (cluster, spec) in expected)
            {
                var host = hosts.Single(h => h.Name == (string)spec["name"]!);
                Assert.Equal(cluster, host.Cluster);
                Assert.Equal((string?)spec["connectionState"] ?? "connected", host.ConnectionState);
                Assert.Equal((string?)spec["cpuPkgDescription"], host.CpuModel);
                Assert.Equal((string?)spec["maxEVCModeKey"], host.MaxEVCModeKey);
                Assert.Equal((string?)spec["currentEVCModeKey"], host.CurrentEVCModeKey);
                Assert.Equal(
                    spec["cpuFeature"]!.AsArray().Select(l => $"{(int)l!["level"]!} {(string?)l["vendor"]} {(string?)l["eax"]} {(string?)l["ebx"]} {(string?)l["ecx"]} {(string?)l["edx"]}"),
                    host.CpuFeature.Select(l => $"{l.Level} {l.Vendor} {l.Eax} {l.Ebx} {l.Ecx} {l.Edx}"));
                Assert.Equal(
                    spec["featureCapability"]!.AsArray().Select(c => $"{(string)c!["key"]!}={(string?)c["value"]}"),
                    host.FeatureCapability.Select(c => $"{c.Key}={c.Value}"));
            }
        }

        [Fact]
        public async Task ReadHostsAsync_ByReference_OneHostOrAllSix_TwoRoundTripsAndNoNameLookup()
        {
            using var client = await VcsimCli.ConnectAsync(_vcsim);
            var inventory = new HostInventory(client);
            var all = await inventory.ReadHostsAsync();

            int start = _vcsim.RequestCount;
            var one = await inventory.ReadHostsAsync(new[] { all.Single(h => h.Name == "esx-haswell-01").MoRef });
            string[] oneRequests = _vcsim.RequestsSince(start);
            start = _vcsim.RequestCount;
            var six = await inventory.ReadHostsAsync(all.Select(h => h.MoRef));
            string[] sixRequests = _vcsim.RequestsSince(start);

            Assert.Equal("Prod", one.Single().Cluster);
            Assert.Equal(all.Select(h => h.Name), six.Select(h => h.Name));
            Assert.Equal(new[] { "RetrievePropertiesEx", "RetrievePropertiesEx" }, oneRequests);
            Assert.Equal(oneRequests, sixRequests);
        }

        [Fact]
        public async Task ReadHostsAsync_ByReference_HostThatIsGone_IsHostNotFoundNamingIt()
        {
            using var client = await VcsimCli.ConnectAsync(_vcsim);

            var ex = await Assert.ThrowsAsync<CpuidMask.Engine.CpuidMaskException>(() =>
                new HostInventory(client).ReadHostsAsync(new[] { new CpuidMask.Vim.Types.ManagedObjectReference("HostSystem", "host-99999") }));

            Assert.Equal(CpuidMask.Vim.VimErrorIds.HostNotFound, ex.ErrorId);
            Assert.Contains("host-99999", ex.Message);
        }

        [Fact]
        public void HostsCommand_OneHostOrAllHosts_SameRoundTripsAndEveryHostListed()
        {
            var one = VcsimCli.Run(_vcsim, "hosts", "--host", "esx-haswell-01", "--json");
            var all = VcsimCli.Run(_vcsim, "hosts", "--host", "*", "--json");

            Assert.True(one.ExitCode == 0, one.ToString());
            Assert.True(all.ExitCode == 0, all.ToString());
            Assert.Equal(
                new[] { "RetrieveServiceContent", "Login", "CreateContainerView", "RetrievePropertiesEx", "DestroyView", "RetrievePropertiesEx", "RetrievePropertiesEx", "RetrievePropertiesEx", "Logout" },
                one.Requests);
            Assert.Equal(one.Requests, all.Requests);
            var hosts = JsonNode.Parse(all.Out)!["hosts"]!.AsArray();
            Assert.Equal(
                new[] { "esx-avoton-01", "esx-broadwell-01", "esx-epyc-01", "esx-haswell-01", "esx-ivy-01", "esx-skylake-01" },
                hosts.Select(h => (string)h!["name"]!));
            var haswell = hosts.Single(h => (string)h!["name"]! == "esx-haswell-01")!;
            Assert.Equal("Prod", (string?)haswell["cluster"]);
            Assert.Equal("GenuineIntel", (string?)haswell["vendor"]);
            Assert.Equal(6, (int?)haswell["family"]);
            Assert.Equal(0x3F, (int?)haswell["model"]);
            Assert.Contains("E5-2630 v3", (string?)haswell["brand"]);
            Assert.Equal("intel-haswell", (string?)haswell["maxEVCModeKey"]);
            Assert.Equal("intel-haswell", (string?)haswell["currentEVCModeKey"]);
            var ivy = hosts.Single(h => (string)h!["name"]! == "esx-ivy-01")!;
            Assert.Equal("intel-ivybridge", (string?)ivy["maxEVCModeKey"]);
            Assert.Null((string?)ivy["currentEVCModeKey"]);
            Assert.Equal(
                new[] { "intel-merom", "intel-penryn", "intel-nehalem", "intel-westmere", "intel-sandybridge", "intel-ivybridge" },
                ivy["supportedEVCModes"]!.AsArray().Select(m => (string)m!));
            Assert.Equal("amd-zen2", (string?)hosts.Single(h => (string)h!["name"]! == "esx-epyc-01")!["maxEVCModeKey"]);
            Assert.Contains(JsonNode.Parse(all.Out)!["evcModes"]!.AsArray(), m => (string)m!["key"]! == "intel-icelake");
        }

        [Fact]
        public void HostsCommand_DisconnectedHost_IsListedWithItsStateAndNotedOnStderr()
        {
            var run = VcsimCli.Run(_vcsim, "hosts");

            Assert.True(run.ExitCode == 0, run.ToString());
            var table = run.OutLines.Where(l => l.TrimStart().StartsWith("esx-") && !l.Contains(':')).ToArray();
            Assert.Equal(6, table.Length);
            string line = table.Single(l => l.TrimStart().StartsWith("esx-broadwell-01"));
            Assert.Contains("disconnected", line);
            Assert.Contains("Prod", line);
            Assert.Contains("esx-broadwell-01 is disconnected", run.Err);
        }

        [Fact]
        public void MaskCommand_TheTwoWorkedCaseHostsReadLive_GivesTheWriteUpsFourLines()
        {
            var run = VcsimCli.Run(_vcsim, "mask", "--host", "esx-avoton-01", "esx-ivy-01", "--format", "vmx");

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(VcsimCli.WorkedCaseLines.OrderBy(l => l), run.OutLines.OrderBy(l => l));
        }

        [Fact]
        public void CompareCommand_TheTwoWorkedCaseHostsReadLive_BlockedBothWaysAndAllowedUnderTheMask()
        {
            string dir = VcsimCli.TempDirectory();
            try
            {
                var bare = VcsimCli.Run(_vcsim, "compare", "--host", "esx-avoton-01", "esx-ivy-01");
                var masked = VcsimCli.Run(_vcsim, "compare", "--host", "esx-avoton-01", "esx-ivy-01", "--mask-file", VcsimCli.WriteWorkedMask(dir));

                Assert.True(bare.ExitCode == 1, bare.ToString());
                Assert.Contains("MOVBE", bare.Out);
                Assert.Contains("PCID", bare.Out);
                Assert.True(masked.ExitCode == 0, masked.ToString());
            }
            finally
            {
                System.IO.Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void MaskCommand_DisconnectedHostNamed_RefusedNamingItAndWhyExitTwo()
        {
            var run = VcsimCli.Run(_vcsim, "mask", "--host", "esx-avoton-01", "esx-broadwell-01", "--format", "vmx");

            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Empty(run.Out);
            Assert.Contains("esx-broadwell-01 (disconnected)", run.Err);
            Assert.Contains("CPU data is unavailable", run.Err);
            Assert.Contains("error HostNotConnected", run.Err);
        }
    }
}
