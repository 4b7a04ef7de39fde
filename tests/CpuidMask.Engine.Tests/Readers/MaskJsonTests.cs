using System.IO;
using System.Linq;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Json;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;
using CpuidMask.Engine.Tests.Analysis;
using Xunit;

namespace CpuidMask.Engine.Tests.Readers
{
    public class MaskJsonTests
    {
        private static GeneratedMask WorkedCase => new MaskGenerator().Generate(new[] { DumpProfiles.Find("Avoton"), DumpProfiles.Find("00306A9_IvyBridge_") });

        [Fact]
        public void Write_WorkedCase_ReadsBackAsTheSameMask()
        {
            var result = WorkedCase;

            var mask = MaskJson.Read(MaskJson.Write(result), "mask.json");

            Assert.Equal(result.Mask.ToVmxLines(), mask.ToVmxLines());
            Assert.Equal(4, mask.Registers.Count);
        }

        [Fact]
        public void Write_WorkedCase_HasTheDocumentedMembersInOrder()
        {
            var document = (JsonDomObject)JsonDomNode.Parse(MaskJson.Write(WorkedCase), "mask.json");

            Assert.Equal(new[] { "hosts", "baseline", "vmx", "extraConfig", "featMask", "hidden", "hardwareVersion", "outOfReach", "proof" }, document.Keys);
            Assert.Equal("22", ((JsonDomNumber)document["hardwareVersion"]).Text);
            Assert.Empty((JsonDomArray)document["outOfReach"]);
            Assert.IsType<JsonDomNull>(document["baseline"]);
            Assert.Equal("--00-0---0----0-----------------", ((JsonDomString)((JsonDomObject)document["extraConfig"])["cpuid.1.ecx"]).Value);
            Assert.Equal("Val:0", ((JsonDomString)((JsonDomObject)document["featMask"])["featMask.vm.cpuid.AVX"]).Value);
            var avx = ((JsonDomArray)document["hidden"]).Cast<JsonDomObject>().Single(h => ((JsonDomString)h["name"]).Value == "AVX");
            Assert.Equal(
                new[] { "name", "label", "leaf", "subleaf", "register", "bit", "vsphereKey", "description", "reason", "explanation", "presentOn", "missingOn" },
                avx.Keys);
            Assert.True(((JsonDomBool)((JsonDomObject)document["proof"])["passed"]).Value);
        }

        [Fact]
        public void Write_BaselineMask_AddsTheBaselineMembersAndReadsBack()
        {
            var result = new BaselineMaskGenerator().Generate("intel-westmere");

            string json = MaskJson.Write(result);
            var document = (JsonDomObject)JsonDomNode.Parse(json, "westmere.json");

            Assert.Equal("intel-westmere", ((JsonDomString)document["baseline"]).Value);
            Assert.Equal(new[] { "baselineLabel", "complete", "lines", "passedThrough" }, document.Keys.Skip(9));
            Assert.True(((JsonDomBool)document["complete"]).Value);
            Assert.Equal(result.Mask.ToVmxLines(), MaskJson.Read(json, "westmere.json").ToVmxLines());
        }

        [Theory]
        [InlineData("Avoton", "00306A9_IvyBridge_", "GenuineIntel")]
        [InlineData("Rome", "Milan", "AuthenticAMD")]
        public void ReadWithVendor_MaskOfHosts_IsForTheHostsVendor(string first, string second, string vendor)
        {
            var result = new MaskGenerator().Generate(new[] { DumpProfiles.Find(first), DumpProfiles.Find(second) });

            var read = MaskFile.ReadWithVendor(MaskJson.Write(result), "mask.json");

            Assert.Equal(vendor, read.CpuVendor);
            Assert.Equal(result.Mask.ToVmxLines(), read.Mask.ToVmxLines());
        }

        [Theory]
        [InlineData("intel-westmere", "GenuineIntel")]
        [InlineData("amd-zen", "AuthenticAMD")]
        public void ReadWithVendor_MaskOfABaseline_IsForTheBaselinesVendor(string key, string vendor)
        {
            var read = MaskFile.ReadWithVendor(MaskJson.Write(new BaselineMaskGenerator().Generate(key)), "mask.json");

            Assert.Equal(vendor, read.CpuVendor);
        }

        [Fact]
        public void ReadWithVendor_MaskOfABaselineOverHosts_IsForTheHostsVendor()
        {
            var result = new BaselineMaskGenerator().Generate("amd-zen", new[] { DumpProfiles.Find("Rome"), DumpProfiles.Find("Milan") });

            Assert.Equal(CpuVendors.Amd, MaskJson.ReadWithVendor(MaskJson.Write(result), "mask.json").CpuVendor);
        }

