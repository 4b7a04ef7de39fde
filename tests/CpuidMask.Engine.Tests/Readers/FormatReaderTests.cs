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

        [Fact]
        public void ReadAll_LinuxCpuidRaw_MatchesDumpLeafForLeaf()
        {
            var profiles = ProfileReader.ReadAll(TestFiles.Format("ivybridge-cpuid-r.txt"));

            Assert.Equal(2, profiles.Count);
            AssertSameLeaves(IvyDump, profiles[0]);
            AssertSameLeaves(DumpGoldenTests.ReadAll(TestFiles.IvyBridge)[1], profiles[1]);
            Assert.Equal("ivybridge-cpuid-r", profiles[0].Name);
            Assert.Equal("ivybridge-cpuid-r#cpu1", profiles[1].Name);
            Assert.Equal(TestFiles.Format("ivybridge-cpuid-r.txt") + "#cpu1 (LinuxCpuid)", profiles[1].Source);
            Assert.Equal("Intel(R) Core(TM) i7-3770K CPU @ 3.50GHz", profiles[0].Brand);
            AssertIvyBridgeFacts(profiles[0]);
        }

        [Fact]
        public void Parse_LinuxCpuidWithoutHeaderOrSubleafColumn_ReadsOneCpu()
        {
            const string text = "   0x00000000: eax=0x0000000d ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69\n"
                + "   0x00000007 0x01: eax=0x00000010 ebx=0x0 ecx=0x0 edx=0x0\n";

            var profile = ProfileReader.Parse(text, "old.txt").Single();

            Assert.Equal("GenuineIntel", profile.Vendor);
            Assert.Equal(FeatureState.Present, profile.GetBit(7, 1, CpuidRegister.Eax, 4));
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
            const string text = "Aug 20 20:09:04.215: vmx| hostCPUID vendor: GenuineIntel\n"
                + "Aug 20 20:09:04.215: vmx| hostCPUID   name: First host\n"
                + "Aug 20 20:09:04.215: vmx| hostCPUID level 00000000, 0: 0x0000000d 0x756e6547 0x6c65746e 0x49656e69\n"
                + "Aug 20 20:09:04.216: vmx| hostCPUID level 00000001, 0: 0x000306a9 0x00100800 0x7f9ae3bf 0xbfebfbff\n"
                + "Aug 20 20:09:04.216: vmx| CPUID[1] level 00000001, 0: 0x000306a9 0x01100800 0x7f9ae3bf 0xbfebfbff\n"
                + "2024-01-02T03:04:05.678Z In(05) vmx hostCPUID level 00000000, 0: 0x0000000b 0x756e6547 0x6c65746e 0x49656e69\n"
                + "2024-01-02T03:04:05.678Z In(05) vmx hostCPUID level 0000000d, 11: 0x00000001 0x00000002 0x00000003 0x00000004\n";

            var profiles = ProfileReader.Parse(text, "vmware.log");

            Assert.Equal(2, profiles.Count);
            Assert.Equal(0xDu, profiles[0].MaxStandardLeaf);
            Assert.Equal(0x7F9AE3BFu, profiles[0].TryGet(1, 0, CpuidRegister.Ecx));
            Assert.Equal(0x00100800u, profiles[0].TryGet(1, 0, CpuidRegister.Ebx));
            Assert.Equal("First host", profiles[0].Brand);
            Assert.Equal(0xBu, profiles[1].MaxStandardLeaf);
            Assert.NotNull(profiles[1].GetLeaf(0xD, 11));
            Assert.Equal("vmware#host1", profiles[1].Name);
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
        public void Parse_BootCdWithoutVendor_LeavesVendorUnknown()
        {
            var profile = ProfileReader.Parse("ID1ECX 0x0000641d\nID1EDX: 0xbfebfbff\n", "cd.txt").Single();

            Assert.Equal("Unknown", profile.Vendor);
            Assert.Null(profile.GetLeaf(0));
            Assert.Equal(RegisterSet.Ecx | RegisterSet.Edx, profile.GetLeaf(1)!.Known);
            Assert.Equal(-1, profile.Family);
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
            const string text = "{\"value\": [{\"name\": \"h1\", \"featureCapability\": {\"cpuid.AVX\": \"1\", \"cpuid.Intel\": 1}}], \"Count\": 1}";

            var profile = ProfileReader.Parse(text, "wrapped.json").Single();

            Assert.Equal("h1", profile.Name);
            Assert.Equal("GenuineIntel", profile.Vendor);
            Assert.Empty(profile.Leaves);
            Assert.Equal("1", profile.Capabilities["cpuid.Intel"]);
        }

        private static void AssertSameLeaves(CpuidProfile expected, CpuidProfile actual)
        {
            Assert.Equal(expected.Leaves.Select(l => l.Key), actual.Leaves.Select(l => l.Key));
            Assert.Equal(expected.Leaves.Select(l => l.Registers), actual.Leaves.Select(l => l.Registers));
            Assert.All(actual.Leaves, l => Assert.Equal(RegisterSet.All, l.Known));
            Assert.Equal(expected.Vendor, actual.Vendor);
            Assert.Equal(expected.Family, actual.Family);
            Assert.Equal(expected.Model, actual.Model);
        }

        private static void AssertIvyBridgeFacts(CpuidProfile profile)
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
                [(0xD, 1, CpuidRegister.Eax, 0)] = FeatureState.Unknown, // the dump has no subleaf 1
            };
            foreach (var pair in expected)
            {
                var (leaf, subleaf, register, bit) = pair.Key;
                Assert.Equal(pair.Value, profile.GetBit(leaf, subleaf, register, bit));
            }
        }
    }
}
