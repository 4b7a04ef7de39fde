using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Readers;
using CpuidMask.Vim;
using CpuidMask.Vim.Inventory;
using CpuidMask.Vim.Masks;
using CpuidMask.Vim.Types;
using Xunit;

namespace CpuidMask.Integration.Tests
{
    /// <summary>
    /// Writing masks to VMs through the simulated vCenter, end to end through the program and the
    /// service. Each test works on its own VMs (see VcsimInventory.Vms), so the order does not matter.
    /// </summary>
    [Collection("vcsim")]
    public sealed class ApplyTests : IDisposable
    {
        private readonly VcsimFixture _vcsim;
        private readonly string _dir = VcsimCli.TempDirectory();

        public ApplyTests(VcsimFixture vcsim) => _vcsim = vcsim;

        private string MaskFile => VcsimCli.WriteWorkedMask(_dir);

        private static VmMask WorkedMask => VmMask.ParseVmx(string.Join("\n", VcsimCli.WorkedCaseLines), "worked case");

        public void Dispose() => Directory.Delete(_dir, true);

        [Fact]
        public async Task Apply_WorkedMask_WritesExactlyItsKeysInOneReconfigureAndKeepsTheOtherKeys()
        {
            var before = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-web02");
            string undo = Path.Combine(_dir, "undo.json");

            var whatIf = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-web02", "--mask-file", MaskFile, "--what-if");
            var run = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-web02", "--mask-file", MaskFile, "--undo-file", undo);

            Assert.True(whatIf.ExitCode == 0, whatIf.ToString());
            Assert.Contains("what if: would change 4 keys", whatIf.Out);
            Assert.DoesNotContain("ReconfigVM_Task", whatIf.Requests);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("applied, 4 keys, verified", run.Out);
            Assert.Contains("cpuid.7.ebx: (absent) -> \"-------------------------------0\"", run.Out);
            Assert.Equal(1, run.Requests.Count(r => r == "ReconfigVM_Task"));

            // Read back twice: through the service, and raw through the inventory.
            var after = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-web02");
            Assert.Equal(before, after.Take(before.Length));
            Assert.Equal(
                VcsimCli.WorkedCaseLines.OrderBy(l => l),
                after.Skip(before.Length).Select(p => $"{p.Key} = \"{p.Value}\"").OrderBy(l => l));
            Assert.Equal("web-team", after.Single(p => p.Key == "guestinfo.owner").Value);
            using var client = await VcsimCli.ConnectAsync(_vcsim);
            var info = (await new VmMaskService(client).ReadAsync(new[] { "vm-web02" })).Single();
            Assert.Equal(VcsimCli.WorkedCaseLines.OrderBy(l => l), info.ToVmxLines().OrderBy(l => l));
            Assert.Equal(WorkedMask.ToVmxLines(), info.Mask!.ToVmxLines());

            var record = MaskUndoRecord.Parse(File.ReadAllText(undo), undo);
            Assert.Equal("vm-web02", record.Vm);
            Assert.Equal(info.MoRef, record.MoRef);
            Assert.Equal("127.0.0.1", record.Server);
            Assert.All(record.Changes, c => Assert.Null(c.PreviousValue));
            Assert.Equal(4, record.Changes.Count);
            Assert.DoesNotContain(_vcsim.Password, File.ReadAllText(undo));
        }

