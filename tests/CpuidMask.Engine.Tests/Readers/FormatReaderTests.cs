using System.Collections.Generic;
using System.IO;
using System.Linq;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;
using Xunit;

namespace CpuidMask.Engine.Tests.Readers
{
    /// <summary>
    /// The non-dump readers, on fixtures under tests/data/formats/ made from the Ivy Bridge (i7-3770K)
    /// and Avoton (C2750) dumps' own values, so each must read back exactly what the dump says.
    /// </summary>
    public class FormatReaderTests
    {
        private static CpuidProfile IvyDump => DumpGoldenTests.ReadAll(TestFiles.IvyBridge)[0];

        private static CpuidProfile AvotonDump => DumpGoldenTests.ReadAll(TestFiles.Avoton)[0];

        [Theory]
        [InlineData("ivybridge-cpuid-r.txt", ProfileFormat.LinuxCpuid)]
        [InlineData("ivybridge-vmware.log", ProfileFormat.VmwareLog)]
        [InlineData("bootcd-ivybridge.txt", ProfileFormat.BootCd)]
        [InlineData("bootcd-avoton-pairs.txt", ProfileFormat.BootCd)]
        [InlineData("vsphere-host-ivybridge.json", ProfileFormat.VSphere)]
        [InlineData("vsphere-hosts.json", ProfileFormat.VSphere)]
        public void Detect_Fixture_RecognisesFormatFromContent(string file, ProfileFormat format)
        {
            Assert.Equal(format, ProfileReader.Detect(File.ReadAllText(TestFiles.Format(file))));
            Assert.All(ProfileReader.ReadAll(TestFiles.Format(file)), p => Assert.Equal(format, p.Format));
        }

        [Fact]
        public void Detect_Dump_IsInstLatx64AndNonsenseIsUnknown()
        {
            Assert.Equal(ProfileFormat.InstLatx64, ProfileReader.Detect(File.ReadAllText(TestFiles.Dump(TestFiles.IvyBridge))));
            Assert.Equal(ProfileFormat.Unknown, ProfileReader.Detect("hello\nworld\n"));
            Assert.Equal(ProfileFormat.Unknown, ProfileReader.Detect("{\"hello\": 1}"));
            Assert.Equal(ProfileFormat.Unknown, ProfileReader.Detect(string.Empty));
        }

        /// <summary>
        /// The fixture is the dump's values as cpuid -r prints them, plus leaf 0xD subleaf 1 (XSAVEOPT), which
        /// cpuid -r prints and the old dumper of the Ivy Bridge file skipped.
        /// </summary>
        [Fact]
        public void ReadAll_LinuxCpuidRaw_MatchesDumpLeafForLeaf()
        {
            var profiles = ProfileReader.ReadAll(TestFiles.Format("ivybridge-cpuid-r.txt"));

            Assert.Equal(2, profiles.Count);
            AssertSameLeaves(IvyDump, profiles[0], except: new LeafKey(0xD, 1));
            AssertSameLeaves(DumpGoldenTests.ReadAll(TestFiles.IvyBridge)[1], profiles[1], except: new LeafKey(0xD, 1));
            Assert.Equal(new CpuidRegisters(1, 0, 0, 0), profiles[0].GetLeaf(0xD, 1)!.Registers);
            Assert.Equal("ivybridge-cpuid-r", profiles[0].Name);
            Assert.Equal("ivybridge-cpuid-r#cpu1", profiles[1].Name);
            Assert.Equal(TestFiles.Format("ivybridge-cpuid-r.txt") + "#cpu1 (LinuxCpuid)", profiles[1].Source);
            Assert.Equal("Intel(R) Core(TM) i7-3770K CPU @ 3.50GHz", profiles[0].Brand);
            AssertIvyBridgeFacts(profiles[0], xsaveopt: FeatureState.Present);
        }

        [Fact]
        public void Parse_LinuxCpuidWithoutHeaderOrSubleafColumn_ReadsOneCpu()
        {
            string text = DumpText.LinuxCpuid(new[] { IvyDump }, headers: false, subleafColumn: false);

            var profile = ProfileReader.Parse(text, "old.txt").Single();

            Assert.Equal(IvyDump.Leaves.Where(l => l.Subleaf == 0).Select(l => (l.Key, l.Registers)), profile.Leaves.Select(l => (l.Key, l.Registers)));
            Assert.Equal("GenuineIntel", profile.Vendor);
        }

