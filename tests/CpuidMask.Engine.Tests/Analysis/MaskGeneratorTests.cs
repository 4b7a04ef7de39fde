using System;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;
using Xunit;

namespace CpuidMask.Engine.Tests.Analysis
{
    public class MaskGeneratorTests
    {
        private readonly MaskGenerator _generator = new MaskGenerator();

        [Fact]
        public void Generate_WorkedCase_HidesExactlyTheNineFeaturesVCenterNamed()
        {
            var result = _generator.Generate(new[] { DumpProfiles.Find("Avoton"), DumpProfiles.Find("00306A9_IvyBridge_") });

            Assert.Equal(
                new[] { "AVX", "F16C", "FSGSBASE", "MOVBE", "PCID", "PREFETCHW", "XSAVE", "XSAVE_SSE", "XSAVE_YMM" },
                result.Hidden.Select(h => h.Feature.Name).OrderBy(n => n, StringComparer.Ordinal));
            Assert.True(result.Proof.Passed);
        }

        [Fact]
        public void Generate_Zen2AndZen3_HidesPkuButKeepsThePkruStateBothHave()
        {
            // The Rome dump reports the PKRU state component without PKU; Milan has both.
            var rome = DumpProfiles.Find("Rome");
            var milan = DumpProfiles.Find("Milan");
            Assert.Equal(FeatureState.Present, FeatureEvaluator.HostState(rome, FeatureCatalog.Default.Find("XSAVE_PKRU")));

            var result = _generator.Generate(new[] { rome, milan });

            var names = result.Hidden.Select(h => h.Feature.Name).ToArray();
            Assert.Contains("PKU", names);
            Assert.DoesNotContain("XSAVE_PKRU", names);
            Assert.True(result.Proof.Passed);
        }

        [Fact]
        public void Generate_HideXsaveOnOneHaswell_HidesItsDependentsPresentThere()
        {
            var haswell = DumpProfiles.Find("00306C3_Haswell");

            var result = _generator.Generate(new[] { haswell }, new[] { "XSAVE" });

            var names = result.Hidden.Select(h => h.Feature.Name).ToArray();
            foreach (string expected in new[] { "XSAVE", "AVX", "AVX2", "F16C", "FMA", "XSAVE_SSE", "XSAVE_YMM", "XSAVEOPT" })
            {
                Assert.Contains(expected, names);
            }

            Assert.DoesNotContain("OSXSAVE", names);
            Assert.DoesNotContain("AVX512F", names); // Haswell has none: hiding it would change nothing
            var avx2 = result.Hidden.Single(h => h.Feature.Name == "AVX2");
            Assert.Equal(HideReason.DependsOnHidden, avx2.Reason);
            Assert.Contains("AVX", avx2.Explanation);
        }

        [Fact]
        public void Generate_RequestedUnknownFeature_ThrowsFeatureNotFound()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => _generator.Generate(new[] { DumpProfiles.Find("Avoton") }, new[] { "AVX3000" }));

            Assert.Equal("FeatureNotFound", ex.ErrorId);
            Assert.Contains("AVX3000", ex.Message);
        }

        [Fact]
        public void Generate_IntelAndAmdHosts_ThrowsMixedVendorsNamingThem()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => _generator.Generate(new[] { DumpProfiles.Find("Avoton"), DumpProfiles.Find("Rome") }));

            Assert.Equal("MixedVendors", ex.ErrorId);
            Assert.Contains("AuthenticAMD", ex.Message);
            Assert.Contains("GenuineIntel", ex.Message);
        }

        [Fact]
        public void Generate_SameHostTwice_ThrowsProfileNameDuplicate()
        {
            var avoton = DumpProfiles.Find("Avoton");

            var ex = Assert.Throws<CpuidMaskException>(() => _generator.Generate(new[] { avoton, avoton }));

            Assert.Equal("ProfileNameDuplicate", ex.ErrorId);
        }

        [Fact]
        public void Generate_IdenticalHosts_NeedsNoMask()
        {
            var ivy = DumpProfiles.Find("00306A9_IvyBridge_");

            var result = _generator.Generate(new[] { ivy, ivy.WithName("ivy-twin") });

            Assert.True(result.Mask.IsEmpty);
            Assert.Empty(result.Hidden);
            Assert.True(result.Proof.Passed);
        }

        [Fact]
        public void Property_GeneratedMaskForRandomHostSets_AlwaysPassesItsOwnProof()
        {
            var random = new Random(42);
            var byVendor = DumpProfiles.All.GroupBy(p => p.Vendor).Where(g => g.Count() >= 2).ToArray();
            for (int i = 0; i < 60; i++)
            {
                var pool = byVendor[random.Next(byVendor.Length)].ToArray();
                int count = 2 + random.Next(Math.Min(4, pool.Length - 1));
                var hosts = pool.OrderBy(_ => random.Next()).Take(count).ToArray();

                var result = _generator.Generate(hosts);

                Assert.True(result.Proof.Passed, string.Join(" / ", result.Proof.Directions.Where(d => !d.Allowed)));
                // Minimal: every hidden feature is on at least one host, so no line is a no-op.
                Assert.All(result.Hidden, h => Assert.NotEmpty(h.PresentOn));
                // Complete: nothing that builds on a hidden feature stays visible anywhere.
                foreach (var view in result.Proof.Hosts)
                {
                    foreach (var feature in view.GuestFeatures)
                    {
                        Assert.DoesNotContain(feature.Requires, r => result.Hidden.Any(h => h.Feature.Name == r));
                    }
                }
            }
        }

        [Fact]
        public void Proof_WithoutMask_FailsWhereCompareFindsBlockers()
        {
            var hosts = new[] { DumpProfiles.Find("Avoton"), DumpProfiles.Find("00306A9_IvyBridge_") };

            var proof = MaskProof.Build(hosts, VmMask.Empty, FeatureCatalog.Default);

            Assert.False(proof.Passed);
            Assert.Equal(2, proof.Directions.Count(d => !d.Allowed));
        }

        [Fact]
        public void GuestState_ForcedBit_IsPresentEvenWhereTheHostLacksIt()
        {
            var avoton = DumpProfiles.Find("Avoton");
            var avx = FeatureCatalog.Default.Find("AVX");
            var forced = VmMask.ParseVmx("cpuid.1.ecx = \"---1----------------------------\"", "t");

            Assert.Equal(FeatureState.Absent, FeatureEvaluator.HostState(avoton, avx));
            Assert.Equal(FeatureState.Present, FeatureEvaluator.GuestState(avoton, avx, forced));
        }

        [Fact]
        public void GuestState_FeatMaskValZero_HidesTheFeature()
        {
            var ivy = DumpProfiles.Find("00306A9_IvyBridge_");
            var avx = FeatureCatalog.Default.Find("AVX");
            var mask = VmMask.ParseVmx("featMask.vm.cpuid.AVX = \"Val:0\"", "t");

            Assert.Equal(FeatureState.Absent, FeatureEvaluator.GuestState(ivy, avx, mask));
        }
    }
}
