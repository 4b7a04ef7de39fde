using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace CpuidMask.Integration.Tests
{
    /// <summary>
    /// One key, many spellings, against the simulated vCenter: a VM holding a mask key in a spelling of its own
    /// (vm-key02..06 in VcsimInventory) ends up holding each key once, and undo puts back exactly what it held.
    /// The simulator keeps extraConfig keys case-sensitively, the worst case: ESXi would not even keep two.
    /// </summary>
    [Collection("vcsim")]
    public sealed class KeySpellingTests : IDisposable
    {
        private const string WorkedEcx = "--00-0---0----0-----------------";

        private readonly VcsimFixture _vcsim;
        private readonly string _dir = VcsimCli.TempDirectory();

        public KeySpellingTests(VcsimFixture vcsim) => _vcsim = vcsim;

        private string MaskFile => VcsimCli.WriteWorkedMask(_dir);

        public void Dispose() => Directory.Delete(_dir, true);

        [Fact]
        public async Task ApplyReplace_VmHoldsTheKeyInAnotherCase_ReplacesItUnderItsSpelling_AndUndoRestoresIt()
        {
            var before = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-key02");
            string undo = Path.Combine(_dir, "undo.json");

            var apply = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-key02", "--mask-file", MaskFile, "--replace", "--undo-file", undo);
            var applied = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-key02");
            var restore = VcsimCli.Run(_vcsim, "undo", "--undo-file", undo);
            var after = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-key02");

            Assert.True(apply.ExitCode == 0, apply.ToString());
            Assert.Contains($"Cpuid.1.Ecx: \"-------------------------------1\" -> \"{WorkedEcx}\"", apply.Out);
            Assert.Equal(new[] { ("Cpuid.1.Ecx", (string?)WorkedEcx) }, applied.Where(p => IsLeaf1Ecx(p.Key)));
            Assert.True(restore.ExitCode == 0, restore.ToString());
            Assert.Equal(before, after);
        }

        [Fact]
        public async Task ApplyMerge_VmHoldsTheKeyInAnotherCase_MergesIntoIt()
        {
            var apply = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-key03", "--mask-file", MaskFile, "--undo-file", _dir);
            var applied = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-key03");

            Assert.True(apply.ExitCode == 0, apply.ToString());
            Assert.Equal(new[] { ("Cpuid.1.Ecx", (string?)"--00-0---0----0----------------1") }, applied.Where(p => IsLeaf1Ecx(p.Key)));
        }

        [Fact]
        public async Task Apply_VmHoldsASpellingEsxiWouldNotMatch_WritesTheCanonicalKeyAndRemovesIt_AndUndoRestoresIt()
        {
            var before = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-key04");
            string undo = Path.Combine(_dir, "undo.json");

            var apply = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-key04", "--mask-file", MaskFile, "--undo-file", undo);
            var applied = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-key04");
            var restore = VcsimCli.Run(_vcsim, "undo", "--undo-file", undo);
            var after = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-key04");

            Assert.True(apply.ExitCode == 0, apply.ToString());
            Assert.Contains("cpuid.01.ecx: \"-------------------------------1\" -> (removed)", apply.Out);
            Assert.Equal(new[] { ("cpuid.1.ecx", (string?)"--00-0---0----0----------------1") }, applied.Where(p => IsLeaf1Ecx(p.Key)));
            Assert.True(restore.ExitCode == 0, restore.ToString());
            Assert.Equal(before.OrderBy(p => p.Key, StringComparer.Ordinal), after.OrderBy(p => p.Key, StringComparer.Ordinal));
        }

        [Fact]
        public async Task Apply_VmHoldsTwinsOfOneKey_MergeRefuses_ReplaceLeavesOne_AndUndoPutsBothBack()
        {
            var before = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-key06");
            string undo = Path.Combine(_dir, "undo.json");

            var merge = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-key06", "--mask-file", MaskFile, "--undo-file", Path.Combine(_dir, "merge.json"));
            var replace = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-key06", "--mask-file", MaskFile, "--replace", "--undo-file", undo);
            var applied = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-key06");
            var restore = VcsimCli.Run(_vcsim, "undo", "--undo-file", undo);
            var after = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-key06");

            Assert.True(merge.ExitCode == 2, merge.ToString());
            Assert.Contains("(error MaskKeyDuplicate)", merge.Err);
            Assert.DoesNotContain("ReconfigVM_Task", merge.Requests);
            Assert.True(replace.ExitCode == 0, replace.ToString());
            Assert.Contains("verified", replace.Out);
            Assert.Equal(new[] { ("cpuid.1.ecx", (string?)WorkedEcx) }, applied.Where(p => IsLeaf1Ecx(p.Key)));
            Assert.True(restore.ExitCode == 0, restore.ToString());
            Assert.Contains("verified", restore.Out);
            Assert.Equal(before.OrderBy(p => p.Key, StringComparer.Ordinal), after.OrderBy(p => p.Key, StringComparer.Ordinal));
        }

        private static bool IsLeaf1Ecx(string key) =>
            Engine.Masks.MaskKey.TryParse(key, out var parsed) && parsed.Leaf == 1 && parsed.Register == Engine.Model.CpuidRegister.Ecx;
    }
}
