using System;
using System.IO;
using System.Linq;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;
using Xunit;

namespace CpuidMask.Engine.Tests.Readers
{
    /// <summary>
    /// Real dumps (tests/data/dump-variants, see its SOURCE.md) whose dumper versions and CPUs differ from the 40 in
    /// tests/data/dumps in ways the readers once refused or misread.
    /// </summary>
    public class DumpVariantTests
    {
        private static string Variant(string name) => Path.Combine(AppContext.BaseDirectory, "data", "dump-variants", name);

        private static uint[] XsaveSubleaves(CpuidProfile profile) => profile.Leaves.Where(l => l.Leaf == 0xD).Select(l => l.Subleaf).ToArray();

        /// <summary>
        /// Untagged dumpers that print subleaf 1 after subleaf 0: its line used to be read as component 2 (and
        /// component 2's as the next component), so XSAVEOPT, XSAVEC and XSAVES read as unknown.
        /// </summary>
        [Theory]
        [InlineData("GenuineIntel00606A6_ICX_04_CPUID.txt", new uint[] { 0, 1, 2 })]
        [InlineData("AuthenticAMD0870F10_K17_Matisse_CPUID2.txt", new uint[] { 0, 1, 2 })]
        [InlineData("GenuineIntel0090661_ElkhartLake_02_CPUID.txt", new uint[] { 0, 1 })]
        [InlineData("GenuineIntel0050654_SkylakeXeon_CPUID16.txt", new uint[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 })]
        public void Read_UntaggedDumpWithSubleafOne_PlacesEveryLineUnderItsSubleaf(string file, uint[] subleaves)
        {
            var profile = ProfileReader.Read(Variant(file));

            Assert.Equal(subleaves, XsaveSubleaves(profile));
            Assert.Equal(0xFu, profile.TryGet(0xD, 1, CpuidRegister.Eax));
            Assert.Equal(FeatureState.Present, profile.GetBit(0xD, 1, CpuidRegister.Eax, 0));
            Assert.Equal(FeatureState.Present, profile.GetBit(0xD, 1, CpuidRegister.Eax, 3));
            if (subleaves.Contains(2u))
            {
                Assert.Equal(new CpuidRegisters(0x100, 0x240, 0, 0), profile.GetLeaf(0xD, 2)!.Registers);
            }
        }

        /// <summary>Skylake's Processor Trace state is an IA32_XSS component: its line sits between components 7 and 9.</summary>
        [Fact]
        public void Read_UntaggedDumpListingXssComponents_ReadsTheSupervisorStateAsSuch()
        {
            var profile = ProfileReader.Read(Variant("GenuineIntel0050654_SkylakeXeon_CPUID16.txt"));

            Assert.Equal(new CpuidRegisters(0x80, 0, 1, 0), profile.GetLeaf(0xD, 8)!.Registers);
            Assert.Equal(new CpuidRegisters(0x8, 0xA80, 0, 0), profile.GetLeaf(0xD, 9)!.Registers);
            Assert.Equal(FeatureState.Present, profile.GetBit(0xD, 1, CpuidRegister.Ecx, 8));
        }

        /// <summary>The same CPU model dumped by the untagged and the tagged dumper offers the same tracked features.</summary>
        [Fact]
        public void Compare_UntaggedAndTaggedIceLakeDumps_OfferTheSameTrackedFeatures()
        {
            var untagged = ProfileReader.Read(Variant("GenuineIntel00606A6_ICX_04_CPUID.txt"));
            var tagged = ProfileReader.Read(TestFiles.Dump("GenuineIntel00606A6_ICX_CPUID3.txt"));

            var report = new ProfileComparer().Compare(new[] { untagged, tagged });

            Assert.False(report.HasBlockers);
            Assert.All(report.Directions, d => Assert.Empty(d.Unverified));
        }

