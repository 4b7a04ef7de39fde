using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Masks;
using Xunit;

namespace CpuidMask.Engine.Tests.Masks
{
    public class MaskChangePlanTests
    {
        private static KeyValuePair<string, string> Kv(string k, string v) => new KeyValuePair<string, string>(k, v);

        private static readonly VmMask WorkedCase = VmMask.ParseVmx(
            "cpuid.80000001.ecx = \"-----------------------0--------\"\n" +
            "cpuid.1.ecx = \"--00-0---0----0-----------------\"\n" +
            "cpuid.7.ebx = \"-------------------------------0\"\n" +
            "cpuid.d.eax = \"-----------------------------00-\"\n", "case");

        [Fact]
        public void Create_OnVmWithoutMasks_AddsOnlyMaskKeys()
        {
            var config = new[] { Kv("guestinfo.owner", "ops"), Kv("svga.present", "TRUE") };

            var plan = MaskChangePlan.Create(config, WorkedCase, MaskWriteMode.Merge, "vm01");

            Assert.Equal(new[] { "cpuid.1.ecx", "cpuid.7.ebx", "cpuid.80000001.ecx", "cpuid.d.eax" }, plan.Changes.Select(c => c.Key));
            Assert.All(plan.Changes, c => Assert.Null(c.PreviousValue));
        }

        [Fact]
        public void Create_SameMaskAgain_ChangesNothing()
        {
            var config = WorkedCase.ToExtraConfig().Concat(new[] { Kv("guestinfo.owner", "ops") });

            Assert.True(MaskChangePlan.Create(config, WorkedCase, MaskWriteMode.Merge, "vm01").IsNoOp);
            Assert.True(MaskChangePlan.Create(config, WorkedCase, MaskWriteMode.Replace, "vm01").IsNoOp);
        }

        [Fact]
        public void Create_Merge_KeepsEarlierMasksAndRecordsTheirValues()
        {
            var config = new[] { Kv("cpuid.1.ecx", "0-------------------------------"), Kv("cpuid.1.edx", "-------------------------------0") };

            var plan = MaskChangePlan.Create(config, WorkedCase, MaskWriteMode.Merge, "vm01");

            var ecx = plan.Changes.Single(c => c.Key == "cpuid.1.ecx");
            Assert.Equal("0-------------------------------", ecx.PreviousValue);
            Assert.Equal("0-00-0---0----0-----------------", ecx.NewValue);
            Assert.DoesNotContain(plan.Changes, c => c.Key == "cpuid.1.edx");
        }

        [Fact]
        public void Create_Replace_RemovesMaskKeysTheNewMaskLacks()
        {
            var config = new[] { Kv("cpuid.1.edx", "-------------------------------0"), Kv("featMask.vm.cpuid.AVX", "Val:0"), Kv("other", "x") };

            var plan = MaskChangePlan.Create(config, WorkedCase, MaskWriteMode.Replace, "vm01");

            Assert.Contains(plan.Changes, c => c.Key == "cpuid.1.edx" && c.NewValue == null && c.WireValue == string.Empty);
            Assert.Contains(plan.Changes, c => c.Key == "featMask.vm.cpuid.AVX" && c.NewValue == null);
            Assert.DoesNotContain(plan.Changes, c => c.Key == "other");
        }

        [Fact]
        public void Create_MergeConflict_ThrowsNamingTheVm()
        {
            var config = new[] { Kv("cpuid.1.ecx", "---1----------------------------") };

            var ex = Assert.Throws<CpuidMaskException>(() => MaskChangePlan.Create(config, WorkedCase, MaskWriteMode.Merge, "vm01"));

            Assert.Equal("MaskConflict", ex.ErrorId);
            Assert.Contains("vm01", ex.Message);
        }

        [Fact]
        public void Undo_AfterApply_RestoresTheOriginalConfig()
        {
            var original = new Dictionary<string, string> { ["cpuid.1.ecx"] = "0-------------------------------", ["keep"] = "me" };
            var plan = MaskChangePlan.Create(original, WorkedCase, MaskWriteMode.Replace, "vm01");
            var after = Apply(original, plan.Changes);

            var undo = MaskChangePlan.ForUndo(after, plan.Changes, "vm01");
            var restored = Apply(after, undo.Changes);

            Assert.Equal(original.OrderBy(p => p.Key), restored.OrderBy(p => p.Key));
            Assert.Empty(undo.Conflicts);
            Assert.Equal(new[] { "cpuid.1.ecx = \"0-------------------------------\"" }, undo.Result.ToVmxLines());
            Assert.Empty(MaskChangePlan.ForUndo(restored, plan.Changes, "vm01").Changes);
        }

