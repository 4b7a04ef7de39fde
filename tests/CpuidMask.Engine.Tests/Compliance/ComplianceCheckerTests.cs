using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Compliance;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;
using CpuidMask.Engine.Tests.Analysis;
using CpuidMask.Tests.Shared;
using Xunit;

namespace CpuidMask.Engine.Tests.Compliance
{
    public class ComplianceCheckerTests
    {
        private static readonly CpuidProfile Avoton = DumpProfiles.Find("Avoton").WithName("esx-avoton");
        private static readonly CpuidProfile Ivy = DumpProfiles.Find("00306A9_IvyBridge_").WithName("esx-ivy");
        private static readonly CpuidProfile Haswell = DumpProfiles.Find("00306F2_HaswellEP").WithName("esx-haswell");
        private static readonly CpuidProfile Skylake = DumpProfiles.Find("SkylakeXeon").WithName("esx-skylake");
        private static readonly CpuidProfile Rome = DumpProfiles.Find("Rome").WithName("esx-rome");

        private readonly ComplianceChecker _checker = new ComplianceChecker();

        [Fact]
        public void Check_PoweredOffVmWithoutMaskBetweenAvotonAndIvy_IsUnmaskedAndNamesTheBlockersInVCentersWords()
        {
            var hosts = Standalone(Avoton, Ivy);
            var vm = new ComplianceVm("vc01", "vm01") { HostName = "esx-ivy", PowerState = "poweredOff", HardwareVersion = 13 };

            var result = _checker.Check(new[] { vm }, hosts).Single();

            Assert.Equal(ComplianceStatus.Unmasked, result.Status);
            var avoton = result.Destinations.Single();
            Assert.Equal("esx-avoton", avoton.HostName);
            Assert.Equal(MoveOutcome.Blocked, avoton.Outcome);
            Assert.Equal(
                new[] { "cpuid.AVX", "cpuid.F16C", "cpuid.FSGSBASE", "cpuid.PCID", "cpuid.XSAVE" },
                avoton.Blockers.Select(b => b.Key).Where(k => !k.StartsWith("cpuid.XCR0_", StringComparison.Ordinal)).OrderBy(k => k, StringComparer.Ordinal));
            Assert.All(avoton.Blockers, b => Assert.Equal(b.Feature!.DisplayName, b.Label));
            Assert.Equal(
                new[] { "AVX", "F16C", "FSGSBASE", "MOVBE", "PCID", "PREFETCHW", "XSAVE", "XSAVE_SSE", "XSAVE_YMM" },
                result.NotHidden.Select(f => f.Name).OrderBy(n => n, StringComparer.Ordinal));
            Assert.Contains("cpuid.1.ecx = \"--00-0---0----0-----------------\"", result.Fix, StringComparison.Ordinal);
        }

        [Fact]
        public void Check_BlockedToManyHosts_ReasonNamesTenAndCountsTheRestWhileDestinationsHaveEvery()
        {
            var atoms = Enumerable.Range(1, 25).Select(i => Avoton.WithName($"esx-atom{i:D2}")).ToArray();
            var hosts = Standalone(new[] { Ivy }.Concat(atoms).ToArray());
            var vm = new ComplianceVm("vc01", "vm01") { HostName = "esx-ivy", PowerState = "poweredOff", HardwareVersion = 13 };

            var result = _checker.Check(new[] { vm }, hosts).Single();

            Assert.Equal(25, result.Destinations.Count(d => d.Outcome == MoveOutcome.Blocked));
            Assert.Contains("blocked now to esx-atom01, esx-atom02", result.Reason, StringComparison.Ordinal);
            Assert.EndsWith("esx-atom10 and 15 more", result.Reason, StringComparison.Ordinal);
            Assert.DoesNotContain("esx-atom11", result.Reason, StringComparison.Ordinal);
        }

        [Fact]
        public void Check_WorkedCaseMaskStored_IsCompliantBothWays()
        {
            var hosts = Standalone(Avoton, Ivy);
            var vms = new[]
            {
                new ComplianceVm("vc01", "on-ivy") { HostName = "esx-ivy", PowerState = "poweredOff", StoredMask = WorkedMask() },
                new ComplianceVm("vc01", "on-avoton") { HostName = "esx-avoton", PowerState = "poweredOff", StoredMask = WorkedMask() },
            };

            var results = _checker.Check(vms, hosts);

            Assert.All(results, r => Assert.Equal(ComplianceStatus.Compliant, r.Status));
            Assert.Equal(new[] { "esx-avoton" }, results[0].CanMoveTo);
            Assert.Equal(new[] { "esx-ivy" }, results[1].CanMoveTo);
            Assert.Empty(results[0].Fix);
            Assert.Equal(ComplianceFixKind.None, results[0].FixKind);
        }