        /// <summary>A Centaur CNS answers CET's state component 11 though its IA32_XSS is zero; the line describes nothing a guest can use.</summary>
        [Fact]
        public void Read_SubleafOfAComponentTheCpuDoesNotEnable_IsLeftOut()
        {
            var profile = ProfileReader.Read(Variant("CentaurHauls0040672_CNS_04_CPUID.txt"));

            Assert.Equal(0u, profile.TryGet(0xD, 1, CpuidRegister.Ecx));
            Assert.Null(profile.GetLeaf(0xD, 11));
            Assert.Equal(FeatureState.Present, profile.GetBit(0xD, 0, CpuidRegister.Eax, 9));
        }

        /// <summary>CPUs before the Pentium 4 and the Athlon 64 have no extended leaves; their dumps are complete without leaf 0x80000000.</summary>
        [Fact]
        public void Read_CpuWithoutExtendedLeaves_IsReadWithoutComplaint()
        {
            var warnings = new System.Collections.Generic.List<Advice>();
            var profile = ProfileReader.Read(Variant("GenuineIntel0000683_P3_Coppermine_CPUID.txt"), options: new ProfileReadOptions { Warn = warnings.Add });

            Assert.Null(profile.GetLeaf(0x80000000u));
            Assert.Equal(FeatureState.Present, profile.GetBit(1, 0, CpuidRegister.Edx, 25));
            Assert.Empty(warnings);
        }

        /// <summary>An SSE2 CPU always has extended leaves: a dump of one without leaf 0x80000000 is still cut.</summary>
        [Fact]
        public void Read_Sse2CpuWithoutLeaf80000000_IsStillIncomplete()
        {
            string text = string.Join("\n", File.ReadAllLines(TestFiles.Dump(TestFiles.IvyBridge)).Where(l => !l.StartsWith("CPUID 8", StringComparison.Ordinal)));

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "ivy.txt"));

