using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Export;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;

namespace CpuidMask.Integration.Tests
{
    /// <summary>
    /// Builds tests/vcsim/inventory.json from the real CPU dumps: each simulated host reports what a
    /// recent ESXi would report for that CPU (raw leaves 0, 1, 0x80000000, 0x80000001 and named
    /// feature capabilities for the rest). The committed file must equal what this produces.
    /// </summary>
    internal static class VcsimInventory
    {
        public const string User = "administrator@vsphere.local";
        public const string Password = "Pa55w.rd!";

        /// <summary>Simulated host name, dump file, cluster (null: standalone), connection state.</summary>
        public static readonly (string Host, string Dump, string? Cluster, string State)[] Hosts =
        {
            ("esx-avoton-01", "GenuineIntel00406D8_Avoton_CPUID", null, "connected"),
            ("esx-ivy-01", "GenuineIntel00306A9_IvyBridge_CPUID", null, "connected"),
            ("esx-haswell-01", "GenuineIntel00306F2_HaswellEP_00_CPUID", "Prod", "connected"),
            ("esx-skylake-01", "GenuineIntel0050654_SkylakeXeon_CPUID2", "Prod", "connected"),
            ("esx-epyc-01", "AuthenticAMD0830F10_K17_Rome_CPUID2", null, "connected"),
            ("esx-broadwell-01", "GenuineIntel00406F1_BroadwellE_02_CPUID", "Prod", "disconnected"),
        };