        [Fact]
        public void Check_MaskWrittenBeforeAHostWasAdded_IsStaleAndTheFixHidesTheNewDifferences()
        {
            // The mask fitted Avoton and Ivy; a Haswell host has joined since.
            var hosts = Standalone(Avoton, Ivy, Haswell);
            var vm = new ComplianceVm("vc01", "vm01") { HostName = "esx-haswell", PowerState = "poweredOff", StoredMask = WorkedMask(), HardwareVersion = 19 };

            var result = _checker.Check(new[] { vm }, hosts).Single();

            Assert.Equal(ComplianceStatus.Stale, result.Status);
            Assert.Contains(result.NotHidden, f => f.Name == "AVX2");
            Assert.Equal(MoveOutcome.Blocked, result.Destinations.Single(d => d.HostName == "esx-ivy").Outcome);
            Assert.Contains(result.Destinations.Single(d => d.HostName == "esx-ivy").Blockers, b => b.Key == "cpuid.AVX2");
            Assert.StartsWith("Apply the minimal mask", result.Fix, StringComparison.Ordinal);
        }

        [Fact]
        public void Check_MaskHidingFeaturesEveryHostHas_IsWiderAndNamesThem()
        {
            var ivyTwin = DumpProfiles.Find("00306A9_IvyBridgeWS").WithName("esx-ivy-2");
            var hosts = Standalone(Ivy, ivyTwin);
            var vm = new ComplianceVm("vc01", "vm01") { HostName = "esx-ivy", PowerState = "poweredOff", StoredMask = WorkedMask() };

            var result = _checker.Check(new[] { vm }, hosts).Single();

            Assert.Equal(ComplianceStatus.Wider, result.Status);
            Assert.Contains(result.HiddenNeedlessly, f => f.Name == "AVX");
            Assert.True(result.ScopeMask!.IsEmpty);
            Assert.StartsWith("Remove its CPUID masks", result.Fix, StringComparison.Ordinal);
        }

        [Fact]
        public void Check_RunningVmWhoseMaskIsNotYetInEffect_IsPendingPowerCycleAndBlockedNow()
        {
            var hosts = Standalone(Avoton, Ivy);
            var vm = new ComplianceVm("vc01", "vm01")
            {
                HostName = "esx-ivy",
                PowerState = "poweredOn",
                StoredMask = WorkedMask(),
                FeatureRequirement = RequirementOf(Ivy, VmMask.Empty),
            };

            var result = _checker.Check(new[] { vm }, hosts).Single();

            Assert.Equal(ComplianceStatus.PendingPowerCycle, result.Status);
            Assert.StartsWith("runtime.featureRequirement", result.Basis, StringComparison.Ordinal);
            Assert.Equal(new[] { "esx-avoton" }, result.CannotMoveTo);
            Assert.Contains(result.BlockingFeatures, b => b.Key == "cpuid.AVX" && b.Required == "Bool:Min:1" && b.HostValue == "0");
            Assert.StartsWith("Power the VM off and on", result.Fix, StringComparison.Ordinal);
        }

        [Fact]
        public void Check_RunningVmPoweredOnWithItsMask_IsCompliant()
        {
            var hosts = Standalone(Avoton, Ivy);
            var vm = new ComplianceVm("vc01", "vm01")
            {
                HostName = "esx-ivy",
                PowerState = "poweredOn",
                StoredMask = WorkedMask(),
                FeatureRequirement = RequirementOf(Ivy, WorkedMask()),
            };

            var result = _checker.Check(new[] { vm }, hosts).Single();

            Assert.Equal(ComplianceStatus.Compliant, result.Status);
            Assert.Equal(new[] { "esx-avoton" }, result.CanMoveTo);
        }

        [Fact]
        public void Check_RunningVmWithoutMaskAfterTheMaskWasRemoved_IsPendingPowerCycle()
        {
            // Powered on with the worked-case mask; the mask was removed since (the hosts are now identical twins).
            var ivyTwin = DumpProfiles.Find("00306A9_IvyBridgeWS").WithName("esx-ivy-2");
            var vm = new ComplianceVm("vc01", "vm01")
            {
                HostName = "esx-ivy",
                PowerState = "poweredOn",
                FeatureRequirement = RequirementOf(Ivy, WorkedMask()),
            };

            var result = _checker.Check(new[] { vm }, Standalone(Ivy, ivyTwin)).Single();

            Assert.Equal(ComplianceStatus.PendingPowerCycle, result.Status);
            Assert.Contains("would now show features it runs without", result.Reason, StringComparison.Ordinal);
        }

