using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Readers;
using CpuidMask.PowerShell;
using CpuidMask.PowerShell.Completion;
using CpuidMask.PowerShell.Input;
using CpuidMask.Vim.Inventory;
using CpuidMask.Vim.Masks;
using CpuidMask.Vim.Types;
using Xunit;

namespace CpuidMask.Module.Tests
{
    /// <summary>
    /// The cmdlets' PowerShell-free helpers, fed objects shaped like PowerCLI's (Name, Id, Uid,
    /// ExtensionData.MoRef) and like deserialized output, read through the same PropertyReader the cmdlets use.
    /// </summary>
    public class InputHelperTests
    {
        internal static readonly string[] WorkedCaseLines =
        {
            "cpuid.1.ecx = \"--00-0---0----0-----------------\"",
            "cpuid.7.ebx = \"-------------------------------0\"",
            "cpuid.d.eax = \"-----------------------------00-\"",
            "cpuid.80000001.ecx = \"-----------------------0--------\"",
        };

        /// <summary>Dictionaries read by key, other objects by their properties: PSObject's view, without PowerShell.</summary>
        private static readonly PropertyReader Read = (target, name) =>
            target is IDictionary dictionary
                ? PropertyReaderExtensions.ReadDictionary(dictionary, name)
                : target.GetType().GetProperty(name)?.GetValue(target);

        private static object PowerCliVMHost(string name = "h1", string id = "host-12") => new
        {
            Name = name,
            Id = "HostSystem-" + id,
            Uid = $"/VIServer=VSPHERE.LOCAL\\administrator@vc01.example.com:443/VMHost=HostSystem-{id}/",
            ConnectionState = "Connected",
            ExtensionData = new { MoRef = new { Type = "HostSystem", Value = id } },
        };

        private static object PowerCliVM(string name = "vm01", string id = "vm-42") => new
        {
            Name = name,
            Id = "VirtualMachine-" + id,
            Uid = $"/VIServer=administrator@vc02:8443/VirtualMachine=VirtualMachine-{id}/",
            ExtensionData = new { MoRef = new { Type = "VirtualMachine", Value = id } },
        };

        private static object PowerCliServer(string name = "vc01.example.com", int port = 443, bool connected = true) => new
        {
            Name = name,
            Port = port,
            ServiceUri = new Uri($"https://{name}/sdk"),
            SessionSecret = "\"52a3f4e0-0000-4000-8000-000000000001\"",
            IsConnected = connected,
            User = "VSPHERE.LOCAL\\administrator",
        };

        [Fact]
        public void ForHost_PowerCliVMHost_IsReadByItsMoRefAndServer()
        {
            var input = InventoryInput.ForHost(PowerCliVMHost(), Read);

            Assert.Equal(InventoryInputKind.Reference, input.Kind);
            Assert.Equal("h1", input.Text);
            Assert.Equal(new ManagedObjectReference("HostSystem", "host-12"), input.MoRef);
            Assert.Equal("vc01.example.com:443", input.Server!.ToString());
        }

        [Fact]
        public void ForHost_ObjectWithOnlyAnId_UsesPowerCliIdForm()
        {
            var input = InventoryInput.ForHost(new { Name = "h2", Id = "HostSystem-host-99" }, Read);

            Assert.Equal(new ManagedObjectReference("HostSystem", "host-99"), input.MoRef);
            Assert.Null(input.Server);
        }

        [Fact]
        public void ForHost_NameOrWildcard_IsAPattern()
        {
            Assert.Equal(InventoryInputKind.Name, InventoryInput.ForHost("esx*", Read).Kind);
            Assert.Equal("esx01", InventoryInput.ForHost(" esx01 ", Read).Text);
        }

        [Fact]
        public void ForHost_FileFromGetChildItem_IsReadAsADump()
        {
            var file = new FileInfo(Path.Combine(RepoFiles.Samples, "avoton-c2750.txt"));

            var input = InventoryInput.ForHost(file, Read);

            Assert.Equal(InventoryInputKind.File, input.Kind);
            Assert.Equal(file.FullName, input.Text);
        }

        [Fact]
        public void ForHost_VirtualMachine_IsRefusedNamingWhatItIs()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => InventoryInput.ForHost(PowerCliVM(), Read));

