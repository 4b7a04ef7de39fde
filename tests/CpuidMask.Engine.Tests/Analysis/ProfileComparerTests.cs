using System;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;
using Xunit;

namespace CpuidMask.Engine.Tests.Analysis
{
    public class ProfileComparerTests
    {
        private readonly ProfileComparer _comparer = new ProfileComparer();

        [Fact]
        public void Check_IvyBridgeToAvoton_BlocksOnExactlyTheSevenFeatures()
        {
            var check = _comparer.Check(DumpProfiles.Find("00306A9_IvyBridge_"), DumpProfiles.Find("Avoton"));

            Assert.False(check.Allowed);
            Assert.Equal(
                new[] { "AVX", "F16C", "FSGSBASE", "PCID", "XSAVE", "XSAVE_SSE", "XSAVE_YMM" },
                check.Blockers.Select(b => b.Name).OrderBy(n => n, StringComparer.Ordinal));
            Assert.Contains(check.Blockers, b => b.Feature.DisplayName == "XSAVE YMM state");
        }

        [Fact]
        public void Check_NewerToOlderGeneration_BlocksAndOlderToNewerIsAllowed()
        {
            var haswell = DumpProfiles.Find("00306F2_HaswellEP");
            var broadwell = DumpProfiles.Find("BroadwellE");

            Assert.True(_comparer.Check(haswell, broadwell).Allowed, _comparer.Check(haswell, broadwell).ToString());
            var back = _comparer.Check(broadwell, haswell);
            Assert.Contains(back.Blockers, b => b.Name == "ADX");
            Assert.Contains(back.Blockers, b => b.Name == "RDSEED");
        }

        [Fact]
        public void Check_AcrossVendors_IsBlockedWithAReason()
        {
            var check = _comparer.Check(DumpProfiles.Find("Avoton"), DumpProfiles.Find("Rome"));

            Assert.False(check.Allowed);
            Assert.Contains("vendors", check.VendorMismatch);
        }

        [Fact]
        public void Compare_OneProfile_ThrowsTooFewProfiles()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => _comparer.Compare(new[] { DumpProfiles.Find("Avoton") }));