        [Fact]
        public void Check_NumericRequirementAboveTheHostsValue_BlocksWithBothValues()
        {
            var big = Capabilities("big", ("cpuid.Intel", "1"), ("cpuid.NUM_EXT_LEVELS", "0x80000008"));
            var small = Capabilities("small", ("cpuid.Intel", "1"), ("cpuid.NUM_EXT_LEVELS", "0x80000007"));
            var vm = new ComplianceVm("vc01", "vm01")
            {
                HostName = "big",
                PowerState = "poweredOn",
                FeatureRequirement = new[] { new VSphereFeature("cpuid.NUM_EXT_LEVELS", "Num:Min:0x80000008"), new VSphereFeature("cpuid.Intel", "Bool:Min:1") },
            };

            var result = _checker.Check(new[] { vm }, Standalone(big, small)).Single();

            var blocker = Assert.Single(result.Destinations.Single().Blockers);
            Assert.Equal("cpuid.NUM_EXT_LEVELS", blocker.Key);
            Assert.Equal("Num:Min:0x80000008", blocker.Required);
            Assert.Equal("0x80000007", blocker.HostValue);
        }

        [Theory]
        [InlineData("Bool:Min:1", 1, true)]
        [InlineData("Bool:Min:1", 0, false)]
        [InlineData("Num:Min:0x8", 8, true)]
        [InlineData("Num:Min:0x8", 7, false)]
        [InlineData("Num:Max:3", 4, false)]
        [InlineData("Num:Max:3", 3, true)]
        [InlineData("1", 1, true)]
        public void FeatureValue_Meets_ComparesAsVCenterDoes(string requirement, long capability, bool met)
        {
            Assert.True(FeatureValue.TryParseRequirement(requirement, out var op, out long needed));
            Assert.Equal(met, FeatureValue.Meets(op, needed, capability));
        }

        [Fact]
        public void FeatureValue_TryParseRequirement_RefusesAnOperationItDoesNotKnow()
        {
            Assert.False(FeatureValue.TryParseRequirement("Num:Between:3", out _, out _));
        }

        [Fact]
        public void Check_ClusterWithEvc_LevelsTheHostsSoAnUnmaskedVmIsCompliant()
        {
            var mode = ModeOf("intel-haswell", Haswell);
            var hosts = new[]
            {
                new ComplianceHost("vc01", "esx-haswell", Haswell) { Cluster = "Prod", EvcModeKey = "intel-haswell" },
                new ComplianceHost("vc01", "esx-skylake", Skylake) { Cluster = "Prod", EvcModeKey = "intel-haswell" },
            };
            var vm = new ComplianceVm("vc01", "vm01") { HostName = "esx-skylake", PowerState = "poweredOff", HardwareVersion = 19 };

            var withEvc = new ComplianceChecker(null, new[] { mode }).Check(new[] { vm }, hosts).Single();
            var withoutEvc = _checker.Check(new[] { vm }, hosts.Select(h => new ComplianceHost(h.Server, h.Name, h.Profile) { Cluster = "Prod" }).ToArray()).Single();

            Assert.True(withEvc.Status == ComplianceStatus.Compliant, withEvc.Reason);
            Assert.Equal("cluster Prod", withEvc.Scope);
            Assert.Equal(ComplianceStatus.Unmasked, withoutEvc.Status);
            Assert.Contains(withoutEvc.Destinations.Single().Blockers, b => b.Key == "cpuid.AVX512F");
        }

        [Fact]
        public void Check_RunningVmFromANonEvcHost_CannotMoveIntoAnEvcClusterAboveItsBaseline()
        {
            var mode = ModeOf("intel-haswell", Haswell);
            var hosts = new[]
            {
                new ComplianceHost("vc01", "esx-skylake-lab", Skylake),
                new ComplianceHost("vc01", "esx-skylake-prod", Skylake) { Cluster = "Prod", EvcModeKey = "intel-haswell" },
            };
            var vm = new ComplianceVm("vc01", "vm01") { HostName = "esx-skylake-lab", PowerState = "poweredOn", HardwareVersion = 19, FeatureRequirement = RequirementOf(Skylake, VmMask.Empty) };

            var result = new ComplianceChecker(null, new[] { mode }).Check(new[] { vm }, hosts, ComplianceScope.Hosts(new[] { "esx-skylake-prod" })).Single();

            Assert.Equal(new[] { "esx-skylake-prod" }, result.CannotMoveTo);
            Assert.Contains(result.BlockingFeatures, b => b.Key == "cpuid.AVX512F");
        }

