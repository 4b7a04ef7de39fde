using System;
using System.Linq;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Engine.Model;
using CpuidMask.Vim.Inventory;
using CpuidMask.Vim.Tests.Fakes;
using CpuidMask.Vim.Types;
using Xunit;

namespace CpuidMask.Vim.Tests
{
    public class HostInventoryTests
    {
        private static async Task<(VimClient Client, FakeVimServer Server)> ConnectWithAllHosts()
        {
            var server = new FakeVimServer();
            var client = await TestConnections.ConnectAsync(server);
            server.Reply("CreateContainerView", "CreateContainerView.xml")
                .Reply("RetrievePropertiesEx", "RetrievePropertiesEx_Hosts_Page1.xml")
                .Reply("ContinueRetrievePropertiesEx", "ContinueRetrievePropertiesEx_Hosts_Page2.xml")
                .Reply("DestroyView", "DestroyView.xml")
                .Reply("RetrievePropertiesEx", "RetrievePropertiesEx_ClusterNames.xml");
            return (client, server);
        }

        [Fact]
        public async Task ReadHostsAsync_AllHosts_TakesAConstantNumberOfRoundTrips()
        {
            var (client, server) = await ConnectWithAllHosts();
            using (client)
            {
                var hosts = await new HostInventory(client).ReadHostsAsync();

                Assert.Equal(3, hosts.Count);
                Assert.Equal(
                    new[] { "CreateContainerView", "RetrievePropertiesEx", "ContinueRetrievePropertiesEx", "DestroyView", "RetrievePropertiesEx" },
                    server.Methods.Skip(2));
            }
        }

        [Fact]
        public async Task ReadHostsAsync_AllHosts_ReportsEachPageOfHostsWithoutATotal_ThenTheirClusters()
        {
            var (client, _) = await ConnectWithAllHosts();
            using (client)
            {
                var progress = new ReportList<InventoryReadProgress>();

                await new HostInventory(client, progress).ReadHostsAsync();

                Assert.Equal(
                    new[] { "Host 2 of ? names=False", "Host 3 of ? names=False", "Cluster 1 of 1 names=False" },
                    progress.Items.Select(p => $"{p.Kind} {p.Read} of {p.Total?.ToString() ?? "?"} names={p.NamesOnly}"));
                Assert.All(progress.Items, p => Assert.Equal(TestConnections.Server, p.Server));
            }
        }

        [Fact]
        public async Task ReadHostsAsync_AsksForExactlyTheNeededPaths()
        {
            var (client, server) = await ConnectWithAllHosts();
            using (client)
            {
                await new HostInventory(client).ReadHostsAsync();

                Assert.Equal(
                    new[]
                    {
                        "name", "parent", "runtime.connectionState", "hardware.cpuFeature", "summary.hardware.cpuModel",
                        "config.featureCapability", "summary.maxEVCModeKey", "summary.currentEVCModeKey",
                    },
                    server.Requests[3].Values("pathSet"));
                Assert.Equal(new[] { "name" }, server.Requests[6].Values("pathSet"));
                Assert.Equal(new[] { "domain-c7" }, server.Requests[6].Values("obj"));
            }
        }

        [Fact]
        public async Task ReadHostsAsync_AllByNameOrByReference_AsksForTheCpuidLeavesOnlyOnce()
        {
            // hardware.cpuPkg[].cpuFeature repeats hardware.cpuFeature for every package, and "hardware"
            // holds both: a request with any of them next to hardware.cpuFeature fetches the leaves twice.
            static bool CarriesLeaves(string path) =>
                "hardware.cpuFeature".StartsWith(path, StringComparison.Ordinal) || path.StartsWith("hardware.cpuPkg", StringComparison.Ordinal);

            var (client, all) = await ConnectWithAllHosts();
            using (client)
            {
                await new HostInventory(client).ReadHostsAsync();
            }

            var byName = new FakeVimServer();
            using (var nameClient = await TestConnections.ConnectAsync(byName))
            {
                byName.Reply("CreateContainerView", "CreateContainerView.xml")
                    .Reply("RetrievePropertiesEx", "RetrievePropertiesEx_HostNames.xml")
                    .Reply("DestroyView", "DestroyView.xml")
                    .Reply("RetrievePropertiesEx", "RetrievePropertiesEx_Hosts_Selected.xml");
                await new HostInventory(nameClient).ReadHostsAsync(new[] { "esx02*" });
            }

            var byRef = new FakeVimServer();
            using (var refClient = await TestConnections.ConnectAsync(byRef))
            {
                byRef.Reply("RetrievePropertiesEx", "RetrievePropertiesEx_Hosts_ByMoRef.xml")
                    .Reply("RetrievePropertiesEx", "RetrievePropertiesEx_ClusterNames.xml");
                await new HostInventory(refClient).ReadHostsAsync(new[] { new ManagedObjectReference("HostSystem", "host-10") });
            }

            foreach (var paths in new[] { all.Requests[3], byName.Requests[5], byRef.Requests[2] }.Select(r => r.Values("pathSet")))
            {
                Assert.Equal(new[] { "hardware.cpuFeature" }, paths.Where(CarriesLeaves));
                Assert.Contains("summary.hardware.cpuModel", paths);
            }
        }

