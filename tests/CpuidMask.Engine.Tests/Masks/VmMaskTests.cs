using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;
using Xunit;

namespace CpuidMask.Engine.Tests.Masks
{
    public class VmMaskTests
    {
        private static KeyValuePair<string, string> Kv(string k, string v) => new KeyValuePair<string, string>(k, v);

        private const string WorkedCase =
            "cpuid.80000001.ecx = \"-----------------------0--------\"\n" +
            "cpuid.1.ecx = \"--00-0---0----0-----------------\"\n" +
            "cpuid.7.ebx = \"-------------------------------0\"\n" +
            "cpuid.d.eax = \"-----------------------------00-\"\n";

        [Theory]
        [InlineData("cpuid.1.ecx", 1u, 0u, CpuidRegister.Ecx, null)]
        [InlineData("cpuid.80000001.edx", 0x80000001u, 0u, CpuidRegister.Edx, null)]
        [InlineData("cpuid.d.eax", 0xDu, 0u, CpuidRegister.Eax, null)]
        [InlineData("cpuid.7.1.eax", 7u, 1u, CpuidRegister.Eax, null)]
        [InlineData("CPUID.80000001.ECX.AMD", 0x80000001u, 0u, CpuidRegister.Ecx, "amd")]
        public void MaskKey_Parse_ReadsLeafSubleafRegisterVendor(string text, uint leaf, uint subleaf, CpuidRegister register, string? vendor)
        {
            var key = MaskKey.Parse(text);

            Assert.Equal(leaf, key.Leaf);
            Assert.Equal(subleaf, key.Subleaf);
            Assert.Equal(register, key.Register);
            Assert.Equal(vendor, key.Vendor);
            Assert.Equal(text.ToLowerInvariant(), key.ToString());
        }

        [Theory]
        [InlineData("cpuid.1.exx")]
        [InlineData("cpuid.g.eax")]
        [InlineData("cpuid..eax")]
        [InlineData("featMask.vm.cpuid.AVX")]
        public void MaskKey_Parse_BadKey_ThrowsMaskKeyMalformed(string text)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => MaskKey.Parse(text));