            Assert.Equal("TooFewProfiles", ex.ErrorId);
        }

        [Fact]
        public void Compare_VSphereShapedHosts_GiveTheSameBlockersAsTheRawDumps()
        {
            // Recent ESXi reports leaf 7 and 0xD only as feature capabilities; the result must not change.
            var avoton = DumpProfiles.Find("Avoton");
            var ivy = DumpProfiles.Find("00306A9_IvyBridge_");
            var vAvoton = VSphereHostData.FromProfile(avoton).ToProfile("esx-avoton", "test", avoton.Brand);
            var vIvy = VSphereHostData.FromProfile(ivy).ToProfile("esx-ivy", "test", ivy.Brand);

            Assert.Null(vIvy.GetLeaf(7));
            Assert.Equal(
                _comparer.Check(ivy, avoton).Blockers.Select(b => b.Name),
                _comparer.Check(vIvy, vAvoton).Blockers.Select(b => b.Name));
            Assert.Equal(
                _comparer.Check(avoton, ivy).Blockers.Select(b => b.Name),
                _comparer.Check(vAvoton, vIvy).Blockers.Select(b => b.Name));
            Assert.Equal("GenuineIntel", vIvy.Vendor);
            Assert.Equal(0x3A, vIvy.Model);
        }

        [Fact]
        public void ToProfile_AmdHostAsVCenterReportsIt_TakesIbrsAndIbpbFromAmdsOwnBits()
        {
            // vCenter's cpuid.IBRS / cpuid.IBPB come from Fn8000_0008 EBX on AMD hosts, from leaf 7 EDX bit 26 on Intel ones.
            var rome = DumpProfiles.Find("Rome");
            var cascadeLake = DumpProfiles.Find("CascadeLakeSP");
            var vRome = VSphereHostData.FromProfile(rome).ToProfile("esx-rome", "test", rome.Brand);
            var vCascadeLake = VSphereHostData.FromProfile(cascadeLake).ToProfile("esx-clx", "test", cascadeLake.Brand);
            var catalog = FeatureCatalog.Default;

            Assert.Equal("1", vRome.Capabilities["cpuid.IBRS"]);
            Assert.Equal("1", vRome.Capabilities["cpuid.IBPB"]);
            Assert.Equal(FeatureState.Present, FeatureEvaluator.HostState(vRome, catalog.Find("AMD_IBRS")));
            Assert.Equal(FeatureState.Present, FeatureEvaluator.HostState(vRome, catalog.Find("AMD_IBPB")));
            Assert.NotEqual(FeatureState.Present, FeatureEvaluator.HostState(vRome, catalog.Find("IBRS_IBPB")));
            Assert.Equal("1", vCascadeLake.Capabilities["cpuid.IBRS"]);
            Assert.Equal(FeatureState.Present, FeatureEvaluator.HostState(vCascadeLake, catalog.Find("IBRS_IBPB")));
            Assert.NotEqual(FeatureState.Present, FeatureEvaluator.HostState(vCascadeLake, catalog.Find("AMD_IBRS")));
        }

        [Fact]
        public void ToProfile_EveryDump_KeepsTheStateOfEveryFeatureVCenterNamesOnItsVendor()
        {
            var wrong = new System.Collections.Generic.List<string>();
            foreach (var dump in DumpProfiles.All.Where(p => p.IsIntel || p.IsAmdLike))
            {
                var vsphere = VSphereHostData.FromProfile(dump).ToProfile("esx", "test", dump.Brand);
                foreach (var feature in FeatureCatalog.Default.Features.Where(f => f.Tracked && f.VSphereKeyOn(dump.Vendor) != null))
                {
                    var expected = FeatureEvaluator.HostState(dump, feature);
                    var actual = FeatureEvaluator.HostState(vsphere, feature);
                    if (expected != actual)
                    {
                        wrong.Add($"{dump.Name} {feature.Name}: {expected} in the dump, {actual} through vSphere");
                    }
                }
            }

            Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        }

        [Fact]
        public void Compare_AmdHostsAsVCenterReportsThem_BlockOnTheSpeculationControlsAsTheirDumps()
        {
            // The Zen 1 dump predates the IBPB/IBRS microcode; Rome has both.
            var rome = DumpProfiles.Find("Rome");
            var zen = DumpProfiles.Find("K17_Zen");
            var vRome = VSphereHostData.FromProfile(rome).ToProfile("Rome", "test", rome.Brand);
            var vZen = VSphereHostData.FromProfile(zen).ToProfile("Zen", "test", zen.Brand);

            var fromDumps = _comparer.Check(rome, zen).Blockers.Select(b => b.Name).ToArray();
            var fromVSphere = _comparer.Check(vRome, vZen).Blockers.Select(b => b.Name).ToArray();

            Assert.Contains("AMD_IBPB", fromDumps);
            Assert.Contains("AMD_IBRS", fromDumps);
            Assert.Equal(fromDumps, fromVSphere);
        }

        [Fact]
        public void Compare_UnknownOnDestination_IsUnverifiedNotABlocker()
        {
            // The old dump format omits leaf 0xD subleaf 1, so XSAVEOPT is unknown on the Ivy Bridge dump.
            var haswell = DumpProfiles.Find("00306C3_Haswell");
            var ivy = DumpProfiles.Find("00306A9_IvyBridge_");

            var check = _comparer.Check(haswell, ivy);

            Assert.DoesNotContain(check.Blockers, b => b.Name == "XSAVEOPT");
            Assert.Contains(check.Unverified, u => u.Name == "XSAVEOPT" && u.StateOnMissing == FeatureState.Unknown);
        }
    }
}