        [Fact]
        public async Task ReadHostsAsync_ReturnsClusterStateAndEvcKeys()
        {
            var (client, _) = await ConnectWithAllHosts();
            using (client)
            {
                var hosts = await new HostInventory(client).ReadHostsAsync();

                var esx01 = hosts.Single(h => h.Name == "esx01.example.com");
                Assert.Equal("Prod-A", esx01.Cluster);
                Assert.Equal("host-10", esx01.MoRef.Value);
                Assert.True(esx01.IsConnected);
                Assert.Equal("intel-ivybridge", esx01.MaxEVCModeKey);
                Assert.Null(esx01.CurrentEVCModeKey);
                Assert.Equal("Intel(R) Core(TM) i7-3770S CPU @ 3.10GHz", esx01.CpuModel);

                var esx02 = hosts.Single(h => h.Name == "esx02.example.com");
                Assert.Null(esx02.Cluster);
                Assert.Equal("intel-westmere", esx02.MaxEVCModeKey);
                Assert.Null(esx02.CurrentEVCModeKey);
            }
        }

        [Fact]
        public async Task ReadHostsAsync_DisconnectedHost_IsReturnedWithItsStateAndNoCpuData()
        {
            var (client, _) = await ConnectWithAllHosts();
            using (client)
            {
                var hosts = await new HostInventory(client).ReadHostsAsync();

                var esx03 = hosts.Single(h => h.Name == "esx03.example.com");
                Assert.Equal("disconnected", esx03.ConnectionState);
                Assert.False(esx03.IsConnected);
                Assert.False(esx03.HasCpuData);
                Assert.Empty(esx03.CpuFeature);
                Assert.Equal("Prod-A", esx03.Cluster);
                var ex = Assert.Throws<CpuidMaskException>(() => esx03.ToProfile());
                Assert.Equal(VimErrorIds.HostCpuDataUnavailable, ex.ErrorId);
                Assert.Contains("esx03.example.com", ex.Message);
                Assert.Contains("disconnected", ex.Message);
            }
        }

        [Fact]
        public async Task ToProfile_BuildsTheEngineProfileWithLeavesCapabilitiesAndSource()
        {
            var (client, _) = await ConnectWithAllHosts();
            using (client)
            {
                var hosts = await new HostInventory(client).ReadHostsAsync();

                var profile = hosts.Single(h => h.Name == "esx01.example.com").ToProfile();

                Assert.Equal("esx01.example.com", profile.Name);
                Assert.Equal("vcenter vc01.example.com/host-10", profile.Source);
                Assert.Equal(ProfileFormat.VSphere, profile.Format);
                Assert.Equal("GenuineIntel", profile.Vendor);
                Assert.Equal("Intel(R) Core(TM) i7-3770S CPU @ 3.10GHz", profile.Brand);
                Assert.Equal(0x000306a9u, profile.Signature);
                Assert.Equal(0x80000008u, profile.MaxExtendedLeaf);
                Assert.Equal(0x00000001u, profile.TryGet(0x80000001u, 0, CpuidRegister.Ecx));
                Assert.Equal(FeatureState.Present, profile.GetBit(1, 0, CpuidRegister.Ecx, 28));
                Assert.Equal("1", profile.Capabilities["cpuid.AVX"]);
            }
        }