        [Fact]
        public async Task Apply_MergeKeepsAndReportsTheExistingMask_ReplaceRemovesItAndRecordsItsPreviousValue()
        {
            const string existing = "-------------------------------0";

            var merge = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-web01", "--mask-file", MaskFile, "--undo-file", Path.Combine(_dir, "merge.json"));
            var afterMerge = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-web01");
            var replace = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-web01", "--mask-file", MaskFile, "--replace", "--undo-file", Path.Combine(_dir, "replace.json"));
            var afterReplace = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-web01");

            Assert.True(merge.ExitCode == 0, merge.ToString());
            Assert.Contains($"kept: cpuid.1.edx = \"{existing}\"", merge.Out);
            Assert.Equal(existing, afterMerge.Single(p => p.Key == "cpuid.1.edx").Value);
            Assert.Equal(5, afterMerge.Count(p => VmMask.IsMaskConfigKey(p.Key)));

            Assert.True(replace.ExitCode == 0, replace.ToString());
            Assert.Contains($"cpuid.1.edx: \"{existing}\" -> (removed)", replace.Out);
            Assert.DoesNotContain(afterReplace, p => p.Key == "cpuid.1.edx");
            Assert.Equal(4, afterReplace.Count(p => VmMask.IsMaskConfigKey(p.Key)));
            Assert.Equal(new[] { "guestinfo.owner", "svga.present" }, afterReplace.Where(p => !VmMask.IsMaskConfigKey(p.Key)).Select(p => p.Key));
            var change = MaskUndoRecord.Parse(File.ReadAllText(Path.Combine(_dir, "replace.json")), "replace.json").Changes.Single();
            Assert.Equal(("cpuid.1.edx", existing, (string?)null), (change.Key, change.PreviousValue, change.NewValue));
        }

        [Fact]
        public void Apply_MaskHidingWhatTheVmsHardwareVersionNeverShows_NotesItFromConfigVersionAndIsNoError()
        {
            // vm-web01 is vmx-13: AVX512_VNNI (leaf 7 ECX bit 11) first reaches a guest in vmx-17, SHA (leaf 7 EBX bit 29) in vmx-14; AVX (leaf 1 ECX bit 28) it sees.
            string maskFile = Path.Combine(_dir, "beyond.vmx");
            File.WriteAllLines(maskFile, new[] { "cpuid.7.ecx = \"--------------------0-----------\"", "cpuid.7.ebx = \"--0-----------------------------\"", "cpuid.1.ecx = \"---0----------------------------\"" });

            var whatIf = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-web01", "--mask-file", maskFile, "--what-if");

            Assert.True(whatIf.ExitCode == 0, whatIf.ToString());
            Assert.Contains("what if: would change 3 keys", whatIf.Out);
            Assert.Contains("VM 'vm-web01' is vmx-13, which never shows a guest SHA (vmx-14), AVX512_VNNI (vmx-17): the mask's entries for them change nothing until its hardware is upgraded.", whatIf.Out);
            Assert.DoesNotContain("AVX (vmx-", whatIf.Out);
            Assert.DoesNotContain("ReconfigVM_Task", whatIf.Requests);
        }

        [Fact]
        public void Apply_Twice_SecondChangesNothingAndSendsNoReconfigure()
        {
            var first = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-idem01", "--mask-file", MaskFile, "--undo-file", _dir);
            var second = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-idem01", "--mask-file", MaskFile, "--undo-file", _dir);

            Assert.True(first.ExitCode == 0, first.ToString());
            Assert.Contains("ReconfigVM_Task", first.Requests);
            Assert.True(second.ExitCode == 0, second.ToString());
            Assert.Contains("vm-idem01", second.Out);
            Assert.Contains("unchanged", second.Out);
            Assert.DoesNotContain("ReconfigVM_Task", second.Requests);
            Assert.Single(Directory.GetFiles(_dir, "cpuidmask-undo-vm-idem01-*.json"));
        }

        [Fact]
        public async Task Undo_AfterReplace_RestoresTheWholeExtraConfigByteForByte()
        {
            var before = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-undo01");
            string undo = Path.Combine(_dir, "undo-{vm}.json");

            var apply = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-undo01", "--mask-file", MaskFile, "--replace", "--undo-file", undo);
            var applied = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-undo01");
            string undoFile = Path.Combine(_dir, "undo-vm-undo01.json");
            var restore = VcsimCli.Run(_vcsim, "undo", "--undo-file", undoFile);
            var after = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-undo01");
            var again = VcsimCli.Run(_vcsim, "undo", "--undo-file", undoFile);

            Assert.True(apply.ExitCode == 0, apply.ToString());
            Assert.Contains("featMask.vm.cpuid.PCID: \"Val:0\" -> (removed)", apply.Out);
            Assert.NotEqual(before, applied);
            Assert.True(restore.ExitCode == 0, restore.ToString());
            Assert.Contains("undone, 4 keys, verified", restore.Out);
            Assert.Equal(1, restore.Requests.Count(r => r == "ReconfigVM_Task"));
            Assert.Equal(before, after);
            Assert.True(again.ExitCode == 0, again.ToString());
            Assert.Contains("unchanged (already restored)", again.Out);
            Assert.DoesNotContain("ReconfigVM_Task", again.Requests);
        }

