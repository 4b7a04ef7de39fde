using System.IO;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;
using Xunit;

namespace CpuidMask.Engine.Tests.Readers
{
    /// <summary>Bad input fails with a stable error id and a message naming the file, the line and what was expected.</summary>
    public class ProfileReaderErrorTests
    {
        [Fact]
        public void ReadAll_MissingFile_ThrowsProfileFileNotFoundNamingPath()
        {
            string path = Path.Combine(TestFiles.DumpsDir, "no-such-host.txt");

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.ReadAll(path));

            Assert.Equal("ProfileFileNotFound", ex.ErrorId);
            Assert.Equal(ErrorKind.ObjectNotFound, ex.Kind);
            Assert.Contains(path, ex.Message);
            Assert.Equal(path, ex.Target);
        }

        [Fact]
        public void ReadAll_Folder_ThrowsProfileFileNotFound()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.ReadAll(TestFiles.DumpsDir));

            Assert.Equal("ProfileFileNotFound", ex.ErrorId);
            Assert.Contains("is a folder", ex.Message);
        }

        [Theory]
        [InlineData(8)]
        [InlineData(-1)]
        public void Read_CpuIndexPastTheEnd_ThrowsCpuIndexOutOfRange(int index)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Read(TestFiles.Dump(TestFiles.IvyBridge), index));

            Assert.Equal("CpuIndexOutOfRange", ex.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
            Assert.Contains("holds 8 CPU profiles (index 0 to 7)", ex.Message);
            Assert.Contains(TestFiles.IvyBridge, ex.Message);
        }

        [Theory]
        [InlineData("")]
        [InlineData("  \r\n\t\n")]
        public void ReadAll_EmptyFile_ThrowsProfileEmpty(string content)
        {
            using var file = new TestFiles.Scratch("empty.txt", content);

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.ReadAll(file.Path));

            Assert.Equal("ProfileEmpty", ex.ErrorId);
            Assert.Contains("empty.txt", ex.Message);
        }

        [Theory]
        [InlineData(ProfileFormat.InstLatx64, "CPUID 00000001")]
        [InlineData(ProfileFormat.LinuxCpuid, "cpuid -r")]
        [InlineData(ProfileFormat.VmwareLog, "hostCPUID level")]
        [InlineData(ProfileFormat.BootCd, "ID1ECX")]
        public void Parse_ForcedFormatWithoutData_ThrowsProfileEmptyNotEmptyList(ProfileFormat format, string hint)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse("------[ Versions ]------\nProgram Version : AIDA64\n", "report.txt", format));

            Assert.Equal("ProfileEmpty", ex.ErrorId);
            Assert.Contains("report.txt holds no CPUID data", ex.Message);
            Assert.Contains(hint, ex.Message);
        }

        [Fact]
        public void ReadAll_UnrecognisedText_ThrowsProfileFormatUnknown()
        {
            using var file = new TestFiles.Scratch("notes.txt", "This host is fast.\nIt has many cores.\n");

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.ReadAll(file.Path));

            Assert.Equal("ProfileFormatUnknown", ex.ErrorId);
            Assert.Equal(ErrorKind.InvalidData, ex.Kind);
            Assert.Contains("notes.txt", ex.Message);
            Assert.Contains("cpuid -r", ex.Message);
        }

        [Fact]
        public void Parse_LocalFormat_IsNotReadFromText()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse("x", "x.txt", ProfileFormat.Local));

            Assert.Equal("ProfileFormatUnknown", ex.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        }

        [Theory]
        [InlineData("cpuid-r.txt", "CPU 0:\n   0x00000000 0x00: eax=0x0000000d ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69\n   0x00000001 0x00: eax=0x000306a9 ebx=0x00100800 ecx=0x7f9ae3bf\n", 3, "eax=0x<8 hex> ebx=0x<8 hex> ecx=0x<8 hex> edx=0x<8 hex>")]
        [InlineData("vmware.log", "2024-01-02T03:04:05.678Z In(05) vmx hostCPUID level 00000000, 0: 0x0000000d 0x756e6547 0x6c65746e 0x49656e69\n2024-01-02T03:04:05.678Z In(05) vmx hostCPUID level 00000001, 0: 0x000306a9 0x00100800 0x7f9ae3bf 0xbfebfbfg\n", 2, "hostCPUID level <8 hex>, <subleaf>: 0x<8 hex>")]
        [InlineData("bootcd.txt", "Vendor: Intel\nID1ECX 0x0000641d\nID1EDX 0xzz\n", 3, "ID1ECX 0x<8 hex>")]
        [InlineData("bootcd-table.txt", "ID1ECX ID1EDX ID81ECX ID81EDX\n0x0000641d 0xbfebfbff 0x00000001\n", 2, "0x<hex> 0x<hex> 0x<hex> 0x<hex>")]
        [InlineData("dump.txt", "CPUID 00000000: 0000000D-756E6547-6C65746E-49656E69\nCPUID 00000001: 000306A9-00100800-7F9AE3BF-BFEBFBF\n", 2, "CPUID <8 hex>: <8 hex>-<8 hex>-<8 hex>-<8 hex>")]
        public void ReadAll_MalformedLine_ThrowsDumpLineMalformedNamingFileAndLine(string fileName, string content, int line, string expected)
        {
            using var file = new TestFiles.Scratch(fileName, content);

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.ReadAll(file.Path));

            Assert.Equal("DumpLineMalformed", ex.ErrorId);
            Assert.Equal(ErrorKind.InvalidData, ex.Kind);
            Assert.Contains($"{fileName} line {line}: '", ex.Message);
            Assert.Contains(expected, ex.Message);
        }

        [Fact]
        public void ReadAll_BrokenJson_ThrowsJsonMalformedWithLineAndColumn()
        {
            using var file = new TestFiles.Scratch("hosts.json", "[\n  {\"name\": \"esx1\", \"cpuFeature\": [\n    {\"level\": 1,, \"eax\": null}\n  ]}\n]\n");

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.ReadAll(file.Path));

            Assert.Equal("JsonMalformed", ex.ErrorId);
            Assert.Contains("hosts.json line 3, column 17: expected a member name", ex.Message);
        }

        [Theory]
        [InlineData("{\"name\": \"esx1\", \"cpuFeature\": [{\"level\": \"one\", \"eax\": null}]}", "line 1, column 43", "cpuFeature[0].level is 'one'")]
        [InlineData("{\"name\": \"esx1\", \"hardware\": {\"cpuFeature\": [\"VMware.Vim.HostCpuIdInfo\"]}, \"featureCapability\": []}", "line 1, column 46", "-Depth 6")]
        [InlineData("[{\"name\": \"esx1\", \"featureCapability\": {\"cpuid.AVX\": \"1\"}}, {\"name\": \"esx2\", \"config\": {}}]", "line 1, column 61", "host 1 ('esx2') has neither hardware.cpuFeature nor config.featureCapability")]
        [InlineData("{\"name\": \"esx1\", \"featureCapability\": [{\"value\": \"1\"}]}", "line 1, column 40", "featureCapability[0] has no key")]
        [InlineData("{\"name\": \"esx1\", \"cpuFeature\": [{\"level\": 1, \"eax\": 5}]}", "line 1, column 53", "cpuFeature[0].eax is 5")]
        public void Parse_VSphereJsonOfWrongShape_ThrowsVSphereJsonInvalid(string text, string position, string fragment)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "hosts.json"));

            Assert.Equal("VSphereJsonInvalid", ex.ErrorId);
            Assert.Contains("hosts.json " + position + ": ", ex.Message);
            Assert.Contains(fragment, ex.Message);
        }

        [Fact]
        public void Parse_VSphereRegisterNotBits_ThrowsHostCpuIdInfoMalformed()
        {
            const string text = "{\"name\": \"esx1\", \"cpuFeature\": [{\"level\": 1, \"eax\": \"0000:0000\"}]}";

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "hosts.json"));

            Assert.Equal("HostCpuIdInfoMalformed", ex.ErrorId);
            Assert.Contains("hosts.json", ex.Message);
        }
    }
}
