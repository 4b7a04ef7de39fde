using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using CpuidMask.Vim.Masks;
using Xunit;

namespace CpuidMask.Integration.Tests
{
    /// <summary>
    /// Undo files written before each change and completed after it, outcomes reported per VM (text and --json), and the
    /// checks an undo file goes through, through 'cpuidmask apply' and 'cpuidmask undo' against the simulator.
    /// </summary>
    [Collection("vcsim")]
    public sealed class WriteAheadTests : IDisposable
    {
        private readonly VcsimFixture _vcsim;
        private readonly string _dir = VcsimCli.TempDirectory();

        public WriteAheadTests(VcsimFixture vcsim) => _vcsim = vcsim;

        private string MaskFile => VcsimCli.WriteWorkedMask(_dir);

        public void Dispose() => Directory.Delete(_dir, true);

        [Fact]
        public void Apply_CompletesTheUndoFileWithItsOutcome_AndJsonReportsEveryVmInOrder()
        {
            var run = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-wal0[1-3]", "--mask-file", MaskFile, "--undo-file", _dir, "--parallel", "3", "--json");

            Assert.True(run.ExitCode == 0, run.ToString());
            var vms = JsonNode.Parse(run.Out)!.AsArray();
            Assert.Equal(new[] { "vm-wal01", "vm-wal02", "vm-wal03" }, vms.Select(v => (string)v!["vm"]!));
            Assert.All(vms, v =>
            {
                Assert.Equal("applied", (string)v!["status"]!);
                Assert.True((bool)v["verified"]!);
                Assert.Equal(4, v["changes"]!.AsArray().Count);
                Assert.Null(v["error"]);
                var record = VmUndoRecord.Parse(File.ReadAllText((string)v["undoFile"]!), "undo");
                Assert.Equal(VmChangeOutcome.Applied, record.Outcome);
                Assert.Equal("extraConfig", record.Kind);
                Assert.Equal((string)v["vm"]!, record.Vm);
            });
            Assert.Equal(3, run.Requests.Count(r => r == "ReconfigVM_Task"));
        }

        [Fact]
        public void Apply_UndoFolderThatCannotBeWritten_StopsBeforeAnyVmIsChanged()
        {
            // /proc is a folder no one can create files in, root included.
            var run = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-wal04", "--mask-file", MaskFile, "--undo-file", "/proc/");

            Assert.Equal(2, run.ExitCode);
            Assert.Contains("Undo files cannot be written in '/proc'", run.Err);
            Assert.Contains("nothing was written to any VM", run.Err);
            Assert.Contains("error UndoFileDirectoryNotWritable", run.Err);
            Assert.DoesNotContain("ReconfigVM_Task", run.Requests);
        }

        [Fact]
        public async Task PerVmEvc_WritesAnUndoFileWithThePreviousMask_AndUndoPutsItBack()
        {
            using var client = await VcsimCli.ConnectAsync(_vcsim);
            var before = (await VcsimCli.RawRecordAsync(client, "vm-wal05")).FeatureMask.Select(m => m.Key + "=" + m.Value).OrderBy(k => k).ToArray();

            var apply = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-wal05", "--method", "PerVmEvc", "--baseline", "intel-haswell", "--undo-file", _dir);
            var undoFile = Directory.GetFiles(_dir, "cpuidmask-undo-vm-wal05-*.json").Single();
            var record = Assert.IsType<EvcUndoRecord>(VmUndoRecord.Parse(File.ReadAllText(undoFile), undoFile));
            var undo = VcsimCli.Run(_vcsim, "undo", "--undo-file", undoFile);
            var after = (await VcsimCli.RawRecordAsync(client, "vm-wal05")).FeatureMask.Select(m => m.Key + "=" + m.Value).OrderBy(k => k).ToArray();

            Assert.True(apply.ExitCode == 0, apply.ToString());
            Assert.Contains($"undo file: {undoFile}", apply.Out);
            Assert.NotEmpty(before);
            Assert.Equal(before, record.Previous.Select(m => m.Key + "=" + m.Value).OrderBy(k => k));
            Assert.Equal("intel-haswell", record.EvcModeKey);
            Assert.Equal(VmChangeOutcome.Applied, record.Outcome);
            Assert.True(undo.ExitCode == 0, undo.ToString());
            Assert.Equal(1, undo.Requests.Count(r => r == "ApplyEvcModeVM_Task"));
            Assert.Equal(before, after);
        }

        [Fact]
        public void Undo_FileThatNamesAnotherVmThanItsReferenceHas_IsRefusedNamingTheFile()
        {
            var apply = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-wal06", "--mask-file", MaskFile, "--undo-file", Path.Combine(_dir, "wal06.json"));
            string forged = Path.Combine(_dir, "forged.json");
            File.WriteAllText(forged, File.ReadAllText(Path.Combine(_dir, "wal06.json")).Replace("\"vm\": \"vm-wal06\"", "\"vm\": \"vm-db01\""));

            var undo = VcsimCli.Run(_vcsim, "undo", "--undo-file", forged);

            Assert.True(apply.ExitCode == 0, apply.ToString());
            Assert.Equal(2, undo.ExitCode);
            Assert.Contains($"Undo record {forged} is for VM 'vm-db01'", undo.Err);
            Assert.Contains("is 'vm-wal06'; nothing was written", undo.Err);
            Assert.Contains("error UndoVmMismatch", undo.Err);
            Assert.DoesNotContain("ReconfigVM_Task", undo.Requests);
        }

        [Fact]
        public void Undo_FileWithAValueThatIsNotAMask_IsRefusedBeforeConnecting()
        {
            string bad = Path.Combine(_dir, "bad.json");
            File.WriteAllText(bad, "{\"server\": \"127.0.0.1\", \"vm\": \"vm-wal06\", \"moref\": \"VirtualMachine:vm-1\", \"changes\": [{\"key\": \"cpuid.1.ecx\", \"previous\": \"not a mask at all\", \"applied\": null}]}");

            var undo = VcsimCli.Run(_vcsim, "undo", "--undo-file", bad);

            Assert.Equal(2, undo.ExitCode);
            Assert.Contains(bad, undo.Err);
            Assert.Contains("not a usable undo record", undo.Err);
            Assert.Contains("error UndoRecordInvalid", undo.Err);
            Assert.Empty(undo.Requests);
        }

        [Fact]
        public void Apply_Json_ReportsARefusedVmWithItsErrorAndTheOthersApplied()
        {
            var run = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-db01", "--mask-file", MaskFile, "--what-if", "--json");

            Assert.Equal(2, run.ExitCode);
            var vm = JsonNode.Parse(run.Out)!.AsArray().Single()!;
            Assert.Equal("failed", (string)vm["status"]!);
            Assert.Equal("VmPoweredOn", (string)vm["error"]!["id"]!);
            Assert.Contains("Use --force", (string)vm["error"]!["message"]!);
        }
    }
}
