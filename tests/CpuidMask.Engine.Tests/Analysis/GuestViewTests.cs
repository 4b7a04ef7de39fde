using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;
using Xunit;

namespace CpuidMask.Engine.Tests.Analysis
{
    /// <summary>
    /// What a guest sees depends on its virtual hardware version: ESXi exposes a CPUID field only from the version
    /// x86cpuid.h gives for it on. Comparisons, masks, proofs and baseline checks taken at a version must neither
    /// block on nor mask what that VM cannot see, and must say what they set aside.
    /// </summary>
    public class GuestViewTests
    {
        private static readonly FeatureCatalog Catalog = FeatureCatalog.Default;

        private static CpuidProfile IceLake => DumpProfiles.Find("ICX");

        private static CpuidProfile CascadeLake => DumpProfiles.Find("CascadeLakeSP");

        /// <summary>Every ordered pair of real dumps of one vendor (Intel or AMD).</summary>
        private static IEnumerable<(CpuidProfile Source, CpuidProfile Destination)> SameVendorPairs()
        {
            var dumps = DumpProfiles.All.Where(p => p.Vendor == CpuVendors.Intel || p.Vendor == CpuVendors.Amd).ToArray();
            return from s in dumps from d in dumps where !ReferenceEquals(s, d) && s.Vendor == d.Vendor select (s, d);
        }

        [Theory]
        [InlineData("AVX512_VNNI", 14, true)]
        [InlineData("AVX512_VNNI", 17, false)]
        [InlineData("AVX512_VPOPCNTDQ", 15, true)]
        [InlineData("AVX512_VPOPCNTDQ", 17, false)]
        [InlineData("SHA", 13, true)]
        [InlineData("SHA", 14, false)]
        [InlineData("AVX", 14, false)]
        [InlineData("WAITPKG", 20, true)]
        public void IsOutOfReachAt_FeatureAndVersion_IsWhetherTheVersionIsOlderThanTheFirstThatExposesIt(string name, int version, bool expected)
        {
            Assert.Equal(expected, Catalog.Find(name).IsOutOfReachAt(version));
        }

        [Fact]
        public void IsOutOfReachAt_NewestVersion_IsFalseForEveryFeature()
        {
            Assert.DoesNotContain(Catalog.Features, f => f.IsOutOfReachAt(Catalog.NewestHardwareVersion));
        }

        [Fact]
        public void Default_EveryPrerequisiteOfATrackedFeature_IsExposedNoLaterThanWhatBuildsOnIt()
        {
            // The generator leaves out-of-reach features alone without hiding their tracked dependents: that is only safe
            // when a VM never sees a tracked feature without what it builds on. (x86cpuid.h has untracked exceptions: the
            // SVM_* sub-features from vmx-7, SVM itself from vmx-8.)
            var wrong = Catalog.Features
                .Where(f => f.MinHardwareVersion != null)
                .SelectMany(f => Catalog.DirectDependents(f).Where(d => d.Tracked && d.MinHardwareVersion != null && d.MinHardwareVersion < f.MinHardwareVersion).Select(d => $"{d.Name} (vmx-{d.MinHardwareVersion}) needs {f.Name} (vmx-{f.MinHardwareVersion})"))
                .ToArray();

            Assert.Empty(wrong);
        }

        [Fact]
        public void HardwareVersions_AreTheVersionsEsxiRunsOldestFirstEndingWithTheNewest()
        {
            Assert.Equal(new[] { 4, 7, 8, 9, 10, 11, 13, 14, 15, 17, 18, 19, 20, 21, 22 }, Catalog.HardwareVersions.Select(v => v.Number));
            Assert.Equal(Catalog.NewestHardwareVersion, Catalog.HardwareVersions.Last().Number);
            Assert.Equal("vmx-14 (ESXi 6.7)", Catalog.DescribeHardwareVersion(14).Description);
            Assert.Equal("vmx-12", Catalog.DescribeHardwareVersion(12).Description);
        }

        [Theory]
        [InlineData("14", 14)]
        [InlineData("vmx-14", 14)]
        [InlineData(" VMX-19 ", 19)]
        [InlineData("4", 4)]
        [InlineData("22", 22)]
        public void ParseHardwareVersion_KnownVersion_IsThatVersion(string text, int expected)
        {
            Assert.Equal(expected, Catalog.ParseHardwareVersion(text).Number);
        }