        [Fact]
        public void Check_PerVmEvcHaswellBetweenHaswellAndSkylake_IsNotBlocked()
        {
            // The 15-line script this replaces reported such a VM blocked between hosts it can reach.
            var hosts = Standalone(Haswell, Skylake);
            var vm = new ComplianceVm("vc01", "vm01")
            {
                HostName = "esx-skylake",
                PowerState = "poweredOff",
                HardwareVersion = 19,
                PerVmEvcMask = ModeOf("intel-haswell", Haswell).FeatureMask,
            };

            var result = new ComplianceChecker(null, new[] { ModeOf("intel-haswell", Haswell) }).Check(new[] { vm }, hosts).Single();

            Assert.True(result.Status == ComplianceStatus.Compliant, result.Reason);
            Assert.Equal(new[] { "esx-haswell" }, result.CanMoveTo);
        }

        [Fact]
        public void Check_PerVmEvcVmWhoseModeNoLongerFits_SuggestsAModeThatDoes()
        {
            var hosts = Standalone(Ivy, Haswell, Skylake);
            var modes = new[] { ModeOf("intel-ivybridge", Ivy), ModeOf("intel-haswell", Haswell) };
            var vm = new ComplianceVm("vc01", "vm01") { HostName = "esx-skylake", PowerState = "poweredOff", HardwareVersion = 19, PerVmEvcMask = modes[1].FeatureMask };

            var result = new ComplianceChecker(null, modes).Check(new[] { vm }, hosts).Single();

            Assert.Equal(ComplianceStatus.Stale, result.Status);
            Assert.Equal("intel-ivybridge", result.FixEvcMode);
            Assert.Contains("intel-ivybridge", result.Fix, StringComparison.Ordinal);
        }

        [Fact]
        public void Check_VmOnADisconnectedHost_IsUnknownWithTheReason()
        {
            var hosts = new[]
            {
                new ComplianceHost("vc01", "esx-ivy", Ivy) { Cluster = "Prod" },
                new ComplianceHost("vc01", "esx-gone", null) { Cluster = "Prod", ConnectionState = "disconnected" },
            };
            var vms = new[]
            {
                new ComplianceVm("vc01", "stranded") { HostName = "esx-gone", PowerState = "poweredOff" },
                new ComplianceVm("vc01", "fine") { HostName = "esx-ivy", PowerState = "poweredOff" },
            };

            var results = _checker.Check(vms, hosts);

            Assert.Equal(ComplianceStatus.Unknown, results[0].Status);
            Assert.Contains("esx-gone is disconnected", results[0].Reason, StringComparison.Ordinal);
            Assert.Equal(ComplianceStatus.Compliant, results[1].Status);
            Assert.Equal(new[] { "esx-gone" }, results[1].UnknownHosts);
            Assert.Contains("not checked", results[1].Reason, StringComparison.Ordinal);
        }

        [Fact]
        public void Check_UnreadableStoredMask_IsUnknown()
        {
            var vm = new ComplianceVm("vc01", "vm01") { HostName = "esx-ivy", PowerState = "poweredOff", StoredMaskError = "cpuid.1.ecx has 31 characters" };

            var result = _checker.Check(new[] { vm }, Standalone(Ivy, Avoton)).Single();

            Assert.Equal(ComplianceStatus.Unknown, result.Status);
            Assert.Contains("31 characters", result.Reason, StringComparison.Ordinal);
        }

        [Fact]
        public void Check_NamedHostOfAnotherVendor_IsBlocked()
        {
            var vm = new ComplianceVm("vc01", "vm01") { HostName = "esx-ivy", PowerState = "poweredOff", StoredMask = WorkedMask() };

            var result = _checker.Check(new[] { vm }, Standalone(Ivy, Avoton, Rome), ComplianceScope.Hosts(new[] { "esx-avoton", "esx-rome" })).Single();

            Assert.Equal(ComplianceStatus.Blocked, result.Status);
            Assert.Equal(new[] { "esx-rome" }, result.CannotMoveTo);
            Assert.Contains("another CPU vendor", result.Destinations.Single(d => d.HostName == "esx-rome").Reason, StringComparison.Ordinal);
        }

