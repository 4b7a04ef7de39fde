using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Compliance;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;
using Xunit;

namespace CpuidMask.Tests.Shared
{
    /// <summary>
    /// One compliance verdict per fix kind (and, where it changes the commands, per power state), checked between the
    /// sample Avoton and Ivy Bridge hosts of docs/samples, which every test project that links this file copies to
    /// data/samples. The engine's tests check the neutral wording; each shell's tests check its own commands.
    /// </summary>
    internal static class ComplianceFixCases
    {
        private const string WorkedCaseMask =
            "cpuid.80000001.ecx = \"-----------------------0--------\"\n" +
            "cpuid.1.ecx = \"--00-0---0----0-----------------\"\n" +
            "cpuid.7.ebx = \"-------------------------------0\"\n" +
            "cpuid.d.eax = \"-----------------------------00-\"\n";

        private static readonly Lazy<(IReadOnlyDictionary<string, VmCompliance> Results, ComplianceHost[] Pair)> Cases =
            new Lazy<(IReadOnlyDictionary<string, VmCompliance>, ComplianceHost[])>(Build);

        public static TheoryData<string> Names
        {
            get
            {
                var names = new TheoryData<string>();
                foreach (string name in Cases.Value.Results.Keys)
                {
                    names.Add(name);
                }

                return names;
            }
        }

        public static VmCompliance Get(string name) => Cases.Value.Results[name];

        /// <summary>The two standalone hosts most cases are checked against: esx-avoton and esx-ivy (every case's VM is on esx-ivy).</summary>
        public static IReadOnlyList<ComplianceHost> Pair => Cases.Value.Pair;

        public static VmMask WorkedMask() => VmMask.ParseVmx(WorkedCaseMask, "worked case");

        private static (IReadOnlyDictionary<string, VmCompliance>, ComplianceHost[]) Build()
        {
            var avoton = Sample("avoton-c2750.txt", "esx-avoton");
            var ivy = Sample("ivybridge-i7-3770k.txt", "esx-ivy");
            var pair = Standalone(avoton, ivy);
            var twins = Standalone(ivy, ivy.WithName("esx-ivy-2"));

            // Per-VM EVC modes as complete masks: one keeps what both hosts have, one all of Ivy Bridge's features.
            var common = Mode("test-common", "Avoton and Ivy Bridge", avoton, ivy);
            var ivyMode = Mode("test-ivy", "Ivy Bridge", ivy);
            var worked = WorkedMask();
            var cases = new Dictionary<string, VmCompliance>(StringComparer.Ordinal);
            void Add(string name, ComplianceFixKind expected, VmCompliance result)
            {
                Assert.True(result.FixKind == expected, $"{name}: {result.FixKind} ({result.Status}: {result.Reason})");
                cases[name] = result;
            }

            var checker = new ComplianceChecker(null, new[] { common, ivyMode });
            var plain = new ComplianceChecker();
            Add("ApplyMask", ComplianceFixKind.ApplyMask, plain.Check(new[] { Vm("vm-unmasked", "poweredOff") }, pair).Single());
            Add("ApplyMask, running", ComplianceFixKind.ApplyMask, plain.Check(new[] { Vm("vm-unmasked-on", "poweredOn") }, pair).Single());
            Add("ApplyEvcMode", ComplianceFixKind.ApplyEvcMode, checker.Check(new[] { Vm("vm-evc", "poweredOff", evc: ivyMode) }, pair).Single());
            Add("ApplyEvcMode, running", ComplianceFixKind.ApplyEvcMode, checker.Check(new[] { Vm("vm-evc-on", "poweredOn", evc: ivyMode) }, pair).Single());
            Add("RemoveMasks", ComplianceFixKind.RemoveMasks, plain.Check(new[] { Vm("vm-wider", "poweredOff", worked) }, twins).Single());
            Add("RemoveMasks, running", ComplianceFixKind.RemoveMasks, plain.Check(new[] { Vm("vm-wider-on", "suspended", worked) }, twins).Single());

            // Its masks hide what both twins have; with no mode to offer, both its masks and its per-VM EVC go.
            Add("RemoveMasks and per-VM EVC", ComplianceFixKind.RemoveMasks, plain.Check(new[] { Vm("vm-wider-evc", "poweredOff", worked, ivyMode) }, twins).Single());
            Add("RemoveMasks and per-VM EVC, running", ComplianceFixKind.RemoveMasks, plain.Check(new[] { Vm("vm-wider-evc-on", "poweredOn", worked, ivyMode) }, twins).Single());

            // Running with AVX, which its mask hides now and the Avoton lacks: blocked until it powers off and on.
            var avx = new[] { new VSphereFeature("cpuid.AVX", "Bool:Min:1") };
            Add("PowerCycle", ComplianceFixKind.PowerCycle, plain.Check(new[] { Vm("vm-pending", "poweredOn", worked, requirement: avx) }, pair).Single());
            Add("RepairMasks", ComplianceFixKind.RepairMasks, plain.Check(new[] { new ComplianceVm("vc01", "vm-broken") { HostName = "esx-ivy", PowerState = "poweredOff", StoredMaskError = "cpuid.1.ecx: 31 characters" } }, pair).Single());
            Add("Manual", ComplianceFixKind.Manual, plain.Check(new[] { new ComplianceVm("vc01", "vm-lost") { HostName = "esx-elsewhere", PowerState = "poweredOff" } }, pair).Single());
            return (cases, pair);
        }

        private static ComplianceVm Vm(string name, string powerState, VmMask? stored = null, EvcModeDefinition? evc = null, IReadOnlyList<VSphereFeature>? requirement = null) =>
            new ComplianceVm("vc01", name)
            {
                HostName = "esx-ivy",
                PowerState = powerState,
                HardwareVersion = 19,
                StoredMask = stored,
                PerVmEvcMask = evc?.FeatureMask ?? Array.Empty<VSphereFeature>(),
                FeatureRequirement = requirement ?? Array.Empty<VSphereFeature>(),
            };

        private static EvcModeDefinition Mode(string key, string label, params CpuidProfile[] hosts) =>
            new EvcModeDefinition(
                key,
                label,
                "intel",
                FeatureCatalog.Default.Features
                    .Where(f => f.Tracked && f.VSphereKeyOn(hosts[0].Vendor) != null && hosts.All(h => FeatureEvaluator.HostState(h, f) == FeatureState.Present))
                    .Select(f => new VSphereFeature(f.VSphereKeyOn(hosts[0].Vendor)!, "Val:1")));

        private static ComplianceHost[] Standalone(params CpuidProfile[] profiles) =>
            profiles.Select(p => new ComplianceHost("vc01", p.Name, p)).ToArray();

        private static CpuidProfile Sample(string file, string name) =>
            ProfileReader.Read(Path.Combine(AppContext.BaseDirectory, "data", "samples", file)).WithName(name);
    }
}