        [Fact]
        public async Task Undo_AKeyChangedSinceTheApply_IsRefusedNamingIt_AndForceRestoresAnyway()
        {
            var before = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-undo02");
            string undo = Path.Combine(_dir, "undo.json");
            var apply = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-undo02", "--mask-file", MaskFile, "--undo-file", undo);
            Assert.True(apply.ExitCode == 0, apply.ToString());
            Assert.Contains("cpuid.1.ecx: \"-------------------------------1\" -> \"--00-0---0----0----------------1\"", apply.Out);
            using (var client = await VcsimCli.ConnectAsync(_vcsim))
            {
                // Someone else edits one of the keys the apply wrote.
                var vm = await VcsimCli.RawRecordAsync(client, "vm-undo02");
                await new VmInventory(client).ReconfigureExtraConfigAsync(vm, new[] { new OptionValue("cpuid.7.ebx", "------------------------------00") }, TimeSpan.FromSeconds(30));
            }

            var edited = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-undo02");
            var refused = VcsimCli.Run(_vcsim, "undo", "--undo-file", undo);
            var unchanged = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-undo02");
            var forced = VcsimCli.Run(_vcsim, "undo", "--undo-file", undo, "--force");
            var after = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-undo02");

            Assert.True(refused.ExitCode == 2, refused.ToString());
            Assert.Contains("vm-undo02", refused.Err);
            Assert.Contains("cpuid.7.ebx is \"------------------------------00\", not \"-------------------------------0\" as applied", refused.Err);
            Assert.Contains("nothing was written", refused.Err);
            Assert.Contains("error UndoConflict", refused.Err);
            Assert.DoesNotContain("ReconfigVM_Task", refused.Requests);
            Assert.Equal(edited, unchanged);
            Assert.True(forced.ExitCode == 0, forced.ToString());
            Assert.Equal(before, after);
        }

        [Fact]
        public async Task Apply_WithAStaleChangeVersion_FailsCleanlyAndChangesNothing_AFreshReadThenSucceeds()
        {
            using var client = await VcsimCli.ConnectAsync(_vcsim);
            var inventory = new VmInventory(client);
            var service = new VmMaskService(client);
            var stale = await VcsimCli.RawRecordAsync(client, "vm-stale01");
            await inventory.ReconfigureExtraConfigAsync(stale, new[] { new OptionValue("guestinfo.note", "edited meanwhile") }, TimeSpan.FromSeconds(30));
            var between = await VcsimCli.RawRecordAsync(client, "vm-stale01");

            int start = _vcsim.RequestCount;
            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => service.ApplyAsync(stale, WorkedMask));
            string[] requests = _vcsim.RequestsSince(start);
            var after = await VcsimCli.RawRecordAsync(client, "vm-stale01");

            Assert.Equal(VimErrorIds.VmChangedConcurrently, ex.ErrorId);
            Assert.Equal(ErrorKind.InvalidOperation, ex.Kind);
            Assert.Contains("VM 'vm-stale01' on 127.0.0.1", ex.Message);
            Assert.Contains("nothing was written", ex.Message);
            Assert.Contains("Retry", ex.Message);
            Assert.Equal("ConcurrentAccess", Assert.IsType<VimFaultException>(ex.InnerException).FaultType);
            Assert.Equal(1, requests.Count(r => r == "ReconfigVM_Task"));
            Assert.Equal(between.ChangeVersion, after.ChangeVersion);
            Assert.Equal(between.ExtraConfig.Select(o => o.Vmx()), after.ExtraConfig.Select(o => o.Vmx()));
            Assert.DoesNotContain(after.ExtraConfig, o => VmMask.IsMaskConfigKey(o.Key));

