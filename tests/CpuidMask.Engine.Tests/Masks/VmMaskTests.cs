using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;
using Xunit;

namespace CpuidMask.Engine.Tests.Masks
{
    public class VmMaskTests
    {
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
        [InlineData("featMask.vm.cpuid.AVX = \"off\"", "MaskLineMalformed", "line 1")]
        public void ParseVmx_BadLine_NamesFileLineAndProblem(string text, string errorId, string where)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => VmMask.ParseVmx(text, "masks.vmx"));

            Assert.Equal(errorId, ex.ErrorId);
            Assert.Contains("masks.vmx", ex.Message);
            Assert.Contains(where, ex.Message);
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