        [Fact]
        public async Task ToProfile_TwoHostsFromTheWorkedCase_DifferInMovbeAndAvx()
        {
            var (client, _) = await ConnectWithAllHosts();
            using (client)
            {
                var hosts = await new HostInventory(client).ReadHostsAsync();
                var ivy = hosts.Single(h => h.Name == "esx01.example.com").ToProfile();
                var avoton = hosts.Single(h => h.Name == "esx02.example.com").ToProfile();

                Assert.Equal(FeatureState.Absent, ivy.GetBit(1, 0, CpuidRegister.Ecx, 22));
                Assert.Equal(FeatureState.Present, avoton.GetBit(1, 0, CpuidRegister.Ecx, 22));
                Assert.Equal(FeatureState.Absent, avoton.GetBit(1, 0, CpuidRegister.Ecx, 28));
                Assert.Equal(FeatureState.Present, avoton.GetBit(0x80000001u, 0, CpuidRegister.Ecx, 8));
            }
        }

        [Fact]
        public async Task ReadHostsAsync_WithWildcard_ReadsNamesFirstThenOnlyTheMatches()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Reply("CreateContainerView", "CreateContainerView.xml")
                .Reply("RetrievePropertiesEx", "RetrievePropertiesEx_HostNames.xml")
                .Reply("DestroyView", "DestroyView.xml")
                .Reply("RetrievePropertiesEx", "RetrievePropertiesEx_Hosts_Selected.xml");

            var hosts = await new HostInventory(client).ReadHostsAsync(new[] { "ESX02*" });

            Assert.Equal("esx02.example.com", hosts.Single().Name);
            Assert.Equal(new[] { "name" }, server.Requests[3].Values("pathSet"));
            Assert.Equal(new[] { "host-12" }, server.Requests[5].Values("obj"));
            Assert.Equal(HostInventory.HostPaths, server.Requests[5].Values("pathSet"));
            Assert.Equal(6, server.Requests.Count);
        }