        [Fact]
        public void Check_DefaultScopeOfAStandaloneHost_IsTheConnectedHostsOfItsVendor()
        {
            var vm = new ComplianceVm("vc01", "vm01") { HostName = "esx-ivy", PowerState = "poweredOff", StoredMask = WorkedMask() };

            var result = _checker.Check(new[] { vm }, Standalone(Ivy, Avoton, Rome)).Single();

            Assert.Equal(ComplianceStatus.Compliant, result.Status);
            Assert.Equal(new[] { "esx-avoton" }, result.Destinations.Select(d => d.HostName));
        }

        [Fact]
        public void Check_ScopeNamingAnUnknownHost_FailsNamingIt()
        {
            var vm = new ComplianceVm("vc01", "vm01") { HostName = "esx-ivy" };

            var ex = Assert.Throws<CpuidMaskException>(() => _checker.Check(new[] { vm }, Standalone(Ivy), ComplianceScope.Hosts(new[] { "esx-nope" })));

            Assert.Equal("ScopeHostNotFound", ex.ErrorId);
            Assert.Contains("esx-nope", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Check_OldHardwareVersion_IsNotBlockedByFeaturesItCannotSee()
        {
            // A vmx-8 VM never sees FSGSBASE (vmx-9), so only the rest of the worked case must be hidden.
            var vm = new ComplianceVm("vc01", "vm01") { HostName = "esx-ivy", PowerState = "poweredOff", HardwareVersion = 8 };

            var result = _checker.Check(new[] { vm }, Standalone(Ivy, Avoton)).Single();

            Assert.DoesNotContain(result.BlockingFeatures, b => b.Key == "cpuid.FSGSBASE");
            Assert.Contains(result.BlockingFeatures, b => b.Key == "cpuid.AVX");
        }

        [Fact]
        public void Check_ManyIdenticalHosts_AreOneClassAndEveryOneIsAVerdict()
        {
            var hosts = Enumerable.Range(0, 200).Select(i => new ComplianceHost("vc01", $"esx-{i:D3}", (i % 2 == 0 ? Ivy : Avoton).WithName($"esx-{i:D3}")) { Cluster = "Big" }).ToArray();
            var vms = Enumerable.Range(0, 300).Select(i => new ComplianceVm("vc01", $"vm{i}") { HostName = $"esx-{i % 200:D3}", PowerState = "poweredOff", StoredMask = WorkedMask() }).ToArray();

            var results = _checker.Check(vms, hosts);

            Assert.All(results, r => Assert.Equal(ComplianceStatus.Compliant, r.Status));
            Assert.All(results, r => Assert.Equal(199, r.CanMoveTo.Count));
        }

        internal static VmMask WorkedMask() => ComplianceFixCases.WorkedMask();

        private static ComplianceHost[] Standalone(params CpuidProfile[] profiles) =>
            profiles.Select(p => new ComplianceHost("vc01", p.Name, p)).ToArray();

        private static CpuidProfile Capabilities(string name, params (string Key, string Value)[] values) =>
            VSphereProfileBuilder.Build(name, "test", Array.Empty<HostCpuIdInfoRecord>(), values.Select(v => new KeyValuePair<string, string>(v.Key, v.Value)));

        // What vCenter would report as runtime.featureRequirement for a VM powered on on the host under the mask.
        internal static IReadOnlyList<VSphereFeature> RequirementOf(CpuidProfile host, VmMask mask) =>
            FeatureCatalog.Default.Features
                .Where(f => f.Tracked && f.VSphereKeyOn(host.Vendor) != null && FeatureEvaluator.GuestState(host, f, mask) == FeatureState.Present)
                .Select(f => new VSphereFeature(f.VSphereKeyOn(host.Vendor)!, "Bool:Min:1"))
                .ToArray();

        // An EVC mode whose baseline is what the baseline host has and every later host too (the dumps' microcode
        // differs: the Haswell dump reports MD_CLEAR, the Skylake one does not), as a complete mask: Val:1 per feature kept.
        internal static EvcModeDefinition ModeOf(string key, CpuidProfile baseline) =>
            new EvcModeDefinition(
                key,
                key,
                "intel",
                FeatureCatalog.Default.Features
                    .Where(f => f.VSphereKeyOn(baseline.Vendor) != null && new[] { baseline, Skylake }.All(p => FeatureEvaluator.HostState(p, f) == FeatureState.Present))
                    .Select(f => new VSphereFeature(f.VSphereKeyOn(baseline.Vendor)!, "Val:1")));
    }
}