        [Theory]
        [InlineData("cpuid.1.ecx = \"--00-0---0----0-----------------\"")]
        [InlineData("{\"extraConfig\": {\"cpuid.1.ecx\": \"--00-0---0----0-----------------\"}}")]
        [InlineData("{\"hosts\": [], \"baseline\": null, \"extraConfig\": {\"cpuid.1.ecx\": \"--00-0---0----0-----------------\"}}")]
        [InlineData("{\"hosts\": [{\"name\": \"esx01\", \"vendor\": null}], \"extraConfig\": {}}")]
        public void ReadWithVendor_VmxLinesOrJsonNamingNoHostVendorNorBaseline_SayNoVendor(string text)
        {
            Assert.Null(MaskFile.ReadWithVendor(text, "mask").CpuVendor);
        }

        [Fact]
        public void ReadWithVendor_HostsOfAmdAndHygon_AreOneLayoutAndForTheFirstHostsVendor()
        {
            string json = "{\"hosts\": [{\"name\": \"esx01\", \"vendor\": \"AuthenticAMD\"}, {\"name\": \"esx02\", \"vendor\": \"HygonGenuine\"}], \"extraConfig\": {}}";

            Assert.Equal(CpuVendors.Amd, MaskJson.ReadWithVendor(json, "mask.json").CpuVendor);
        }

        [Theory]
        [InlineData(
            "\"hosts\": [{\"name\": \"esx01\", \"vendor\": \"GenuineIntel\"},\n{\"name\": \"esx02\", \"vendor\": \"AuthenticAMD\"}]",
            "mask.json line 2: the hosts have CPUs of different vendors ('esx01' is GenuineIntel, 'esx02' is AuthenticAMD)")]
        [InlineData(
            "\"hosts\": [{\"name\": \"esx01\", \"vendor\": \"GenuineIntel\"}],\n\"baseline\": \"amd-zen\"",
            "mask.json line 2: baseline amd-zen is for AuthenticAMD CPUs, but host 'esx01' is GenuineIntel")]
        [InlineData("\"baseline\": \"intel-nonesuch\"", "mask.json line 1: baseline 'intel-nonesuch' is not one this version of CpuidMask knows")]
        [InlineData("\"baseline\": 7", "mask.json line 1: \"baseline\" is 7; expected an EVC mode key")]
        [InlineData("\"hosts\": {\"vendor\": \"GenuineIntel\"}", "mask.json line 1: \"hosts\" is an object; expected an array")]
        [InlineData("\"hosts\": [\"esx01\"]", "mask.json line 1: host 1 in \"hosts\" is 'esx01'; expected an object")]
        [InlineData("\"hosts\": [{\"name\": \"esx01\", \"vendor\": 12}]", "mask.json line 1: host 'esx01' has \"vendor\" 12; expected a CPUID vendor string")]
        [InlineData("\"hosts\": [{\"vendor\": \" \"}]", "mask.json line 1: host 1 has \"vendor\" ' '; expected a CPUID vendor string")]
        public void ReadWithVendor_VendorStatementsThatContradictOrAreMisshapen_AreMaskFileMalformed(string members, string message)
        {
            string json = "{" + members + ",\n\"extraConfig\": {\"cpuid.1.ecx\": \"--00-0---0----0-----------------\"}}";

            var ex = Assert.Throws<CpuidMaskException>(() => MaskJson.ReadWithVendor(json, "mask.json"));

            Assert.Equal("MaskFileMalformed", ex.ErrorId);
            Assert.StartsWith(message, ex.Message);
        }

        [Theory]
        [InlineData("[1, 2]", "mask.json line 1: the document is an array; expected a JSON object with an \"extraConfig\" object")]
        [InlineData("{\"vmx\": []}", "mask.json line 1: expected a JSON object with an \"extraConfig\" object")]
        [InlineData("{\n  \"extraConfig\": {\n    \"cpuid.1.ecx\": 12\n  }\n}", "mask.json line 3: key 'cpuid.1.ecx' has 12; a mask value is a string")]
        [InlineData("{\"extraConfig\": {\"cpuid.1.ecx\": null}}", "mask.json line 1: key 'cpuid.1.ecx' has null")]
        [InlineData("{\"extraConfig\": {\"cpuid.1.ecx\": [\"--\"]}}", "mask.json line 1: key 'cpuid.1.ecx' has an array")]
        public void Read_WrongShapeOrValue_IsMaskFileMalformedNamingFileLineAndKey(string json, string message)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => MaskJson.Read(json, "mask.json"));

