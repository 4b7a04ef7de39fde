using System.Linq;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;
using Xunit;

namespace CpuidMask.Engine.Tests.Readers
{
    public class InstLatx64ReaderTests
    {
        /// <summary>
        /// The old dumper's leaf 0xD quirk: subleaf 0 is followed by one line per XCR0 component from
        /// bit 2, so the second 0xD line is subleaf 2 (the YMM state: 256 bytes at offset 576) and
        /// subleaf 1 is simply not in the file.
        /// </summary>
        [Theory]
        [InlineData(TestFiles.SandyBridge2)]
        [InlineData(TestFiles.IvyBridge)]
        [InlineData(TestFiles.Interlagos)]
        public void Read_UntaggedOldDump_SecondXsaveLineIsSubleafTwo(string file)
        {
            var profile = ProfileReader.Read(TestFiles.Dump(file));

            var ymm = profile.GetLeaf(0xD, 2);
            Assert.NotNull(ymm);
            Assert.Equal(0x100u, ymm!.Registers.Eax);
            Assert.Equal(0x240u, ymm.Registers.Ebx);
            Assert.Null(profile.GetLeaf(0xD, 1));
            Assert.Equal(new uint[] { 0, 2 }, profile.Leaves.Where(l => l.Leaf == 0xD).Select(l => l.Subleaf));
            Assert.Equal(FeatureState.Unknown, profile.GetBit(0xD, 1, CpuidRegister.Eax, 0));
            Assert.Equal(FeatureState.Present, profile.GetBit(0xD, 0, CpuidRegister.Eax, 2));
        }

        [Fact]
        public void Read_UntaggedOldDump_OtherRepeatedLeavesAreSubleavesInOrder()
        {
            var ivy = ProfileReader.Read(TestFiles.Dump(TestFiles.IvyBridge));
            var interlagos = ProfileReader.Read(TestFiles.Dump(TestFiles.Interlagos));

            Assert.Equal(new uint[] { 0, 1, 2, 3 }, ivy.Leaves.Where(l => l.Leaf == 4).Select(l => l.Subleaf));
            Assert.Equal(0x1C03C163u, ivy.TryGet(4, 3, CpuidRegister.Eax));
            Assert.Equal(0x00000201u, ivy.TryGet(0xB, 1, CpuidRegister.Ecx));
            Assert.Equal(new uint[] { 0, 1, 2, 3 }, interlagos.Leaves.Where(l => l.Leaf == 0x8000001D).Select(l => l.Subleaf));
            Assert.Equal(0x0001C163u, interlagos.TryGet(0x8000001D, 3, CpuidRegister.Eax));
        }

        [Fact]
        public void Read_SapphireRapids_UsesSubleafTags()
        {
            var profile = ProfileReader.Read(TestFiles.Dump(TestFiles.SapphireRapids));

            Assert.Equal(new uint[] { 0, 1, 2 }, profile.Leaves.Where(l => l.Leaf == 7).Select(l => l.Subleaf));
            Assert.Equal(0x00001C30u, profile.TryGet(7, 1, CpuidRegister.Eax));
            Assert.Equal(0x00000017u, profile.TryGet(7, 2, CpuidRegister.Edx));
            Assert.Equal(
                new uint[] { 0, 1, 2, 5, 6, 7, 8, 9, 0xA, 0xB, 0xC, 0xE, 0xF, 0x11, 0x12 },
                profile.Leaves.Where(l => l.Leaf == 0xD).Select(l => l.Subleaf));
            Assert.Equal(new CpuidRegisters(0x40, 0xAC0, 0x2, 0), profile.GetLeaf(0xD, 0x11)!.Registers);
            Assert.Equal(new CpuidRegisters(0x2000, 0xB00, 0x6, 0), profile.GetLeaf(0xD, 0x12)!.Registers);
            Assert.Equal(FeatureState.Present, profile.GetBit(0xD, 1, CpuidRegister.Eax, 4)); // XFD
            Assert.Equal(FeatureState.Absent, profile.GetBit(0xD, 3, CpuidRegister.Eax, 0)); // not listed: no MPX state in XCR0 or IA32_XSS
        }