            Assert.Equal("InventoryInputInvalid", ex.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
            Assert.Contains("'vm01' is a VirtualMachine, not a host", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void ForHost_EmptyNameOrNamelessObject_IsRefused()
        {
            Assert.Equal("InventoryInputInvalid", Assert.Throws<CpuidMaskException>(() => InventoryInput.ForHost("  ", Read)).ErrorId);
            Assert.Equal("InventoryInputInvalid", Assert.Throws<CpuidMaskException>(() => InventoryInput.ForHost(42, Read)).ErrorId);
        }

        [Fact]
        public void ForVm_PowerCliVirtualMachine_CarriesItsServerAndPort()
        {
            var input = InventoryInput.ForVm(PowerCliVM(), Read);

            Assert.Equal(new ManagedObjectReference("VirtualMachine", "vm-42"), input.MoRef);
            Assert.Equal("vc02", input.Server!.Host);
            Assert.Equal(8443, input.Server.Port);
        }

        [Fact]
        public void ForVm_GetVmCpuidMaskOutput_IsReadByItsId()
        {
            var info = VmCpuidMaskInfo.From(new StoredVmMask(new VmRecord("vc01", "vm07", new ManagedObjectReference("VirtualMachine", "vm-7"))));

            var input = InventoryInput.ForVm(info, Read);

            Assert.Equal(new ManagedObjectReference("VirtualMachine", "vm-7"), input.MoRef);
            Assert.Equal("vm07", input.Text);
            Assert.Equal("vc01", input.Server!.Host);
        }

        [Fact]
        public void ForVm_FileOrHost_IsRefused()
        {
            Assert.Throws<CpuidMaskException>(() => InventoryInput.ForVm(new FileInfo("x.vmx"), Read));
            Assert.Throws<CpuidMaskException>(() => InventoryInput.ForVm(PowerCliVMHost(), Read));
        }

        [Theory]
        [InlineData("/VIServer=VSPHERE.LOCAL\\administrator@vc01.example.com:443/VMHost=HostSystem-host-12/", "vc01.example.com", 443)]
        [InlineData("/VIServer=root@10.0.0.5:8443/VirtualMachine=VirtualMachine-vm-1/", "10.0.0.5", 8443)]
        [InlineData("/VIServer=vc03/VMHost=HostSystem-host-1/", "vc03", null)]
        public void ServerAddress_FromPowerCliUid_ReadsHostAndPort(string uid, string host, int? port)
        {
            var address = ServerAddress.FromUid(uid)!;

            Assert.Equal(host, address.Host);
            Assert.Equal(port, address.Port);
        }

        [Theory]
        [InlineData("vc01", "vc01", null)]
        [InlineData("vc01:8443", "vc01", 8443)]
        [InlineData("https://vc01.example.com/sdk", "vc01.example.com", null)]
        [InlineData("https://vc01.example.com:9443/sdk", "vc01.example.com", 9443)]
        public void ServerAddress_WhatUsersType_IsParsed(string text, string host, int? port)
        {
            var address = ServerAddress.Parse(text);

            Assert.Equal(host, address.Host);
            Assert.Equal(port, address.Port);
        }

        [Fact]
        public void ServerAddress_UnstatedPort_Is443()
        {
            Assert.True(new ServerAddress("VC01").Matches(new ServerAddress("vc01", 443)));
            Assert.False(new ServerAddress("vc01").Matches(new ServerAddress("vc01", 8443)));
            Assert.Null(ServerAddress.FromUid("not a uid"));
        }

        [Fact]
        public void ViServerInfo_PowerCliConnection_GivesEndpointAndSession()
        {
            var server = ViServerInfo.FromObject(PowerCliServer(), Read)!;

            Assert.Equal("vc01.example.com", server.Name);
            Assert.Equal(443, server.Port);
            Assert.Equal("https://vc01.example.com/sdk", server.Endpoint);
            Assert.Equal("\"52a3f4e0-0000-4000-8000-000000000001\"", server.SessionSecret);
            Assert.True(server.IsConnected);
        }

        [Fact]
        public void ViServerInfo_WithoutServiceUri_ConnectsToNameAndPort()
        {
            var server = ViServerInfo.FromObject(new { Name = "vc09", Port = "8443", SessionSecret = "abc" }, Read)!;

            Assert.Equal("vc09:8443", server.Endpoint);
        }

        [Fact]
        public void ViServerInfo_HostOrName_IsNotAServer()
        {
            Assert.Null(ViServerInfo.FromObject(PowerCliVMHost(), Read));
            Assert.Null(ViServerInfo.FromObject("vc01", Read));
            Assert.Null(ViServerInfo.FromObject(null, Read));
        }

        [Fact]
        public void Choose_InputFromASecondVCenter_UsesThatConnection()
        {
            var first = ViServerInfo.FromObject(PowerCliServer("vc01.example.com"), Read)!;
            var second = ViServerInfo.FromObject(PowerCliServer("vc02", 8443), Read)!;

            var chosen = ViServerInfo.Choose(ServerAddress.FromUid("/VIServer=administrator@vc02:8443/VirtualMachine=VirtualMachine-vm-42/"), new[] { first, second }, first);

            Assert.Same(second, chosen);
        }

        [Fact]
        public void Choose_NoOrigin_IsTheDefaultServer()
        {
            var first = ViServerInfo.FromObject(PowerCliServer(), Read)!;

            Assert.Same(first, ViServerInfo.Choose(null, new[] { first }, first));
            Assert.Null(ViServerInfo.Choose(null, Array.Empty<ViServerInfo>(), null));
        }

        [Fact]
        public void Choose_OriginWithoutConnection_FindsNothing()
        {
            var first = ViServerInfo.FromObject(PowerCliServer(), Read)!;

            Assert.Null(ViServerInfo.Choose(new ServerAddress("vc77"), new[] { first }, first));
        }

        [Fact]
        public void MaskInput_LinesPipedOneByOne_FormOneMask()
        {
            var mask = MaskInput.ToVmMask(WorkedCaseLines.Cast<object>(), Read, "pipeline");

            Assert.Equal(WorkedCaseLines.OrderBy(l => l), mask.ToVmxLines().OrderBy(l => l));
        }

        [Fact]
        public void MaskInput_NewVmCpuidMaskOutput_IsItsMask()
        {
            var computed = WorkedCaseMask();

            var mask = MaskInput.ToVmMask(computed, Read, "-Mask");

            Assert.Same(computed.Mask, mask);
        }

        [Fact]
        public void MaskInput_HashtableAndDeserializedObject_AreRead()
        {
            var table = new Hashtable { ["cpuid.7.ebx"] = "-------------------------------0" };
            var deserialized = new { Name = "vm01", Lines = new[] { WorkedCaseLines[0] } };

            var mask = MaskInput.ToVmMask(new object[] { table, deserialized }, Read, "-Mask");

            Assert.Equal(new[] { WorkedCaseLines[0], WorkedCaseLines[1] }, mask.ToVmxLines());
        }

        [Fact]
        public void MaskInput_CliMaskJson_IsReadAsOneStringOrAsLines()
        {
            string json = MaskJson.Write(WorkedCaseMask().Generated);

            var raw = MaskInput.ToVmMask(new object[] { json }, Read, "-Mask");
            var lines = MaskInput.ToVmMask(json.Split('\n').Cast<object>(), Read, "-Mask");

            Assert.Equal(WorkedCaseLines.OrderBy(l => l), raw.ToVmxLines().OrderBy(l => l));
            Assert.Equal(raw.ToVmxLines(), lines.ToVmxLines());
        }

        [Fact]
        public void MaskInput_MaskJsonWithAStrayValue_NamesTheLine()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => MaskInput.ToVmMask(new object[] { "{", "  \"extraConfig\": {", "    \"cpuid.1.ecx\": true", "  }", "}" }, Read, "-Mask"));

            Assert.Equal("MaskFileMalformed", ex.ErrorId);
            Assert.StartsWith("-Mask line 3: key 'cpuid.1.ecx' has true", ex.Message, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("mask.json")]
        [InlineData("./masks/web")]
        [InlineData("C:\\masks\\web.vmx")]
        public void MaskInput_AFileName_IsToldToPassTheFileContent(string path)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => MaskInput.ToVmMask(new object[] { path }, Read, "-Mask"));