            var retried = await service.ApplyAsync(after, WorkedMask);
            Assert.Equal(MaskApplyStatus.Applied, retried.Status);
            Assert.True(retried.Verified);
            Assert.Equal(after.ChangeVersion, retried.PreviousChangeVersion);
            Assert.NotEqual(after.ChangeVersion, retried.ChangeVersion);
        }

        [Fact]
        public async Task Apply_PoweredOnVm_RefusedWithoutForce_AcceptedWithForceWithTheNextPowerOnNote()
        {
            var before = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-db01");

            var refused = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-db01", "--mask-file", MaskFile, "--undo-file", _dir);
            var unchanged = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-db01");
            var undoFilesAfterRefusal = Directory.GetFiles(_dir, "cpuidmask-undo-*");
            var forced = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-db01", "--mask-file", MaskFile, "--force", "--undo-file", _dir);

            Assert.True(refused.ExitCode == 2, refused.ToString());
            Assert.Contains("VM 'vm-db01' on 127.0.0.1 is powered on; nothing was written", refused.Err);
            Assert.Contains("Use --force to store the change now", refused.Err);
            Assert.DoesNotContain("-Force", refused.Err);
            Assert.Contains("next power-on", refused.Err);
            Assert.Contains("error VmPoweredOn", refused.Err);
            Assert.DoesNotContain("ReconfigVM_Task", refused.Requests);
            Assert.Equal(before, unchanged);
            Assert.Empty(undoFilesAfterRefusal);

            Assert.True(forced.ExitCode == 0, forced.ToString());
            Assert.Contains("applied, 4 keys, verified", forced.Out);
            Assert.Contains("note: VM 'vm-db01' is powered on: the change is stored now and takes effect at its next power-on", forced.Out);
            Assert.Single(Directory.GetFiles(_dir, "cpuidmask-undo-vm-db01-*.json"));
        }

        [Fact]
        public async Task ApplyAsync_PoweredOnVmForced_ResultSaysItAppliesAtTheNextPowerOn()
        {
            using var client = await VcsimCli.ConnectAsync(_vcsim);
            var service = new VmMaskService(client);
            var vm = (await service.ReadAsync(new[] { "vm-batch02" })).Single();

            var whatIf = await service.ApplyAsync(vm.Record, WorkedMask, new MaskApplyOptions { Force = true, WhatIf = true });

            Assert.Equal("poweredOn", vm.PowerState);
            Assert.Equal(MaskApplyStatus.WhatIf, whatIf.Status);
            Assert.True(whatIf.AppliesAtNextPowerOn);
            Assert.True(whatIf.Forced);
            Assert.False(whatIf.Verified);
            Assert.Null(whatIf.ChangeVersion);
            Assert.Equal(4, whatIf.Changes.Count);
        }

