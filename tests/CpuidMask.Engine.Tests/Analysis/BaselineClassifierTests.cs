using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;
using Xunit;

namespace CpuidMask.Engine.Tests.Analysis
{
    public class BaselineClassifierTests
    {
        private readonly BaselineClassifier _classifier = new BaselineClassifier();

        /// <summary>tests/data/dumps/baselines.xml: the expected classification of every shared dump.</summary>
        private static readonly Lazy<Dictionary<string, XElement>> Golden = new Lazy<Dictionary<string, XElement>>(() =>
            XDocument.Load(Path.Combine(DumpProfiles.Directory, "baselines.xml")).Root!.Elements("dump")
                .ToDictionary(e => Path.GetFileNameWithoutExtension((string)e.Attribute("file")!), StringComparer.Ordinal));

        public static IEnumerable<object[]> Dumps => DumpProfiles.Names.Select(n => new object[] { n });

        [Fact]
        public void GoldenFile_CoversEveryDumpWithAReason()
        {
            Assert.Equal(DumpProfiles.Names.OrderBy(n => n, StringComparer.Ordinal), Golden.Value.Keys.OrderBy(n => n, StringComparer.Ordinal));
            Assert.All(Golden.Value.Values, e => Assert.True(((string?)e.Element("why"))?.Length > 40, (string?)e.Attribute("file")));
        }

        [Theory]
        [MemberData(nameof(Dumps))]
        public void Classify_EveryDump_MatchesTheGoldenFile(string dump)
        {
            var expected = Golden.Value[dump];

            var result = _classifier.Classify(DumpProfiles.Get(dump));

            Assert.Equal((string)expected.Attribute("highest")!, result.Highest?.Key ?? string.Empty);
            Assert.Equal(Words(expected, "unverified"), result.Unverified.SelectMany(u => u.Unknown).Select(f => f.Name).OrderBy(n => n, StringComparer.Ordinal));
            var next = expected.Elements("next").ToArray();
            Assert.Equal(next.Select(n => (string)n.Attribute("baseline")!), result.Next.Select(n => n.Baseline.Key));
            foreach (var step in next)
            {
                var actual = result.Next.Single(n => n.Baseline.Key == (string)step.Attribute("baseline")!);
                var gap = Assert.Single(actual.Hosts);
                Assert.Equal(Words(step, "missing"), gap.Missing.Select(f => f.Name).OrderBy(n => n, StringComparer.Ordinal));
                Assert.Equal(Words(step, "unknown"), gap.Unknown.Select(f => f.Name).OrderBy(n => n, StringComparer.Ordinal));
            }
        }

        [Theory]
        [InlineData("Avoton", "intel-westmere")]
        [InlineData("00306A9_IvyBridge_", "intel-ivybridge")]
        [InlineData("Rome", "amd-zen2")]
        [InlineData("00306C3_Haswell", "intel-haswell")]
        [InlineData("SkylakeXeon", "intel-skylake")]
        [InlineData("CascadeLakeSP", "intel-cascadelake")]
        [InlineData("ICX", "intel-icelake")]
        [InlineData("SapphireRapids", "intel-sapphirerapids")]
        [InlineData("EmeraldRapids", "intel-sapphirerapids")]
        [InlineData("GraniteRapids", "intel-sapphirerapids")]
        [InlineData("Milan", "amd-zen3")]
        [InlineData("Genoa", "amd-zen4")]
        [InlineData("Turin", "amd-zen4")]
        [InlineData("Manchester", "amd-rev-e")]
        [InlineData("SantaRosa", "amd-rev-f")]
        [InlineData("Interlagos", "amd-bulldozer")]
        public void Classify_RealCpu_LandsAtItsGeneration(string dump, string expected)
        {
            Assert.Equal(expected, _classifier.Classify(DumpProfiles.Find(dump)).Highest?.Key);
        }

        [Fact]
        public void Classify_IvyBridgeFromTheOldDumper_IsVerifiedBecauseOnlyBroadwellNeedsXsaveopt()
        {
            var ivy = DumpProfiles.Find("00306A9_IvyBridge_");

            var result = _classifier.Classify(ivy);

            Assert.Equal(FeatureState.Unknown, FeatureEvaluator.HostState(ivy, FeatureCatalog.Default.Find("XSAVEOPT")));
            Assert.Equal("intel-ivybridge", result.Highest?.Key);
            Assert.True(result.IsVerified);
        }

        [Fact]
        public void Classify_BulldozerFromTheOldDumper_SaysLeaf0xD1IsUnknownForZen()
        {
            var result = _classifier.Classify(DumpProfiles.Find("Interlagos"));

            var zen = result.Next.Single(n => n.Baseline.Key == "amd-zen").Hosts.Single();
            Assert.Equal(new[] { "XGETBV_ECX1", "XSAVEC", "XSAVEOPT", "XSAVES" }, zen.Unknown.Select(f => f.Name).OrderBy(n => n, StringComparer.Ordinal));
        }

        [Fact]
        public void Classify_SkylakeWithPreSpectreMicrocode_IsStillSkylake()
        {
            var skylake = DumpProfiles.Find("SkylakeXeon");

            var result = _classifier.Classify(skylake);

            Assert.Equal(FeatureState.Absent, FeatureEvaluator.HostState(skylake, FeatureCatalog.Default.Find("IBRS_IBPB")));
            Assert.Equal("intel-skylake", result.Highest?.Key);
            Assert.True(result.IsVerified);
        }

