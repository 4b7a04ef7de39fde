using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;

namespace CpuidMask.Integration.Tests
{
    /// <summary>
    /// Builds tests/vcsim/compliance.json: a vCenter for the compliance check (Test-VmCpuidMask, cpuidmask check)
    /// with one VM per status. Kept apart from inventory.json so the tests that count that inventory's hosts and
    /// VMs stay as they are. The committed file must equal what this produces.
    /// </summary>
    internal static class VcsimComplianceInventory
    {
        private const string Avoton = "GenuineIntel00406D8_Avoton_CPUID";
        private const string Ivy = "GenuineIntel00306A9_IvyBridge_CPUID";
        private const string Haswell = "GenuineIntel00306F2_HaswellEP_00_CPUID";
        // Cascade Lake rather than the Skylake dump: the Skylake dump predates the speculation-control microcode the
        // Haswell and Broadwell dumps report, and a host lacking a feature of its EVC mode could not join the cluster.
        private const string CascadeLake = "GenuineIntel0050656_CascadeLakeSP_CPUID";
        private const string Broadwell = "GenuineIntel00406F1_BroadwellE_02_CPUID";
        private const string Rome = "AuthenticAMD0830F10_K17_Rome_CPUID2";

        /// <summary>The worked case's mask: written when the Lab cluster had only its Avoton and Ivy Bridge hosts.</summary>
        public static readonly (string Key, string Value)[] WorkedCaseMask =
        {
            ("cpuid.80000001.ecx", "-----------------------0--------"),
            ("cpuid.1.ecx", "--00-0---0----0-----------------"),
            ("cpuid.7.ebx", "-------------------------------0"),
            ("cpuid.d.eax", "-----------------------------00-"),
        };

        /// <summary>Cluster (null: standalone), EVC mode of the cluster (null: off), hosts: name, dump, connection state.</summary>
        public static readonly (string? Cluster, string? Evc, (string Host, string Dump, string State)[] Hosts)[] Clusters =
        {
            // EVC on: a Cascade Lake VM without masks can move to the Haswell host.
            ("Prod", "intel-haswell", new[] { ("esx-prod-haswell", Haswell, "connected"), ("esx-prod-cascade", CascadeLake, "connected") }),
            // No EVC; esx-lab-haswell was added after the worked-case masks were written for the other two.
            ("Lab", null, new[] { ("esx-lab-avoton", Avoton, "connected"), ("esx-lab-ivy", Ivy, "connected"), ("esx-lab-haswell", Haswell, "connected") }),
            // No EVC, and a host that is disconnected.
            ("Dev", null, new[] { ("esx-dev-cascade", CascadeLake, "connected"), ("esx-dev-haswell", Haswell, "connected"), ("esx-dev-broadwell", Broadwell, "disconnected") }),
            // Two identical hosts (their older siblings were retired).
            ("Twins", null, new[] { ("esx-twin-1", Haswell, "connected"), ("esx-twin-2", Haswell, "connected") }),
            (null, null, new[] { ("esx-solo-epyc", Rome, "connected") }),
        };

        /// <summary>A VM per status: name, host, power state, version, extraConfig, per-VM EVC mode, the host it was powered on on (running VMs).</summary>
        public static readonly (string Vm, string Host, string Power, string Version, (string Key, string Value)[] Extra, string? PerVmEvc, string? PoweredOnWith)[] Vms =
        {
            ("vm-prod-off", "esx-prod-cascade", "poweredOff", "vmx-19", Array.Empty<(string, string)>(), null, null),
            ("vm-prod-on", "esx-prod-haswell", "poweredOn", "vmx-19", Array.Empty<(string, string)>(), null, "esx-prod-haswell"),
            ("vm-lab-stale", "esx-lab-ivy", "poweredOff", "vmx-13", WorkedCaseMask, null, null),
            ("vm-lab-unmasked", "esx-lab-avoton", "poweredOff", "vmx-13", Array.Empty<(string, string)>(), null, null),
            // Running: powered on on the Cascade Lake host before its mask was written (its featureRequirement is the
            // bigger host's), so it cannot move to esx-dev-haswell until it is powered off and on.
            ("vm-dev-pending", "esx-dev-cascade", "poweredOn", "vmx-19", Array.Empty<(string, string)>(), null, "unmasked"),
            ("vm-dev-unmasked", "esx-dev-cascade", "poweredOn", "vmx-19", Array.Empty<(string, string)>(), null, "unmasked"),
            ("vm-dev-evc", "esx-dev-cascade", "poweredOff", "vmx-19", Array.Empty<(string, string)>(), "intel-haswell", null),
            ("vm-dev-gone", "esx-dev-broadwell", "poweredOff", "vmx-19", Array.Empty<(string, string)>(), null, null),
            ("vm-twin-wider", "esx-twin-1", "poweredOff", "vmx-19", new[] { ("featMask.vm.cpuid.AVX2", "Val:0"), ("featMask.vm.cpuid.FMA", "Val:0") }, null, null),
            ("vm-twin-ok", "esx-twin-2", "poweredOff", "vmx-19", Array.Empty<(string, string)>(), null, null),
            ("vm-solo-amd", "esx-solo-epyc", "poweredOff", "vmx-19", Array.Empty<(string, string)>(), null, null),
        };

