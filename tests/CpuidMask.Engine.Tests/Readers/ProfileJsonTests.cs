using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Json;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;
using Xunit;

namespace CpuidMask.Engine.Tests.Readers
{
    public class ProfileJsonTests
    {
        public static TheoryData<string> DumpFiles() => DumpGoldenTests.DumpFiles();

        [Theory]
        [MemberData(nameof(DumpFiles))]
        public void Write_EveryDump_ReadsBackIdenticalAndRewritesByteForByte(string file)
        {
            var all = DumpGoldenTests.ReadAll(file);
            foreach (var profile in new[] { all[0], all[all.Count - 1] })
            {
                string json = ProfileJson.Write(profile);
                var back = ProfileJson.Read(json, "export.json");

                AssertSameProfile(profile, back);
                Assert.Equal(json, ProfileJson.Write(back));
                Assert.Equal(json, ProfileJson.Write(ProfileReader.Parse(json, "export.json").Single()));
            }
        }

        [Theory]
        [InlineData("bootcd-ivybridge.txt")]
        [InlineData("vsphere-host-ivybridge.json")]
        [InlineData("ivybridge-vmware.log")]
        public void Write_PartialAndCapabilityProfiles_RoundTrip(string fixture)
        {
            var profile = ProfileReader.Read(TestFiles.Format(fixture));

            string json = ProfileJson.Write(profile, indented: false);
            var back = ProfileJson.Read(json, "x.json");

            AssertSameProfile(profile, back);
            Assert.Equal(json, ProfileJson.Write(back, indented: false));
        }

        [Fact]
        public void Write_BootCdProfile_ListsKnownRegistersOnlyWhereSomeAreUnknown()
        {
            var profile = ProfileReader.Read(TestFiles.Format("bootcd-ivybridge.txt"));

            var root = (JsonDomObject)JsonDomNode.Parse(ProfileJson.Write(profile), "x.json");
            var leaves = ((JsonDomArray)root["leaves"]).Cast<JsonDomObject>().ToArray();

            var ext = leaves.Single(l => ((JsonDomString)l["leaf"]).Value == "0x80000001");
            Assert.Equal(new[] { "ecx", "edx" }, ((JsonDomArray)ext["known"]).Cast<JsonDomString>().Select(s => s.Value));
            var dump = ProfileJson.Write(DumpGoldenTests.ReadAll(TestFiles.IvyBridge)[0]);
            Assert.DoesNotContain("\"known\"", dump);
        }

        [Fact]
        public void Write_Profile_HasTheDocumentedShape()
        {
            var profile = DumpGoldenTests.ReadAll(TestFiles.IvyBridge)[0];
            var features = new[]
            {
                new FeatureInfo("AVX", 1, 0, CpuidRegister.Ecx, 28),
                new FeatureInfo("XSAVE_YMM", 0xD, 0, CpuidRegister.Eax, 2),
            };

            var root = (JsonDomObject)JsonDomNode.Parse(ProfileJson.Write(profile, features), "x.json");

            Assert.Equal(new[] { "name", "source", "format", "vendor", "family", "model", "stepping", "brand", "leaves", "capabilities", "features" }, root.Keys);
            Assert.Equal("GenuineIntel00306A9_IvyBridge_CPUID", ((JsonDomString)root["name"]).Value);
            Assert.Equal("InstLatx64", ((JsonDomString)root["format"]).Value);
            Assert.Equal("58", ((JsonDomNumber)root["model"]).Text);
            Assert.Equal("Intel(R) Core(TM) i7-3770K CPU @ 3.50GHz", ((JsonDomString)root["brand"]).Value);
            var leaf7 = ((JsonDomArray)root["leaves"]).Cast<JsonDomObject>().Single(l => ((JsonDomString)l["leaf"]).Value == "0x7");
            Assert.Equal("{\"leaf\":\"0x7\",\"subleaf\":0,\"eax\":\"0x00000000\",\"ebx\":\"0x00000281\",\"ecx\":\"0x00000000\",\"edx\":\"0x00000000\"}", leaf7.ToJson(false));
            Assert.Equal(
                "[{\"name\":\"AVX\",\"leaf\":\"0x1\",\"subleaf\":0,\"register\":\"ecx\",\"bit\":28},{\"name\":\"XSAVE_YMM\",\"leaf\":\"0xD\",\"subleaf\":0,\"register\":\"eax\",\"bit\":2}]",
                root["features"].ToJson(false));
            Assert.Equal("{}", root["capabilities"].ToJson(false));
            Assert.StartsWith("{\n  \"name\": \"GenuineIntel00306A9_IvyBridge_CPUID\",\n  \"source\": ", ProfileJson.Write(profile));
        }

