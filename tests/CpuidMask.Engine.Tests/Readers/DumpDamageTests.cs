using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;
using Xunit;

namespace CpuidMask.Engine.Tests.Readers
{
    /// <summary>
    /// A damaged dump is refused with an error naming the file, the line or CPU, and what is wrong; it never
    /// turns into a plausible profile of another CPU. The cases are the ones fuzzing found accepted before.
    /// </summary>
    public class DumpDamageTests
    {
        private static string Sample(string name) => Path.Combine(AppContext.BaseDirectory, "data", "samples", name);

        private static string Avoton => File.ReadAllText(Sample("avoton-c2750.txt"));

        private static string IvyBridge => File.ReadAllText(TestFiles.Dump(TestFiles.IvyBridge));

        private static string Sapphire => File.ReadAllText(TestFiles.Dump(TestFiles.SapphireRapids));

        /// <summary>The repro: a damaged keyword on the leaf 1 line used to drop leaf 1 and hide FPU, CMOV, SSE, SSE2.</summary>
        [Theory]
        [InlineData("CPUIQ")]
        [InlineData("DPUID")]
        [InlineData("CPUID_")]
        public void Parse_DataLineWithDamagedKeyword_IsMalformedNotSkipped(string keyword)
        {
            string text = ReplaceLine(Avoton, 3, l => keyword + l.Substring(keyword.EndsWith(" ", StringComparison.Ordinal) || keyword.EndsWith("_", StringComparison.Ordinal) ? 6 : 5));

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "a.txt"));

