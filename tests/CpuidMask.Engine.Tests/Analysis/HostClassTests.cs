using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Json;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;
using Xunit;

namespace CpuidMask.Engine.Tests.Analysis
{
    public class HostClassTests
    {
        private static readonly FeatureCatalog Catalog = FeatureCatalog.Default;

        [Fact]
        public void Compare_HostsOfOneCpu_AreOneClassNamedByTheFirst()
        {
            var haswell = DumpProfiles.Find("00306C3_Haswell");
            var ivy = DumpProfiles.Find("00306A9_IvyBridge_");
            var hosts = new[] { haswell.WithName("esx1"), ivy.WithName("esx2"), haswell.WithName("esx3"), haswell.WithName("esx4") };

            var report = new ProfileComparer().Compare(hosts);

            Assert.Equal(2, report.Classes.Count);
            Assert.Equal("esx1 (+2 alike)", report.Classes[0].Name);
            Assert.Equal(new[] { "esx1", "esx3", "esx4" }, report.Classes[0].HostNames);
            Assert.Equal("esx2", report.Classes[1].Name);
            Assert.Equal(2, report.Directions.Count);
            var down = report.Directions[0];
            Assert.Equal("esx1 (+2 alike)", down.Source);
            Assert.Equal(new[] { "esx1", "esx3", "esx4" }, down.SourceHosts);
            Assert.Equal(new[] { "esx2" }, down.DestinationHosts);
            Assert.Contains("AVX2", down.Blockers.Select(b => b.Name));
            Assert.True(report.Directions[1].Allowed);
            Assert.True(report.HasBlockers);
            Assert.Equal(1, report.BlockedCount);

            var avx2 = report.Differences.Single(d => d.Feature.Name == "AVX2");
            Assert.Equal(new[] { "esx1", "esx3", "esx4" }, avx2.PresentOn);
            Assert.Equal(new[] { "esx2" }, avx2.MissingOn);
        }

        [Fact]
        public void PerPair_OverRealDumpsWithRepeats_AgreesWithAHostByHostCheck()
        {
            // Six CPUs of one vendor, each repeated, some under a mask: every pair of hosts is blocked by exactly the
            // features a host-by-host evaluation finds, so grouping hosts into classes loses nothing.
            var cpus = new[] { "00306C3_Haswell", "00306A9_IvyBridge_", "Avoton", "SkylakeXeon", "ICX", "SandyBridge2" }.Select(DumpProfiles.Find).ToArray();
            var hosts = Enumerable.Range(0, 15).Select(i => cpus[(i * 7) % cpus.Length].WithName($"h{i:D2}")).ToArray();
            foreach (var mask in new[] { VmMask.Empty, new MaskGenerator().Generate(cpus.Take(3).ToArray()).Mask })
            {
                var report = new ProfileComparer().Compare(hosts, mask);
                var pairs = report.PerPair().ToArray();

                Assert.Equal(hosts.Length * (hosts.Length - 1), pairs.Length);
                int k = 0;
                foreach (var from in hosts)
                {
                    foreach (var to in hosts.Where(h => h != from))
                    {
                        var pair = pairs[k++];
                        Assert.Equal((from.Name, to.Name), (pair.Source, pair.Destination));
                        Assert.Equal(Reference(from, to, mask, FeatureState.Absent), pair.Blockers.Select(b => b.Name).ToArray());
                        Assert.Equal(Reference(from, to, mask, FeatureState.Unknown), pair.Unverified.Select(b => b.Name).ToArray());
                        var between = report.Directions.SingleOrDefault(d => d.SourceHosts.Contains(from.Name) && d.DestinationHosts.Contains(to.Name));
                        Assert.Equal(pair.Allowed, between?.Allowed ?? SameClass(report, from, to));
                    }
                }

                Assert.Equal(pairs.Any(p => !p.Allowed), report.HasBlockers);
            }
        }

        [Fact]
        public void MaskProof_AThousandHostsOfFiveCpus_ChecksTwentyDirectionsAndViewsEveryHost()
        {
            var cpus = new[] { "00306C3_Haswell", "00306A9_IvyBridge_", "Avoton", "SkylakeXeon", "ICX" }.Select(DumpProfiles.Find).ToArray();
            var hosts = Enumerable.Range(0, 1000).Select(i => cpus[i % cpus.Length].WithName($"esx{i:D4}")).ToArray();

            var result = new MaskGenerator().Generate(hosts);

            Assert.Equal(5, result.Proof.Classes.Count);
            Assert.Equal(20, result.Proof.Directions.Count);
            Assert.All(result.Proof.Classes, c => Assert.Equal(200, c.Members.Count));
            Assert.Equal(1000, result.Proof.Hosts.Count);
            Assert.Equal(hosts.Select(h => h.Name), result.Proof.Hosts.Select(v => v.HostName));
            Assert.True(result.Proof.Passed);
            var avx = result.Hidden.Single(h => h.Feature.Name == "AVX");
            Assert.Equal(200, avx.MissingOn.Count); // the Avoton hosts, named one by one
            Assert.Equal(hosts.Where((h, i) => i % 5 == 2).Select(h => h.Name), avx.MissingOn);
            Assert.Same(result.Proof.Hosts[0].GuestFeatures, result.Proof.Hosts[5].GuestFeatures);
        }