            Assert.Equal("MaskKeyMalformed", ex.ErrorId);
            Assert.Contains(text, ex.Message);
        }

        // Found by the fuzz suite: '$' let a trailing newline through, and TryParse trimmed, so a VM's key
        // "cpuid.1.ecx\n", which ESXi does not take for cpuid.1.ecx, was read as that register's mask.
        [Fact]
        public void FromExtraConfig_KeyWithATrailingNewline_IsNoMaskKey()
        {
            var mask = VmMask.FromExtraConfig(new[] { new KeyValuePair<string, string>("cpuid.1.ecx\n", "-------------------------------0") }, "VM 'web01'");

            Assert.True(mask.IsEmpty);
            Assert.False(MaskKey.IsMaskKey("cpuid.1.ecx\n"));
            Assert.False(MaskKey.TryParse(" cpuid.1.ecx", out _));
        }

        [Fact]
        public void SubleafAdvice_NamesEverySubleafKeyInOrder_AndPointsToHidingByName()
        {
            var mask = VmMask.ParseVmx("cpuid.d.1.eax = \"----------------------------000-\"\ncpuid.1.ecx = \"----------------------------0---\"\ncpuid.7.1.eax = \"--------------------------0-----\"", "test");

            var advice = mask.SubleafAdvice();

            Assert.NotNull(advice);
            Assert.StartsWith("cpuid.7.1.eax, cpuid.d.1.eax use the cpuid.<leaf>.<subleaf>.<reg> form", advice!.Text);
            Assert.Equal(RemedyKind.HideByName, advice.Remedy!.Kind);
            Assert.Null(VmMask.ParseVmx("cpuid.1.ecx = \"----------------------------0---\"", "test").SubleafAdvice());
        }

        [Fact]
        public void ParseVmx_WorkedCase_WritesTheSameLinesInLeafOrder()
        {
            var mask = VmMask.ParseVmx(WorkedCase, "case.vmx");

            Assert.Equal(
                new[]
                {
                    "cpuid.1.ecx = \"--00-0---0----0-----------------\"",
                    "cpuid.7.ebx = \"-------------------------------0\"",
                    "cpuid.d.eax = \"-----------------------------00-\"",
                    "cpuid.80000001.ecx = \"-----------------------0--------\"",
                },
                mask.ToVmxLines());
        }

        [Fact]
        public void ParseVmx_CommentsBlankLinesAndFeatMask_AreRead()
        {
            var mask = VmMask.ParseVmx("# from cpuidmask\n\ncpuid.7.ebx = \"-------------------------------0\"\nfeatMask.vm.cpuid.AVX = \"Val:0\"\n", "m.vmx");

            Assert.Single(mask.Registers);
            Assert.Equal("Val:0", mask.FeatureMasks["AVX"]);
            Assert.Contains("featMask.vm.cpuid.AVX = \"Val:0\"", mask.ToVmxLines());
        }

        [Theory]
        [InlineData("cpuid.1.ecx = --00", "MaskLineMalformed", "line 1")]
        [InlineData("\n\nguestOS = \"other\"", "MaskKeyMalformed", "line 3")]
        [InlineData("cpuid.1.ecx = \"--00\"", "MaskMalformed", "line 1")]
        [InlineData("cpuid.1.ecx = \"--------------------------------\"\ncpuid.1.ecx = \"--------------------------------\"", "MaskKeyDuplicate", "line 2")]
        [InlineData("featMask.vm.cpuid.AVX = \"off\"", "MaskMalformed", "line 1")]
        public void ParseVmx_BadLine_NamesFileLineAndProblem(string text, string errorId, string where)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => VmMask.ParseVmx(text, "masks.vmx"));

            Assert.Equal(errorId, ex.ErrorId);
            Assert.Contains("masks.vmx", ex.Message);
            Assert.Contains(where, ex.Message);
        }

        [Theory]
        [InlineData("cpuid.1.ecx", "CPUID.1.ECX")]
        [InlineData("cpuid.1.ecx", "cpuid.01.ecx")]
        [InlineData("cpuid.1.ecx", "cpuid.1.0.ecx")]
        [InlineData("cpuid.80000001.ecx", "Cpuid.80000001.0.Ecx")]
        [InlineData("featMask.vm.cpuid.AVX", "FEATMASK.VM.CPUID.avx")]
        public void ParseVmx_OneKeyInTwoSpellings_IsMaskKeyDuplicateNamingBothSpellingsAndLines(string first, string second)
        {
            string value(string key) => key.StartsWith("feat", System.StringComparison.OrdinalIgnoreCase) ? "Val:0" : "-------------------------------0";
            string text = $"{first} = \"{value(first)}\"\n# the same key again\n{second} = \"{value(second)}\"\n";

            var ex = Assert.Throws<CpuidMaskException>(() => VmMask.ParseVmx(text, "masks.vmx"));

            Assert.Equal("MaskKeyDuplicate", ex.ErrorId);
            Assert.StartsWith($"masks.vmx line 3: '{second}' is the same key as '{first}' (line 1)", ex.Message);
        }

        [Fact]
        public void ParseVmx_AnySpelling_IsReadAsTheCanonicalKey()
        {
            var mask = VmMask.ParseVmx("CPUID.01.ECX = \"-------------------------------0\"\ncpuid.D.0.EAX = \"-----------------------------00-\"\nfeatmask.VM.cpuid.avx = \"Val:0\"", "m.vmx");

            Assert.Equal(
                new[] { "cpuid.1.ecx = \"-------------------------------0\"", "cpuid.d.eax = \"-----------------------------00-\"", "featMask.vm.cpuid.AVX = \"Val:0\"" },
                mask.ToVmxLines());
        }

        [Theory]
        [InlineData("cpuid.0.ebx")]
        [InlineData("cpuid.0.ecx")]
        [InlineData("cpuid.0.edx")]
        [InlineData("cpuid.80000000.ebx")]
        public void ParseVmx_VendorStringRegister_IsRefused(string key)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => VmMask.ParseVmx($"{key} = \"--------------------------------\"", "masks.vmx"));

            Assert.Equal("MaskKeyVendorRegister", ex.ErrorId);
            Assert.StartsWith($"masks.vmx line 1: '{key}' is part of the CPU vendor string", ex.Message);
        }

        [Theory]
        [InlineData("cpuid.0.eax", "0x0")]
        [InlineData("cpuid.5.ecx", "0x5")]
        [InlineData("cpuid.13.eax", "0x13")]
        [InlineData("cpuid.7.5.ebx", "0x7.5")]
        [InlineData("cpuid.80000002.eax", "0x80000002")]
        public void ParseVmx_LeafWithoutCatalogFeatures_IsRefusedListingTheFeatureLeaves(string key, string leaf)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => VmMask.ParseVmx($"\n{key} = \"--------------------------------\"", "masks.vmx"));

            Assert.Equal("MaskKeyUnknownLeaf", ex.ErrorId);
            Assert.StartsWith($"masks.vmx line 2: '{key}' is for leaf {leaf}, where the catalog knows no feature", ex.Message);
            Assert.Contains("0x1, ", ex.Message);
            Assert.Contains("0x80000001", ex.Message);
        }

        [Theory]
        [InlineData("Val:0")]
        [InlineData("Val:1")]
        [InlineData("Min:1")]
        [InlineData("Max:0")]
        [InlineData("Val:0x0")]
        [InlineData("Max:00")]
        public void ParseVmx_FeatureMaskValueOfOneBit_IsRead(string value)
        {
            var mask = VmMask.ParseVmx($"featMask.vm.cpuid.AVX = \"{value}\"", "masks.vmx");

            Assert.Equal(value, mask.FeatureMasks["AVX"]);
        }

        [Theory]
        [InlineData("Val:99999999999999999999")]
        [InlineData("garbage")]
        [InlineData("Val:2")]
        [InlineData("Val:0x10000000000000000")]
        [InlineData("val:0")]
        [InlineData("Val: 0")]
        [InlineData("Val:-1")]
        [InlineData("Val:")]
        [InlineData("Val:1.0")]
        [InlineData("")]
        public void ParseVmx_FeatureMaskValueNotAValueOfOneBit_IsMaskMalformed(string value)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => VmMask.ParseVmx($"featMask.vm.cpuid.AVX = \"{value}\"", "masks.vmx"));

            Assert.Equal("MaskMalformed", ex.ErrorId);
            Assert.StartsWith($"masks.vmx line 1: featMask.vm.cpuid.AVX = \"{value}\":", ex.Message);
        }

        [Fact]
        public void ParseVmx_UnknownFeatureName_IsRefusedUnlessAllowed_AndItsValueIsCheckedEitherWay()
        {
            const string line = "featMask.vm.cpuid.NOTAFEATURE = \"Val:0\"";
            var allow = new MaskReadOptions { AllowUnknownFeatures = true };

            var ex = Assert.Throws<CpuidMaskException>(() => VmMask.ParseVmx(line, "masks.vmx"));
            var allowed = VmMask.ParseVmx(line + "\nfeatMask.vm.cpuid.FAMILY = \"Val:0x17\"", "masks.vmx", allow);
            var garbage = Assert.Throws<CpuidMaskException>(() => VmMask.ParseVmx("featMask.vm.cpuid.NOTAFEATURE = \"garbage\"", "masks.vmx", allow));
            var huge = Assert.Throws<CpuidMaskException>(() => VmMask.ParseVmx("featMask.vm.cpuid.FAMILY = \"Val:99999999999999999999\"", "masks.vmx", allow));

            Assert.Equal("MaskFeatureUnknown", ex.ErrorId);
            Assert.StartsWith("masks.vmx line 1: 'featMask.vm.cpuid.NOTAFEATURE' names 'NOTAFEATURE'", ex.Message);
            Assert.Equal(RemedyKind.AllowUnknownFeatures, ex.Remedy!.Kind);
            Assert.Equal(new[] { "featMask.vm.cpuid.FAMILY = \"Val:0x17\"", "featMask.vm.cpuid.NOTAFEATURE = \"Val:0\"" }, allowed.ToVmxLines());
            Assert.Equal("MaskMalformed", garbage.ErrorId);
            Assert.Equal("MaskMalformed", huge.ErrorId);
        }

        [Theory]
        [InlineData("IBPB", "IBPB")]
        [InlineData("ibrs", "IBRS")]
        [InlineData("xcr0_master_ymm_h", "XCR0_MASTER_YMM_H")]
        public void ParseVmx_VSphereFeatureName_IsKnownAndTakesTheCatalogSpelling(string written, string canonical)
        {
            var mask = VmMask.ParseVmx($"featMask.vm.cpuid.{written} = \"Val:0\"", "masks.vmx");

            Assert.Equal($"featMask.vm.cpuid.{canonical} = \"Val:0\"", mask.ToVmxLines().Single());
        }

        [Fact]
        public void ParseVmx_ControlCharactersAndLoneSurrogates_AreShownEscaped()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => VmMask.ParseVmx("cpuid.1.ecx = \"\ud800-------------------------------\"", "masks.vmx"));

            Assert.Equal("MaskMalformed", ex.ErrorId);
            Assert.Contains("\\ud800", ex.Message);
            Assert.DoesNotContain("\ud800", ex.Message);
        }

        [Fact]
        public void ParsePairs_TwoSpellingsOrANullValue_NameTheInputAndBothSpellings()
        {
            var twice = Assert.Throws<CpuidMaskException>(() => VmMask.ParsePairs(
                new[] { new KeyValuePair<string, string?>("cpuid.01.ecx", "-------------------------------0"), new KeyValuePair<string, string?>("cpuid.1.ecx", "-------------------------------0") },
                "-Mask"));
            var nothing = Assert.Throws<CpuidMaskException>(() => VmMask.ParsePairs(new[] { new KeyValuePair<string, string?>("cpuid.1.ecx", null) }, "-Mask"));

            Assert.Equal("MaskKeyDuplicate", twice.ErrorId);
            Assert.Equal("-Mask: 'cpuid.1.ecx' is the same key as 'cpuid.01.ecx': both are cpuid.1.ecx. Keep one of them.", twice.Message);
            Assert.Equal("MaskMalformed", nothing.ErrorId);
            Assert.StartsWith("-Mask: cpuid.1.ecx = \"\": the mask is missing.", nothing.Message);
        }

        [Fact]
        public void FromExtraConfig_WhatAVmHolds_KeepsUnknownNamesAndLeavesButNotTwoSpellings()
        {
            var held = VmMask.FromExtraConfig(new[] { Kv("featMask.vm.cpuid.FAMILY", "Val:6"), Kv("cpuid.0.ebx", "-------------------------------0") }, "VM 'vm01'");
            var twins = Assert.Throws<CpuidMaskException>(() => VmMask.FromExtraConfig(new[] { Kv("cpuid.1.ecx", "-------------------------------1"), Kv("Cpuid.1.Ecx", "-------------------------------1") }, "VM 'vm01'"));
            var garbage = Assert.Throws<CpuidMaskException>(() => VmMask.FromExtraConfig(new[] { Kv("featMask.vm.cpuid.AVX", "garbage") }, "VM 'vm01'"));

            Assert.Equal(new[] { "cpuid.0.ebx", "featMask.vm.cpuid.FAMILY" }, held.ToExtraConfig().Select(p => p.Key));
            Assert.Equal("MaskKeyDuplicate", twins.ErrorId);
            Assert.StartsWith("VM 'vm01': 'Cpuid.1.Ecx' is the same key as 'cpuid.1.ecx'", twins.Message);
            Assert.Equal("MaskMalformed", garbage.ErrorId);
        }

        [Fact]
        public void Validate_AMaskThatDidNotComeFromAReader_IsHeldToTheInputRules()
        {
            var fromVm = VmMask.FromExtraConfig(new[] { Kv("featMask.vm.cpuid.avx", "Val:0"), Kv("featMask.vm.cpuid.FAMILY", "Val:6") }, "VM 'vm01'");

            var ex = Assert.Throws<CpuidMaskException>(() => fromVm.Validate("-Mask"));
            var allowed = fromVm.Validate("-Mask", new MaskReadOptions { AllowUnknownFeatures = true });

            Assert.Equal("MaskFeatureUnknown", ex.ErrorId);
            Assert.Equal(new[] { "featMask.vm.cpuid.AVX", "featMask.vm.cpuid.FAMILY" }, allowed.ToExtraConfig().Select(p => p.Key));
        }

        [Theory]
        [InlineData("cpuid.1.ecx", "--00-0---0----0-----------------", true)]
        [InlineData("cpuid.1.ecx", "not a mask at all", false)]
        [InlineData("cpuid.1.ecx", null, false)]
        [InlineData("featMask.vm.cpuid.AVX", "Val:0", true)]
        [InlineData("featMask.vm.cpuid.FAMILY", "Val:0x17", true)]
        [InlineData("featMask.vm.cpuid.AVX", "Val:99999999999999999999", false)]
        [InlineData("guestinfo.owner", "ops", false)]
        public void TryValidateValue_JudgesTheValueForItsKey(string key, string? value, bool valid)
        {
            Assert.Equal(valid, VmMask.TryValidateValue(key, value, out string? problem));
            Assert.Equal(valid, problem == null);
        }

        [Fact]
        public void Readers_ArbitraryInput_GiveAMaskOrACpuidMaskException()
        {
            // Not the property-based suite: a quick guard that mutated mask text never escapes as another exception.
            var random = new System.Random(10);
            string vmx = WorkedCase + "featMask.vm.cpuid.AVX = \"Val:0\"\n";
            string json = "{\"extraConfig\": {\"cpuid.1.ecx\": \"--00-0---0----0-----------------\", \"featMask.vm.cpuid.AVX\": \"Val:0\"}}";
            const string alphabet = "{}[]\":,.=#\\ \n\r\t-01XTFHRabcdefxuVal:0x\ud800\udc00\u0000\u00e9cpuidCPUIDfeatMask.vm.ecx1e999";
            for (int i = 0; i < 3000; i++)
            {
                var text = new System.Text.StringBuilder(i % 2 == 0 ? vmx : json);
                for (int edits = random.Next(1, 6); edits > 0; edits--)
                {
                    int at = random.Next(text.Length + 1);
                    switch (random.Next(3))
                    {
                        case 0 when text.Length > 0 && at < text.Length:
                            text.Remove(at, Math.Min(text.Length - at, random.Next(1, 4)));
                            break;
                        case 1 when text.Length > 0 && at < text.Length:
                            text[at] = alphabet[random.Next(alphabet.Length)];
                            break;
                        default:
                            text.Insert(at, alphabet[random.Next(alphabet.Length)]);
                            break;
                    }
                }

                string input = text.ToString();
                foreach (var read in new System.Func<string, VmMask>[] { s => VmMask.ParseVmx(s, "m"), s => MaskJson.Read(s, "m"), s => MaskFile.Read(s, "m") })
                {
                    try
                    {
                        Assert.NotNull(read(input));
                    }
                    catch (CpuidMaskException)
                    {
                    }
                }
            }
        }

        [Fact]
        public void Merge_TwoHostPairMasks_CombinesRegistersAndKeepsHiding()
        {
            var a = VmMask.ParseVmx("cpuid.1.ecx = \"--00----------------------------\"", "a");
            var b = VmMask.ParseVmx("cpuid.1.ecx = \"-----0--------------------------\"\ncpuid.7.ebx = \"-------------------------------0\"", "b");

            var merged = a.Merge(b);

            Assert.Equal("--00-0--------------------------", merged.Get(MaskKey.Parse("cpuid.1.ecx")).ToString());
            Assert.Equal("-------------------------------0", merged.Get(MaskKey.Parse("cpuid.7.ebx")).ToString());
        }

        [Fact]
        public void Merge_Conflict_ThrowsNamingKeyAndBit()
        {
            var a = VmMask.ParseVmx("cpuid.1.ecx = \"---1----------------------------\"", "a");
            var b = VmMask.ParseVmx("cpuid.1.ecx = \"---0----------------------------\"", "b");

            var ex = Assert.Throws<CpuidMaskException>(() => a.Merge(b));

            Assert.Equal("MaskConflict", ex.ErrorId);
            Assert.Contains("cpuid.1.ecx bit 28", ex.Message);
        }

        [Fact]
        public void FromExtraConfig_KeepsOnlyMaskKeys()
        {
            var config = new[]
            {
                new KeyValuePair<string, string>("guestinfo.owner", "ops"),
                new KeyValuePair<string, string>("cpuid.1.ecx", "--00-0---0----0-----------------"),
                new KeyValuePair<string, string>("featMask.vm.cpuid.PCID", "Val:0"),
            };

            var mask = VmMask.FromExtraConfig(config, "vm01");

            Assert.Equal(new[] { "cpuid.1.ecx", "featMask.vm.cpuid.PCID" }, mask.ToExtraConfig().Select(p => p.Key));
        }

        [Fact]
        public void Property_MergeOfVmMasks_IsCommutativeAndIdempotent()
        {
            var random = new System.Random(3);
            string[] keys = { "cpuid.1.ecx", "cpuid.1.edx", "cpuid.7.ebx", "cpuid.80000001.ecx" };
            for (int i = 0; i < 300; i++)
            {
                var a = RandomMask(random, keys);
                var b = RandomMask(random, keys);
                var ab = a.Merge(b, out var c1);
                var ba = b.Merge(a, out var c2);
                Assert.Equal(c1.Count, c2.Count);
                if (c1.Count == 0)
                {
                    Assert.Equal(ab.ToVmxLines(), ba.ToVmxLines());
                }

                Assert.Equal(a.ToVmxLines(), a.Merge(a).ToVmxLines());
            }
        }

        private static VmMask RandomMask(System.Random random, string[] keys)
        {
            const string alphabet = "----------0HR1TFX";
            var regs = keys.Where(_ => random.Next(2) == 0).Select(k => new KeyValuePair<MaskKey, RegisterMask>(
                MaskKey.Parse(k),
                RegisterMask.Parse(new string(Enumerable.Range(0, 32).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray()))));
            return new VmMask(regs);
        }
    }
}