        [Fact]
        public void ForUndo_KeyChangedSinceTheApply_IsAConflictButStillPlanned_AndKeepsTheVmsSpelling()
        {
            var applied = new[]
            {
                new KeyChange("cpuid.1.ecx", null, "--00-0---0----0-----------------"),
                new KeyChange("cpuid.7.ebx", "-------------------------------1", "-------------------------------0"),
            };
            var now = new Dictionary<string, string>
            {
                ["CPUID.1.ECX"] = "--00-0---0----0----------------0",
                ["cpuid.7.ebx"] = "-------------------------------0",
                ["guestinfo.owner"] = "ops",
            };

            var undo = MaskChangePlan.ForUndo(now, applied, "vm01");

            Assert.Equal(new[] { "cpuid.1.ecx is \"--00-0---0----0----------------0\", not \"--00-0---0----0-----------------\" as applied" }, undo.Conflicts);
            Assert.Equal(new[] { "CPUID.1.ECX: \"--00-0---0----0----------------0\" -> (removed)", "cpuid.7.ebx: \"-------------------------------0\" -> \"-------------------------------1\"" }, undo.Changes.Select(c => c.ToString()));
        }

        [Theory]
        [InlineData(MaskWriteMode.Merge)]
        [InlineData(MaskWriteMode.Replace)]
        public void Create_VmHoldsTheKeyInAnotherCase_WritesUnderTheVmsSpellingWithoutATwin(MaskWriteMode mode)
        {
            var config = new[] { Kv("Cpuid.1.Ecx", "-------------------------------1"), Kv("FEATMASK.VM.CPUID.PCID", "Val:0") };

            var plan = MaskChangePlan.Create(config, WorkedCase, mode, "vm01");

            var ecx = plan.Changes.Single(c => string.Equals(c.Key, "cpuid.1.ecx", System.StringComparison.OrdinalIgnoreCase));
            Assert.Equal("Cpuid.1.Ecx", ecx.Key);
            Assert.Equal("-------------------------------1", ecx.PreviousValue);
            Assert.Equal(mode == MaskWriteMode.Merge ? "--00-0---0----0----------------1" : "--00-0---0----0-----------------", ecx.NewValue);
            var pcid = plan.Changes.SingleOrDefault(c => c.Key.EndsWith("PCID", System.StringComparison.OrdinalIgnoreCase));
            Assert.Equal(mode == MaskWriteMode.Merge ? null : "FEATMASK.VM.CPUID.PCID", pcid?.Key);
        }

        [Fact]
        public void Create_VmHoldsASpellingEsxiWouldNotMatch_RemovesItAndWritesTheCanonicalKey()
        {
            var config = new[] { Kv("cpuid.01.ecx", "-------------------------------1") };

            var plan = MaskChangePlan.Create(config, WorkedCase, MaskWriteMode.Merge, "vm01");

            Assert.Contains(plan.Changes, c => c.Key == "cpuid.01.ecx" && c.PreviousValue == "-------------------------------1" && c.NewValue == null);
            Assert.Contains(plan.Changes, c => c.Key == "cpuid.1.ecx" && c.PreviousValue == null && c.NewValue == "--00-0---0----0----------------1");
        }

        [Fact]
        public void Create_VmHoldsTwinsOfOneKey_ReplaceKeepsOne_MergeRefusesWhenTheyDiffer()
        {
            var config = new[] { Kv("cpuid.1.ecx", "-------------------------------1"), Kv("CPUID.1.ECX", "------------------------------1-") };
            var same = new[] { Kv("cpuid.1.ecx", "-------------------------------1"), Kv("CPUID.1.ECX", "-------------------------------1") };

            var replace = MaskChangePlan.Create(config, WorkedCase, MaskWriteMode.Replace, "vm01");
            var merge = Assert.Throws<CpuidMaskException>(() => MaskChangePlan.Create(config, WorkedCase, MaskWriteMode.Merge, "vm01"));
            var mergeSame = MaskChangePlan.Create(same, WorkedCase, MaskWriteMode.Merge, "vm01");

            Assert.Contains(replace.Changes, c => c.Key == "cpuid.1.ecx" && c.NewValue == "--00-0---0----0-----------------");
            Assert.Contains(replace.Changes, c => c.Key == "CPUID.1.ECX" && c.PreviousValue == "------------------------------1-" && c.NewValue == null);
            Assert.Equal("MaskKeyDuplicate", merge.ErrorId);
            Assert.Contains("VM 'vm01' holds one key in 2 spellings with different values (cpuid.1.ecx = \"-------------------------------1\", CPUID.1.ECX = \"------------------------------1-\")", merge.Message);
            Assert.Contains(mergeSame.Changes, c => c.Key == "CPUID.1.ECX" && c.NewValue == null);
        }