        [Fact]
        public void Read_Avoton_HasNoXsaveLeafBecauseMaxLeafIsB()
        {
            var profile = ProfileReader.Read(TestFiles.Dump(TestFiles.Avoton));

            Assert.Equal(0xBu, profile.MaxStandardLeaf);
            Assert.DoesNotContain(profile.Leaves, l => l.Leaf == 0xD);
            Assert.Equal(FeatureState.Absent, profile.GetBit(0xD, 0, CpuidRegister.Eax, 1));
            Assert.Equal(FeatureState.Absent, profile.GetBit(0xD, 0, CpuidRegister.Eax, 2));
            Assert.Equal(FeatureState.Present, profile.GetBit(1, 0, CpuidRegister.Ecx, 22)); // MOVBE
            Assert.Equal(FeatureState.Present, profile.GetBit(0x80000001, 0, CpuidRegister.Ecx, 8)); // PREFETCHW
        }

        [Theory]
        [InlineData(TestFiles.IvyBridge, "Intel(R) Core(TM) i7-3770K CPU @ 3.50GHz")]
        [InlineData(TestFiles.Avoton, "Intel(R) Atom(TM) CPU  C2750  @ 2.40GHz")]
        [InlineData("GenuineIntel00806F8_SapphireRapids_06_CPUID.txt", "Intel(R) Xeon(R) w9-3475X")]
        [InlineData("AuthenticAMD0B00F21_K20_Turin_01_CPUID.txt", "AMD EPYC 9655 96-Core Processor")]
        public void Read_BrandLeaves_DecodeToProcessorName(string file, string brand)
        {
            Assert.Equal(brand, ProfileReader.Read(TestFiles.Dump(file)).Brand);
        }

        [Fact]
        public void Read_HeaderStyleDWithTrailingSpaces_ReadsAllLines()
        {
            var profiles = ProfileReader.ReadAll(TestFiles.Dump(TestFiles.SkylakeXeon));

            Assert.Equal(64, profiles.Count);
            Assert.Equal(0x7FFEFBFFu, profiles[0].TryGet(1, 0, CpuidRegister.Ecx));
            Assert.Equal(0xD39FFFFBu, profiles[0].TryGet(7, 0, CpuidRegister.Ebx));
        }

        [Fact]
        public void Parse_ReportHeaderLinesStartingWithCpuid_AreSkipped()
        {
            const string text = "CPUID Manufacturer : GenuineIntel\nCPUID CPU Name     : Test\nCPUID Revision     : 000306A9h\nCPUID Registers (CPU #1):\n"
                + "CPUID 00000000: 00000001-756E6547-6C65746E-49656E69 [GenuineIntel]\r\n"
                + "CPUID 00000001: 000306A9-00100800-7F9AE3BF-BFEBFBFF   \r\n"
                + "CPUID 80000000: 80000001-00000000-00000000-00000000\n"
                + "CPUID 80000001: 00000000-00000000-00000001-28100000\n"
                + "MSR 0000001B: 0000-0000-FEE0-0900\n"
                + "C 02 / P1 00 / P2 01: < FAILED >\n";

            var profile = ProfileReader.Parse(text, "header.txt").Single();

            Assert.Equal("GenuineIntel", profile.Vendor);
            Assert.Equal(0x000306A9u, profile.Signature);
            Assert.Equal(4, profile.Leaves.Count);
        }

        [Fact]
        public void Parse_LinesBeforeFirstLeafZero_AreRefusedAsLeafMissing()
        {
            const string text = "CPUID 00000001: 000306A9-00100800-7F9AE3BF-BFEBFBFF\nCPUID 80000001: 00000000-00000000-00000001-28100000\n";

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "fragment.txt", options: new ProfileReadOptions { AllowPartial = true }));