        [Fact]
        public void Read_IgnoresFeaturesAndDerivedFields()
        {
            var profile = DumpGoldenTests.ReadAll(TestFiles.Avoton)[0];
            var root = ProfileJson.ToJsonObject(profile, new[] { new FeatureInfo("MOVBE", 1, 0, CpuidRegister.Ecx, 22) });
            root["family"] = new JsonDomNumber(99L);
            root["features"] = new JsonDomString("not even an array");

            var back = ProfileJson.FromJsonObject(root, "edited.json");

            Assert.Equal(6, back.Family);
            AssertSameProfile(profile, back);
        }

        [Fact]
        public void Read_HandWrittenProfile_AcceptsNumbersAndDefaults()
        {
            const string text = "{\"leaves\": [{\"leaf\": 1, \"ecx\": \"0x10000000\"}, {\"leaf\": \"0x7\", \"subleaf\": \"0\", \"ebx\": 32}], \"capabilities\": {\"cpuid.AVX\": 1}}";

            var profile = ProfileJson.Read(text, "hand/written.json");

            Assert.Equal("written", profile.Name);
            Assert.Equal("hand/written.json (Json)", profile.Source);
            Assert.Equal(ProfileFormat.Json, profile.Format);
            Assert.Equal(RegisterSet.Ecx, profile.GetLeaf(1)!.Known);
            Assert.Equal(FeatureState.Present, profile.GetBit(1, 0, CpuidRegister.Ecx, 28));
            Assert.Equal(FeatureState.Unknown, profile.GetBit(1, 0, CpuidRegister.Edx, 0));
            Assert.Equal(FeatureState.Present, profile.GetBit(7, 0, CpuidRegister.Ebx, 5));
            Assert.Equal("1", profile.Capabilities["cpuid.AVX"]);
        }

        /// <summary>A profile file is held to what its original source reports, whoever wrote the JSON.</summary>
        [Fact]
        public void Parse_HandWrittenProfileWithoutLeafZero_IsRefusedAsLeafMissing()
        {
            const string text = "{\"leaves\": [{\"leaf\": 1, \"ecx\": \"0x10000000\"}, {\"leaf\": \"0x7\", \"subleaf\": \"0\", \"ebx\": 32}], \"capabilities\": {\"cpuid.AVX\": 1}}";

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "hand/written.json"));