        [Theory]
        [InlineData("cpuid.1.ecx", "not a mask at all")]
        [InlineData("featMask.vm.cpuid.AVX", "garbage")]
        public void Create_VmHoldsAValueThatIsNoMask_IsRefused(string key, string value)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => MaskChangePlan.Create(new[] { Kv(key, value) }, WorkedCase, MaskWriteMode.Replace, "vm01"));

            Assert.Equal("MaskMalformed", ex.ErrorId);
            Assert.StartsWith($"VM 'vm01' holds {key} = \"{value}\":", ex.Message);
        }

        [Fact]
        public void ForUndo_AfterReplaceOverTwins_PutsBothBackAsTheyWere()
        {
            var before = new[] { Kv("cpuid.1.ecx", "-------------------------------1"), Kv("CPUID.1.ECX", "------------------------------1-") };
            var apply = MaskChangePlan.Create(before, WorkedCase, MaskWriteMode.Replace, "vm01");
            var after = Applied(before, apply.Changes);

            var undo = MaskChangePlan.ForUndo(after, apply.Changes, "vm01");

            Assert.Empty(undo.Conflicts);
            Assert.Equal(before.OrderBy(p => p.Key, System.StringComparer.Ordinal), Applied(after, undo.Changes).OrderBy(p => p.Key, System.StringComparer.Ordinal));
        }

        [Fact]
        public void ForUndo_RecordInOneCase_VmInAnother_IsTheSameKey()
        {
            var record = new[] { new KeyChange("cpuid.1.ecx", null, "--00-0---0----0-----------------") };

            var undo = MaskChangePlan.ForUndo(new[] { Kv("CPUID.1.ECX", "--00-0---0----0-----------------") }, record, "vm01");

            Assert.Empty(undo.Conflicts);
            Assert.Equal(("CPUID.1.ECX", (string?)null), (undo.Changes.Single().Key, undo.Changes.Single().NewValue));
        }

        [Fact]
        public void Verify_TwinRemovedBesideItsOtherCase_IsKept()
        {
            var written = new[] { new KeyChange("cpuid.1.ecx", "-------------------------------1", "--00-0---0----0-----------------"), new KeyChange("CPUID.1.ECX", "------------------------------1-", null) };

            Assert.Empty(MaskChangePlan.Verify(new[] { Kv("cpuid.1.ecx", "--00-0---0----0-----------------") }, written));
            Assert.Single(MaskChangePlan.Verify(new[] { Kv("cpuid.1.ecx", "--00-0---0----0-----------------"), Kv("CPUID.1.ECX", "------------------------------1-") }, written));
        }

        /// <summary>What a case-sensitive store holds after the changes: as the simulator keeps extraConfig.</summary>
        private static KeyValuePair<string, string>[] Applied(IEnumerable<KeyValuePair<string, string>> config, IEnumerable<KeyChange> changes)
        {
            var result = config.ToList();
            foreach (var change in changes)
            {
                result.RemoveAll(p => p.Key == change.Key);
                if (change.NewValue != null)
                {
                    result.Add(Kv(change.Key, change.NewValue));
                }
            }

            return result.ToArray();
        }

        [Fact]
        public void Verify_DroppedKey_IsReported()
        {
            var plan = MaskChangePlan.Create(new Dictionary<string, string>(), WorkedCase, MaskWriteMode.Merge, "vm01");
            var readBack = Apply(new Dictionary<string, string>(), plan.Changes);
            readBack.Remove("cpuid.7.ebx");

            var problems = MaskChangePlan.Verify(readBack, plan.Changes);

            Assert.Single(problems);
            Assert.Contains("cpuid.7.ebx is missing", problems[0]);
            Assert.Empty(MaskChangePlan.Verify(Apply(new Dictionary<string, string>(), plan.Changes), plan.Changes));
        }

        private static Dictionary<string, string> Apply(IDictionary<string, string> config, IEnumerable<KeyChange> changes)
        {
            var result = new Dictionary<string, string>(config);
            foreach (var change in changes)
            {
                if (change.NewValue == null)
                {
                    result.Remove(change.Key);
                }
                else
                {
                    result[change.Key] = change.NewValue;
                }
            }

            return result;
        }
    }
}
