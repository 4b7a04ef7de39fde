using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Collections;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Tests.Readers;
using Xunit;

namespace CpuidMask.Engine.Tests.Collections
{
    public class ItemCollectionTests
    {
        [Fact]
        public void ItemList_Text_IsItsItemsNotItsTypeName()
        {
            var list = new[] { "cpuid.1.ecx", "cpuid.7.ebx" }.ToItemList();

            Assert.Equal("cpuid.1.ecx; cpuid.7.ebx", list.ToString());
            Assert.Equal(string.Empty, ItemList<string>.Empty.ToString());
            Assert.Equal("AVX; F16C", FeatureCatalog.Default.Features.Where(f => f.Name is "AVX" or "F16C").ToItemList(f => f.Name).ToString());
        }

        [Fact]
        public void ItemList_IsAReadOnlyListWithTheLengthArraysHad()
        {
            IList list = new[] { "a", "b", "c" }.ToItemList();

            Assert.Equal(3, ((ItemList<string>)list).Length);
            Assert.Equal("c", list[2]);
            Assert.Equal(1, list.IndexOf("b"));
            Assert.True(list.IsReadOnly);
            Assert.Throws<NotSupportedException>(() => list.Add("d"));
            Assert.Throws<NotSupportedException>(() => list[0] = "z");
        }

        [Fact]
        public void ItemMap_KeepsOrderAndTypedLookups_AndReadsAsTextThroughIDictionary()
        {
            var mask = VmMask.ParseVmx("cpuid.80000001.ecx = \"-----------------------0--------\"\ncpuid.1.ecx = \"--00-0---0----0-----------------\"\n", "test");

            Assert.Equal(new[] { "cpuid.1.ecx", "cpuid.80000001.ecx" }, mask.Registers.Keys.Select(k => k.ToString()));
            Assert.Equal("--00-0---0----0-----------------", mask.Registers[MaskKey.Parse("cpuid.1.ecx")].ToString());
            var untyped = Assert.IsAssignableFrom<IDictionary>(mask.Registers);
            var entries = new List<DictionaryEntry>();
            for (var e = untyped.GetEnumerator(); e.MoveNext();)
            {
                entries.Add(e.Entry);
            }

            Assert.All(entries, e => Assert.IsType<string>(e.Key));
            Assert.All(entries, e => Assert.IsType<string>(e.Value));
            Assert.Equal("--00-0---0----0-----------------", untyped["cpuid.1.ecx"]);
            Assert.Equal("--00-0---0----0-----------------", untyped["CPUID.1.ECX"]);
            Assert.True(untyped.Contains("cpuid.80000001.ecx"));
            Assert.Null(untyped["cpuid.7.ebx"]);
            Assert.Equal(new[] { "cpuid.1.ecx", "cpuid.80000001.ecx" }, untyped.Keys.Cast<string>());
            Assert.Throws<NotSupportedException>(() => untyped.Add("cpuid.7.ebx", "x"));
            Assert.Equal("cpuid.1.ecx = --00-0---0----0-----------------; cpuid.80000001.ecx = -----------------------0--------", mask.Registers.ToString());
        }

        [Fact]
        public void ItemMap_LaterEntryForAKeyReplacesTheEarlierInPlace()
        {
            var map = new ItemMap<string, string>(
                new[] { Pair("a", "1"), Pair("B", "2"), Pair("A", "3") },
                StringComparer.OrdinalIgnoreCase);

            Assert.Equal(new[] { "a", "B" }, map.Keys);
            Assert.Equal("3", map["a"]);
            Assert.Equal(2, map.Count);
        }

        [Fact]
        public void Results_ShowTheirListsAsItems()
        {
            var avoton = DumpGoldenTests.ReadAll(TestFiles.Avoton)[0];
            var ivy = DumpGoldenTests.ReadAll(TestFiles.IvyBridge)[0];
            var generated = new MaskGenerator().Generate(new[] { avoton, ivy });
            var haswell = BaselineCatalog.Default.Find("intel-haswell");

            Assert.StartsWith("PCID (missing on " + avoton.Name + "); MOVBE (missing on " + ivy.Name + ")", generated.Hidden.ToString());
            Assert.Equal("passed: 2 directions between 2 hosts allowed", generated.Proof.ToString());
            Assert.Equal("9 features hidden over 2 hosts, proof passed", generated.ToString());
            Assert.Equal("FMA; MOVBE; BMI1; AVX2; BMI2; INVPCID; ABM; PDPE1GB", haswell.Added.ToString());
            Assert.EndsWith("intel-sandybridge; intel-ivybridge; intel-haswell", haswell.Chain.ToString());
            Assert.Equal("XSAVE; XSAVE_YMM", FeatureCatalog.Default.Find("AVX").Requires.ToString());
            Assert.StartsWith("0x0: 0000000D-756E6547-6C65746E-49656E69; 0x1: 000306A9-", ivy.Leaves.ToString());
        }

        private static KeyValuePair<string, string> Pair(string key, string value) => new KeyValuePair<string, string>(key, value);
    }
}