            Assert.Equal("ProfileLeafMissing", ex.ErrorId);
            Assert.Contains("hand/written.json: profile 0 ('written') has no leaf 0x0", ex.Message);
        }

        [Fact]
        public void Parse_ExportMissingALeafOfItsDump_IsIncompleteUnlessPartialIsAllowed()
        {
            var ivy = DumpGoldenTests.ReadAll(TestFiles.IvyBridge)[0];
            var trimmed = new CpuidProfile(ivy.Name, ivy.Leaves.Where(l => l.Leaf != 7), ivy.Format, ivy.Source);
            string text = ProfileJson.Write(trimmed);
            var warnings = new List<Advice>();

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "ivy.json"));
            var read = ProfileReader.Parse(text, "ivy.json", options: new ProfileReadOptions { AllowPartial = true, Warn = warnings.Add }).Single();

            Assert.Equal("ProfileIncomplete", ex.ErrorId);
            Assert.Contains("ivy.json: profile 0 ('GenuineIntel00306A9_IvyBridge_CPUID') lacks leaf 0x7", ex.Message);
            Assert.Equal(FeatureState.Unknown, read.GetBit(7, 0, CpuidRegister.Ebx, 0));
            Assert.Contains("lacks leaf 0x7", Assert.Single(warnings).Text);
        }

        /// <summary>Fuzzing found it: "0x28100000" with its x deleted was read as the decimal 28100000, another CPU's EDX.</summary>
        [Theory]
        [InlineData("028100000")]
        [InlineData("0x2810000")]
        [InlineData("0x028100000")]
        [InlineData("28100000")]
        public void Parse_RegisterTextNotEightHexDigits_IsRefusedNamingTheRegister(string damaged)
        {
            var avoton = DumpGoldenTests.ReadAll(TestFiles.Avoton)[0];
            string json = ProfileJson.Write(avoton).Replace("\"edx\": \"0x28100000\"", $"\"edx\": \"{damaged}\"");
            Assert.Contains(damaged, json);

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(json, "avoton.json"));

            Assert.Equal("ProfileJsonInvalid", ex.ErrorId);
            Assert.Contains(".edx is", ex.Message);
            Assert.Contains("eight hex digits", ex.Message);
        }

        [Fact]
        public void Parse_RegisterAsJsonNumber_IsRead()
        {
            var avoton = DumpGoldenTests.ReadAll(TestFiles.Avoton)[0];
            string json = ProfileJson.Write(avoton).Replace("\"edx\": \"0x28100000\"", "\"edx\": 672137216");

            var read = ProfileReader.Parse(json, "avoton.json")[0];

            Assert.Equal(0x28100000u, read.TryGet(0x80000001u, 0, CpuidRegister.Edx));
        }

        [Fact]
        public void Parse_ExportWithALeafTwiceWithOtherValues_IsRefusedAsConflict()
        {
            var ivy = DumpGoldenTests.ReadAll(TestFiles.IvyBridge)[0];
            var json = ProfileJson.ToJsonObject(ivy);
            var leaves = (JsonDomArray)json.Get("leaves")!;
            var copy = (JsonDomObject)JsonDomNode.Parse(leaves[1].ToJson(false), "x");
            copy["ecx"] = new JsonDomString("0x00000000");
            leaves.Add(copy);

            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(json.ToJson(true), "ivy.json"));

            Assert.Equal("ProfileLeafConflict", ex.ErrorId);
            Assert.Contains("leaf 0x1 is reported again with other values", ex.Message);
        }

        [Fact]
        public void ReadAll_ArrayOfExports_GivesEveryProfile()
        {
            var a = DumpGoldenTests.ReadAll(TestFiles.Avoton)[0];
            var b = DumpGoldenTests.ReadAll(TestFiles.IvyBridge)[0];
            string text = new JsonDomArray(new JsonDomNode[] { ProfileJson.ToJsonObject(a), ProfileJson.ToJsonObject(b) }).ToJson(true);

            var profiles = ProfileReader.Parse(text, "two.json");

            Assert.Equal(ProfileFormat.Json, ProfileReader.Detect(text));
            Assert.Equal(new[] { a.Name, b.Name }, profiles.Select(p => p.Name));
            var ex = Assert.Throws<CpuidMaskException>(() => ProfileJson.Read(text, "two.json"));
            Assert.Equal("ProfileJsonInvalid", ex.ErrorId);
        }

        [Theory]
        [InlineData("{\"name\": \"x\", \"leaves\": [{\"leaf\": \"zz\", \"eax\": \"0x0\"}]}", "line 1, column 35", "leaves[0].leaf is 'zz'")]
        [InlineData("{\"name\": \"x\", \"leaves\": [{\"subleaf\": 0}]}", "line 1, column 26", "leaves[0] has no \"leaf\"")]
        [InlineData("{\"name\": \"x\", \"leaves\": [{\"leaf\": \"0x1\", \"eax\": \"0x1FFFFFFFF\"}]}", "line 1, column 49", "leaves[0].eax is '0x1FFFFFFFF'")]
        [InlineData("{\"name\": \"x\", \"leaves\": [{\"leaf\": \"0x1\", \"known\": [\"esx\"]}]}", "line 1, column 52", "leaves[0].known holds 'esx'")]
        [InlineData("{\"name\": \"x\", \"leaves\": {}}", "line 1, column 25", "has no \"leaves\" array")]
        [InlineData("{\"name\": \"x\", \"leaves\": [], \"capabilities\": []}", "line 1, column 45", "capabilities is an array")]
        public void Read_ExportOfWrongShape_ThrowsProfileJsonInvalid(string text, string position, string fragment)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse(text, "p.json", ProfileFormat.Json));

            Assert.Equal("ProfileJsonInvalid", ex.ErrorId);
            Assert.Contains("p.json " + position + ": ", ex.Message);
            Assert.Contains(fragment, ex.Message);
        }

        [Fact]
        public void Read_ExportWithoutLeavesOrCapabilities_ThrowsProfileEmpty()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.Parse("{\"name\": \"x\", \"leaves\": []}", "p.json"));

            Assert.Equal("ProfileEmpty", ex.ErrorId);
        }

        [Fact]
        public void FeatureInfo_BitOutOfRange_IsRejected()
        {
            Assert.Throws<System.ArgumentOutOfRangeException>(() => new FeatureInfo("X", 1, 0, CpuidRegister.Ecx, 32));
        }

        [Fact]
        public void WriteAll_SeveralHosts_IsAnArrayOfTheSingleProfileObjectsInOrder()
        {
            var a = DumpGoldenTests.ReadAll(TestFiles.Avoton)[0];
            var b = ProfileReader.Read(TestFiles.Format("vsphere-host-ivybridge.json"));

            var root = (JsonDomArray)JsonDomNode.Parse(ProfileJson.WriteAll(new[] { a, b }, p => new[] { new FeatureInfo("SSE2", 1, 0, CpuidRegister.Edx, 26) }), "hosts.json");

            Assert.Equal(2, root.Count);
            Assert.Equal(ProfileJson.ToJsonObject(a, new[] { new FeatureInfo("SSE2", 1, 0, CpuidRegister.Edx, 26) }).ToJson(), root[0].ToJson());
            Assert.Equal(ProfileJson.ToJsonObject(b, new[] { new FeatureInfo("SSE2", 1, 0, CpuidRegister.Edx, 26) }).ToJson(), root[1].ToJson());
        }

        [Fact]
        public void WriteAll_OneProfile_IsStillAList_AndNoProfileIsRefused()
        {
            var a = DumpGoldenTests.ReadAll(TestFiles.Avoton)[0];

            Assert.Single((JsonDomArray)JsonDomNode.Parse(ProfileJson.WriteAll(new[] { a }), "one.json"));
            Assert.Throws<System.ArgumentException>(() => ProfileJson.WriteAll(System.Array.Empty<CpuidProfile>()));
        }

        [Fact]
        public void ReadHosts_FileOfSeveralHosts_GivesEveryHostIdentical()
        {
            var a = DumpGoldenTests.ReadAll(TestFiles.Avoton)[0].WithName("esx01");
            var b = DumpGoldenTests.ReadAll(TestFiles.IvyBridge)[0].WithName("esx02");
            var c = ProfileReader.Read(TestFiles.Format("vsphere-host-ivybridge.json")).WithName("esx03");
            using var file = new TestFiles.Scratch("hosts.json", ProfileJson.WriteAll(new[] { a, b, c }));

            var hosts = ProfileReader.ReadHosts(file.Path);
            var again = ProfileReader.ReadHosts(file.Path, cpuIndex: 1);

            Assert.Equal(new[] { "esx01", "esx02", "esx03" }, hosts.Select(h => h.Name));
            AssertSameProfile(a, hosts[0]);
            AssertSameProfile(b, hosts[1]);
            AssertSameProfile(c, hosts[2]);
            Assert.Equal(3, again.Count);
        }

        [Fact]
        public void ReadHosts_SingleProfileExportAndDumps_ReadAsBefore()
        {
            var ivy = DumpGoldenTests.ReadAll(TestFiles.IvyBridge);
            using var single = new TestFiles.Scratch("one.json", ProfileJson.Write(ivy[0]));

            AssertSameProfile(ivy[0], Assert.Single(ProfileReader.ReadHosts(single.Path)));
            AssertSameProfile(ivy[1], Assert.Single(ProfileReader.ReadHosts(TestFiles.Dump(TestFiles.IvyBridge), cpuIndex: 1)));
            Assert.Equal(2, ProfileReader.ReadHosts(TestFiles.Format("vsphere-hosts.json")).Count);
            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.ReadHosts(TestFiles.Dump(TestFiles.IvyBridge), cpuIndex: 4095));
            Assert.Equal("CpuIndexOutOfRange", ex.ErrorId);
        }

        private static void AssertSameProfile(CpuidProfile expected, CpuidProfile actual)
        {
            Assert.Equal(expected.Name, actual.Name);
            Assert.Equal(expected.Source, actual.Source);
            Assert.Equal(expected.Format, actual.Format);
            Assert.Equal(expected.Vendor, actual.Vendor);
            Assert.Equal(expected.Brand, actual.Brand);
            Assert.Equal(expected.Family, actual.Family);
            Assert.Equal(expected.Model, actual.Model);
            Assert.Equal(expected.Stepping, actual.Stepping);
            Assert.Equal(expected.Leaves.Select(l => (l.Key, l.Registers, l.Known)), actual.Leaves.Select(l => (l.Key, l.Registers, l.Known)));
            Assert.Equal(
                expected.Capabilities.OrderBy(p => p.Key, System.StringComparer.Ordinal),
                actual.Capabilities.OrderBy(p => p.Key, System.StringComparer.Ordinal));
        }
    }
}
