using System;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Analysis;
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