        [Fact]
        public void MaskProof_MaskForcingABitTheHostsLack_ListsTheClassDirectionToItself()
        {
            // A mask that forces AVX2 (1) on Ivy Bridge hosts: a VM powered on on one of them carries AVX2 the others
            // lack, so even hosts of one class block each other, and the proof says so.
            var ivy = DumpProfiles.Find("00306A9_IvyBridge_");
            var hosts = new[] { ivy.WithName("a"), ivy.WithName("b") };
            var mask = MaskFile.Read("cpuid.7.ebx = \"--------------------------1-----\"", "forcing mask");

            var proof = MaskProof.Build(hosts, mask, Catalog);

            var self = Assert.Single(proof.Directions);
            Assert.Equal("a (+1 alike)", self.Source);
            Assert.Equal(self.Source, self.Destination);
            Assert.Contains("AVX2", self.Blockers.Select(b => b.Name));
            Assert.False(proof.Passed);
        }

        [Fact]
        public void Directions_ManyClasses_AreComputedWhenReadInRowOrder()
        {
            var cpus = new[] { "00306C3_Haswell", "00306A9_IvyBridge_", "Avoton", "SkylakeXeon" }.Select(DumpProfiles.Find).ToArray();
            var report = new ProfileComparer().Compare(cpus);

            var expected = cpus.SelectMany(s => cpus.Where(d => d != s).Select(d => (s.Name, d.Name))).ToArray();
            Assert.Equal(expected, report.Directions.Select(d => (d.Source, d.Destination)).ToArray());
            Assert.Equal(expected[5], (report.Directions[5].Source, report.Directions[5].Destination));
            Assert.Throws<ArgumentOutOfRangeException>(() => report.Directions[12]);
            Assert.Throws<ArgumentOutOfRangeException>(() => report.Directions[-1]);
            Assert.Contains(" -> ", report.Directions.ToString());
            Assert.NotSame(report.Directions[0], report.Directions[0]); // computed, not kept
        }

        [Fact]
        public void HasBlockers_FeatureByFeature_AgreesWithEveryDirection()
        {
            // The verdict is decided feature by feature; it must be what walking every direction says, with and
            // without a mask, for hosts of one and of two vendors, and for a forcing mask's own-class direction.
            var intel = new[] { "00306C3_Haswell", "00306A9_IvyBridge_", "Avoton", "SkylakeXeon", "ICX" }.Select(DumpProfiles.Find).ToArray();
            var ivy = DumpProfiles.Find("00306A9_IvyBridge_");
            var forcing = MaskFile.Read("cpuid.7.ebx = \"--------------------------1-----\"", "forcing mask");
            var cases = new (CpuidProfile[] Hosts, VmMask Mask)[]
            {
                (intel, VmMask.Empty),
                (intel, new MaskGenerator().Generate(intel).Mask),
                (intel.Take(2).ToArray(), new MaskGenerator().Generate(intel.Take(2).ToArray()).Mask),
                (new[] { intel[0], DumpProfiles.Find("Rome") }, VmMask.Empty),
                (new[] { ivy.WithName("a"), ivy.WithName("b") }, forcing),
                (new[] { ivy.WithName("a"), ivy.WithName("b") }, VmMask.Empty),
            };

            foreach (var (hosts, mask) in cases)
            {
                var report = new ProfileComparer().Compare(hosts, mask);
                Assert.Equal(report.Directions.Any(d => !d.Allowed), report.HasBlockers);
                Assert.Equal(report.Directions.Count(d => !d.Allowed), report.BlockedCount);
            }
        }

        [Fact]
        public void StreamedJsonArray_WritesWhatAHeldArrayWrites()
        {
            var items = Enumerable.Range(0, 5000).Select(i => (JsonDomNode)new JsonDomObject().Add("n", "item " + i)).ToArray();
            var held = new JsonDomObject().Add("items", new JsonDomArray(items)).Add("empty", new JsonDomArray());
            var streamed = new JsonDomObject().Add("items", JsonDomArray.Streamed(items)).Add("empty", JsonDomArray.Streamed(Enumerable.Empty<JsonDomNode>()));

            var writer = new StringWriter();
            streamed.WriteTo(writer);

            Assert.Equal(held.ToJson(), writer.ToString());
            Assert.Equal(held.ToJson(false), streamed.ToJson(false));
            Assert.Equal(5000, ((JsonDomArray)streamed["items"]).Count);
        }

        [Fact]
        public void MaskJson_WrittenToAWriter_IsTheDocumentWithClasses()
        {
            var avoton = DumpProfiles.Find("Avoton");
            var ivy = DumpProfiles.Find("00306A9_IvyBridge_");
            var result = new MaskGenerator().Generate(new[] { avoton, ivy, ivy.WithName("ivy2") });

            var writer = new StringWriter();
            MaskJson.Write(result, writer);

            Assert.Equal(MaskJson.Write(result) + Environment.NewLine, writer.ToString());
            var proof = (JsonDomObject)((JsonDomObject)JsonDomNode.Parse(writer.ToString(), "mask json"))["proof"];
            var classes = (JsonDomArray)proof["classes"];
            var only = (JsonDomObject)Assert.Single(classes);
            Assert.Equal(2, ((JsonDomArray)only["hosts"]).Count);
            Assert.Equal(2, ((JsonDomArray)proof["directions"]).Count);
            Assert.Equal(3, ((JsonDomArray)proof["hosts"]).Count);
        }

        private static bool SameClass(ComparisonReport report, CpuidProfile a, CpuidProfile b) =>
            report.Classes.Any(c => c.HostNames.Contains(a.Name) && c.HostNames.Contains(b.Name));

        // What a VM powered on on `from` carries that `to` shows in the given state, feature by feature.
        private static string[] Reference(CpuidProfile from, CpuidProfile to, VmMask mask, FeatureState onDestination) =>
            Catalog.Features.Where(f => f.Tracked
                    && FeatureEvaluator.GuestState(from, f, mask) == FeatureState.Present
                    && FeatureEvaluator.HostState(to, f) == onDestination)
                .Select(f => f.Name).ToArray();
    }
}