            Assert.Equal(MaskInput.InvalidErrorId, ex.ErrorId);
            Assert.Contains($"-Mask (Get-Content '{path}' -Raw)", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void MaskInput_HashtableWithOneKeyInTwoSpellings_NamesBoth()
        {
            // A .NET Hashtable compares keys by case, as PowerShell's @{} does not; cpuid.01.ecx differs either way.
            var cased = new Hashtable { ["cpuid.1.ecx"] = "-------------------------------0", ["CPUID.1.ECX"] = "-------------------------------0" };
            var zeros = new System.Collections.Specialized.OrderedDictionary { ["cpuid.1.ecx"] = "-------------------------------0", ["cpuid.01.ecx"] = "-------------------------------0" };

            var first = Assert.Throws<CpuidMaskException>(() => MaskInput.ToVmMask(cased, Read, "-Mask"));
            var second = Assert.Throws<CpuidMaskException>(() => MaskInput.ToVmMask(zeros, Read, "-Mask"));

            Assert.Equal("MaskKeyDuplicate", first.ErrorId);
            Assert.Equal("-Mask: 'cpuid.01.ecx' is the same key as 'cpuid.1.ecx': both are cpuid.1.ecx. Keep one of them.", second.Message);
        }

        [Fact]
        public void MaskInput_HashtableValue_IsOneValueAndCannotAddALine()
        {
            var table = new Hashtable { ["cpuid.1.ecx"] = "-------------------------------0\"\ncpuid.7.ebx = \"-------------------------------0" };

            var ex = Assert.Throws<CpuidMaskException>(() => MaskInput.ToVmMask(table, Read, "-Mask"));

            Assert.Equal("MaskMalformed", ex.ErrorId);
            Assert.StartsWith("-Mask: cpuid.1.ecx = \"-------------------------------0\"\\u000acpuid.7.ebx", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void MaskInput_VmMasksWithAFeatureNameTheCatalogLacks_AreTakenOnlyWhenAllowed()
        {
            var copied = new { Name = "vm01", Lines = new[] { "featMask.vm.cpuid.FAMILY = \"Val:6\"" } };

            var ex = Assert.Throws<CpuidMaskException>(() => MaskInput.ToVmMask(copied, Read, "-Mask"));
            var allowed = MaskInput.ToVmMask(copied, Read, "-Mask", new MaskReadOptions { AllowUnknownFeatures = true });

            Assert.Equal("MaskFeatureUnknown", ex.ErrorId);
            Assert.Equal(RemedyKind.AllowUnknownFeatures, ex.Remedy!.Kind);
            Assert.Contains("-AllowUnknownFeature", RemedyWording.Describe(ex), StringComparison.Ordinal);
            Assert.Equal("featMask.vm.cpuid.FAMILY = \"Val:6\"", allowed.ToVmxLines().Single());
        }

        [Fact]
        public void MaskInput_ForcedAgainstHidden_IsAConflict()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => MaskInput.ToVmMask(
                new object[] { VmMask.ParseVmx("cpuid.1.ecx = \"---1----------------------------\"", "a"), VmMask.ParseVmx("cpuid.1.ecx = \"---0----------------------------\"", "b") },
                Read,
                "-Mask"));

            Assert.Equal("MaskConflict", ex.ErrorId);
        }

        [Fact]
        public void MaskInput_SomethingElse_IsRefusedWithAHint()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => MaskInput.ToVmMask(new object[] { 42 }, Read, "-Mask"));