        public static string Generate()
        {
            var hostProfiles = Clusters.SelectMany(c => c.Hosts).ToDictionary(h => h.Host, h => VcsimInventory.Dump(h.Dump));
            var evcOf = Clusters.SelectMany(c => c.Hosts.Select(h => (h.Host, c.Evc))).ToDictionary(p => p.Host, p => p.Evc);
            var devMask = MinimalMask(hostProfiles["esx-dev-cascade"], hostProfiles["esx-dev-haswell"]);
            var root = new JsonObject
            {
                ["user"] = VcsimInventory.User,
                ["password"] = VcsimInventory.Password,
                ["about"] = new JsonObject { ["version"] = "7.0.3", ["build"] = "20150588", ["apiVersion"] = "7.0.3.0" },
                ["datacenter"] = "Lab",
                ["supportedEVCMode"] = new JsonArray(VcsimInventory.OfferedEvcModes.Select(b => (JsonNode)VcsimInventory.EvcModeNode(b)).ToArray()),
                ["clusters"] = new JsonArray(Clusters.Where(c => c.Cluster != null).Select(c => (JsonNode)new JsonObject
                {
                    ["name"] = c.Cluster,
                    ["currentEVCModeKey"] = c.Evc ?? string.Empty,
                    ["hosts"] = new JsonArray(c.Hosts.Select(h => (JsonNode)VcsimInventory.HostNode(h.Host, hostProfiles[h.Host], h.State, c.Evc)).ToArray()),
                }).ToArray()),
                ["hosts"] = new JsonArray(Clusters.Where(c => c.Cluster == null).SelectMany(c => c.Hosts).Select(h => (JsonNode)VcsimInventory.HostNode(h.Host, hostProfiles[h.Host], h.State, null)).ToArray()),
                ["vms"] = new JsonArray(Vms.Select(v =>
                {
                    var extra = v.Vm == "vm-dev-pending" ? devMask : v.Extra;
                    var node = new JsonObject
                    {
                        ["name"] = v.Vm,
                        ["host"] = v.Host,
                        ["powerState"] = v.Power,
                        ["version"] = v.Version,
                        ["guestId"] = "otherGuest64",
                        ["extraConfig"] = new JsonArray(new[] { ("guestinfo.owner", "compliance") }.Concat(extra).Select(e => (JsonNode)new JsonObject { ["key"] = e.Item1, ["value"] = e.Item2 }).ToArray()),
                    };

                    if (v.PerVmEvc != null)
                    {
                        node["featureMask"] = VcsimInventory.EvcModeNode(BaselineCatalog.Default.Find(v.PerVmEvc))["featureMask"]!.DeepClone();
                    }

                    if (v.PoweredOnWith != null)
                    {
                        // What the VM got at its last power-on: "unmasked" = on its host with no masks at all.
                        var mask = v.PoweredOnWith == "unmasked" ? VmMask.Empty : ToMask(v.Extra);
                        node["featureRequirement"] = Requirement(hostProfiles[v.Host], mask, evcOf[v.Host]);
                    }

                    return (JsonNode)node;
                }).ToArray()),
            };
            // What ESXi never exposes to an older VM, by vSphere key: the simulator leaves it out of what a VM of an
            // older hardware version requires at power-on (tests/vcsim/inventory.go, featureHardwareVersions).
            root["featureHardwareVersions"] = new JsonObject(FeatureCatalog.Default.Features
                .Where(f => f.VSphereKey != null && f.MinHardwareVersion is int)
                .GroupBy(f => f.VSphereKey!, StringComparer.OrdinalIgnoreCase)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new KeyValuePair<string, JsonNode?>(g.Key, g.Min(f => f.MinHardwareVersion!.Value))));
            return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }).Replace("\r\n", "\n") + "\n";
        }

        private static (string, string)[] MinimalMask(params CpuidProfile[] hosts) =>
            new MaskGenerator().Generate(hosts).Mask.ToExtraConfig().Select(p => (p.Key, p.Value)).ToArray();

        private static VmMask ToMask((string Key, string Value)[] extra) =>
            VmMask.FromExtraConfig(extra.Select(e => new KeyValuePair<string, string>(e.Key, e.Value)), "inventory");

        /// <summary>
        /// A runtime.featureRequirement as vCenter reports it for a VM powered on on the host: Bool:Min:1 for every
        /// tracked feature the VM sees there (its masks and its cluster's EVC mode applied).
        /// </summary>
        private static JsonArray Requirement(CpuidProfile host, VmMask mask, string? evc)
        {
            var evcKeys = evc == null
                ? null
                : new HashSet<string>(VcsimInventory.EvcModeNode(BaselineCatalog.Default.Find(evc))["featureMask"]!.AsArray().Select(n => (string)n!["key"]!), StringComparer.OrdinalIgnoreCase);
            var keys = FeatureCatalog.Default.Features
                .Where(f => f.Tracked && f.VSphereKeyOn(host.Vendor) != null && FeatureEvaluator.GuestState(host, f, mask) == FeatureState.Present)
                .Select(f => f.VSphereKeyOn(host.Vendor)!)
                .Where(k => evcKeys == null || evcKeys.Contains(k))
                .Distinct(StringComparer.OrdinalIgnoreCase);
            return new JsonArray(new[] { host.IsIntel ? "cpuid.Intel" : "cpuid.AMD" }.Concat(keys)
                .Select(k => (JsonNode)new JsonObject { ["key"] = k, ["featureName"] = k, ["value"] = "Bool:Min:1" }).ToArray());
        }
    }
}