        [Theory]
        [InlineData("12", "ESXi has no virtual hardware version vmx-12")]
        [InlineData("vmx-16", "ESXi has no virtual hardware version vmx-16")]
        [InlineData("0", "ESXi has no virtual hardware version vmx-0")]
        [InlineData("99", "vmx-99 is newer than this catalog knows (its newest is vmx-22 (ESX 9.0))")]
        [InlineData("vmx14", "'vmx14' is not a virtual hardware version")]
        [InlineData("", "'' is not a virtual hardware version")]
        [InlineData("-14", "'-14' is not a virtual hardware version")]
        public void ParseHardwareVersion_UnknownOrMalformed_ThrowsHardwareVersionInvalidNamingTheOptionAndTheKnownVersions(string text, string problem)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => Catalog.ParseHardwareVersion(text, "--hw-version"));

            Assert.Equal("HardwareVersionInvalid", ex.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
            Assert.StartsWith("--hw-version: " + problem + ".", ex.Message);
            Assert.EndsWith("Give a version as 14 or vmx-14, one of 4, 7, 8, 9, 10, 11, 13, 14, 15, 17, 18, 19, 20, 21, 22.", ex.Message);
        }

        [Theory]
        [InlineData("vmx-14", 14)]
        [InlineData("vmx-12", 12)]
        [InlineData("vmx-30", 22)]
        [InlineData(null, null)]
        [InlineData("", null)]
        [InlineData("14", null)]
        [InlineData("vmx-", null)]
        public void VmHardwareVersion_ConfigVersion_IsItsNumberCappedAtTheNewest(string? configVersion, int? expected)
        {
            Assert.Equal(expected, Catalog.VmHardwareVersion(configVersion));
        }

        [Fact]
        public void Compare_DefaultVersion_IsTheNewestAndSetsNothingAside()
        {
            var report = new ProfileComparer().Compare(new[] { IceLake, CascadeLake });

            Assert.Equal(Catalog.NewestHardwareVersion, report.HardwareVersion);
            Assert.Empty(report.OutOfReach);
            Assert.All(report.Directions, d => Assert.Empty(d.OutOfReach));
            Assert.Contains(report.Directions[0].Blockers, b => b.Name == "AVX512VBMI");
        }

        [Fact]
        public void Compare_IceLakeToCascadeLakeAtVmx14_BlocksOnlyOnShaAndListsTheRestAsOutOfReach()
        {
            var report = new ProfileComparer(hardwareVersion: 14).Compare(new[] { IceLake, CascadeLake });

            var down = report.Directions.Single(d => d.Source == IceLake.Name);
            Assert.Equal(new[] { "SHA" }, down.Blockers.Select(b => b.Name));
            Assert.Contains(down.OutOfReach, o => o.Name == "AVX512VBMI");
            Assert.Contains(down.OutOfReach, o => o.Name == "AVX512_VPOPCNTDQ");
            Assert.All(down.OutOfReach, o => Assert.True(o.Feature.IsOutOfReachAt(14), o.Name));
            Assert.Equal(14, report.HardwareVersion);
            var vbmi = Assert.Single(report.OutOfReach, o => o.Name == "AVX512VBMI");
            Assert.Equal(new[] { IceLake.Name }, vbmi.PresentOn);
            Assert.Equal(new[] { CascadeLake.Name }, vbmi.AbsentOn);
            Assert.Equal(17, vbmi.FirstHardwareVersion);
            Assert.Equal("first exposed to guests in vmx-17; a vmx-14 VM never sees it", vbmi.Reason);
            Assert.DoesNotContain(report.Informational, i => i.Feature.IsOutOfReachAt(14));
        }