            Assert.Equal(MaskInput.InvalidErrorId, ex.ErrorId);
            Assert.Contains("New-VmCpuidMask", ex.Message, StringComparison.Ordinal);
            Assert.Equal(MaskInput.InvalidErrorId, Assert.Throws<CpuidMaskException>(() => MaskInput.ToVmMask(Array.Empty<object>(), Read, "-Mask")).ErrorId);
            Assert.Equal("MaskLineMalformed", Assert.Throws<CpuidMaskException>(() => MaskInput.ToVmMask(new object[] { "cpuid.1.ecx = oops" }, Read, "-Mask")).ErrorId);
        }

        [Fact]
        public void ChangeRecord_LiveResult_IsItsOwnUndoRecord()
        {
            var at = new DateTimeOffset(2026, 1, 31, 9, 14, 3, TimeSpan.Zero);
            var change = new VmCpuidMaskChange("vm01", "VirtualMachine-vm-42", "vc01", "Merge", new[] { new KeyChange("cpuid.1.ecx", null, "--00-0---0----0-----------------") }, WorkedCaseLines, Array.Empty<string>(), applied: true, appliedAt: at);

            var record = ChangeRecordInput.From(change, Read);

            Assert.Equal("vm01", record.Vm);
            Assert.Equal(new ManagedObjectReference("VirtualMachine", "vm-42"), record.MoRef);
            Assert.Equal("vc01", record.Server);
            Assert.Equal(at, record.AppliedAt);
            Assert.Null(Assert.Single(record.Changes).PreviousValue);
        }

        [Fact]
        public void ChangeRecord_FromImportClixml_KeepsAbsentAndEmptyApart()
        {
            var deserialized = new
            {
                VM = "vm01",
                Id = "VirtualMachine-vm-42",
                Server = "vc01",
                AppliedAt = new { UtcDateTime = new DateTime(2026, 1, 31, 9, 14, 3, DateTimeKind.Utc) },
                Changes = new object[]
                {
                    new { Key = "cpuid.1.ecx", PreviousValue = (string?)null, NewValue = "--00-0---0----0-----------------" },
                    new { Key = "cpuid.7.ebx", PreviousValue = "-------------------------------1", NewValue = (string?)null },
                },
            };

            var record = ChangeRecordInput.From(deserialized, Read);

            Assert.Equal(2, record.Changes.Count);
            Assert.Null(record.Changes[0].PreviousValue);
            Assert.Equal("-------------------------------1", record.Changes[1].PreviousValue);
            Assert.Null(record.Changes[1].NewValue);
            Assert.Equal(new ManagedObjectReference("VirtualMachine", "vm-42"), record.MoRef);
            Assert.Equal(new DateTimeOffset(2026, 1, 31, 9, 14, 3, TimeSpan.Zero), record.AppliedAt);
        }

        [Fact]
        public void ChangeRecord_CliUndoFile_IsTakenAsItIs()
        {
            var record = MaskUndoRecord.Parse(
                "{\"server\": \"vc01\", \"vm\": \"web01\", \"moref\": \"VirtualMachine:vm-42\", \"appliedAt\": \"2026-01-31T09:14:03.512Z\", " +
                "\"changes\": [{\"key\": \"cpuid.1.ecx\", \"previous\": null, \"applied\": \"--00-0---0----0-----------------\"}]}",
                "undo.json");

            Assert.Same(record, ChangeRecordInput.From(record, Read));
        }

        [Fact]
        public void ChangeRecord_OtherObjectOrNonMaskKey_IsRefused()
        {
            Assert.Equal(ChangeRecordInput.InvalidErrorId, Assert.Throws<CpuidMaskException>(() => ChangeRecordInput.From(new { Name = "vm01" }, Read)).ErrorId);
            var sneaky = new { VM = "vm01", Server = "vc01", Changes = new object[] { new { Key = "guestinfo.owner", PreviousValue = "ops", NewValue = (string?)null } } };
            Assert.Contains("not a CPUID mask key", Assert.Throws<CpuidMaskException>(() => ChangeRecordInput.From(sneaky, Read)).Message, StringComparison.Ordinal);
        }

        [Fact]
        public void ChangeRecord_PreviousValueThatIsNoMask_IsRefused()
        {
            var forged = new { VM = "vm01", Server = "vc01", Changes = new object[] { new { Key = "cpuid.1.ecx", PreviousValue = "not a mask at all", NewValue = "--00-0---0----0-----------------" } } };

            var ex = Assert.Throws<CpuidMaskException>(() => ChangeRecordInput.From(forged, Read));

            Assert.Equal(ChangeRecordInput.InvalidErrorId, ex.ErrorId);
            Assert.StartsWith("The change record of VM 'vm01' holds cpuid.1.ecx = \"not a mask at all\": the mask has 'n' at position 1", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void VmCpuidMaskChange_ToUndoRecord_IsWhatTheCliUndoReads()
        {
            var change = new VmCpuidMaskChange("vm01", "VirtualMachine-vm-42", "vc01", "Merge", new[] { new KeyChange("cpuid.7.ebx", null, "-------------------------------0") }, WorkedCaseLines, Array.Empty<string>(), applied: true);

            var json = change.ToUndoRecord().ToJson();
            var parsed = MaskUndoRecord.Parse(json, "undo.json");

            Assert.Equal("vm01", parsed.Vm);
            Assert.Equal("cpuid.7.ebx", Assert.Single(parsed.Changes).Key);
        }

        [Fact]
        public void VmCpuidMask_WorkedCase_ShowsTheFourLinesAndExplainsEveryBit()
        {
            var mask = WorkedCaseMask();

            Assert.Equal(WorkedCaseLines, mask.Lines);
            Assert.Equal(string.Join(Environment.NewLine, WorkedCaseLines), mask.ToVmx());
            Assert.Equal(mask.ToVmx(), mask.ToString());
            Assert.Equal(
                new[] { "AVX", "F16C", "FSGSBASE", "MOVBE", "PCID", "PREFETCHW", "XSAVE", "XSAVE_SSE", "XSAVE_YMM" },
                mask.Hidden.Select(h => h.Feature.Name).OrderBy(n => n, StringComparer.Ordinal));
            Assert.True(mask.ProofPassed);
            Assert.Equal(new[] { "avoton-c2750", "ivybridge-i7-3770k" }, mask.Hosts);
            Assert.Contains("featMask.vm.cpuid.AVX = \"Val:0\"", mask.FeatMaskLines);
        }

        [Fact]
        public void VmCpuidMaskInfo_MalformedStoredValue_KeepsTheLineAndReportsIt()
        {
            var record = new VmRecord("vc01", "vm01", new ManagedObjectReference("VirtualMachine", "vm-42"))
            {
                PowerState = "poweredOff",
                HardwareVersion = "vmx-14",
                HostName = "h1",
                ExtraConfig = new[] { new OptionValue("cpuid.1.ecx", "not-a-mask"), new OptionValue("guestinfo.owner", "ops"), new OptionValue("cpuid.7.ebx", "-------------------------------0") },
                FeatureRequirement = new[] { new VirtualMachineFeatureRequirement { Key = "cpuid.AVX", Value = "Bool:Min:1" } },
            };

            var stored = new StoredVmMask(record);
            var info = VmCpuidMaskInfo.From(stored);
            var problem = stored.MaskProblem;

            Assert.NotNull(problem);
            Assert.Equal("MaskMalformed", problem!.ErrorId);
            Assert.Null(info.Mask);
            Assert.Equal(new[] { "cpuid.1.ecx = \"not-a-mask\"", "cpuid.7.ebx = \"-------------------------------0\"" }, info.Lines);
            Assert.Equal("VirtualMachine-vm-42", info.Id);
            Assert.Equal(new[] { "cpuid.AVX = Bool:Min:1" }, info.FeatureRequirement);
            Assert.True(info.HasMask);
        }

        [Fact]
        public void MaskChangeDescription_NamesEveryKeySetAndRemoved()
        {
            var changes = new[]
            {
                new KeyChange("cpuid.1.ecx", null, "--00-0---0----0-----------------"),
                new KeyChange("cpuid.7.ebx", null, "-------------------------------0"),
                new KeyChange("cpuid.80000001.edx", "-----------------------0--------", null),
            };

            Assert.Equal("Set CPUID mask cpuid.1.ecx, cpuid.7.ebx; remove cpuid.80000001.edx", MaskChangeDescription.Action(changes, "Set CPUID mask"));
            Assert.Equal("Remove CPUID mask cpuid.80000001.edx", MaskChangeDescription.Action(changes.Skip(2).ToArray(), "Set CPUID mask"));
        }

        [Fact]
        public void FeatureNames_Completion_OffersCatalogNamesByPrefix()
        {
            var catalog = Engine.Catalog.FeatureCatalog.Default;

            var avx = FeatureNames.Complete(catalog, "AV").Select(c => c.Name).ToArray();

            Assert.Contains("AVX", avx);
            Assert.Contains("AVX2", avx);
            Assert.DoesNotContain("MOVBE", avx);
            Assert.Equal(catalog.Features.Count, FeatureNames.Complete(catalog, string.Empty).Count);
            Assert.Contains(FeatureNames.Complete(catalog, "'mov"), c => c.Name == "MOVBE" && c.ToolTip.Contains("leaf 0x1 ecx bit 22", StringComparison.Ordinal));
        }

        [Fact]
        public void FeatureNames_Completion_FindsByLinuxFlagWhenNoNameMatches()
        {
            var found = FeatureNames.Complete(Engine.Catalog.FeatureCatalog.Default, "3dnowpref").Select(c => c.Name).ToArray();

            Assert.Contains("PREFETCHW", found);
        }

        private static VmCpuidMask WorkedCaseMask()
        {
            var profiles = new[] { "avoton-c2750.txt", "ivybridge-i7-3770k.txt" }.Select(f => ProfileReader.Read(Path.Combine(RepoFiles.Samples, f))).ToArray();
            return new VmCpuidMask(new MaskGenerator().Generate(profiles));
        }
    }
}