        /// <summary>VM name, host, power state, hardware version, extraConfig.</summary>
        public static readonly (string Vm, string Host, string Power, string Version, (string Key, string Value)[] Extra)[] Vms =
        {
            ("vm-web01", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "web-team"), ("svga.present", "TRUE"), ("cpuid.1.edx", "-------------------------------0") }),
            ("vm-web02", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "web-team") }),
            ("vm-db01", "esx-ivy-01", "poweredOn", "vmx-19", new[] { ("guestinfo.owner", "dba"), ("sched.cpu.latencySensitivity", "normal") }),
            ("vm-app01", "esx-haswell-01", "poweredOff", "vmx-19", new[] { ("guestinfo.owner", "app") }),
            ("vm-app02", "esx-skylake-01", "poweredOff", "vmx-19", new[] { ("guestinfo.owner", "app") }),
            ("vm-legacy01", "esx-haswell-01", "poweredOff", "vmx-11", new[] { ("guestinfo.owner", "legacy") }),
            ("vm-amd01", "esx-epyc-01", "poweredOff", "vmx-19", new[] { ("guestinfo.owner", "amd") }),
            ("vm-stale01", "esx-ivy-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "ops") }),
            ("vm-undo01", "esx-ivy-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "ops"), ("cpuid.80000001.ecx", "-----------------------0--------"), ("featMask.vm.cpuid.PCID", "Val:0") }),
            ("vm-undo02", "esx-ivy-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "ops"), ("cpuid.1.ecx", "-------------------------------1") }),
            ("vm-idem01", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "ops") }),
            ("vm-batch01", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "batch") }),
            ("vm-batch02", "esx-ivy-01", "poweredOn", "vmx-13", new[] { ("guestinfo.owner", "batch") }),
            ("vm-evc02", "esx-skylake-01", "poweredOff", "vmx-19", new[] { ("guestinfo.owner", "app") }),
            ("vm-evcon01", "esx-haswell-01", "poweredOn", "vmx-19", new[] { ("guestinfo.owner", "app") }),
            // Every computed per-VM EVC mode of each vendor applied in turn (PerVmEvcTests).
            ("vm-evc03", "esx-skylake-01", "poweredOff", "vmx-19", new[] { ("guestinfo.owner", "app") }),
            ("vm-evc04", "esx-epyc-01", "poweredOff", "vmx-19", new[] { ("guestinfo.owner", "amd") }),
            ("vm-westmere01", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "ops") }),
            ("vm-file01", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "ops") }),
            // Rendered by tests/CpuidMask.Views.Tests.ps1 at 80 and 120 columns: raw and named masks, then written.
            ("vm-view01", "esx-ivy-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "ops"), ("cpuid.1.ecx", "-------------------------------1"), ("cpuid.80000001.ecx", "-----------------------0--------"), ("featMask.vm.cpuid.FSGSBASE", "Val:0") }),
            ("vm-view02", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "ops") }),
            ("vm-view03", "esx-haswell-01", "poweredOff", "vmx-19", new[] { ("guestinfo.owner", "app") }),
            ("vm-view04", "esx-skylake-01", "poweredOff", "vmx-19", new[] { ("guestinfo.owner", "app") }),

            // The help examples' VMs: tests/CpuidMask.Examples.Tests.ps1 maps the names docs/*.md use (vm01, app01...) to these.
            ("vm-doc01", "esx-avoton-01", "poweredOff", "vmx-14", new[] { ("guestinfo.owner", "docs"), ("cpuid.1.ecx", "--00-0---0----0-----------------"), ("cpuid.7.ebx", "-------------------------------0"), ("cpuid.80000001.ecx", "-----------------------0--------"), ("cpuid.d.eax", "-----------------------------00-") }),
            ("vm-doc02", "esx-avoton-01", "poweredOff", "vmx-14", new[] { ("guestinfo.owner", "docs") }),
            ("vm-doc03", "esx-ivy-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "docs") }),
            ("vm-doc04", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "docs") }),
            ("vm-doc05", "esx-ivy-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "docs") }),
            ("vm-doc06", "esx-ivy-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "docs"), ("cpuid.1.ecx", "-------------------------------1"), ("cpuid.80000001.edx", "----0---------------------------") }),
            ("vm-doc07", "esx-haswell-01", "poweredOff", "vmx-19", new[] { ("guestinfo.owner", "docs") }),
            ("vm-doc08", "esx-haswell-01", "poweredOff", "vmx-19", new[] { ("guestinfo.owner", "docs") }),
            ("vm-doc09", "esx-haswell-01", "poweredOn", "vmx-19", new[] { ("guestinfo.owner", "docs") }),
            ("vm-doc10", "esx-haswell-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "docs") }),
            ("vm-doc11", "esx-skylake-01", "poweredOff", "vmx-11", new[] { ("guestinfo.owner", "docs") }),
            // Write-ahead undo files, outcomes and parallel runs (WriteAheadTests).
            ("vm-wal01", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "ops") }),
            ("vm-wal02", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "ops") }),
            ("vm-wal03", "esx-ivy-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "ops") }),
            ("vm-wal04", "esx-ivy-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "ops") }),
            ("vm-wal05", "esx-skylake-01", "poweredOff", "vmx-19", new[] { ("guestinfo.owner", "app") }),
            ("vm-wal06", "esx-ivy-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "ops") }),
            ("vm-interop01", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "ops"), ("cpuid.80000001.ecx", "-----------------------0--------") }),
            ("vm-interop02", "esx-haswell-01", "poweredOff", "vmx-19", new[] { ("guestinfo.owner", "app") }),
            // One key, many spellings (issue 10): masks read from JSON, and VMs holding a mask key in a spelling of their own.
            ("vm-key01", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "ops") }),
            ("vm-key02", "esx-ivy-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "ops"), ("Cpuid.1.Ecx", "-------------------------------1") }),
            ("vm-key03", "esx-ivy-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "ops"), ("Cpuid.1.Ecx", "-------------------------------1") }),
            ("vm-key04", "esx-ivy-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "ops"), ("cpuid.01.ecx", "-------------------------------1") }),
            ("vm-key05", "esx-ivy-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "ops"), ("Cpuid.1.Ecx", "-------------------------------1"), ("FEATMASK.VM.CPUID.PCID", "Val:0") }),
            ("vm-key06", "esx-ivy-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "ops"), ("cpuid.1.ecx", "-------------------------------1"), ("CPUID.1.ECX", "------------------------------1-") }),
            // The module under faults (tests/CpuidMask.Faults.Tests.ps1): a dropped answer, -Timeout, a missing change version.
            ("vm-psf01", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "faults") }),
            ("vm-psf02", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "faults") }),
            ("vm-psf03", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "faults") }),
            ("vm-psf04", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "faults") }),
            ("vm-psf05", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "faults") }),
            ("vm-psf06", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "faults") }),
            ("vm-psf07", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "faults") }),
            ("vm-psf08", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "faults") }),
            ("vm-psf09", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "faults") }),
            ("vm-psf10", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "faults") }),
            ("vm-psf11", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "faults") }),
            ("vm-psf12", "esx-avoton-01", "poweredOff", "vmx-13", new[] { ("guestinfo.owner", "faults") }),
        };

        /// <summary>VMs that live in a folder of their own under the datacenter's VM folder: VM name, folder.</summary>
        public static readonly (string Vm, string Folder)[] VmFolders =
        {
            ("vm-doc04", "Web"),
            ("vm-doc05", "Web"),
            ("vm-doc10", "Legacy"),
            ("vm-doc11", "Legacy"),
        };

        /// <summary>
        /// EVC modes the simulated vCenter 7.0.3 offers: the baseline catalog's modes except those vSphere 8
        /// introduced, so that a mode it does not offer (intel-sapphirerapids, amd-zen4) takes the computed path.
        /// </summary>
        public static readonly string[] NotOfferedEvcModes = { "intel-sapphirerapids", "amd-zen4" };

        /// <summary>The cluster whose EVC mode is set to the highest mode all its hosts support.</summary>
        public const string EvcCluster = "Prod";

        /// <summary>VMs that already have a per-VM EVC mode (runtime.featureMask): VM name, EVC mode key.</summary>
        public static readonly (string Vm, string EvcMode)[] VmEvcModes =
        {
            ("vm-evc02", "intel-westmere"),
            ("vm-wal05", "intel-westmere"),
            ("vm-view04", "intel-westmere"),
            ("vm-doc08", "intel-haswell"),
        };

        public static CpuidProfile Dump(string name) => ProfileReader.Read(Path.Combine(RepoPaths.Dumps, name + ".txt"));

        public static IReadOnlyList<Baseline> OfferedEvcModes =>
            BaselineCatalog.Default.Baselines.Where(b => !NotOfferedEvcModes.Contains(b.Key)).ToArray();

        /// <summary>The highest offered mode a host (or all of a set of hosts) supports, as vCenter's maxEVCModeKey.</summary>
        public static string? MaxEvcMode(IReadOnlyList<CpuidProfile> profiles)
        {
            var mode = new BaselineClassifier().Classify(profiles).Highest;
            while (mode != null && NotOfferedEvcModes.Contains(mode.Key))
            {
                mode = mode.Parent;
            }

            return mode?.Key;
        }

        public static string Generate()
        {
            var clusters = new Dictionary<string, JsonArray>();
            var standalone = new JsonArray();
            string? clusterEvc = MaxEvcMode(Hosts.Where(h => h.Cluster == EvcCluster).Select(h => Dump(h.Dump)).ToArray());
            foreach (var (host, dump, cluster, state) in Hosts)
            {
                var node = HostNode(host, Dump(dump), state, cluster == EvcCluster ? clusterEvc : null);
                if (cluster == null)
                {
                    standalone.Add(node);
                }
                else
                {
                    if (!clusters.TryGetValue(cluster, out var list))
                    {
                        list = new JsonArray();
                        clusters[cluster] = list;
                    }

                    list.Add(node);
                }
            }

            var root = new JsonObject
            {
                ["user"] = User,
                ["password"] = Password,
                ["about"] = new JsonObject { ["version"] = "7.0.3", ["build"] = "20150588", ["apiVersion"] = "7.0.3.0" },
                ["datacenter"] = "Lab",
                ["supportedEVCMode"] = new JsonArray(OfferedEvcModes.Select(b => (JsonNode)EvcModeNode(b)).ToArray()),
                ["clusters"] = new JsonArray(clusters.Select(c => (JsonNode)new JsonObject
                {
                    ["name"] = c.Key,
                    ["currentEVCModeKey"] = c.Key == EvcCluster ? clusterEvc : string.Empty,
                    ["hosts"] = c.Value,
                }).ToArray()),
                ["hosts"] = standalone,
                ["vms"] = new JsonArray(Vms.Select(v => (JsonNode)new JsonObject
                {
                    ["name"] = v.Vm,
                    ["host"] = v.Host,
                    ["powerState"] = v.Power,
                    ["version"] = v.Version,
                    ["guestId"] = "otherGuest64",
                    ["extraConfig"] = new JsonArray(v.Extra.Select(e => (JsonNode)new JsonObject { ["key"] = e.Key, ["value"] = e.Value }).ToArray()),
                }.WithFolder(VmFolders.Where(f => f.Vm == v.Vm).Select(f => f.Folder).FirstOrDefault()).WithFeatureMask(VmEvcModes.Where(e => e.Vm == v.Vm).Select(e => EvcModeNode(BaselineCatalog.Default.Find(e.EvcMode))["featureMask"]!.DeepClone()).FirstOrDefault())).ToArray()),
            };
            return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }).Replace("\r\n", "\n") + "\n";
        }

        /// <summary>
        /// A vCenter-style EVCMode for a baseline: featureMask is the complete per-VM EVC mask of the mode (vendor,
        /// identity, nested-virtualization entries, every feature and control with a vSphere name as Val:1; what is
        /// not listed is hidden, completeMasks true), as vCenter's own modes are; vendorTier orders the modes of one vendor.
        /// </summary>
        internal static JsonObject EvcModeNode(Baseline baseline)
        {
            var sameVendor = OfferedEvcModes.Where(b => b.Vendor == baseline.Vendor).ToList();
            var entries = PerVmEvcMask.FromBaseline(baseline).Entries;
            return new JsonObject
            {
                ["key"] = baseline.Key,
                ["label"] = baseline.Label,
                ["vendor"] = baseline.Vendor == BaselineVendor.Intel ? "intel" : "amd",
                ["vendorTier"] = sameVendor.IndexOf(baseline),
                ["track"] = new JsonArray(),
                ["featureMask"] = new JsonArray(entries.Select(e => (JsonNode)new JsonObject { ["key"] = e.Key, ["featureName"] = e.FeatureName, ["value"] = e.Value }).ToArray()),
            };
        }

        private static JsonObject WithFolder(this JsonObject vm, string? folder)
        {
            if (folder != null)
            {
                vm["folder"] = folder;
            }

            return vm;
        }

        private static JsonObject WithFeatureMask(this JsonObject vm, JsonNode? featureMask)
        {
            if (featureMask != null)
            {
                vm["featureMask"] = featureMask;
            }

            return vm;
        }

        internal static JsonObject HostNode(string name, CpuidProfile profile, string state, string? currentEvc)
        {
            var data = VSphereHostData.FromProfile(profile);
            return new JsonObject
            {
                ["name"] = name,
                ["connectionState"] = state,
                ["maxEVCModeKey"] = MaxEvcMode(new[] { profile }),
                ["currentEVCModeKey"] = currentEvc,
                ["cpuPkgDescription"] = profile.Brand,
                ["cpuFeature"] = new JsonArray(data.CpuFeature.Select(c => (JsonNode)new JsonObject
                {
                    ["level"] = c.Level,
                    ["vendor"] = c.Level == 0 ? profile.Vendor : null,
                    ["eax"] = c.Eax,
                    ["ebx"] = c.Ebx,
                    ["ecx"] = c.Ecx,
                    ["edx"] = c.Edx,
                }).ToArray()),
                ["featureCapability"] = new JsonArray(data.FeatureCapability.Select(p => (JsonNode)new JsonObject
                {
                    ["key"] = p.Key,
                    ["featureName"] = p.Key,
                    ["value"] = p.Value,
                }).ToArray()),
            };
        }
    }
}
