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
    public class BaselineMaskGeneratorTests
    {
        /// <summary>DOMAIN.md section 6: the generic "Westmere" per-VM baseline of the public write-up.</summary>
        private const string WestmereEightLines =
            "cpuid.80000001.ecx = \"0000000000000000000000000000000-\"\n" +
            "cpuid.80000001.edx = \"00-0-000000-00000000-00000000000\"\n" +
            "cpuid.1.ecx = \"000000-0-00--000---000-000------\"\n" +
            "cpuid.1.edx = \"-000-------0-0-------0----------\"\n" +
            "cpuid.7.ebx = \"-------------------------------0\"\n" +
            "cpuid.d.eax = \"00000000000000000000000000000000\"\n" +
            "cpuid.d.ecx = \"00000000000000000000000000000000\"\n" +
            "cpuid.d.edx = \"00000000000000000000000000000000\"\n";

        private static readonly BaselineCatalog Baselines = BaselineCatalog.Default;
        private static readonly FeatureCatalog Catalog = FeatureCatalog.Default;
        private readonly BaselineMaskGenerator _generator = new BaselineMaskGenerator();

        /// <summary>Every (baseline, dump) pair where the dump supports the baseline.</summary>
        public static IEnumerable<object[]> SupportedPairs =>
            from b in BaselineCatalog.Default.Baselines
            from d in DumpProfiles.Names
            where BaselineClassifier.Supports(DumpProfiles.Get(d), b, out _, out _)
            select new object[] { b.Key, d };

        public static IEnumerable<object[]> AllBaselines => BaselineCatalog.Default.Baselines.Select(b => new object[] { b.Key });

        [Fact]
        public void SupportedPairs_CoverEveryBaselineAndMostDumps()
        {
            var pairs = SupportedPairs.Select(p => ((string)p[0], (string)p[1])).ToArray();

            Assert.All(Baselines.Baselines, b => Assert.Contains(pairs, p => p.Item1 == b.Key));
            Assert.True(pairs.Length > 150, $"only {pairs.Length} pairs");
        }

        [Theory]
        [MemberData(nameof(SupportedPairs))]
        public void Generate_EveryBaselineOnEveryDumpAtOrAboveIt_GuestSeesExactlyTheBaseline(string baselineKey, string dump)
        {
            var baseline = Baselines.Find(baselineKey);
            var host = DumpProfiles.Get(dump);

            var mask = _generator.Generate(baseline).Mask;

            var guest = FeatureEvaluator.GuestFeatures(host, mask, Catalog).Select(f => f.Name).ToArray();
            var expected = baseline.Features
                .Where(f => FeatureEvaluator.HostState(host, f) != FeatureState.Unknown) // the old dumper's leaf 0xD.1
                .Concat(baseline.Controls.Where(c => FeatureEvaluator.HostState(host, c) == FeatureState.Present))
                .Select(f => f.Name);
            Assert.Equal(expected.OrderBy(n => n, StringComparer.Ordinal), guest.OrderBy(n => n, StringComparer.Ordinal));
        }

        [Theory]
        [MemberData(nameof(SupportedPairs))]
        public void Generate_EveryBaselineOnEveryDumpAtOrAboveIt_KeepsThePropertiesOfTheStateComponentsItKeeps(string baselineKey, string dump)
        {
            // A state component's own leaf 0xD subleaf bits (XTILEDATA's alignment and XFD support) come with the component:
            // the Sapphire Rapids mode shows the tile states, so it must not hide what those CPUs report about them.
            var baseline = Baselines.Find(baselineKey);
            var host = DumpProfiles.Get(dump);

            var hidden = _generator.Generate(baseline).Hidden
                .Where(h => h.Feature.Kind == FeatureKind.StateComponent && h.Feature.Requires.Count > 0)
                .Where(h => h.Feature.Requires.Select(Catalog.Find).All(r => r.Kind == FeatureKind.StateComponent && baseline.Contains(r)))
                .Where(h => FeatureEvaluator.HostState(host, h.Feature) == FeatureState.Present)
                .Select(h => h.Feature.Name);

            Assert.Empty(hidden);
        }

        [Fact]
        public void Generate_Westmere_OnEveryDumpAtOrAboveIt_EqualsTheEightLinesOnTheRegistersTheyTakeFromEvc()
        {
            var westmere = Baselines.Find("intel-westmere");
            var ours = _generator.Generate(westmere).Mask;
            var eight = VmMask.ParseVmx(WestmereEightLines, "DOMAIN.md section 6");
            var hosts = DumpProfiles.All.Where(h => BaselineClassifier.Supports(h, westmere, out _, out _)).ToArray();

            Assert.True(hosts.Length >= 15, $"only {hosts.Length} hosts at or above Westmere");
            foreach (var host in hosts)
            {
                var fromEvc = Catalog.Features.Where(f => f.Tracked && BaselineMaskGenerator.IsDocumentedEvcRegister(new MaskKey(f.Leaf, f.Subleaf, f.Register))).ToArray();
                Assert.Equal(
                    fromEvc.Where(f => FeatureEvaluator.GuestState(host, f, eight) == FeatureState.Present).Select(f => f.Name),
                    fromEvc.Where(f => FeatureEvaluator.GuestState(host, f, ours) == FeatureState.Present).Select(f => f.Name));
            }
        }

        [Fact]
        public void Generate_Westmere_OnEveryDumpAtOrAboveIt_GuestFeaturesEqualTheEightLinesPlusOurExplainedLines()
        {
            var westmere = Baselines.Find("intel-westmere");
            var result = _generator.Generate(westmere);
            var eight = VmMask.ParseVmx(WestmereEightLines, "DOMAIN.md section 6");
            // The write-up's lines where it has one; for the registers it does not cover, or (leaf 7 EBX) covers
            // for FSGSBASE only, our lines: the ones Explain marks as beyond vCenter's documented EVC masks.
            var added = BaselineMaskGenerator.Explain(result).Where(e => !e.IsDocumentedEvcRegister).ToArray();
            var combined = eight;
            foreach (var line in added)
            {
                var theirs = eight.Get(line.Key);
                var ourLine = result.Mask.Get(line.Key);
                Assert.All(theirs.Bits(c => c.Hides()), bit => Assert.True(ourLine[bit].Hides(), $"{line.Key} bit {bit}")); // we only add hiding
                combined = combined.With(line.Key, RegisterMask.Merge(theirs, ourLine, out var conflicts));
                Assert.Empty(conflicts);
            }

            Assert.Contains(added, e => e.Key.ToString() == "cpuid.7.ebx" && e.Note.Contains("EVC hides these bits too"));
            Assert.Contains(added, e => e.Key.ToString() == "cpuid.d.1.eax" && e.Note.Contains("featMask"));
            foreach (var host in DumpProfiles.All.Where(h => BaselineClassifier.Supports(h, westmere, out _, out _)))
            {
                Assert.Equal(
                    FeatureEvaluator.GuestFeatures(host, combined, Catalog).Select(f => f.Name),
                    FeatureEvaluator.GuestFeatures(host, result.Mask, Catalog).Select(f => f.Name));
            }
        }

        [Fact]
        public void Generate_Westmere_LeafOneLineHidesTheSevenLaterFeaturesAndLeaf7HidesFsgsbase()
        {
            var mask = _generator.Generate("intel-westmere").Mask;

            // RDRAND, F16C, AVX, XSAVE, MOVBE, PCID, FMA: the tracked bits the write-up's cpuid.1.ecx line zeroes.
            Assert.Equal("-000-0---0----0----0------------", mask.Get(MaskKey.Parse("cpuid.1.ecx")).ToString());
            Assert.Equal(MaskChar.Zero, mask.Get(MaskKey.Parse("cpuid.7.ebx"))[0]);
        }

        [Theory]
        [MemberData(nameof(AllBaselines))]
        public void Generate_WithoutHosts_HidesEveryTrackedFeatureOutsideTheBaseline(string baselineKey)
        {
            var baseline = Baselines.Find(baselineKey);

            var result = _generator.Generate(baseline);

            Assert.Equal(Baselines.OutsideOf(baseline).Select(f => f.Name), result.Hidden.Select(h => h.Feature.Name).OrderBy(n => Catalog.Find(n).LeafKey).ThenBy(n => Catalog.Find(n).Register).ThenBy(n => Catalog.Find(n).Bit));
            Assert.All(result.Hidden, h => Assert.Equal(HideReason.OutsideBaseline, h.Reason));
            Assert.All(result.Hidden, h => Assert.Equal($"not in baseline {baselineKey}", h.Explanation));
            Assert.Same(baseline, result.Baseline);
            Assert.Empty(result.Profiles);
            Assert.True(result.Proof.Passed);
        }

        [Theory]
        [MemberData(nameof(AllBaselines))]
        public void Generate_WithoutHosts_OnACpuWithEveryBitSet_GuestSeesOnlyTheBaselineAndControls(string baselineKey)
        {
            // A CPU from the future: every bit of every leaf set. The complete mask must still hold.
            var baseline = Baselines.Find(baselineKey);
            var leaves = new List<CpuidLeaf>
            {
                new CpuidLeaf(new LeafKey(0), VendorRegisters(baseline.VendorString, 0x24)),
                new CpuidLeaf(new LeafKey(0x80000000u), new CpuidRegisters(0x80000021u, 0, 0, 0)),
            };
            foreach (var key in Catalog.Features.Select(f => f.LeafKey).Distinct())
            {
                leaves.Add(new CpuidLeaf(key, new CpuidRegisters(key == new LeafKey(7) ? 2u : ~0u, ~0u, ~0u, ~0u)));
            }

            var future = new CpuidProfile("future", leaves);

            var guest = FeatureEvaluator.GuestFeatures(future, _generator.Generate(baseline).Mask, Catalog);

            Assert.Equal(baseline.Features.Concat(baseline.Controls).Select(f => f.Name).OrderBy(n => n, StringComparer.Ordinal), guest.Select(f => f.Name).OrderBy(n => n, StringComparer.Ordinal));
        }

        [Theory]
        [MemberData(nameof(AllBaselines))]
        public void Generate_AnyBaseline_NeverLeavesAFeatureVisibleWhosePrerequisiteIsHidden(string baselineKey)
        {
            var result = _generator.Generate(baselineKey);
            var hidden = new HashSet<string>(result.Hidden.Select(h => h.Feature.Name));

            foreach (var feature in Catalog.Features.Where(f => f.Tracked && !hidden.Contains(f.Name)))
            {
                Assert.DoesNotContain(feature.Requires, r => hidden.Contains(r));
            }
        }

        [Fact]
        public void Generate_WestmereForAvotonAndIvyBridge_HidesOnlyWhatTheyHaveAndPasses()
        {
            var hosts = new[] { DumpProfiles.Find("Avoton"), DumpProfiles.Find("00306A9_IvyBridge_") };

            var result = _generator.Generate("intel-westmere", hosts);

            Assert.True(result.Proof.Passed, string.Join(" / ", result.Proof.Directions));
            var names = result.Hidden.Select(h => h.Feature.Name).ToArray();
            foreach (string expected in new[] { "AVX", "F16C", "FSGSBASE", "MOVBE", "PCID", "PREFETCHW", "XSAVE", "XSAVE_SSE", "XSAVE_YMM", "RDRAND", "SMEP", "ERMS" })
            {
                Assert.Contains(expected, names);
            }

            Assert.Contains("XSAVEOPT", names); // not reported by the Ivy Bridge dump: hidden all the same
            Assert.DoesNotContain("AVX512F", names); // neither host has it
            Assert.All(result.Proof.Hosts, v => Assert.Equal(
                Baselines.Find("intel-westmere").Features.Select(f => f.Name),
                v.GuestFeatures.Where(f => !Baselines.Find("intel-westmere").IsControl(f)).Select(f => f.Name)));
        }

        [Fact]
        public void Generate_HostsDifferingInAControl_HidesItSoTheProofPasses()
        {
            // The Gold 6130 dump has pre-Spectre microcode: no IBRS/STIBP/SSBD; the Cascade Lake has them.
            var hosts = new[] { DumpProfiles.Find("SkylakeXeon"), DumpProfiles.Find("CascadeLakeSP") };

            var result = _generator.Generate("intel-skylake", hosts);

            Assert.True(result.Proof.Passed, string.Join(" / ", result.Proof.Directions));
            var ibrs = result.Hidden.Single(h => h.Feature.Name == "IBRS_IBPB");
            Assert.Equal(HideReason.NotOnAllHosts, ibrs.Reason);
            Assert.Contains(hosts[0].Name, ibrs.MissingOn);
        }

        [Theory]
        [InlineData("amd-zen2", "IBRS")]
        [InlineData("amd-zen2", "IBPB")]
        [InlineData("amd-rev-e", "IBRS")]
        public void Generate_AmdBaseline_FeatMaskKeepsTheSpeculationControlsVCenterBuildsFromAmdBits(string key, string name)
        {
            // On AMD hosts cpuid.IBRS / cpuid.IBPB are AMD's Fn8000_0008 EBX bits, which are the mode's controls; hiding
            // Intel's leaf 7 EDX bit 26 must not write featMask.vm.cpuid.IBRS = "Val:0".
            var result = _generator.Generate(key);

            Assert.DoesNotContain(name, result.FeatMask.FeatureMasks.Keys);
            Assert.Contains(result.Hidden, h => h.Feature.Name == "IBRS_IBPB"); // the raw leaf 7 EDX mask still hides Intel's bit
            Assert.DoesNotContain(result.WithoutFeatMaskName, f => f.Name == "IBRS_IBPB");
        }

        [Fact]
        public void Generate_HostBelowTheBaseline_ThrowsBaselineNotSupportedNamingHostAndFeatures()
        {
            var avoton = DumpProfiles.Find("Avoton");

            var ex = Assert.Throws<CpuidMaskException>(() => _generator.Generate("intel-sandybridge", new[] { avoton }));

            Assert.Equal("BaselineNotSupported", ex.ErrorId);
            Assert.Contains(avoton.Name, ex.Message);
            Assert.Contains("AVX", ex.Message);
            Assert.Contains("intel-westmere", ex.Message);
        }

        [Fact]
        public void Generate_AmdHostForAnIntelBaseline_ThrowsBaselineVendorMismatch()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => _generator.Generate("intel-westmere", new[] { DumpProfiles.Find("Rome") }));

            Assert.Equal("BaselineVendorMismatch", ex.ErrorId);
            Assert.Contains("AuthenticAMD", ex.Message);
        }

        [Fact]
        public void Generate_UnknownBaseline_ThrowsBaselineNotFound()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => _generator.Generate("intel-pentium"));

            Assert.Equal("BaselineNotFound", ex.ErrorId);
        }

        [Fact]
        public void Explain_WestmereMask_OneExplanationPerLineNamingTheHiddenFeatures()
        {
            var result = _generator.Generate("intel-westmere");

            var lines = BaselineMaskGenerator.Explain(result);

            Assert.Equal(result.Mask.Registers.Keys, lines.Select(l => l.Key));
            var leaf1 = lines.Single(l => l.Key.ToString() == "cpuid.1.ecx");
            Assert.True(leaf1.IsDocumentedEvcRegister);
            Assert.Contains(leaf1.Hidden, f => f.Name == "AVX");
            Assert.All(lines, l => Assert.NotEmpty(l.Hidden));
        }

        [Fact]
        public void Generate_WorkedCaseMaskGenerator_IsUnchangedByTheRefactoring()
        {
            var result = new MaskGenerator().Generate(new[] { DumpProfiles.Find("Avoton"), DumpProfiles.Find("00306A9_IvyBridge_") });

            Assert.Null(result.Baseline);
            Assert.Equal(
                new[] { "cpuid.1.ecx = \"--00-0---0----0-----------------\"", "cpuid.7.ebx = \"-------------------------------0\"", "cpuid.d.eax = \"-----------------------------00-\"", "cpuid.80000001.ecx = \"-----------------------0--------\"" },
                result.ToVmxLines());
        }

        private static CpuidRegisters VendorRegisters(string vendor, uint maxLeaf)
        {
            uint Word(int at) => (uint)(vendor[at] | (vendor[at + 1] << 8) | (vendor[at + 2] << 16) | (vendor[at + 3] << 24));
            return new CpuidRegisters(maxLeaf, Word(0), Word(8), Word(4));
        }
    }
}