        [Fact]
        public void Classify_AvotonAndIvyBridge_CommonModeIsWestmereBlockedByAvotonOnly()
        {
            var avoton = DumpProfiles.Find("Avoton");
            var ivy = DumpProfiles.Find("00306A9_IvyBridge_");

            var result = _classifier.Classify(new[] { avoton, ivy });

            Assert.Equal("intel-westmere", result.Highest?.Key);
            Assert.Equal(new[] { "intel-westmere", "intel-ivybridge" }, result.Hosts.Select(h => h.Highest?.Key));
            var step = Assert.Single(result.Next);
            Assert.Equal("intel-sandybridge", step.Baseline.Key);
            var gap = Assert.Single(step.Hosts);
            Assert.Equal(avoton.Name, gap.Host);
            Assert.Equal(new[] { "AVX", "PCID", "XSAVE", "XSAVE_SSE", "XSAVE_YMM" }, gap.Missing.Select(f => f.Name).OrderBy(n => n, StringComparer.Ordinal));
        }

        [Fact]
        public void Classify_ZenAndPiledriver_MeetBelowBothOnTheNoThreeDNowMode()
        {
            var result = _classifier.Classify(new[] { DumpProfiles.Find("K17_Zen"), DumpProfiles.Find("AbuDhabi") });

            Assert.Equal("amd-greyhound-no3dnow", result.Highest?.Key);
            Assert.Contains(result.Next, n => n.Baseline.Key == "amd-bulldozer" && n.Hosts.Single().Missing.Select(f => f.Name).SequenceEqual(new[] { "XOP", "FMA4" }));
        }

        [Fact]
        public void Classify_K10AndBulldozer_CommonModeHasNoThreeDNow()
        {
            var result = _classifier.Classify(new[] { DumpProfiles.Find("Barcelona"), DumpProfiles.Find("Interlagos") });

            Assert.Equal("amd-greyhound-no3dnow", result.Highest?.Key);
            Assert.DoesNotContain(result.Supported, b => b.Key == "amd-rev-e");
        }

        [Fact]
        public void Classify_EveryPairOfHosts_CommonModeIsTheHighestBothSupport()
        {
            var all = DumpProfiles.All.Where(p => p.IsIntel || p.IsAmdLike).ToArray();
            foreach (var a in all)
            {
                foreach (var b in all.Where(b => b.Vendor == a.Vendor && string.CompareOrdinal(a.Name, b.Name) < 0))
                {
                    var result = _classifier.Classify(new[] { a, b });
                    var both = result.Hosts[0].Supported.Intersect(result.Hosts[1].Supported).ToArray();

                    Assert.Equal(both.Select(x => x.Key), result.Supported.Select(x => x.Key));
                    if (result.Highest == null)
                    {
                        Assert.Empty(both); // e.g. a 3DNow!-only K8 and a Bulldozer: no mode fits both
                    }
                    else
                    {
                        Assert.DoesNotContain(both, x => x.IsAbove(result.Highest));
                        Assert.All(result.Hosts, h => Assert.True(h.Highest!.IsAtLeast(result.Highest), $"{a.Name} + {b.Name}"));
                    }
                }
            }
        }

        [Fact]
        public void Classify_Centaur_HasNoModeAndSaysWhy()
        {
            var result = _classifier.Classify(DumpProfiles.Find("CentaurHauls"));

            Assert.Null(result.Highest);
            Assert.Contains("Intel and AMD", result.Note);
        }

        [Fact]
        public void Classify_RevisionCOpteron_IsBelowEveryModeAndNamesTheLowest()
        {
            var result = _classifier.Classify(DumpProfiles.Find("Sledgehammer"));

            Assert.Null(result.Highest);
            Assert.Contains("amd-rev-e", result.Note);
            Assert.Contains(result.Next, n => n.Baseline.Key == "amd-rev-e");
        }

        [Fact]
        public void Classify_IntelAndAmdTogether_ThrowsMixedVendors()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => _classifier.Classify(new[] { DumpProfiles.Find("Avoton"), DumpProfiles.Find("Rome") }));

            Assert.Equal("MixedVendors", ex.ErrorId);
        }

        [Fact]
        public void Classify_HaswellAsVCenterReportsIt_IsHaswellAndVerified()
        {
            var haswell = DumpProfiles.Find("00306C3_Haswell");
            var data = VSphereHostData.FromProfile(haswell);

            var result = _classifier.Classify(data.ToProfile("esx-haswell", "test", haswell.Brand));

            Assert.Equal("intel-haswell", result.Highest?.Key);
            Assert.True(result.IsVerified);
        }

        [Fact]
        public void Classify_OnlyTheRawLeavesEsxiReports_StopsWhereEvidenceEndsAndListsTheUnverified()
        {
            var haswell = DumpProfiles.Find("00306C3_Haswell");
            var raw = new CpuidProfile("raw-only", haswell.Leaves.Where(l => VSphereHostData.ReportedLevels.Contains(l.Key.Leaf) && l.Key.Subleaf == 0));

            var result = _classifier.Classify(raw);

            Assert.Equal("intel-haswell", result.Highest?.Key);
            Assert.False(result.IsVerified);
            Assert.Contains(result.Unverified.Single().Unknown, f => f.Name == "AVX2");
            Assert.DoesNotContain(result.Supported, b => b.Key == "intel-skylake");
        }

        private static IEnumerable<string> Words(XElement element, string attribute) =>
            ((string?)element.Attribute(attribute) ?? string.Empty).Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries).OrderBy(n => n, StringComparer.Ordinal);
    }
}