            Assert.Equal("ProfileLeafMissing", ex.ErrorId);
            Assert.Equal(
                "fragment.txt: logical CPU 0 (from line 1) has no leaf 0x0 (vendor and highest leaf); every CPUID source reports leaves 0 and 1. The file is damaged or cut; take the data again.",
                ex.Message);
        }

        [Fact]
        public void Parse_MalformedDataLine_NamesFileLineAndExpectedShape()
        {
            const string text = "------[ Logical CPU #0 ]------\n\nCPUID 00000000: 0000000D-756E6547-6C65746E-49656E69\nCPUID 0000000X: 00000000-00000000-00000000-00000000\n";

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "dump.txt"));

            Assert.Equal("DumpLineMalformed", ex.ErrorId);
            Assert.Equal(ErrorKind.InvalidData, ex.Kind);
            Assert.Equal(
                "dump.txt line 4: 'CPUID 0000000X: 00000000-00000000-00000000-00000000' is not 'CPUID <8 hex>: <8 hex>-<8 hex>-<8 hex>-<8 hex>'.",
                ex.Message);
        }

        [Theory]
        [InlineData("CPUID 00000001: 000306A9-00100800-7F9AE3BF")]
        [InlineData("CPUID 00000001: 000306A9-00100800-7F9AE3BF-BFEBFBFG")]
        [InlineData("CPUID 1: 000306A9-00100800-7F9AE3BF-BFEBFBFF")]
        public void Parse_TruncatedOrNonHexDataLine_IsMalformed(string line)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse("CPUID 00000000: 0000000D-756E6547-6C65746E-49656E69\n" + line + "\n", "cut.txt", ProfileFormat.InstLatx64));

            Assert.Equal("DumpLineMalformed", ex.ErrorId);
            Assert.Contains("cut.txt line 2:", ex.Message);
        }

        /// <summary>
        /// Older InstLatX64 dumpers write the same data with other separators: " :" or " : " or a tab or a
        /// single space after the leaf, and spaces instead of dashes between registers.
        /// </summary>
        [Theory]
        [InlineData("CPUID {0}: {1}-{2}-{3}-{4}")]
        [InlineData("CPUID {0}  \t{1}-{2}-{3}-{4}")]
        [InlineData("CPUID {0} :{1}-{2}-{3}-{4}")]
        [InlineData("CPUID {0} {1}-{2}-{3}-{4}")]
        [InlineData("CPUID {0}: {1} {2} {3} {4}")]
        [InlineData("CPUID {0} : {1} {2} {3} {4}")]
        public void Parse_OlderSeparatorStyles_ReadTheSameLeaves(string lineFormat)
        {
            var reference = ProfileReader.Read(TestFiles.Dump(TestFiles.IvyBridge));
            var text = string.Join("\n", new[] { "CPUID Registers (CPU #1):" }.Concat(reference.Leaves.Where(l => l.Subleaf == 0).Select(l =>
                string.Format(System.Globalization.CultureInfo.InvariantCulture, lineFormat.Replace("\\t", "\t"),
                    l.Leaf.ToString("X8"), l.Registers.Eax.ToString("X8"), l.Registers.Ebx.ToString("X8"), l.Registers.Ecx.ToString("X8"), l.Registers.Edx.ToString("X8")))));

            Assert.Equal(ProfileFormat.InstLatx64, ProfileReader.Detect(text));
            var profile = ProfileReader.Parse(text, "variant.txt").Single();

            Assert.Equal(reference.Leaves.Where(l => l.Subleaf == 0).Select(l => (l.Leaf, l.Registers)), profile.Leaves.Where(l => l.Subleaf == 0).Select(l => (l.Leaf, l.Registers)));
            Assert.Equal("GenuineIntel", profile.Vendor);
            Assert.Equal("Intel(R) Core(TM) i7-3770K CPU @ 3.50GHz", profile.Brand);
        }
    }
}
