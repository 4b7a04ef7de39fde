using System;
using System.Linq;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Engine.Masks;
using CpuidMask.Vim.Masks;
using CpuidMask.Vim.Tests.Fakes;
using CpuidMask.Vim.Types;
using Xunit;

namespace CpuidMask.Vim.Tests
{
    public class VmMaskServiceTests
    {
        private static readonly ManagedObjectReference App01 = new ManagedObjectReference("VirtualMachine", "vm-42");
        private static readonly ManagedObjectReference Web01 = new ManagedObjectReference("VirtualMachine", "vm-43");

        private static VmMask Mask(string vmx) => VmMask.ParseVmx(vmx, "test mask");

        private static FakeVimServer ScriptRead(FakeVimServer server) =>
            server.Reply("RetrievePropertiesEx", "RetrievePropertiesEx_Vms.xml").Reply("RetrievePropertiesEx", "RetrievePropertiesEx_VmHostNames.xml");

        [Fact]
        public async Task ApplyAsync_ServerDropsTheKey_FailsWithMaskNotPersistedNamingIt_ResultKeepsWhatWasSent()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            ScriptRead(server)
                .Reply("ReconfigVM_Task", "ReconfigVM_Task.xml")
                .Reply("RetrievePropertiesEx", "Task_Success.xml")
                // The read-back shows the VM as before: cpuid.7.ebx was not kept, as the old client did.
                .Reply("RetrievePropertiesEx", "RetrievePropertiesEx_Vms.xml");

            var ex = await Assert.ThrowsAsync<MaskNotPersistedException>(() =>
                new VmMaskService(client).ApplyAsync(App01, Mask("cpuid.7.ebx = \"-------------------------------0\"")));

            Assert.Equal(VimErrorIds.MaskNotPersisted, ex.ErrorId);
            Assert.Equal(ErrorKind.WriteError, ex.Kind);
            Assert.Contains("VM 'app01' on vc01.example.com", ex.Message);
            Assert.Contains("cpuid.7.ebx is missing", ex.Message);
            Assert.Contains("NOT in place", ex.Message);
            Assert.False(ex.Result.Verified);
            Assert.Equal(MaskApplyStatus.Applied, ex.Result.Status);
            Assert.Equal("cpuid.7.ebx", ex.Result.Changes.Single().Key);
            Assert.Single(ex.Result.Problems);

            var reconfigure = server.Requests.Single(r => r.Method == "ReconfigVM_Task");
            Assert.Equal(new[] { "2026-11-20T09:14:03.512004Z" }, reconfigure.Values("changeVersion"));
            Assert.Equal(new[] { "cpuid.7.ebx" }, reconfigure.Values("key"));
            Assert.DoesNotContain(TestConnections.Password, reconfigure.Body);
            Assert.Equal(0, server.Remaining);
        }

        // Found by the fuzz suite: an answer with an empty VM name made the undo record's constructor throw an
        // ArgumentException (a crash in the shells); the VM is now named by its id, as when the name is missing.
        [Fact]
        public async Task ApplyAsync_AnswerWithAnEmptyVmName_NamesTheVmByItsId()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            string vms = Recorded.Text("RetrievePropertiesEx_Vms.xml").Replace("<val xsi:type=\"xsd:string\">app01</val>", "<val xsi:type=\"xsd:string\"></val>");
            server.ReplyWith("RetrievePropertiesEx", _ => FakeVimServer.Response(vms)).Reply("RetrievePropertiesEx", "RetrievePropertiesEx_VmHostNames.xml")
                .Reply("ReconfigVM_Task", "ReconfigVM_Task.xml")
                .Reply("RetrievePropertiesEx", "Task_Success.xml")
                .ReplyWith("RetrievePropertiesEx", _ => FakeVimServer.Response(vms));

            // The read-back shows the VM as before, so the write is reported not kept; what matters is the name.
            var ex = await Assert.ThrowsAsync<MaskNotPersistedException>(() =>
                new VmMaskService(client).ApplyAsync(App01, Mask("cpuid.7.ebx = \"-------------------------------0\"")));