        [Fact]
        public void CheckAll_EverySameVendorPairOfRealDumpsAtVmx14_BlocksOnlyOnWhatTheVmCanSee()
        {
            var newest = new ProfileComparer();
            var vmx14 = new ProfileComparer(hardwareVersion: 14);
            int unblocked = 0;
            int blockedAtNewest = 0;
            foreach (var (source, destination) in SameVendorPairs())
            {
                var atNewest = newest.Check(source, destination);
                var at14 = vmx14.Check(source, destination);
                string pair = $"{source.Name} -> {destination.Name}";

                Assert.DoesNotContain(at14.Blockers, b => b.Feature.IsOutOfReachAt(14));
                Assert.DoesNotContain(at14.Unverified, b => b.Feature.IsOutOfReachAt(14));
                Assert.All(at14.OutOfReach, o => Assert.True(o.Feature.IsOutOfReachAt(14), pair + ": " + o.Name));

                // The same differences, sorted by whether a vmx-14 VM can see them: none lost, none made up.
                Assert.Equal(
                    atNewest.Blockers.Where(b => !b.Feature.IsOutOfReachAt(14)).Select(b => b.Name),
                    at14.Blockers.Select(b => b.Name));
                Assert.Equal(
                    atNewest.Blockers.Concat(atNewest.Unverified).Where(b => b.Feature.IsOutOfReachAt(14)).Select(b => b.Name).OrderBy(n => n, StringComparer.Ordinal),
                    at14.OutOfReach.Select(b => b.Name).OrderBy(n => n, StringComparer.Ordinal));
                if (!atNewest.Allowed)
                {
                    blockedAtNewest++;
                    if (at14.Allowed)
                    {
                        unblocked++;
                    }
                }
            }

            Assert.True(blockedAtNewest > 100, $"only {blockedAtNewest} blocked directions");
            Assert.True(unblocked > 0, "no direction blocked at the newest version is allowed at vmx-14");
        }

        [Theory]
        [InlineData("SapphireRapids", "ICX")]
        [InlineData("GraniteRapids", "SapphireRapids")]
        [InlineData("Turin", "Genoa")]
        public void Check_NewerToOlderAtVmx14_IsAllowedThoughBlockedAtTheNewest(string source, string destination)
        {
            var from = DumpProfiles.Find(source);
            var to = DumpProfiles.Find(destination);

            Assert.False(new ProfileComparer().Check(from, to).Allowed);
            var at14 = new ProfileComparer(hardwareVersion: 14).Check(from, to);
            Assert.True(at14.Allowed, string.Join(", ", at14.Blockers.Select(b => b.Name)));
            Assert.NotEmpty(at14.OutOfReach);
        }

        [Fact]
        public void Generate_IceLakeAndCascadeLakeAtVmx14_HidesNothingOutOfReachAndListsWhatItLeavesAlone()
        {
            var atNewest = new MaskGenerator().Generate(new[] { IceLake, CascadeLake });
            var result = new MaskGenerator(hardwareVersion: 14).Generate(new[] { IceLake, CascadeLake });

            Assert.Equal(14, result.HardwareVersion);
            Assert.Equal(14, result.Proof.HardwareVersion);
            Assert.True(result.Proof.Passed, result.Proof.ToString());
            Assert.DoesNotContain(result.Hidden, h => h.Feature.IsOutOfReachAt(14));
            Assert.Contains(result.Hidden, h => h.Feature.Name == "SHA");
            Assert.Equal(
                atNewest.Hidden.Where(h => !h.Feature.IsOutOfReachAt(14)).Select(h => h.Feature.Name),
                result.Hidden.Select(h => h.Feature.Name));
            Assert.Equal(
                atNewest.Hidden.Where(h => h.Feature.IsOutOfReachAt(14)).Select(h => h.Feature.Name).OrderBy(n => n, StringComparer.Ordinal),
                result.OutOfReach.Select(o => o.Name).OrderBy(n => n, StringComparer.Ordinal));
            Assert.All(result.OutOfReach, o => Assert.NotNull(o.WouldHide));
            Assert.Empty(FeatureEvaluator.HiddenOutOfReach(result.Mask, 14, Catalog, CpuVendors.Intel));
            Assert.Empty(atNewest.OutOfReach);
        }

        [Fact]
        public void Generate_HideFeatureOutOfReach_LeavesItAloneAsRequested()
        {
            var result = new MaskGenerator(hardwareVersion: 14).Generate(new[] { IceLake }, new[] { "GFNI", "AVX2" });

            Assert.Contains(result.Hidden, h => h.Feature.Name == "AVX2");
            Assert.DoesNotContain(result.Hidden, h => h.Feature.Name == "GFNI");
            var gfni = Assert.Single(result.OutOfReach);
            Assert.Equal("GFNI", gfni.Name);
            Assert.Equal(HideReason.Requested, gfni.WouldHide);
        }