        [Fact]
        public async Task Apply_SeveralVmsOneRefused_TheOthersAreStillDoneAndTheExitCodeIsTwo()
        {
            var run = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-batch*", "--mask-file", MaskFile, "--undo-file", _dir);

            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Contains("vm-batch01 (VirtualMachine:", run.Out);
            Assert.Contains("applied, 4 keys, verified", run.Out);
            Assert.Contains("cpuidmask apply: vm-batch02: VM 'vm-batch02' on 127.0.0.1 is powered on", run.Err);
            Assert.Equal(1, run.Requests.Count(r => r == "ReconfigVM_Task"));
            Assert.Single(Directory.GetFiles(_dir, "cpuidmask-undo-vm-batch01-*.json"));
            Assert.Empty(Directory.GetFiles(_dir, "cpuidmask-undo-vm-batch02-*.json"));
            Assert.Equal(4, (await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-batch01")).Count(p => VmMask.IsMaskConfigKey(p.Key)));
            Assert.DoesNotContain(await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-batch02"), p => VmMask.IsMaskConfigKey(p.Key));
        }

        [Fact]
        public async Task Apply_JsonMaskFileOfTheOtherCpuVendor_IsRefusedPerVmAndWritesNothing()
        {
            var amdHosts = new MaskGenerator().Generate(new[] { VcsimInventory.Dump("AuthenticAMD0830F10_K17_Rome_CPUID2"), VcsimInventory.Dump("AuthenticAMD0A00F11_K19_Milan_CPUID1") });
            string fromHosts = Path.Combine(_dir, "amd-hosts.json");
            string fromBaseline = Path.Combine(_dir, "amd-zen.json");
            File.WriteAllText(fromHosts, MaskJson.Write(amdHosts));
            File.WriteAllText(fromBaseline, MaskJson.Write(new BaselineMaskGenerator().Generate("amd-zen")));
            var before = await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-web02");

            var hostsRun = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-web02", "--mask-file", fromHosts, "--undo-file", _dir);
            var baselineRun = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-web02", "--mask-file", fromBaseline, "--undo-file", _dir);
            var perVm = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-web02", "vm-amd01", "--mask-file", fromHosts, "--what-if");

            foreach (var run in new[] { hostsRun, baselineRun, perVm })
            {
                Assert.True(run.ExitCode == 2, run.ToString());
                Assert.Contains("cpuidmask apply: vm-web02: VM 'vm-web02' (127.0.0.1) runs on esx-avoton-01 with an Intel CPU (GenuineIntel), but this mask is for AMD CPUs", run.Err);
                Assert.Contains("(error CpuVendorMismatch)", run.Err);
                Assert.DoesNotContain("ReconfigVM_Task", run.Requests);
            }

            Assert.Contains("vm-amd01 (VirtualMachine:", perVm.Out);
            Assert.DoesNotContain("vm-amd01", perVm.Err);
            Assert.Equal(before, await VcsimCli.RawExtraConfigAsync(_vcsim, "vm-web02"));
            Assert.Empty(Directory.GetFiles(_dir, "cpuidmask-undo-*.json"));
        }

        [Fact]
        public void VmMask_PoweredOnVm_ShowsHostPowerStateHardwareVersionAndRequirement()
        {
            var run = VcsimCli.Run(_vcsim, "vm-mask", "--vm", "vm-app02", "vm-amd01", "--json");
            var text = VcsimCli.Run(_vcsim, "vm-mask", "--vm", "vm-app02");

            Assert.True(run.ExitCode == 0, run.ToString());
            var vms = System.Text.Json.Nodes.JsonNode.Parse(run.Out)!.AsArray();
            Assert.Equal(new[] { "vm-amd01", "vm-app02" }, vms.Select(v => (string)v!["name"]!));
            var app = vms[1]!;
            Assert.Equal("esx-skylake-01", (string?)app["host"]);
            Assert.Equal("poweredOff", (string?)app["powerState"]);
            Assert.Equal("vmx-19", (string?)app["hardwareVersion"]);
            Assert.False(string.IsNullOrEmpty((string?)app["changeVersion"]));
            Assert.Empty(app["vmx"]!.AsArray());
            Assert.True(text.ExitCode == 0, text.ToString());
            Assert.Contains("CPUID masks:      (none)", text.Out);
        }

        [Fact]
        public async Task ReadAsync_RunningVm_HasItsFeatureRequirement()
        {
            using var client = await VcsimCli.ConnectAsync(_vcsim);

            var vm = (await new VmMaskService(client).ReadAsync(new[] { "vm-batch02" })).Single();

            Assert.Equal("poweredOn", vm.PowerState);
            Assert.Equal("esx-ivy-01", vm.HostName);
            Assert.Equal("vmx-13", vm.HardwareVersion);
            Assert.NotEmpty(vm.FeatureRequirement);
            Assert.Contains(vm.FeatureRequirement, r => r.Key == "cpuid.AVX");
        }
    }
}