            Assert.Equal("DumpLineMalformed", ex.ErrorId);
            Assert.StartsWith("a.txt line 3: '", ex.Message);
        }

        [Theory]
        [InlineData("CPUID 000000001: 000406D8-00100800-43D8E3BF-BFEBFBFF")]
        [InlineData("CPUID 0000001: 000406D8-00100800-43D8E3BF-BFEBFBFF")]
        [InlineData("CPUID 00000001; 000406D8-00100800-43D8E3BF-BFEBFBFF")]
        [InlineData("CPUID 00000001: 000406D8-00100800-43D8E3BF-BFEBFBF")]
        [InlineData("CPUID 00000001: 000406D8-00100800-43D8E3BF")]
        public void Parse_DataLineWithDamagedField_IsMalformed(string line)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(ReplaceLine(Avoton, 3, _ => line), "a.txt"));

            Assert.Equal("DumpLineMalformed", ex.ErrorId);
            Assert.StartsWith("a.txt line 3: '", ex.Message);
        }

        [Fact]
        public void Parse_SecondLeafOneLineWithOtherValues_IsRefusedAsConflictNotReadAsSubleaf()
        {
            string text = InsertAfter(Avoton, 3, "CPUID 00000001: 000406D8-00100800-43D8E3BF-BFEBFBFE");

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "a.txt"));

            Assert.Equal("ProfileLeafConflict", ex.ErrorId);
            Assert.Equal(
                "a.txt line 4: leaf 0x1 is reported again with other values than on line 3, within logical CPU 0 (from line 2). One CPU gives one answer per leaf: the file is damaged or mixes two CPUs; take the data again.",
                ex.Message);
        }

        [Fact]
        public void Parse_LeafLineRepeatedWithTheSameValues_ReadsAsBefore()
        {
            var before = ProfileReader.Parse(Avoton, "a.txt");
            var after = ProfileReader.Parse(InsertAfter(Avoton, 3, ReplaceLine(Avoton, 3, l => l).Split('\n')[2]), "a.txt");

            AssertSameProfiles(before, after);
        }

        [Theory]
        [InlineData("CPUID 00000007:", "0x7")]
        [InlineData("CPUID 80000001:", "0x80000001")]
        [InlineData("CPUID 00000006:", "0x6")]
        [InlineData("CPUID 80000004:", "0x80000004")]
        public void Parse_DumpMissingALeaf_IsIncompleteAndNamesIt(string prefix, string leaf)
        {
            string text = DropFirst(Avoton, prefix);

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "a.txt"));

            Assert.Equal("ProfileIncomplete", ex.ErrorId);
            Assert.Equal(ErrorKind.InvalidData, ex.Kind);
            Assert.Equal($"a.txt: logical CPU 0 (from line 2) lacks leaf {leaf}, which a full CPUID dump always reports. The file looks damaged, cut short or trimmed, and the features there would read as unknown; take the data again.", ex.Message);
            Assert.Equal(RemedyKind.AllowPartial, ex.Remedy!.Kind);
        }

        [Fact]
        public void Parse_DumpMissingLeafSeven_AllowPartialReadsItAsUnknownAndWarnsOnce()
        {
            string text = string.Join("\n", Avoton.Split('\n').Where(l => !l.StartsWith("CPUID 00000007:", StringComparison.Ordinal)));
            var warnings = new List<Advice>();

            var profiles = ProfileReader.Parse(text, "a.txt", options: new ProfileReadOptions { AllowPartial = true, Warn = warnings.Add });

            Assert.Equal(8, profiles.Count);
            Assert.Equal(FeatureState.Unknown, profiles[0].GetBit(7, 0, CpuidRegister.Ebx, 0));
            Assert.Equal(FeatureState.Present, profiles[0].GetBit(1, 0, CpuidRegister.Ecx, 22));
            var warning = Assert.Single(warnings);
            Assert.Equal("a.txt is read as a partial profile: logical CPU 0 (from line 2) lacks leaf 0x7; logical CPU 1 (from line 27) lacks leaf 0x7; and 6 more. Features in those leaves are unknown.", warning.Text);
        }

        [Theory]
        [InlineData("CPUID 00000000:", "has no leaf 0x0")]
        [InlineData("CPUID 00000001:", "has no leaf 0x1")]
        public void Parse_DumpWithoutLeafZeroOrOne_IsRefusedEvenWhenPartialIsAllowed(string prefix, string message)
        {
            string text = DropFirst(Avoton, prefix);

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "a.txt", options: new ProfileReadOptions { AllowPartial = true }));

            Assert.Equal("ProfileLeafMissing", ex.ErrorId);
            Assert.Contains(message, ex.Message);
        }

        [Theory]
        [InlineData("BFEBFBFE", "FPU")]
        [InlineData("BFEBFAFF", "CX8")]
        [InlineData("BFEB7BFF", "CMOV")]
        [InlineData("BBEBFBFF", "SSE2")]
        public void Parse_LongModeCpuWithoutBaseFeatures_IsRefused(string edx, string missing)
        {
            string text = ReplaceLine(Avoton, 3, l => l.Replace("-BFEBFBFF", "-" + edx));

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "a.txt", options: new ProfileReadOptions { AllowPartial = true }));

            Assert.Equal("ProfileBaseFeaturesMissing", ex.ErrorId);
            Assert.Contains($"a.txt line 3: leaf 0x1 EDX (0x{edx}) of logical CPU 0 (from line 2) lacks {missing}, which every x86-64 CPU", ex.Message);
        }

        [Fact]
        public void Parse_LeafAboveTheReportedMaximum_IsRefusedAsOutOfRange()
        {
            string text = ReplaceLine(Avoton, 2, l => l.Replace("0000000B-756E6547", "00000009-756E6547"));

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "a.txt"));

            Assert.Equal("ProfileLeafOutOfRange", ex.ErrorId);
            Assert.Equal("a.txt line 14: leaf 0xA of logical CPU 0 (from line 2) is above the highest standard leaf 0x9 that leaf 0x0 (line 2) reports. The CPU cannot have answered both; the file is damaged. Take the data again.", ex.Message);
        }

        [Theory]
        [InlineData("[SL 01]", "[SL 0Q]", "The subleaf tag is damaged.")]
        [InlineData("[SL 01]", "[SM 01]", "carry a subleaf tag; this one has none.")]
        public void Parse_TaggedDumpWithDamagedSubleafTag_IsMalformed(string tag, string damaged, string hint)
        {
            int line = Array.FindIndex(Sapphire.Split('\n'), l => l.StartsWith("CPUID 00000007:", StringComparison.Ordinal) && l.Contains(tag, StringComparison.Ordinal)) + 1;
            string text = ReplaceLine(Sapphire, line, l => l.Replace(tag, damaged));

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "spr.txt"));

            Assert.Equal("DumpLineMalformed", ex.ErrorId);
            Assert.StartsWith($"spr.txt line {line}: ", ex.Message);
            Assert.Contains(hint, ex.Message);
        }

        [Fact]
        public void Parse_TaggedDumpWithoutXsaveSubleafOne_IsIncomplete()
        {
            string text = DropFirst(Sapphire, l => l.StartsWith("CPUID 0000000D:", StringComparison.Ordinal) && l.Contains("[SL 01]", StringComparison.Ordinal));

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "spr.txt"));

            Assert.Equal("ProfileIncomplete", ex.ErrorId);
            Assert.Contains("lacks leaf 0xD subleaf 1,", ex.Message);
        }

        /// <summary>
        /// Another CPU's leaf 0xD line for a state component this CPU does not enable (found by the dump fuzz: Sapphire
        /// Rapids' CET supervisor state in a CPU without CET used to read as CET present). It was refused; a real Centaur
        /// CNS answers such a subleaf too (DumpVariantTests), so the line is now left out and the CPU reads as without it.
        /// </summary>
        [Fact]
        public void Parse_SubleafOfAStateComponentTheCpuDoesNotSupport_ReadsAsWithoutIt()
        {
            var lines = File.ReadAllLines(TestFiles.Dump("GenuineIntel00906EA_Coffeelake_CPUID.txt")).ToList();
            var original = ProfileReader.Parse(string.Join("\n", lines), "coffee.txt");
            int at = lines.FindIndex(l => l.StartsWith("CPUID 0000000D:", StringComparison.Ordinal) && l.Contains("[SL 04]", StringComparison.Ordinal));
            lines.Insert(at + 1, "CPUID 0000000D: 00000018-00000000-00000001-00000000 [SL 0C]");

            var read = ProfileReader.Parse(string.Join("\n", lines), "coffee.txt");

            Assert.Null(read[0].GetLeaf(0xD, 12));
            Assert.Equal(original.Select(p => p.Leaves.Count), read.Select(p => p.Leaves.Count));
            Assert.Equal(FeatureState.Absent, read[0].GetBit(0xD, 12, CpuidRegister.Ecx, 0));
        }

        /// <summary>The old dumper prints one leaf 0xD line per XSAVE component; losing subleaf 0 used to make the YMM line subleaf 0.</summary>
        [Fact]
        public void Parse_UntaggedDumpWithoutXsaveSubleafZero_IsRefusedAsInconsistent()
        {
            string text = DropFirst(IvyBridge, "CPUID 0000000D:");

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "ivy.txt"));

            Assert.Equal("ProfileInconsistent", ex.ErrorId);
            Assert.Contains("leaf 0xD subleaf 0 of logical CPU 0 (from line ", ex.Message);
            Assert.Contains("without the x87 and SSE states", ex.Message);
        }

        [Fact]
        public void Parse_UntaggedDumpWithMoreXsaveLinesThanComponents_IsRefusedAsInconsistent()
        {
            int line = Array.FindIndex(IvyBridge.Split('\n'), l => l.StartsWith("CPUID 0000000D:", StringComparison.Ordinal)) + 2;
            string text = InsertAfter(IvyBridge, line, "CPUID 0000000D: 00000100-00000240-00000000-00000000");

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "ivy.txt"));

            Assert.Equal("ProfileInconsistent", ex.ErrorId);
            Assert.StartsWith($"ivy.txt line {line}: 2 leaf 0xD lines without a subleaf tag follow subleaf 0 (line {line - 1}), which fits none of the ways this dumper lists the XSAVE state components subleaf 0 reports (2)", ex.Message);
        }

        [Theory]
        [InlineData("\r\n")]
        [InlineData("\r")]
        [InlineData("mixed")]
        public void Parse_AnyLineEndings_ReadExactlyAsLf(string ending)
        {
            var before = ProfileReader.Parse(Avoton, "a.txt");
            var lines = Avoton.Split('\n');
            string text = ending == "mixed"
                ? string.Concat(lines.Select((l, i) => l + (i % 3 == 0 ? "\r\n" : i % 3 == 1 ? "\r" : "\n")))
                : string.Join(ending, lines);

            Assert.Equal(ProfileFormat.InstLatx64, ProfileReader.Detect(text));
            AssertSameProfiles(before, ProfileReader.Parse(text, "a.txt"));
        }

        [Fact]
        public void Parse_OtherFormatsWithCarriageReturnsOnly_ReadAsWithLf()
        {
            foreach (string file in new[] { "ivybridge-cpuid-r.txt", "ivybridge-vmware.log", "bootcd-ivybridge.txt", "bootcd-avoton-pairs.txt", "vsphere-hosts.json" })
            {
                string text = File.ReadAllText(TestFiles.Format(file)).Replace("\r\n", "\n");
                AssertSameProfiles(ProfileReader.Parse(text, file), ProfileReader.Parse(text.Replace('\n', '\r'), file));
            }
        }

        [Fact]
        public void Parse_DumpCutInsideTheLastCpu_IsIncompleteForThatCpu()
        {
            var lines = Avoton.Split('\n');
            int cut = Array.FindLastIndex(lines, l => l.StartsWith("CPUID 80000004:", StringComparison.Ordinal));
            string text = string.Join("\n", lines.Take(cut));

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "a.txt"));

            Assert.Equal("ProfileIncomplete", ex.ErrorId);
            Assert.Contains("logical CPU 7 (from line ", ex.Message);
            Assert.Contains("lacks leaves 0x80000004, 0x80000005, 0x80000006, 0x80000007, 0x80000008,", ex.Message);
        }

        [Fact]
        public void Parse_LeafLineOutOfOrder_IsRefusedAsInconsistent()
        {
            // Moving leaf 0x7 below 0xA, or adding a foreign line where it does not belong, misplaces a leaf.
            string text = InsertAfter(Avoton, 14, "CPUID 00000007: 00000000-00002282-00000000-00000000");
            text = DropFirst(text, "CPUID 00000007:");

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "a.txt"));

            Assert.Equal("ProfileInconsistent", ex.ErrorId);
            Assert.Equal(
                "a.txt line 14: leaf 0x7 comes after leaf 0xA (line 13) within logical CPU 0 (from line 2); the leaves of a CPU are listed in ascending order, so the line is misplaced or comes from another dump. Take the dump again.",
                ex.Message);
        }

        [Fact]
        public void Parse_VmwareLogLineOfAnotherHostInsertedAtTheTop_IsRefusedAsOutOfOrder()
        {
            var ivy = DumpGoldenTests.ReadAll(TestFiles.IvyBridge)[0];
            var lines = DumpText.VmwareLog(new[] { ivy }).Split('\n').ToList();
            lines.Insert(4, "2024-01-02T03:04:00.022Z In(05) vmx hostCPUID level 0000000d, 1: 0x00000001 0x00000000 0x00000000 0x00000000");

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(string.Join("\n", lines), "vmware.log"));

            Assert.Equal("ProfileInconsistent", ex.ErrorId);
            Assert.StartsWith("vmware.log line 6: leaf 0x0 comes after leaf 0xD subleaf 1 (line 5)", ex.Message);
        }

        [Theory]
        [InlineData("Vendor: Intel\nVendor: AMD\n", "the vendor 'AuthenticAMD' contradicts 'GenuineIntel' on line 1")]
        [InlineData("Family: 06 Model: 4d Stepping: 8\nFamily: 06 Model: 4e Stepping: 8\n", "a second 'Family: .. Model: .. Stepping: ..' line with other values than line 1")]
        public void Parse_BootCdIdentityGivenTwiceDifferently_IsRefusedAsConflict(string identity, string message)
        {
            string text = identity + "ID1ECX 0x43d8e3bf\nID1EDX 0xbfebfbff\nID81ECX 0x00000101  ID81EDX 0x28100000\n" + (identity.StartsWith("Vendor", StringComparison.Ordinal) ? string.Empty : "Vendor: Intel\n");

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "cd.txt"));

            Assert.Equal("ProfileLeafConflict", ex.ErrorId);
            Assert.Contains("cd.txt line 2: " + message, ex.Message);
        }

        [Theory]
        [InlineData("Family: 06 Model:E 4d Stepping: 8")]
        [InlineData("Family: 06 Model: 4d Stepping:5 8")]
        [InlineData("Family: 06 Model: 4\t Stepping: 8")]
        public void Parse_BootCdDamagedSignatureLine_IsNotReadAsAnotherSignature(string signature)
        {
            string text = "Vendor: Intel\n" + signature + "\nID1ECX 0x43d8e3bf\nID1EDX 0xbfebfbff\nID81ECX 0x00000101  ID81EDX 0x28100000\n";

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "cd.txt"));

            Assert.Equal("ProfileIncomplete", ex.ErrorId);
            Assert.Contains("lacks the 'Family: .. Model: .. Stepping: ..' line (leaf 0x1 EAX)", ex.Message);
        }

        [Fact]
        public void Parse_BootCdValuesWithoutNamesAbove_IsMalformed()
        {
            string text = File.ReadAllText(TestFiles.Format("bootcd-ivybridge.txt")).Replace("ID1ECX    ID1EDX    ID81ECX   ID81EDX\n", "ID1ECX    ID1EDX    ID81ECX   ID81EDX\n0x1e98220b 0x178bfbff 0x01c9bfff 0x2fd3fbff\n");

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "cd.txt"));

            Assert.Equal("DumpLineMalformed", ex.ErrorId);
            Assert.Contains("A row of register values needs the row of register names right above it.", ex.Message);
        }

        [Fact]
        public void Parse_BootCdVendorAfterTheTables_IsEveryCpusVendor()
        {
            string text = "Family: 06 Model: 4d Stepping: 8\nID1ECX ID1EDX ID81ECX ID81EDX\n0x43d8e3bf 0xbfebfbff 0x00000101 0x28100000\n"
                + "Family: 06 Model: 4d Stepping: 8\nID1ECX ID1EDX ID81ECX ID81EDX\n0x43d8e3bf 0xbfebfbff 0x00000101 0x28100000\nVendor: Intel\n";

            var profiles = ProfileReader.Parse(text, "cd.txt");

            Assert.Equal(2, profiles.Count);
            Assert.All(profiles, p => Assert.Equal("GenuineIntel", p.Vendor));
        }

        [Fact]
        public void Parse_SavedProfileListingAKnownRegisterWithoutValue_IsInvalid()
        {
            string text = ProfileJson.Write(ProfileReader.Read(TestFiles.Format("bootcd-ivybridge.txt"))).Replace("\"eax\": \"0x000306A9\"", "\"e-x\": \"0x000306A9\"");

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "cd.json"));

            Assert.Equal("ProfileJsonInvalid", ex.ErrorId);
            Assert.Contains("known lists \"eax\", but", ex.Message);
        }

        [Fact]
        public void Parse_SavedProfileWhoseVendorContradictsLeafZero_IsRefusedAsInconsistent()
        {
            string text = ProfileJson.Write(DumpGoldenTests.ReadAll(TestFiles.IvyBridge)[0]).Replace("\"vendor\": \"GenuineIntel\"", "\"vendor\": \"GenuineIntem\"");

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "ivy.json"));

            Assert.Equal("ProfileInconsistent", ex.ErrorId);
            Assert.Contains("names the vendor 'GenuineIntem', but its leaf 0x0 says 'GenuineIntel'", ex.Message);
        }

        [Fact]
        public void Parse_VSphereCapabilityTwiceWithOtherValues_IsRefused()
        {
            string text = File.ReadAllText(TestFiles.Format("vsphere-host-ivybridge.json"));
            text = text.Replace("\"FeatureCapability\": [", "\"FeatureCapability\": [\n            { \"Key\": \"cpuid.AVX\", \"FeatureName\": \"cpuid.AVX\", \"Value\": \"0\" },");

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "host.json"));

            Assert.Equal("VSphereJsonInvalid", ex.ErrorId);
            Assert.Contains("featureCapability has 'cpuid.AVX' twice, as '0' and as '1'", ex.Message);
        }

        internal static void AssertSameProfiles(IReadOnlyList<CpuidProfile> expected, IReadOnlyList<CpuidProfile> actual)
        {
            Assert.Equal(expected.Count, actual.Count);
            for (int i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Name, actual[i].Name);
                Assert.Equal(expected[i].Vendor, actual[i].Vendor);
                Assert.Equal(expected[i].Brand, actual[i].Brand);
                Assert.Equal(expected[i].Leaves.Select(l => (l.Key, l.Registers, l.Known)), actual[i].Leaves.Select(l => (l.Key, l.Registers, l.Known)));
                Assert.Equal(expected[i].Capabilities.OrderBy(c => c.Key), actual[i].Capabilities.OrderBy(c => c.Key));
            }
        }

        /// <summary>
        /// Fuzzing found it: a lost leaf 0xD line of a state component the CPU supports turned CET's or AMX's features unknown.
        /// AMX's tile states are XCR0 components, whose subleaf has nothing to derive it from; CET's, below, are not.
        /// </summary>
        [Theory]
        [InlineData("[SL 11]", 17)]
        [InlineData("[SL 12]", 18)]
        public void Parse_TaggedDumpWithoutTheSubleafOfASupportedStateComponent_IsIncomplete(string tag, int subleaf)
        {
            string text = DropFirst(Sapphire, l => l.StartsWith("CPUID 0000000D:", StringComparison.Ordinal) && l.Contains(tag));

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "spr.txt"));

            Assert.Equal("ProfileIncomplete", ex.ErrorId);
            Assert.Contains($"leaf 0xD subleaf {subleaf}", ex.Message);
        }

        /// <summary>CET's user state is an IA32_XSS component: its lost subleaf's ECX bit 0 follows from subleaf 1, and the CPU reads as before.</summary>
        [Fact]
        public void Parse_TaggedDumpWithoutTheSubleafOfAnXssComponent_ReadsTheSameFeatures()
        {
            var original = ProfileReader.Parse(Sapphire, "spr.txt")[0];
            string text = DropFirst(Sapphire, l => l.StartsWith("CPUID 0000000D:", StringComparison.Ordinal) && l.Contains("[SL 0B]"));

            var read = ProfileReader.Parse(text, "spr.txt")[0];

            Assert.Equal(RegisterSet.Ecx, read.GetLeaf(0xD, 11)!.Known);
            foreach (var feature in CpuidMask.Engine.Catalog.FeatureCatalog.Default.Features)
            {
                Assert.Equal(CpuidMask.Engine.Analysis.FeatureEvaluator.HostState(original, feature), CpuidMask.Engine.Analysis.FeatureEvaluator.HostState(read, feature));
            }
        }

        [Fact]
        public void Parse_TaggedDumpWithoutPtStateSubleaf_IsRead_AsSomeAida64VersionsWriteIt()
        {
            // Real dumps (Skylake-SP, Coffee Lake) list XSS's PT component in 0xD.1 ECX but print no subleaf 8; no feature is read there.
            var profiles = ProfileReader.Parse(File.ReadAllText(TestFiles.Dump("GenuineIntel00906EA_Coffeelake_CPUID.txt")), "cfl.txt");

            Assert.Null(profiles[0].GetLeaf(0xD, 8));
            Assert.NotEqual(0u, profiles[0].TryGet(0xD, 1, CpuidRegister.Ecx)!.Value & 0x100u);
        }

        private static string ReplaceLine(string text, int lineNumber, Func<string, string> change)
        {
            var lines = text.Split('\n');
            lines[lineNumber - 1] = change(lines[lineNumber - 1]);
            return string.Join("\n", lines);
        }

        private static string InsertAfter(string text, int lineNumber, string line)
        {
            var lines = text.Split('\n').ToList();
            lines.Insert(lineNumber, line);
            return string.Join("\n", lines);
        }

        private static string DropFirst(string text, string prefix) => DropFirst(text, l => l.StartsWith(prefix, StringComparison.Ordinal));

        private static string DropFirst(string text, Func<string, bool> which)
        {
            var lines = text.Split('\n').ToList();
            lines.RemoveAt(lines.FindIndex(l => which(l)));
            return string.Join("\n", lines);
        }

        /// <summary>
        /// The dump fuzz found it: a repeated ID1EDX line whose name was damaged into ID1EAX gave leaf 1 EAX that value, and
        /// the CPU read as family 0xBF instead of what the CD's 'Family: .. Model: .. Stepping: ..' line says.
        /// </summary>
        [Fact]
        public void Parse_BootCdWhoseId1EaxContradictsItsFamilyLine_IsRefusedAsAConflict()
        {
            string text = File.ReadAllText(TestFiles.Format("bootcd-ivybridge.txt")).Replace("\r\n", "\n") + "ID1EAX 0xbfebfbff\n";

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "cd.txt"));

            Assert.Equal("ProfileLeafConflict", ex.ErrorId);
            Assert.StartsWith("cd.txt: CPU 0 gives ID1EAX 0xBFEBFBFF (family B, model BF, stepping F), but its 'Family: 06 Model: 3A Stepping: 9' line says otherwise", ex.Message);
        }

        /// <summary>An ID1EAX that agrees with the family line (the same CPU) reads, with that register as given.</summary>
        [Fact]
        public void Parse_BootCdWhoseId1EaxAgreesWithItsFamilyLine_Reads()
        {
            string text = File.ReadAllText(TestFiles.Format("bootcd-ivybridge.txt")).Replace("\r\n", "\n") + "ID1EAX 0x000306a9\n";

            var profile = ProfileReader.Parse(text, "cd.txt")[0];

            Assert.Equal(0x000306A9u, profile.TryGet(1, 0, CpuidRegister.Eax));
        }

        /// <summary>The dump fuzz found it: a damaged 'Vendor: CentaurHauls' line ('C\\ntaurHauls') read as a vendor of that name.</summary>
        [Theory]
        [InlineData("Int3l")]
        [InlineData("C\\ntaurHauls")]
        public void Parse_BootCdWithAVendorNoCpuReports_IsRefused(string vendor)
        {
            string text = File.ReadAllText(TestFiles.Format("bootcd-ivybridge.txt")).Replace("\r\n", "\n").Replace("Vendor                   : Intel", "Vendor                   : " + vendor);

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "cd.txt"));

            Assert.Equal("DumpLineMalformed", ex.ErrorId);
            Assert.StartsWith("cd.txt line 9:", ex.Message);
            Assert.Contains("The vendor is none a CPU reports", ex.Message);
        }
    }
}