            Assert.Equal("MaskFileMalformed", ex.ErrorId);
            Assert.StartsWith(message, ex.Message);
        }

        [Theory]
        [InlineData("12", "12")]
        [InlineData("1e999", "1e999")]
        [InlineData("-0.5", "-0.5")]
        [InlineData("true", "true")]
        [InlineData("false", "false")]
        [InlineData("null", "null")]
        [InlineData("{\"a\": \"b\"}", "an object")]
        [InlineData("[]", "an array")]
        public void Read_MaskValueThatIsNoString_NamesFileLineAndKey(string value, string shown)
        {
            string json = "{\n  \"extraConfig\": {\n    \"cpuid.7.ebx\": \"-------------------------------0\",\n    \"cpuid.1.ecx\": " + value + "\n  }\n}";

            var ex = Assert.Throws<CpuidMaskException>(() => MaskJson.Read(json, "mask.json"));

            Assert.Equal("MaskFileMalformed", ex.ErrorId);
            Assert.StartsWith($"mask.json line 4: key 'cpuid.1.ecx' has {shown}; a mask value is a string", ex.Message);
        }

        [Fact]
        public void Read_KeysDifferingOnlyInCase_AreOneKeyGivenTwice()
        {
            string json = "{\"extraConfig\": {\n  \"cpuid.1.ecx\": \"-------------------------------0\",\n  \"CPUID.1.ECX\": \"------------------------------0-\"\n}}";

            var ex = Assert.Throws<CpuidMaskException>(() => MaskJson.Read(json, "mask.json"));

            Assert.Equal("MaskKeyDuplicate", ex.ErrorId);
            Assert.Equal("mask.json line 3: 'CPUID.1.ECX' is the same key as 'cpuid.1.ecx' (line 2): both are cpuid.1.ecx. Keep one of them.", ex.Message);
        }

        [Fact]
        public void Read_RepeatedKey_IsJsonMalformedNamingTheKeyAndLine()
        {
            string json = "{\"extraConfig\": {\n  \"cpuid.1.ecx\": \"-------------------------------0\",\n  \"cpuid.1.ecx\": \"-------------------------------0\"\n}}";

            var ex = Assert.Throws<CpuidMaskException>(() => MaskJson.Read(json, "mask.json"));

            Assert.Equal("JsonMalformed", ex.ErrorId);
            Assert.StartsWith("mask.json line 3, column 3:", ex.Message);
            Assert.Contains("\"cpuid.1.ecx\" appears again", ex.Message);
        }

        [Fact]
        public void Read_ExtraConfigTwiceInDifferentCase_IsMaskFileMalformed()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => MaskJson.Read("{\"extraConfig\": {},\n\"ExtraConfig\": {}}", "mask.json"));

            Assert.Equal("MaskFileMalformed", ex.ErrorId);
            Assert.StartsWith("mask.json line 2: \"ExtraConfig\" and \"extraConfig\" (line 1) are both", ex.Message);
        }

        [Theory]
        [InlineData("\"featMask.vm.cpuid.AVX\": \"garbage\"", "MaskMalformed", "featMask.vm.cpuid.AVX = \"garbage\":")]
        [InlineData("\"featMask.vm.cpuid.AVX\": \"Val:99999999999999999999\"", "MaskMalformed", "featMask.vm.cpuid.AVX = \"Val:99999999999999999999\":")]
        [InlineData("\"featMask.vm.cpuid.AVX\": \"Val:0\\n\"", "MaskMalformed", "featMask.vm.cpuid.AVX = \"Val:0\\u000a\":")]
        [InlineData("\"featMask.vm.cpuid.AVX\\n\": \"Val:0\"", "MaskKeyMalformed", "'featMask.vm.cpuid.AVX\\u000a' is not a named feature mask key")]
        [InlineData("\"featMask.vm.cpuid.NOTAFEATURE\": \"Val:0\"", "MaskFeatureUnknown", "'featMask.vm.cpuid.NOTAFEATURE' names 'NOTAFEATURE'")]
        [InlineData("\"cpuid.0.ebx\": \"-------------------------------0\"", "MaskKeyVendorRegister", "'cpuid.0.ebx' is part of the CPU vendor string")]
        [InlineData("\"cpuid.5.eax\": \"-------------------------------0\"", "MaskKeyUnknownLeaf", "'cpuid.5.eax' is for leaf 0x5")]
        [InlineData("\"cpuid.1.ecx\": \"\\ud800-------------------------------\"", "MaskMalformed", "cpuid.1.ecx = \"\\ud800---")]
        [InlineData("\"\\ud800\": \"x\"", "MaskKeyMalformed", "'\\ud800' is not a CPUID mask key")]
        [InlineData("\"guestinfo.owner\": \"ops\"", "MaskKeyMalformed", "'guestinfo.owner' is not a CPUID mask key")]
        public void Read_KeyOrValueAgainstTheMaskRules_NamesFileLineAndKey(string member, string errorId, string message)
        {
            string json = "{\n  \"extraConfig\": {\n    " + member + "\n  }\n}";

            var ex = Assert.Throws<CpuidMaskException>(() => MaskJson.Read(json, "mask.json"));

            Assert.Equal(errorId, ex.ErrorId);
            Assert.StartsWith("mask.json line 3: " + message, ex.Message);
        }

        // Found by the fuzz suite: a key with white space around it was trimmed and taken as the register's mask.
        [Theory]
        [InlineData("\" cpuid.1.ecx\"", "' cpuid.1.ecx' is not a CPUID mask key")]
        [InlineData("\"cpuid.1.ecx\\n\"", "'cpuid.1.ecx\\u000a' is not a CPUID mask key")]
        [InlineData("\"cpuid.1.ecx\\u00a0\"", "'cpuid.1.ecx\u00a0' is not a CPUID mask key")]
        public void Read_RegisterKeyWithWhiteSpaceAroundIt_IsMaskKeyMalformed(string key, string message)
        {
            string json = "{\n  \"extraConfig\": {\n    " + key + ": \"-------------------------------X\"\n  }\n}";

            var ex = Assert.Throws<CpuidMaskException>(() => MaskJson.Read(json, "mask.json"));

            Assert.Equal("MaskKeyMalformed", ex.ErrorId);
            Assert.StartsWith("mask.json line 3: " + message, ex.Message);
        }

        [Fact]
        public void Read_UnknownFeatureName_IsReadWhenAllowed()
        {
            var mask = MaskJson.Read("{\"extraConfig\": {\"featMask.vm.cpuid.NUMLEVELS\": \"Max:0xd\"}}", "mask.json", new MaskReadOptions { AllowUnknownFeatures = true });

            Assert.Equal("Max:0xd", mask.FeatureMasks["NUMLEVELS"]);
        }

        [Fact]
        public void Read_NotJson_IsJsonMalformedWithLineAndColumn()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => MaskJson.Read("{\"extraConfig\": {\n\"cpuid.1.ecx\" \"x\"}}", "mask.json"));

            Assert.Equal("JsonMalformed", ex.ErrorId);
            Assert.StartsWith("mask.json line 2, column 15:", ex.Message);
        }

        [Theory]
        [InlineData("{\"extraConfig\": {}}", true)]
        [InlineData("\uFEFF\n  {", true)]
        [InlineData("cpuid.1.ecx = \"--------------------------------\"", false)]
        [InlineData("# {comment}\ncpuid.1.ecx = \"--------------------------------\"", false)]
        [InlineData("", false)]
        public void IsJson_LooksAtTheFirstCharacterThatIsNotWhiteSpace(string text, bool json)
        {
            Assert.Equal(json, MaskFile.IsJson(text));
        }

        [Fact]
        public void Read_EitherForm_GivesTheSameMask()
        {
            var result = WorkedCase;

            var fromJson = MaskFile.Read(MaskJson.Write(result), "mask.json");
            var fromVmx = MaskFile.Read(string.Join("\n", result.ToVmxLines()), "mask.vmx");

            Assert.Equal(fromVmx.ToVmxLines(), fromJson.ToVmxLines());
        }

        [Fact]
        public void ReadFile_MissingFile_IsMaskFileNotFound()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => MaskFile.ReadFile(Path.Combine(Path.GetTempPath(), "no-such-mask-file.json")));

            Assert.Equal("MaskFileNotFound", ex.ErrorId);
        }

        [Fact]
        public void ReadFile_LargerThanAnyMask_IsRefusedWithoutReadingItAll()
        {
            using var file = new TestFiles.Scratch("huge.vmx", string.Empty);
            using (var stream = new FileStream(file.Path, FileMode.Open, FileAccess.Write))
            {
                stream.SetLength(MaskFile.MaxBytes + 1);
            }

            var ex = Assert.Throws<CpuidMaskException>(() => MaskFile.ReadFile(file.Path));

            Assert.Equal("MaskFileTooLarge", ex.ErrorId);
            Assert.Contains(file.Path, ex.Message);
        }
    }
}
