using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Xunit;

namespace CpuidMask.Cli.Tests
{
    /// <summary>The named-baseline commands: 'baselines', 'baseline', and 'mask --baseline' with its formats.</summary>
    public class BaselineCommandTests
    {
        private const string WestmereLeaf1Ecx = "cpuid.1.ecx = \"-000-0---0----0----0------------\"";

        [Fact]
        public void Baselines_NoArgument_ListsEveryEvcModeInATable()
        {
            var result = CliRunner.Run("baselines");

            Assert.Equal(0, result.ExitCode);
            foreach (string key in new[] { "intel-merom", "intel-westmere", "intel-sapphirerapids", "amd-rev-e", "amd-greyhound-no3dnow", "amd-zen4" })
            {
                Assert.Contains(key, result.Out);
            }

            Assert.Contains("drops 3DNOWEXT, 3DNOW", result.Out);
        }

        [Fact]
        public void Baselines_Key_ShowsFeaturesControlsAndSource()
        {
            var result = CliRunner.Run("baselines", "intel-westmere");

            Assert.Equal(0, result.ExitCode);
            Assert.Contains("Intel® \"Westmere\" Generation", result.Out);
            Assert.Contains("intel-merom -> intel-penryn -> intel-nehalem -> intel-westmere", result.Out);
            Assert.Contains("PCLMULQDQ, AES", result.Out);
            Assert.Contains("IBRS_IBPB", result.Out);
            Assert.Contains("KB 1003212", result.Out);
            Assert.Contains("Per-VM EVC:   family 0x6, model 0x25, stepping 0x1, leaves to 0xB and 0x80000008 (vCenter's own Westmere reference", result.Out);
        }

        [Fact]
        public void Baselines_KeyJson_GivesTheIdentityOfTheModesReferenceCpu()
        {
            var json = JsonNode.Parse(CliRunner.Run("baselines", "intel-haswell", "--json").Out)!;

            var identity = json["identity"]!;
            Assert.Equal((6, 0x3F, 2, 0xFu, 0x80000008u), ((int)identity["family"]!, (int)identity["model"]!, (int)identity["stepping"]!, (uint)identity["numLevels"]!, (uint)identity["numExtLevels"]!));
            Assert.Equal("Xeon E5-2630 v3 (Haswell-EP)", (string?)identity["reference"]);
            Assert.Contains("GenuineIntel00306F2_HaswellEP_00_CPUID.txt", (string?)identity["source"]);
        }

        [Fact]
        public void Baselines_Json_HasAllTwentyThreeModesAndTheGovernedRegisters()
        {
            var json = JsonNode.Parse(CliRunner.Run("baselines", "--json").Out)!;

            Assert.Equal(23, json["baselines"]!.AsArray().Count);
            Assert.Contains(json["governs"]!.AsArray(), g => (string)g! == "leaf 0x7 ebx");
            var zen = json["baselines"]!.AsArray().Single(b => (string)b!["key"]! == "amd-zen")!;
            Assert.Equal(new[] { "XOP", "FMA4", "TBM" }, zen["removes"]!.AsArray().Select(n => (string)n!));
        }

        [Fact]
        public void Baselines_UnknownKey_ExitsTwoSuggestingKeys()
        {
            var result = CliRunner.Run("baselines", "westmere");

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("intel-westmere", result.Err);
            Assert.Contains("BaselineNotFound", result.Err);
        }

        [Fact]
        public void Baseline_AvotonAndIvyBridge_CommonModeIsWestmere()
        {
            var result = CliRunner.Run("baseline", CliRunner.Avoton, CliRunner.IvyBridge);

            Assert.Equal(0, result.ExitCode);
            Assert.Contains("Common: intel-westmere", result.Out);
            Assert.Contains("intel-ivybridge", result.Out);
            Assert.Contains("intel-sandybridge", result.Out);
            Assert.Contains("PCID, XSAVE, AVX", result.Out);
        }