        [Theory]
        [InlineData("   0x00000001 0x00: eax=0x000306a9 ebx=0x00100800 ecx=0x7f9ae3bf edx=0xbfebfbf")]
        [InlineData("   0x00000001 0x00: eax=0x306a9 ebx=0x00100800 ecx=0x7f9ae3bf edx=0xbfebfbff")]
        [InlineData("   0x000000001 0x00: eax=0x000306a9 ebx=0x00100800 ecx=0x7f9ae3bf edx=0xbfebfbff")]
        [InlineData("   0x00000001 0x00: eqx=0x000306a9 ebx=0x00100800 ecx=0x7f9ae3bf edx=0xbfebfbff")]
        [InlineData("   0y00000001 0x00: eax=0x000306a9 ebx=0x00100800 ecx=0x7f9ae3bf edx=0xbfebfbff")]
        public void Parse_LinuxCpuidLineCutOrDamaged_IsMalformedNotSkipped(string damaged)
        {
            string text = DumpText.LinuxCpuid(new[] { IvyDump });
            text = text.Replace("   0x00000001 0x00: eax=0x000306a9 ebx=0x00100800 ecx=0x7f9ae3bf edx=0xbfebfbff", damaged);

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "cpuid-r.txt"));

            Assert.Equal("DumpLineMalformed", ex.ErrorId);
            Assert.Contains("cpuid-r.txt line 3: ", ex.Message);
        }

        [Fact]
        public void Read_VmwareLog_TakesHostLinesAndIgnoresGuestLines()
        {
            var profile = ProfileReader.Read(TestFiles.Format("ivybridge-vmware.log"));

            AssertSameLeaves(IvyDump, profile);
            AssertIvyBridgeFacts(profile);
            Assert.Equal("ivybridge-vmware", profile.Name);
            Assert.Equal(TestFiles.Format("ivybridge-vmware.log") + " (VmwareLog)", profile.Source);
            Assert.Single(ProfileReader.ReadAll(TestFiles.Format("ivybridge-vmware.log")));
        }

        [Fact]
        public void Parse_VmwareLogAfterVmotion_GivesOneProfilePerHostPowerOnHostFirst()
        {
            var sapphire = DumpGoldenTests.ReadAll(TestFiles.SapphireRapids)[0];
            string text = DumpText.VmwareLog(new[] { IvyDump, sapphire })
                + "2024-01-02T03:09:05.678Z In(05) vmx CPUID[1] level 00000001, 0: 0x000306a9 0x01100800 0x7f9ae3bf 0xbfebfbff\n";

            var profiles = ProfileReader.Parse(text, "vmware.log");

            Assert.Equal(2, profiles.Count);
            Assert.Equal(IvyDump.Leaves.Select(l => (l.Key, l.Registers)), profiles[0].Leaves.Select(l => (l.Key, l.Registers)));
            Assert.Equal(sapphire.Leaves.Select(l => (l.Key, l.Registers)), profiles[1].Leaves.Select(l => (l.Key, l.Registers)));
            Assert.Equal(0x20u, profiles[1].MaxStandardLeaf);
            Assert.NotNull(profiles[1].GetLeaf(0xD, 0x12));
            Assert.Equal("vmware", profiles[0].Name);
            Assert.Equal("vmware#host1", profiles[1].Name);
        }

        [Fact]
        public void Parse_VmwareLogHostNameLine_GivesTheBrandWhenTheBrandLeavesAreNotLogged()
        {
            string text = DumpText.VmwareLog(new[] { IvyDump }).Replace("hostCPUID name: Intel", "hostCPUID   name: Host").Replace("hostCPUID level 8000000", "hostCPUID level 9000000");
            text = string.Join("\n", text.Split('\n').Where(l => !l.Contains("hostCPUID level 9000000", System.StringComparison.Ordinal)));
            text += "\n2024-01-02T03:09:05.678Z In(05) vmx hostCPUID level 80000000, 0: 0x80000001 0x00000000 0x00000000 0x00000000"
                + "\n2024-01-02T03:09:05.678Z In(05) vmx hostCPUID level 80000001, 0: 0x00000000 0x00000000 0x00000001 0x28100000\n";

            var profile = ProfileReader.Parse(text, "vmware.log").Single();

            Assert.Equal("Host(R) Core(TM) i7-3770K CPU @ 3.50GHz", profile.Brand);
        }

        [Theory]
        [InlineData("hostCPUIQ level 00000001, 0:")]
        [InlineData("hostCPUID levem 00000001, 0:")]
        [InlineData("hostCPUID level 000000001, 0:")]
        [InlineData("host CPUID level 00000001, 0:")]
        public void Parse_VmwareLogHostLineWithDamagedKeywordOrLeaf_IsMalformedNotSkipped(string damaged)
        {
            string text = DumpText.VmwareLog(new[] { IvyDump }).Replace("hostCPUID level 00000001, 0:", damaged);

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "vmware.log"));

            Assert.Equal("DumpLineMalformed", ex.ErrorId);
            Assert.Contains("vmware.log line 6: ", ex.Message);
        }

        [Fact]
        public void Read_BootCdTable_KnowsOnlyThePrintedRegisters()
        {
            var profile = ProfileReader.Read(TestFiles.Format("bootcd-ivybridge.txt"));
            var dump = IvyDump;

            Assert.Equal("GenuineIntel", profile.Vendor);
            Assert.Equal(6, profile.Family);
            Assert.Equal(0x3A, profile.Model);
            Assert.Equal(9, profile.Stepping);
            Assert.Equal(dump.Signature, profile.Signature);
            Assert.Equal(RegisterSet.Eax | RegisterSet.Ecx | RegisterSet.Edx, profile.GetLeaf(1)!.Known);
            Assert.Equal(RegisterSet.Ecx | RegisterSet.Edx, profile.GetLeaf(0x80000001)!.Known);
            Assert.Equal(RegisterSet.Ebx | RegisterSet.Ecx | RegisterSet.Edx, profile.GetLeaf(0)!.Known);
            foreach (var (leaf, register) in new[] { (1u, CpuidRegister.Ecx), (1u, CpuidRegister.Edx), (0x80000001u, CpuidRegister.Ecx), (0x80000001u, CpuidRegister.Edx) })
            {
                Assert.Equal(dump.TryGet(leaf, 0, register), profile.TryGet(leaf, 0, register));
            }

            Assert.Equal(FeatureState.Present, profile.GetBit(1, 0, CpuidRegister.Ecx, 28)); // AVX
            Assert.Equal(FeatureState.Present, profile.GetBit(1, 0, CpuidRegister.Ecx, 17)); // PCID
            Assert.Equal(FeatureState.Absent, profile.GetBit(0x80000001, 0, CpuidRegister.Ecx, 8)); // PREFETCHW
            Assert.Null(profile.MaxStandardLeaf);
            Assert.Equal(FeatureState.Unknown, profile.GetBit(7, 0, CpuidRegister.Ebx, 0)); // FSGSBASE: not printed
            Assert.Equal(FeatureState.Unknown, profile.GetBit(0x80000001, 0, CpuidRegister.Eax, 0));
            Assert.Null(profile.TryGet(1, 0, CpuidRegister.Ebx));
        }

        [Fact]
        public void Read_BootCdPairs_MatchesAvotonDump()
        {
            var profile = ProfileReader.Read(TestFiles.Format("bootcd-avoton-pairs.txt"));
            var dump = AvotonDump;

            Assert.Equal("GenuineIntel", profile.Vendor);
            Assert.Equal(dump.Signature, profile.Signature);
            Assert.Equal(dump.TryGet(1, 0, CpuidRegister.Ecx), profile.TryGet(1, 0, CpuidRegister.Ecx));
            Assert.Equal(dump.TryGet(0x80000001, 0, CpuidRegister.Ecx), profile.TryGet(0x80000001, 0, CpuidRegister.Ecx));
            Assert.Equal(dump.TryGet(0x80000001, 0, CpuidRegister.Edx), profile.TryGet(0x80000001, 0, CpuidRegister.Edx));
            Assert.Equal(FeatureState.Present, profile.GetBit(1, 0, CpuidRegister.Ecx, 22)); // MOVBE
            Assert.Equal(FeatureState.Present, profile.GetBit(0x80000001, 0, CpuidRegister.Ecx, 8)); // PREFETCHW
        }

        [Fact]
        public void Parse_BootCdWithoutVendor_IsRefusedAsLeafMissing()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse("ID1ECX 0x0000641d\nID1EDX: 0xbfebfbff\n", "cd.txt"));

            Assert.Equal("ProfileLeafMissing", ex.ErrorId);
            Assert.Contains("cd.txt: CPU 0 has no vendor", ex.Message);
            Assert.Contains("'Vendor: Intel'", ex.Message);
        }

        [Fact]
        public void Parse_BootCdWithoutExtendedRegisters_IsIncompleteUnlessPartialIsAllowed()
        {
            const string text = "Vendor: Intel\nFamily: 06 Model: 3a Stepping: 9\nID1ECX 0x7f9ae3bf\nID1EDX 0xbfebfbff\n";
            var warnings = new List<Advice>();

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "cd.txt"));
            var profile = ProfileReader.Parse(text, "cd.txt", options: new ProfileReadOptions { AllowPartial = true, Warn = warnings.Add }).Single();

            Assert.Equal("ProfileIncomplete", ex.ErrorId);
            Assert.Contains("cd.txt: CPU 0 lacks ID81ECX, ID81EDX, which the boot CD always reports.", ex.Message);
            Assert.Equal(RemedyKind.AllowPartial, ex.Remedy!.Kind);
            Assert.Equal("GenuineIntel", profile.Vendor);
            Assert.Equal(FeatureState.Unknown, profile.GetBit(0x80000001, 0, CpuidRegister.Edx, 29));
            Assert.Equal("cd.txt is read as a partial profile: CPU 0 lacks ID81ECX, ID81EDX. Features in those leaves are unknown.", Assert.Single(warnings).Text);
        }

        [Fact]
        public void Read_VSphereExtensionData_BuildsProfileFromCpuFeatureAndCapabilities()
        {
            var profile = ProfileReader.Read(TestFiles.Format("vsphere-host-ivybridge.json"));
            var dump = IvyDump;

            Assert.Equal("esx-ivy.lab.local", profile.Name);
            Assert.Equal(TestFiles.Format("vsphere-host-ivybridge.json") + " (VSphere)", profile.Source);
            Assert.Equal("Intel(R) Core(TM) i7-3770K CPU @ 3.50GHz", profile.Brand);
            Assert.Equal("GenuineIntel", profile.Vendor);
            Assert.Equal(new uint[] { 0, 1, 0x80000000, 0x80000001 }, profile.Leaves.Select(l => l.Leaf));
            foreach (var leaf in profile.Leaves)
            {
                Assert.Equal(dump.GetLeaf(leaf.Leaf)!.Registers, leaf.Registers);
            }

            Assert.Equal("1", profile.Capabilities["cpuid.AVX"]);
            Assert.Equal("1", profile.Capabilities["CPUID.FSGSBASE"]);
            Assert.Equal(13, profile.Capabilities.Count);
            Assert.Equal(FeatureState.Present, profile.GetBit(1, 0, CpuidRegister.Ecx, 28));
            Assert.Equal(FeatureState.Unknown, profile.GetBit(7, 0, CpuidRegister.Ebx, 0));
        }

        [Fact]
        public void ReadAll_VSphereHostArray_GivesOneProfilePerHost()
        {
            var profiles = ProfileReader.ReadAll(TestFiles.Format("vsphere-hosts.json"));

            Assert.Equal(new[] { "esx-avoton", "esx-ivy" }, profiles.Select(p => p.Name));
            Assert.Equal(TestFiles.Format("vsphere-hosts.json") + "#host1 (VSphere)", profiles[1].Source);
            Assert.Equal(AvotonDump.GetLeaf(1)!.Registers, profiles[0].GetLeaf(1)!.Registers);
            Assert.Equal(IvyDump.GetLeaf(0x80000001)!.Registers, profiles[1].GetLeaf(0x80000001)!.Registers);
            Assert.Equal("1", profiles[0].Capabilities["cpuid.MOVBE"]);
            Assert.Equal("Intel(R) Atom(TM) CPU  C2750  @ 2.40GHz", profiles[0].Brand);
            Assert.Equal("esx-ivy", ProfileReader.Read(TestFiles.Format("vsphere-hosts.json"), 1).Name);
        }

        [Fact]
        public void Parse_VSpherePowerShell51ValueWrapperAndCapabilityMap_AreAccepted()
        {
            string cpuFeature = string.Join(", ", VSphereHostData.FromProfile(IvyDump).CpuFeature.Select(r =>
                $"{{\"level\": {r.Level}, \"eax\": \"{r.Eax}\", \"ebx\": \"{r.Ebx}\", \"ecx\": \"{r.Ecx}\", \"edx\": \"{r.Edx}\"}}"));
            string text = "{\"value\": [{\"name\": \"h1\", \"cpuFeature\": [" + cpuFeature + "], \"featureCapability\": {\"cpuid.AVX\": \"1\", \"cpuid.Intel\": 1}}], \"Count\": 1}";

            var profile = ProfileReader.Parse(text, "wrapped.json").Single();

            Assert.Equal("h1", profile.Name);
            Assert.Equal("GenuineIntel", profile.Vendor);
            Assert.Equal(4, profile.Leaves.Count);
            Assert.Equal("1", profile.Capabilities["cpuid.Intel"]);
        }

        [Fact]
        public void Parse_VSphereCapabilitiesWithoutCpuFeature_IsRefusedAsLeafMissing()
        {
            const string text = "{\"name\": \"h1\", \"featureCapability\": {\"cpuid.AVX\": \"1\", \"cpuid.Intel\": 1}}";

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "caps.json", options: new ProfileReadOptions { AllowPartial = true }));

            Assert.Equal("ProfileLeafMissing", ex.ErrorId);
            Assert.Contains("caps.json: host 0 ('h1') has no leaf 0x0", ex.Message);
        }

        [Fact]
        public void Parse_VSphereCapabilityWithoutValue_IsRefused()
        {
            string text = File.ReadAllText(TestFiles.Format("vsphere-host-ivybridge.json"));
            int at = text.IndexOf("\"Value\"", System.StringComparison.Ordinal);
            text = text.Substring(0, at) + "\"valve\"" + text.Substring(at + 7);

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "host.json"));

            Assert.Equal("VSphereJsonInvalid", ex.ErrorId);
            Assert.Contains("has no value", ex.Message);
        }

        [Fact]
        public void Parse_VSphereLevelTwiceWithOtherValues_IsRefusedAsConflict()
        {
            var records = VSphereHostData.FromProfile(IvyDump).CpuFeature;
            string Record(int level, string? ecx) => $"{{\"level\": {level}, \"eax\": \"{records[1].Eax}\", \"ebx\": \"{records[1].Ebx}\", \"ecx\": \"{ecx}\", \"edx\": \"{records[1].Edx}\"}}";
            string all = string.Join(", ", records.Select(r => $"{{\"level\": {r.Level}, \"eax\": \"{r.Eax}\", \"ebx\": \"{r.Ebx}\", \"ecx\": \"{r.Ecx}\", \"edx\": \"{r.Edx}\"}}"));
            string text = "{\"name\": \"h1\", \"cpuFeature\": [" + all + ", " + Record(1, VSphereProfileBuilder.FormatBits(0x7f9ae3bf ^ (1u << 28))) + "], \"featureCapability\": {\"cpuid.AVX\": \"1\"}}";
            string same = "{\"name\": \"h1\", \"cpuFeature\": [" + all + ", " + Record(1, records[1].Ecx) + "], \"featureCapability\": {\"cpuid.AVX\": \"1\"}}";

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "host.json"));

            Assert.Equal("ProfileLeafConflict", ex.ErrorId);
            Assert.Contains("leaf 0x1 is reported again with other values", ex.Message);
            Assert.Equal(4, ProfileReader.Parse(same, "host.json").Single().Leaves.Count);
        }

        private static void AssertSameLeaves(CpuidProfile expected, CpuidProfile actual, LeafKey? except = null)
        {
            var leaves = actual.Leaves.Where(l => l.Key != except).ToArray();
            Assert.Equal(expected.Leaves.Select(l => l.Key), leaves.Select(l => l.Key));
            Assert.Equal(expected.Leaves.Select(l => l.Registers), leaves.Select(l => l.Registers));
            Assert.All(actual.Leaves, l => Assert.Equal(RegisterSet.All, l.Known));
            Assert.Equal(expected.Vendor, actual.Vendor);
            Assert.Equal(expected.Family, actual.Family);
            Assert.Equal(expected.Model, actual.Model);
        }

        private static void AssertIvyBridgeFacts(CpuidProfile profile, FeatureState xsaveopt = FeatureState.Unknown)
        {
            var expected = new Dictionary<(uint, uint, CpuidRegister, int), FeatureState>
            {
                [(1, 0, CpuidRegister.Ecx, 28)] = FeatureState.Present, // AVX
                [(1, 0, CpuidRegister.Ecx, 17)] = FeatureState.Present, // PCID
                [(1, 0, CpuidRegister.Ecx, 22)] = FeatureState.Absent, // MOVBE
                [(7, 0, CpuidRegister.Ebx, 0)] = FeatureState.Present, // FSGSBASE
                [(7, 0, CpuidRegister.Ebx, 5)] = FeatureState.Absent, // AVX2
                [(0x80000001, 0, CpuidRegister.Ecx, 8)] = FeatureState.Absent, // PREFETCHW
                [(0xD, 0, CpuidRegister.Eax, 2)] = FeatureState.Present, // YMM state
                [(0xD, 1, CpuidRegister.Eax, 0)] = xsaveopt, // the dump has no subleaf 1
            };
            foreach (var pair in expected)
            {
                var (leaf, subleaf, register, bit) = pair.Key;
                Assert.Equal(pair.Value, profile.GetBit(leaf, subleaf, register, bit));
            }
        }
    }
}