        [Fact]
        public async Task ReadHostsAsync_WithUnknownName_FailsWithHostNotFoundNamingIt()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Reply("CreateContainerView", "CreateContainerView.xml")
                .Reply("RetrievePropertiesEx", "RetrievePropertiesEx_HostNames.xml")
                .Reply("DestroyView", "DestroyView.xml");

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => new HostInventory(client).ReadHostsAsync(new[] { "esx01.example.com", "esx99" }));

            Assert.Equal(VimErrorIds.HostNotFound, ex.ErrorId);
            Assert.Equal(ErrorKind.ObjectNotFound, ex.Kind);
            Assert.Equal("esx99", ex.Target);
            Assert.Contains("'esx99'", ex.Message);
            Assert.Contains("esx01.example.com", ex.Message);
        }

        [Fact]
        public async Task ReadHostsAsync_WithWildcardMatchingNothing_IsEmptyWithoutReadingDetails()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Reply("CreateContainerView", "CreateContainerView.xml")
                .Reply("RetrievePropertiesEx", "RetrievePropertiesEx_HostNames.xml")
                .Reply("DestroyView", "DestroyView.xml");

            var hosts = await new HostInventory(client).ReadHostsAsync(new[] { "nothing*" });

            Assert.Empty(hosts);
            Assert.Equal(5, server.Requests.Count);
        }

        [Fact]
        public async Task ReadHostsAsync_ByReference_ReadsOnlyThoseHostsWithoutANameLookup()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Reply("RetrievePropertiesEx", "RetrievePropertiesEx_Hosts_ByMoRef.xml")
                .Reply("RetrievePropertiesEx", "RetrievePropertiesEx_ClusterNames.xml");

            var hosts = await new HostInventory(client).ReadHostsAsync(new[]
            {
                new ManagedObjectReference("HostSystem", "host-12"),
                new ManagedObjectReference("HostSystem", "host-10"),
                new ManagedObjectReference("HostSystem", "host-12"),
            });

            Assert.Equal(new[] { "esx01.example.com", "esx02.example.com" }, hosts.Select(h => h.Name));
            Assert.Equal("Prod-A", hosts[0].Cluster);
            Assert.Equal("host-10", hosts[0].MoRef.Value);
            Assert.Equal(new[] { "RetrievePropertiesEx", "RetrievePropertiesEx" }, server.Methods.Skip(2));
            Assert.Equal(new[] { "host-12", "host-10" }, server.Requests[2].Values("obj"));
            Assert.Equal(HostInventory.HostPaths, server.Requests[2].Values("pathSet"));
            Assert.Equal(new[] { "domain-c7" }, server.Requests[3].Values("obj"));
        }

        [Fact]
        public async Task ReadHostsAsync_ByReference_TakesTheSameRoundTripsAsByName()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Reply("RetrievePropertiesEx", "RetrievePropertiesEx_Hosts_Selected.xml");

            var hosts = await new HostInventory(client).ReadHostsAsync(new[] { new ManagedObjectReference("HostSystem", "host-12") });

            // A standalone host: no cluster names to read, so one round trip in all.
            Assert.Equal("esx02.example.com", hosts.Single().Name);
            Assert.Null(hosts.Single().Cluster);
            Assert.Equal(3, server.Requests.Count);
        }

        [Fact]
        public async Task ReadHostsAsync_ByReference_UnknownHost_FailsWithHostNotFoundNamingIt()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Fault("RetrievePropertiesEx", "Fault_ManagedObjectNotFound_Host.xml");

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => new HostInventory(client).ReadHostsAsync(new[]
            {
                new ManagedObjectReference("HostSystem", "host-10"),
                new ManagedObjectReference("HostSystem", "host-99"),
            }));

            Assert.Equal(VimErrorIds.HostNotFound, ex.ErrorId);
            Assert.Equal(ErrorKind.ObjectNotFound, ex.Kind);
            Assert.Equal("HostSystem:host-99", ex.Target);
            Assert.Contains("host-99", ex.Message);
            Assert.Contains("vc01.example.com", ex.Message);
            Assert.IsType<VimFaultException>(ex.InnerException);
        }

        [Fact]
        public async Task ReadHostsAsync_ByReference_NotAHostOrNothing_AsksTheServerNothing()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            var inventory = new HostInventory(client);

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => inventory.ReadHostsAsync(new[] { new ManagedObjectReference("VirtualMachine", "vm-42") }));
            var none = await inventory.ReadHostsAsync(Array.Empty<ManagedObjectReference>());

            Assert.Equal(VimErrorIds.MoRefInvalid, ex.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
            Assert.Contains("not a host", ex.Message);
            Assert.Empty(none);
            Assert.Equal(2, server.Requests.Count);
        }

        // Found by the fuzz suite: a guaranteed CPUID leaf whose level is no 32-bit number was a FormatException
        // (EVC modes were decoded outside the checked path), not the client's ResponseMalformed.
        [Fact]
        public async Task ReadSupportedEvcModesAsync_LeafWithALevelBeyondRange_IsResponseMalformedNamingTheServer()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            string capability = Recorded.Text("RetrievePropertiesEx_ServiceInstanceCapability.xml").Replace("<guaranteedCPUFeatures><level>1</level>", "<guaranteedCPUFeatures><level>99999999999</level>");
            server.ReplyWith("RetrievePropertiesEx", _ => FakeVimServer.Response(capability));

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => new HostInventory(client).ReadSupportedEvcModesAsync());

            Assert.Equal(VimErrorIds.ResponseMalformed, ex.ErrorId);
            Assert.StartsWith("https://vc01.example.com/sdk answered with capability of ServiceInstance:ServiceInstance that cannot be read (HostCpuIdInfo without level)", ex.Message);
        }

        [Fact]
        public async Task ReadSupportedEvcModesAsync_ReadsServiceInstanceCapability()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            server.Reply("RetrievePropertiesEx", "RetrievePropertiesEx_ServiceInstanceCapability.xml");

            var modes = await new HostInventory(client).ReadSupportedEvcModesAsync();

            Assert.Equal(new[] { "intel-westmere", "intel-ivybridge" }, modes.Select(m => m.Key));
            var request = server.Requests[2];
            Assert.Equal(new[] { "ServiceInstance" }, request.Values("obj"));
            Assert.Equal("ServiceInstance", request.Call.Descendants().Single(e => e.Name.LocalName == "obj").Attribute("type")!.Value);
            Assert.Equal(new[] { "capability" }, request.Values("pathSet"));
        }
    }
}