        [Fact]
        public void Baseline_AvotonAndIvyBridgeJson_GivesEachHostAndTheCommonMode()
        {
            var json = JsonNode.Parse(CliRunner.Run("baseline", CliRunner.Avoton, CliRunner.IvyBridge, "--json").Out)!;

            Assert.Equal("intel-westmere", (string?)json["common"]!["highest"]);
            Assert.Equal(new[] { "intel-westmere", "intel-ivybridge" }, json["hosts"]!.AsArray().Select(h => (string)h!["highest"]!));
            var ivy = json["hosts"]!.AsArray()[1]!;
            Assert.True((bool)ivy["verified"]!); // its old dumper left out leaf 0xD subleaf 1, but only Broadwell needs XSAVEOPT
            Assert.Empty(ivy["unverified"]!.AsArray());
            var blocker = json["common"]!["next"]![0]!["blockedBy"]!.AsArray().Single()!;
            Assert.Equal("avoton-c2750", (string?)blocker["host"]);
        }

        [Fact]
        public void Baseline_DumpWithoutLeafDSubleaf1Json_ListsXsaveoptAsUnverified()
        {
            string path = Path.Combine(Path.GetTempPath(), "cpuidmask-broadwell-" + Guid.NewGuid().ToString("N") + ".txt");
            // As old dumpers wrote it: no [SL nn] tags, and leaf 0xD without subleaf 1 (one line per state component).
            File.WriteAllLines(path, File.ReadAllLines(CliRunner.Dump("GenuineIntel00406F1_BroadwellE_02_CPUID.txt"))
                .Where(l => !(l.StartsWith("CPUID 0000000D:", StringComparison.Ordinal) && l.Contains("[SL 01]")))
                .Select(l => System.Text.RegularExpressions.Regex.Replace(l, @" \[SL [0-9A-F]+\]", string.Empty)));
            try
            {
                var json = JsonNode.Parse(CliRunner.Run("baseline", path, "--json").Out)!;

                var host = json["hosts"]!.AsArray().Single()!;
                Assert.Equal("intel-broadwell", (string?)host["highest"]);
                Assert.False((bool)host["verified"]!);
                Assert.Equal("XSAVEOPT", (string?)host["unverified"]![0]!["unknown"]![0]);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void Baseline_OneHostOfAVendorWithoutModes_ExitsOneSayingWhy()
        {
            var result = CliRunner.Run("baseline", CliRunner.Dump("CentaurHauls00507B3_KX40000_01_CPUID.txt"));

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("Intel and AMD", result.Out);
        }

        [Fact]
        public void Baseline_NoFiles_IsAUsageError()
        {
            var result = CliRunner.Run("baseline");

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("Give one or more FILEs", result.Err);
        }

        [Fact]
        public void MaskBaseline_WestmereVmx_IsTheCompleteMaskWithTheLeaf7AndSubleafLines()
        {
            var result = CliRunner.Run("mask", "--baseline", "intel-westmere", "--format", "vmx");

            Assert.Equal(0, result.ExitCode);
            Assert.Equal(19, result.OutLines.Length); // 14 registers, and the leaf 0xD subleaf 11/12/17/18 and leaf 0x10 bits vCenter compares
            Assert.Contains("cpuid.d.12.ecx = \"-----------------------------00-\"", result.OutLines);
            Assert.Equal(WestmereLeaf1Ecx, result.OutLines[0]);
            Assert.Contains("cpuid.7.ebx = \"000000-00-00000000--00000-0-0--0\"", result.OutLines);
            Assert.Contains("cpuid.80000001.edx = \"00---00--0----------------------\"", result.OutLines);
            Assert.All(result.OutLines, l => Assert.StartsWith("cpuid.", l));
        }

        [Fact]
        public void MaskBaseline_AsItsOwnProcess_PrintsTheSameLines()
        {
            var result = CliRunner.RunProcess("mask", "--baseline", "intel-westmere", "--format", "vmx");

            Assert.True(result.ExitCode == 0, result.Err);
            Assert.Equal(WestmereLeaf1Ecx, result.OutLines[0]);
            // Westmere's complete mask hides features of leaf 7 subleaf 1 and leaf 0xD subleaf 1: the one warning, as for host masks.
            Assert.StartsWith("cpuidmask mask: warning: cpuid.7.1.eax, ", result.Err);
            Assert.Contains(" use the cpuid.<leaf>.<subleaf>.<reg> form, which ESXi may not honour (unverified).", result.Err);
            Assert.Single(result.Err.Trim().Split('\n'));
        }

        [Fact]
        public void MaskBaseline_Text_ExplainsEveryLineAndWhatPassesThrough()
        {
            var result = CliRunner.Run("mask", "--baseline", "intel-westmere");

            Assert.Equal(0, result.ExitCode);
            Assert.Contains("complete, it holds on any host", result.Out);
            Assert.Contains("Why each line:", result.Out);
            Assert.Contains("EVC's masks", result.Out);
            Assert.Contains("added (1)(2)", result.Out); // the subleaf-1 lines
            Assert.Contains("Passed through from the host", result.Out);
        }

        [Fact]
        public void MaskBaseline_WithTheSampleHosts_ProvesItselfOnThem()
        {
            var result = CliRunner.Run("mask", "--baseline", "intel-westmere", CliRunner.Avoton, CliRunner.IvyBridge);

            Assert.Equal(0, result.ExitCode);
            Assert.Contains("Proof passed", result.Out);
            Assert.Contains("cpuid.1.ecx = \"-000-0---0----0-----------------\"", result.Out); // FMA needs no bit: neither host has it
        }

        [Fact]
        public void MaskBaseline_HostBelowTheMode_ExitsTwoNamingHostAndFeatures()
        {
            var result = CliRunner.Run("mask", "--baseline", "intel-sandybridge", CliRunner.Avoton);

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("BaselineNotSupported", result.Err);
            Assert.Contains("avoton-c2750 lacks", result.Err);
        }

        [Fact]
        public void MaskBaseline_Json_MarksTheMaskCompleteAndExplainsLines()
        {
            var json = JsonNode.Parse(CliRunner.Run("mask", "--baseline", "intel-westmere", "--format", "json").Out)!;

            Assert.Equal("intel-westmere", (string?)json["baseline"]);
            Assert.True((bool)json["complete"]!);
            Assert.Contains(json["lines"]!.AsArray(), l => (string)l!["key"]! == "cpuid.7.ebx" && !(bool)l["documentedEvcRegister"]!);
            Assert.Contains(json["hidden"]!.AsArray(), h => (string)h!["name"]! == "AVX" && (string)h["reason"]! == "OutsideBaseline");
        }

        [Fact]
        public void MaskBaseline_FeatMask_HidesByName()
        {
            var result = CliRunner.Run("mask", "--baseline", "intel-westmere", "--format", "featmask");

            Assert.Contains("featMask.vm.cpuid.AVX = \"Val:0\"", result.OutLines);
            Assert.Contains("featMask.vm.cpuid.XSAVEOPT = \"Val:0\"", result.OutLines);
        }

        [Fact]
        public void MaskBaseline_PerVmEvc_GivesHostFeatureMaskEntries()
        {
            var result = CliRunner.Run("mask", "--baseline", "intel-westmere", "--format", "pervmevc");

            Assert.Equal(0, result.ExitCode);
            var json = JsonNode.Parse(result.Out)!;
            Assert.True((bool)json["completeMasks"]!);
            var entries = json["featureMask"]!.AsArray();
            Assert.Contains(entries, e => (string)e!["key"]! == "cpuid.AES" && (string)e["featureName"]! == "cpuid.AES" && (string)e["value"]! == "Val:1");
            Assert.DoesNotContain(entries, e => (string)e!["key"]! == "cpuid.AVX");
            Assert.Equal(
                new[] { "cpuid.Intel=Val:1", "cpuid.FAMILY=Val:6", "cpuid.MODEL=Val:0x25", "cpuid.STEPPING=Val:1", "cpuid.NUMLEVELS=Val:0xb", "cpuid.NUM_EXT_LEVELS=Val:0x80000008", "cpuid.VMX=Val:1", "hv.capable=Val:1", "vt.realmode=Val:1" },
                entries.Take(9).Select(e => (string)e!["key"]! + "=" + (string)e["value"]!));
            Assert.Contains("vCenter's own Westmere reference", (string?)json["identity"]!["reference"]);
            Assert.Contains("danielewood/misc", (string?)json["identity"]!["source"]);
        }

        [Fact]
        public void MaskBaseline_PerVmEvcFromVCentersModeFile_SendsVCentersEntriesAndListsDifferences()
        {
            string file = Path.GetTempFileName();
            try
            {
                File.WriteAllText(file, "[ { \"key\": \"intel-westmere\", \"featureMask\": [ { \"key\": \"cpuid.AES\", \"featureName\": \"cpuid.AES\", \"value\": \"Val:1\" } ] } ]");

                var json = JsonNode.Parse(CliRunner.Run("mask", "--baseline", "intel-westmere", "--format", "pervmevc", "--evc-mode-file", file).Out)!;

                Assert.Single(json["featureMask"]!.AsArray());
                Assert.Equal(file, (string?)json["origin"]);
                Assert.Contains(json["differencesFromCatalog"]!.AsArray(), d => ((string)d!).StartsWith("cpuid.SSE42:"));
                Assert.Null(json["identity"]);
                Assert.Contains(json["notes"]!.AsArray(), n => ((string)n!).Contains("names no vendor (cpuid.Intel or cpuid.AMD), cpuid.FAMILY"));
            }
            finally
            {
                File.Delete(file);
            }
        }

        [Fact]
        public void Mask_PerVmEvcWithoutBaseline_IsAUsageError()
        {
            var result = CliRunner.Run("mask", CliRunner.Avoton, "--format", "pervmevc");

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("needs --baseline", result.Err);
        }

        [Fact]
        public void MaskBaseline_WithHide_IsAUsageError()
        {
            var result = CliRunner.Run("mask", "--baseline", "intel-westmere", "--hide", "AES");

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("--hide does not combine with --baseline", result.Err);
        }

        [Fact]
        public void MaskBaseline_Libvirt_IsACustomCpuOnTheWestmereModel()
        {
            var result = CliRunner.Run("mask", "--baseline", "intel-westmere", "--format", "libvirt");

            Assert.Equal(0, result.ExitCode);
            var cpu = XElement.Parse(result.Out);
            Assert.Equal("Westmere", cpu.Element("model")!.Value);
            Assert.Equal("forbid", (string?)cpu.Element("model")!.Attribute("fallback"));
            Assert.Contains(cpu.Elements("feature"), f => (string?)f.Attribute("name") == "pclmuldq" && (string?)f.Attribute("policy") == "require");
        }

        [Fact]
        public void MaskBaseline_Qemu_IsTheCpuArgument()
        {
            var result = CliRunner.Run("mask", "--baseline", "intel-westmere", "--format", "qemu");

            Assert.Equal(new[] { "-cpu Westmere,+pclmulqdq,+vme,+rdtscp" }, result.OutLines);
        }

        [Fact]
        public void Mask_SampleHostsAsQemu_StartsFromTheirCommonGeneration()
        {
            var result = CliRunner.Run("mask", CliRunner.Avoton, CliRunner.IvyBridge, "--format", "qemu");

            Assert.Equal(0, result.ExitCode);
            Assert.StartsWith("-cpu Westmere,", result.Out);
            Assert.Contains("+rdrand", result.Out);
            Assert.DoesNotContain("+avx", result.Out);
        }

        [Fact]
        public void MaskBaseline_UnknownFormat_ListsTheFormats()
        {
            var result = CliRunner.Run("mask", "--baseline", "intel-westmere", "--format", "yaml");

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("pervmevc", result.Err);
        }
    }
}