            Assert.Equal("vm-42", ex.Result.VmName);
            Assert.Contains("VM 'vm-42' on vc01.example.com", ex.Message);
        }

        // Found by the fuzz suite: a changeVersion of white space counted as a guard and was sent as one.
        [Fact]
        public async Task ApplyAsync_BlankChangeVersion_IsChangeVersionMissingAndWritesNothing()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            string vms = Recorded.Text("RetrievePropertiesEx_Vms.xml").Replace("2026-11-20T09:14:03.512004Z", " ");
            server.ReplyWith("RetrievePropertiesEx", _ => FakeVimServer.Response(vms)).Reply("RetrievePropertiesEx", "RetrievePropertiesEx_VmHostNames.xml");

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() =>
                new VmMaskService(client).ApplyAsync(App01, Mask("cpuid.7.ebx = \"-------------------------------0\"")));

            Assert.Equal(VimErrorIds.ChangeVersionMissing, ex.ErrorId);
            Assert.DoesNotContain("ReconfigVM_Task", server.Methods);
        }

        [Fact]
        public async Task ApplyAsync_VmAlreadyHasTheMask_IsUnchangedAndSendsNoReconfigure()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            ScriptRead(server);

            var result = await new VmMaskService(client).ApplyAsync(App01, Mask("cpuid.1.ecx = \"--00-0---0----0-----------------\""));

            Assert.Equal(MaskApplyStatus.Unchanged, result.Status);
            Assert.True(result.Verified);
            Assert.Empty(result.Changes);
            Assert.False(result.Written);
            Assert.Contains(result.Kept, p => p.Key == "featMask.vm.cpuid.AVX");
            Assert.DoesNotContain("ReconfigVM_Task", server.Methods);
        }

        [Theory]
        [InlineData("vmx-08", true)]
        [InlineData("vmx-09", false)]
        public async Task ApplyAsync_NamedFeatureMaskBelowHardwareVersion9_IsRefusedBeforeAnyWrite(string version, bool refused)
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            var vm = new Inventory.VmRecord(client.ServerName, "old01", App01) { PowerState = "poweredOff", HardwareVersion = version, ChangeVersion = "1" };
            var featMask = Mask("featMask.vm.cpuid.PCID = \"Val:0\"");

            if (refused)
            {
                var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => new VmMaskService(client).ApplyAsync(vm, featMask, new MaskApplyOptions { WhatIf = true }));
                Assert.Equal("HardwareVersionTooOld", ex.ErrorId);
                Assert.Contains("VM 'old01'", ex.Message);
                Assert.Contains("need version 9 or later", ex.Message);
            }
            else
            {
                var result = await new VmMaskService(client).ApplyAsync(vm, featMask, new MaskApplyOptions { WhatIf = true });
                Assert.Equal(MaskApplyStatus.WhatIf, result.Status);
            }

            Assert.DoesNotContain("ReconfigVM_Task", server.Methods);
        }

        [Theory]
        [InlineData("vmx-14", true)]
        [InlineData("vmx-17", false)]
        [InlineData(null, false)]
        public async Task ApplyAsync_MaskHidesWhatTheVmsHardwareVersionDoesNotExpose_SaysSoInTheNoteAndWrites(string? version, bool outOfReach)
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            var vm = new Inventory.VmRecord(client.ServerName, "old01", App01) { PowerState = "poweredOff", HardwareVersion = version, ChangeVersion = "1" };
            // AVX512_VNNI (leaf 7 ECX bit 11) is first exposed in vmx-17; AVX (vmx-8) is visible to both.
            var mask = Mask("cpuid.7.ecx = \"--------------------0-----------\"\nfeatMask.vm.cpuid.AVX = \"Val:0\"");

            var result = await new VmMaskService(client).ApplyAsync(vm, mask, new MaskApplyOptions { WhatIf = true });

            Assert.Equal(MaskApplyStatus.WhatIf, result.Status);
            Assert.Equal(2, result.Changes.Count);
            Assert.Equal(version, result.HardwareVersion);
            Assert.StartsWith("Takes effect at the VM's next power-on.", result.Note);
            if (outOfReach)
            {
                Assert.Equal(new[] { "AVX512_VNNI" }, result.OutOfReach.Select(f => f.Name));
                Assert.EndsWith("VM 'old01' is vmx-14, which never shows a guest AVX512_VNNI (vmx-17): the mask's entries for them change nothing until its hardware is upgraded.", result.Note);
            }
            else
            {
                Assert.Empty(result.OutOfReach);
                Assert.Equal("Takes effect at the VM's next power-on.", result.Note);
            }
        }

        [Fact]
        public async Task ApplyAsync_PoweredOnVm_RefusedWithVmPoweredOnSayingWhatToDo()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            ScriptRead(server);

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => new VmMaskService(client).ApplyAsync(Web01, Mask("cpuid.7.ebx = \"-------------------------------0\"")));

            Assert.Equal(VimErrorIds.VmPoweredOn, ex.ErrorId);
            Assert.Equal(ErrorKind.InvalidOperation, ex.Kind);
            Assert.Equal("web/01", ex.Target);
            Assert.Contains("powered on; nothing was written", ex.Message);
            Assert.Contains("power it off first", ex.Message);
            Assert.Equal(RemedyKind.Force, ex.Remedy!.Kind);
            Assert.Contains("store the change now", ex.Remedy.Detail);
            Assert.Contains("next power-on", ex.Message);
            Assert.DoesNotContain("ReconfigVM_Task", server.Methods);
        }

        [Fact]
        public async Task ApplyAsync_ConcurrentAccess_BecomesVmChangedConcurrentlyNamingTheVm()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            ScriptRead(server).Fault("ReconfigVM_Task", "Fault_ConcurrentAccess.xml");

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => new VmMaskService(client).ApplyAsync(App01, Mask("cpuid.7.ebx = \"-------------------------------0\"")));

            Assert.Equal(VimErrorIds.VmChangedConcurrently, ex.ErrorId);
            Assert.Contains("VM 'app01' on vc01.example.com was changed by someone else", ex.Message);
            Assert.Contains("nothing was written", ex.Message);
            Assert.IsType<VimFaultException>(ex.InnerException);
        }

        [Fact]
        public async Task ApplyAsync_Replace_RemovesMaskKeysNotInTheNewMask_WithEmptyValues()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);
            ScriptRead(server);

            var result = await new VmMaskService(client).ApplyAsync(
                App01,
                Mask("cpuid.1.ecx = \"--00-0---0----0-----------------\""),
                new MaskApplyOptions { Mode = MaskWriteMode.Replace, WhatIf = true });

            Assert.Equal(MaskApplyStatus.WhatIf, result.Status);
            Assert.Equal(
                new[] { ("cpuid.80000001.ecx", (string?)"-----------------------0--------", (string?)null), ("featMask.vm.cpuid.AVX", "Val:0", null) },
                result.Changes.Select(c => (c.Key, c.PreviousValue, c.NewValue)));
            Assert.Equal(new[] { "", "" }, result.Changes.Select(c => c.WireValue));
            Assert.DoesNotContain("ReconfigVM_Task", server.Methods);
        }

        [Fact]
        public void UndoRecord_RoundTripsThroughJson_NullMeaningAbsent()
        {
            var record = new MaskUndoRecord(
                "vc01.example.com",
                "web/01",
                Web01,
                new DateTimeOffset(2025, 1, 31, 9, 14, 3, 512, TimeSpan.Zero),
                new[] { new KeyChange("cpuid.1.ecx", null, "--00-0---0----0-----------------"), new KeyChange("featMask.vm.cpuid.AVX", "Val:0", null), new KeyChange("cpuid.7.ebx", "", "-------------------------------0") });

            string json = record.ToJson();
            var back = MaskUndoRecord.Parse(json, "undo.json");

            Assert.Contains("\"appliedAt\": \"2025-01-31T09:14:03.512Z\"", json);
            Assert.Contains("\"moref\": \"VirtualMachine:vm-43\"", json);
            Assert.Equal(record.Server, back.Server);
            Assert.Equal(record.Vm, back.Vm);
            Assert.Equal(record.MoRef, back.MoRef);
            Assert.Equal(record.AppliedAt, back.AppliedAt);
            Assert.Equal(
                record.Changes.Select(c => (c.Key, c.PreviousValue, c.NewValue)),
                back.Changes.Select(c => (c.Key, c.PreviousValue, c.NewValue)));
            Assert.Equal(json, back.ToJson());
            Assert.Equal("undo.json", back.Source);
            Assert.Null(back.Outcome);
            Assert.Equal(VmChangeOutcome.Unknown, ((MaskUndoRecord)VmUndoRecord.Parse(record.WithOutcome(VmChangeOutcome.Unknown).ToJson(), "u")).Outcome);
        }

        [Fact]
        public void EvcUndoRecord_RoundTripsThroughJson_WithItsPreviousAndAppliedMasks()
        {
            var record = new EvcUndoRecord(
                "vc01.example.com",
                "app01",
                App01,
                new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero),
                new[] { new HostFeatureMask { Key = "cpuid.AES", FeatureName = "cpuid.AES", Value = "Val:1" } },
                new[] { new HostFeatureMask { Key = "cpuid.AES", FeatureName = "cpuid.AES", Value = "Val:1" }, new HostFeatureMask { Key = "cpuid.AVX", FeatureName = "cpuid.AVX", Value = "Val:1" } },
                "intel-sandybridge",
                "GenuineIntel",
                VmChangeOutcome.Pending);

            string json = record.ToJson();
            var back = Assert.IsType<EvcUndoRecord>(VmUndoRecord.Parse(json, "undo.json"));

            Assert.Contains("\"kind\": \"perVmEvc\"", json);
            Assert.Contains("\"outcome\": \"pending\"", json);
            Assert.Equal(new[] { "cpuid.AES=Val:1" }, back.Previous.Select(m => m.Key + "=" + m.Value));
            Assert.Equal(new[] { "cpuid.AES=Val:1", "cpuid.AVX=Val:1" }, back.Applied.Select(m => m.Key + "=" + m.Value));
            Assert.Equal("intel-sandybridge", back.EvcModeKey);
            Assert.Equal(VmChangeOutcome.Pending, back.Outcome);
            Assert.Equal(json, back.ToJson());
            Assert.Throws<CpuidMaskException>(() => MaskUndoRecord.Parse(json, "undo.json"));
        }

        // Found by the fuzz suite: the value's digits were checked with char.IsDigit, which takes a fullwidth or
        // Arabic-Indic digit, so a damaged undo file would have an undo send 'Val:\uff11' to vCenter.
        [Fact]
        public void EvcUndoRecord_ValueWithADigitOfAnotherScript_IsUndoRecordInvalid()
        {
            string json = "{\"kind\":\"perVmEvc\",\"server\":\"vc01\",\"vm\":\"a\",\"previous\":[{\"key\":\"cpuid.AVX\",\"value\":\"Val:\uff11\"}],\"applied\":[]}";

            var ex = Assert.Throws<CpuidMaskException>(() => VmUndoRecord.Parse(json, "undo.json"));

            Assert.Equal(VimErrorIds.UndoRecordInvalid, ex.ErrorId);
            Assert.StartsWith("undo.json line 1", ex.Message);
            Assert.Contains("is not a per-VM EVC feature mask entry", ex.Message);
        }

        [Fact]
        public void EvcUndoRecord_OfVCentersOwnMask_KeepsItsHvCapableAndVtRealmodeEntries()
        {
            // vCenter's per-VM EVC masks carry two vSphere feature keys that are not cpuid.* (tests/data/pervmevc).
            var previous = new[] { "cpuid.Intel", "cpuid.FAMILY", "cpuid.VMX", "hv.capable", "vt.realmode" }
                .Select(k => new HostFeatureMask { Key = k, FeatureName = k, Value = k == "cpuid.FAMILY" ? "Val:6" : "Val:1" })
                .ToArray();
            var record = new EvcUndoRecord("vc01", "app01", App01, DateTimeOffset.UtcNow, previous, Array.Empty<HostFeatureMask>(), null, "GenuineIntel", VmChangeOutcome.Applied);

            var back = Assert.IsType<EvcUndoRecord>(VmUndoRecord.Parse(record.ToJson(), "undo.json"));

            Assert.Equal(previous.Select(m => m.Key + "=" + m.Value), back.Previous.Select(m => m.Key + "=" + m.Value));
        }

        [Fact]
        public void UndoRecord_OfAnApplyOverTwins_KeepsBothSpellings()
        {
            var record = new MaskUndoRecord("vc01", "vm01", null, DateTimeOffset.UtcNow, new[]
            {
                new KeyChange("cpuid.1.ecx", "-------------------------------1", "--00-0---0----0-----------------"),
                new KeyChange("CPUID.1.ECX", "------------------------------1-", null),
            });

            var back = MaskUndoRecord.Parse(record.ToJson(), "undo.json");

            Assert.Equal(new[] { "cpuid.1.ecx", "CPUID.1.ECX" }, back.Changes.Select(c => c.Key));
        }

        [Theory]
        [InlineData("{\"server\":\"vc01\",\"vm\":\"a\",\"changes\":[{\"key\":\"guestinfo.owner\",\"previous\":null,\"applied\":\"x\"}]}", "'guestinfo.owner' is not a CPUID mask key")]
        [InlineData("{\"server\":\"vc01\",\"vm\":\"a\"}", "no \"changes\" array")]
        [InlineData("{\"vm\":\"a\",\"changes\":[]}", "\"server\" is missing")]
        [InlineData("{\"server\":\"vc01\",\"vm\":\"a\",\"moref\":\"vm42\",\"changes\":[]}", "\"moref\" must be a VM's reference")]
        [InlineData("{\"server\":\"vc01\",\"vm\":\"a\",\"moref\":\"HostSystem:host-9\",\"changes\":[]}", "\"moref\" must be a VM's reference")]
        [InlineData("{\"server\":\"vc01\",\"vm\":\"a\",\"changes\":[{\"key\":\"cpuid.1.ecx\",\"previous\":\"not a mask at all\",\"applied\":null}]}", "\"previous\" of ")]
        [InlineData("{\"server\":\"vc01\",\"vm\":\"a\",\"changes\":[{\"key\":\"featMask.vm.cpuid.AVX\",\"previous\":\"garbage\",\"applied\":\"Val:0\"}]}", "\"previous\" of ")]
        [InlineData("{\"server\":\"vc01\",\"vm\":\"a\",\"changes\":[{\"key\":\"cpuid.1.ecx\",\"previous\":null,\"applied\":null},{\"key\":\"cpuid.1.ecx\",\"previous\":null,\"applied\":null}]}", "'cpuid.1.ecx' appears twice")]
        [InlineData("{\"kind\":\"other\",\"server\":\"vc01\",\"vm\":\"a\",\"changes\":[]}", "\"kind\" is 'other'")]
        [InlineData("{\"server\":\"vc01\",\"vm\":\"a\",\"outcome\":\"maybe\",\"changes\":[]}", "\"outcome\" must be pending, applied, not-applied or unknown")]
        [InlineData("{\"kind\":\"perVmEvc\",\"server\":\"vc01\",\"vm\":\"a\",\"previous\":[{\"key\":\"cpuid.AVX\",\"value\":\"yes\"}],\"applied\":[]}", "'cpuid.AVX = yes' is not a per-VM EVC feature mask entry")]
        [InlineData("{\"server\":\"vc01\",\"vm\":\"a\",\"changes\":[{\"key\":\"cpuid.1.ecx\",\"previous\":1}]}", "\"previous\" must be a string or null")]
        [InlineData("{\"kind\":\"perVmEvc\",\"server\":\"vc01\",\"vm\":\"a\",\"previous\":[{\"key\":\"hv capable\",\"value\":\"Val:1\"}],\"applied\":[]}", "'hv capable = Val:1' is not a per-VM EVC feature mask entry")]
        [InlineData("{\"kind\":\"perVmEvc\",\"server\":\"vc01\",\"vm\":\"a\",\"previous\":[{\"key\":\"AVX\",\"value\":\"Val:1\"}],\"applied\":[]}", "'AVX = Val:1' is not a per-VM EVC feature mask entry")]
        [InlineData("{\"kind\":\"perVmEvc\",\"server\":\"vc01\",\"vm\":\"a\",\"previous\":[{\"key\":\"cpuiH.ABM\",\"value\":\"Val:0\"}],\"applied\":[]}", "'cpuiH.ABM = Val:0' is not a per-VM EVC feature mask entry")]
        [InlineData("{\"kind\":\"perVmEvc\",\"server\":\"vc01\",\"vm\":\"a\",\"previous\":[{\"key\":\"hv.other\",\"value\":\"Val:1\"}],\"applied\":[]}", "'hv.other = Val:1' is not a per-VM EVC feature mask entry")]
        [InlineData("{\"server\":\"vc01\",\"vm\":\"a\",\"changes\":[{\"key\":\"cpuid.1.ecx\",\"previous\":\"not a mask at all\",\"applied\":null}]}", "line 1, column 70: not a usable undo record: \"previous\" of cpuid.1.ecx = \"not a mask at all\": the mask has 'n' at position 1")]
        [InlineData("{\"server\":\"vc01\",\"vm\":\"a\",\"changes\":[{\"key\":\"featMask.vm.cpuid.AVX\",\"previous\":null,\"applied\":\"Val:99999999999999999999\"}]}", "\"applied\" of featMask.vm.cpuid.AVX = \"Val:99999999999999999999\"")]
        [InlineData("{\"server\":\"vc01\",\"vm\":\"a\",\"changes\":[{\"key\":\"cpuid.1.ecx\",\"previous\":null},{\"key\":\"cpuid.1.ecx\",\"previous\":null}]}", "'cpuid.1.ecx' appears twice")]
        public void UndoRecord_Unusable_FailsNamingTheFileAndWhatIsWrong(string json, string expected)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => VmUndoRecord.Parse(json, "undo.json"));

            Assert.Equal(VimErrorIds.UndoRecordInvalid, ex.ErrorId);
            Assert.StartsWith("undo.json", ex.Message);
            Assert.Contains(expected, ex.Message);
        }
    }
}