        [Fact]
        public void ProofAtVmx14_OfTheNewestMask_AccountsForWhatTheVmCannotSee()
        {
            var atNewest = new MaskGenerator().Generate(new[] { IceLake, CascadeLake });

            var proof = MaskProof.Build(new[] { IceLake, CascadeLake }, atNewest.Mask, Catalog, 14);

            Assert.True(proof.Passed);
            Assert.Equal(14, proof.HardwareVersion);
            Assert.All(proof.Hosts, h => Assert.DoesNotContain(h.GuestFeatures, f => f.IsOutOfReachAt(14)));
            Assert.Contains("AVX512VBMI", FeatureEvaluator.HiddenOutOfReach(atNewest.Mask, 14, Catalog, CpuVendors.Intel).Select(f => f.Name));
        }

        [Fact]
        public void HiddenOutOfReach_FeatMaskOfAFeatureTheVmCannotSee_IsListed()
        {
            var mask = new VmMask(featureMasks: new Dictionary<string, string> { ["AVX512VNNI"] = "Val:0", ["AVX"] = "Val:0" });

            Assert.Equal(new[] { "AVX512_VNNI" }, FeatureEvaluator.HiddenOutOfReach(mask, 14, Catalog, CpuVendors.Intel).Select(f => f.Name));
            Assert.Empty(FeatureEvaluator.HiddenOutOfReach(mask, 17, Catalog, CpuVendors.Intel));
        }

        [Fact]
        public void Classify_CascadeLakeAtVmx14_IsSkylakeWithCascadeLakeTheSameToTheVm()
        {
            var result = new BaselineClassifier(hardwareVersion: 14).Classify(CascadeLake);

            Assert.Equal("intel-cascadelake", new BaselineClassifier().Classify(CascadeLake).Highest?.Key);
            Assert.Equal(14, result.HardwareVersion);
            Assert.Equal("intel-skylake", result.Highest?.Key);
            Assert.Equal(new[] { "intel-cascadelake" }, result.EquivalentAbove.Select(b => b.Key));
        }

        [Fact]
        public void Classify_SkylakeAtVmx14_SupportsCascadeLakeWhoseOnlyAdditionIsOutOfReach()
        {
            var skylake = DumpProfiles.Find("SkylakeXeon");
            var cascade = BaselineCatalog.Default.Find("intel-cascadelake");

            Assert.False(BaselineClassifier.Supports(skylake, cascade, out _, out _));
            Assert.True(BaselineClassifier.Supports(skylake, cascade, 14, out var missing, out _, out var outOfReach));
            Assert.Empty(missing);
            Assert.Contains(outOfReach, f => f.Name == "AVX512_VNNI");
        }

        [Fact]
        public void GenerateBaseline_CascadeLakeOnSkylakeAtVmx14_IsAcceptedAndLeavesVnniAlone()
        {
            var skylake = DumpProfiles.Find("SkylakeXeon");

            var ex = Assert.Throws<CpuidMaskException>(() => new BaselineMaskGenerator().Generate("intel-cascadelake", new[] { skylake }));
            Assert.Equal("BaselineNotSupported", ex.ErrorId);

            var result = new BaselineMaskGenerator(hardwareVersion: 14).Generate("intel-cascadelake", new[] { skylake });
            Assert.True(result.Proof.Passed, result.Proof.ToString());
            Assert.DoesNotContain(result.Hidden, h => h.Feature.IsOutOfReachAt(14));
        }

        [Fact]
        public void GenerateBaseline_CompleteWestmereMaskAtVmx14_HidesOnlyWhatTheVmCanSee()
        {
            var atNewest = new BaselineMaskGenerator().Generate("intel-westmere");
            var result = new BaselineMaskGenerator(hardwareVersion: 14).Generate("intel-westmere");

            Assert.DoesNotContain(result.Hidden, h => h.Feature.IsOutOfReachAt(14));
            Assert.Contains(result.OutOfReach, o => o.Name == "AVX512_VNNI" && o.WouldHide == HideReason.OutsideBaseline);
            Assert.Equal(atNewest.Hidden.Count, result.Hidden.Count + result.OutOfReach.Count);
        }

        [Fact]
        public void GuestViewVersion_NewerThanTheCatalog_CountsAsTheNewestAndBelowOneIsRefused()
        {
            Assert.Equal(Catalog.NewestHardwareVersion, new ProfileComparer(hardwareVersion: 40).HardwareVersion);
            Assert.Equal(Catalog.NewestHardwareVersion, new ProfileComparer().HardwareVersion);
            Assert.Throws<ArgumentOutOfRangeException>(() => new MaskGenerator(hardwareVersion: 0));
        }
    }
}