            Assert.Equal("ProfileIncomplete", ex.ErrorId);
            Assert.Contains("lacks leaf 0x80000000", ex.Message);
        }

        /// <summary>A damaged subleaf 1 line (a reserved flag set) fits neither layout, so nothing is guessed.</summary>
        [Fact]
        public void Read_UntaggedDumpWhoseSecondXsaveLineFitsNoLayout_IsRefused()
        {
            var lines = File.ReadAllLines(Variant("GenuineIntel00606A6_ICX_04_CPUID.txt"));
            int at = Array.FindIndex(lines, l => l.StartsWith("CPUID 0000000D: 0000000F-", StringComparison.Ordinal));
            lines[at] = lines[at].Replace("CPUID 0000000D: 0000000F-", "CPUID 0000000D: 0001000F-");

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(string.Join("\n", lines), "icx.txt"));

            Assert.Equal("ProfileInconsistent", ex.ErrorId);
            Assert.StartsWith($"icx.txt line {at + 1}: 2 leaf 0xD lines without a subleaf tag follow subleaf 0 (line {at}), which fits none of the ways", ex.Message);
        }

        /// <summary>
        /// Untagged leaf 0x10 lines after subleaf 0 are one per resource its EBX lists: Skylake-SP lists L3 allocation (1)
        /// and memory bandwidth allocation (3), so the third line is subleaf 3, not 2 (L2 allocation, which it lacks).
        /// </summary>
        [Fact]
        public void Read_UntaggedAllocationLeaf_PlacesEachLineUnderItsResource()
        {
            var profile = ProfileReader.Read(Variant("GenuineIntel0050654_SkylakeXeon_CPUID16.txt"));

            Assert.Equal(new uint[] { 0, 1, 3 }, profile.Leaves.Where(l => l.Leaf == 0x10).Select(l => l.Subleaf));
            Assert.Equal(0x59u, profile.TryGet(0x10, 3, CpuidRegister.Eax));
        }

        /// <summary>Without its subleaf 0 line, the L3 allocation line used to become subleaf 0 and read as no allocation at all.</summary>
        [Fact]
        public void Read_UntaggedAllocationLeafWithoutSubleafZero_IsRefused()
        {
            var lines = File.ReadAllLines(Variant("GenuineIntel0050654_SkylakeXeon_CPUID16.txt")).ToList();
            int at = lines.FindIndex(l => l.StartsWith("CPUID 00000010:", StringComparison.Ordinal));
            lines.RemoveAt(at);

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(string.Join("\n", lines), "skx.txt"));

            Assert.Equal("ProfileInconsistent", ex.ErrorId);
            Assert.StartsWith($"skx.txt line {at + 1}: 'CPUID 00000010: 0000000a-00000600-00000004-0000000f', a leaf 0x10 line without a subleaf tag, has not the shape of subleaf 0", ex.Message);
        }

        /// <summary>Without its subleaf 0 line, Elkhart Lake's subleaf 1 (EAX 0xF) used to read as the XSAVE states x87 to YMM.</summary>
        [Fact]
        public void Read_UntaggedDumpWithoutXsaveSubleafZero_IsRefused()
        {
            var lines = File.ReadAllLines(Variant("GenuineIntel0090661_ElkhartLake_02_CPUID.txt")).ToList();
            lines.RemoveAt(lines.FindIndex(l => l.StartsWith("CPUID 0000000D:", StringComparison.Ordinal)));

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(string.Join("\n", lines), "ehl.txt"));

            Assert.Equal("ProfileInconsistent", ex.ErrorId);
            Assert.Contains("gives 256 bytes as the largest XSAVE area for the states 0x0000000F", ex.Message);
        }

        /// <summary>An extended leaf in a dump without leaf 0x80000000 is another CPU's line (found by the dump fuzz).</summary>
        [Fact]
        public void Read_ExtendedLeafWithoutLeaf80000000_IsIncomplete()
        {
            var lines = File.ReadAllLines(Variant("GenuineIntel0000683_P3_Coppermine_CPUID.txt")).ToList();
            int after = lines.FindLastIndex(l => l.StartsWith("CPUID 00000", StringComparison.Ordinal));
            lines.Insert(after + 1, "CPUID 80000001: 00000000-00000000-00000021-2C100800");

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(string.Join("\n", lines), "p3.txt"));

            Assert.Equal("ProfileIncomplete", ex.ErrorId);
            Assert.Contains("lacks leaf 0x80000000", ex.Message);
        }

        /// <summary>
        /// A tagged dump that stops leaf 0xD at subleaf 9 while IA32_XSS lists CET's components: subleaf 11 and 12 ECX bit 0
        /// (saved through IA32_XSS) follows from subleaf 1, so the dump reads as complete, the rest of those subleaves unknown.
        /// </summary>
        [Fact]
        public void Read_TaggedDumpWithoutCetStateSubleaves_DerivesTheirXssBitFromSubleafOne()
        {
            var profile = ProfileReader.Read(Variant("AuthenticAMD0A20F10_K19_Vermeer_CPUID1.txt"));

            foreach (uint component in new uint[] { 11, 12 })
            {
                var leaf = profile.GetLeaf(0xD, component)!;
                Assert.Equal(RegisterSet.Ecx, leaf.Known);
                Assert.Equal(FeatureState.Present, profile.GetBit(0xD, component, CpuidRegister.Ecx, 0));
                Assert.Equal(FeatureState.Unknown, profile.GetBit(0xD, component, CpuidRegister.Eax, 4));
            }

            var saved = ProfileReader.Parse(ProfileJson.WriteAll(new[] { profile }), "vermeer.json")[0];
            Assert.Equal(RegisterSet.Ecx, saved.GetLeaf(0xD, 11)!.Known);
        }

        /// <summary>Only a component IA32_XSS lists is derived: a dump that lost CET's subleaf of a CET CPU with data stays as it is.</summary>
        [Fact]
        public void Read_TaggedDumpListingCetStateSubleaves_KeepsTheirData()
        {
            var profile = ProfileReader.Read(TestFiles.Dump(TestFiles.SapphireRapids));

            Assert.Equal(RegisterSet.All, profile.GetLeaf(0xD, 11)!.Known);
            Assert.Equal(RegisterSet.All, profile.GetLeaf(0xD, 12)!.Known);
        }
    }
}
