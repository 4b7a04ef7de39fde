using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Xunit;

namespace CpuidMask.Cli.Tests
{
    public class CommandLineTests
    {
        [Fact]
        public void NoArguments_PrintsOverviewAndExitsTwo()
        {
            var result = CliRunner.Run();

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("Usage: cpuidmask <command>", result.Out);
        }

        [Theory]
        [InlineData("show")]
        [InlineData("features")]
        [InlineData("compare")]
        [InlineData("mask")]
        public void EverySubcommand_HasHelpThatShowsItsUsage(string command)
        {
            var result = CliRunner.Run(command, "--help");

            Assert.Equal(0, result.ExitCode);
            Assert.StartsWith("Usage: cpuidmask " + command, result.Out);
        }

        [Fact]
        public void EveryRegisteredCommand_AnswersHelpWithItsOwnUsage()
        {
            foreach (var command in Program.Commands)
            {
                var result = CliRunner.Run(command.Name, "--help");
                Assert.Equal(0, result.ExitCode);
                Assert.Contains("cpuidmask " + command.Name, result.Out);
            }
        }

        [Fact]
        public void UnknownCommand_ExitsTwoNamingIt()
        {
            var result = CliRunner.Run("frobnicate");

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("unknown command 'frobnicate'", result.Err);
        }

        [Fact]
        public void UnknownOption_IsAUsageError()
        {
            var result = CliRunner.Run("mask", CliRunner.Avoton, "--colour");

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("Unknown option '--colour'", result.Err);
            Assert.Empty(result.Out);
        }

        [Fact]
        public void MissingFile_ExitsTwoNamingThePath()
        {
            var result = CliRunner.Run("show", "no-such-host.txt");

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("no-such-host.txt", result.Err);
            Assert.Contains("ProfileFileNotFound", result.Err);
        }

        [Fact]
        public void MalformedDump_ExitsTwoNamingFileAndLine()
        {
            string path = Path.Combine(Path.GetTempPath(), "cpuidmask-bad-" + System.Guid.NewGuid().ToString("N") + ".txt");
            File.WriteAllText(path, "CPUID 00000000: 0000000D-756E6547-6C65746E-49656E69\nCPUID 00000001: 000306A9-00100800-7F9AE3BF\n");
            try
            {
                var result = CliRunner.Run("show", path);

                Assert.Equal(2, result.ExitCode);
                Assert.Contains(Path.GetFileName(path), result.Err);
                Assert.Contains("line 2", result.Err);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void Show_Json_HasTheDocumentedShapeAndReadsBackIdentically()
        {
            var result = CliRunner.Run("show", CliRunner.IvyBridge, "--json");

            Assert.Equal(0, result.ExitCode);
            var json = JsonNode.Parse(result.Out)!;
            Assert.Equal("GenuineIntel", (string)json["vendor"]!);
            Assert.Equal(6, (int)json["family"]!);
            Assert.Equal(0x3A, (int)json["model"]!);
            Assert.Equal(9, (int)json["stepping"]!);
            Assert.Equal("Intel(R) Core(TM) i7-3770K CPU @ 3.50GHz", (string)json["brand"]!);
            var leaf7 = json["leaves"]!.AsArray().Single(l => (string)l!["leaf"]! == "0x7");
            Assert.Equal("0x00000281", (string)leaf7!["ebx"]!);
            Assert.Contains(json["features"]!.AsArray(), f => (string)f!["name"]! == "AVX" && (int)f["bit"]! == 28 && (string)f["register"]! == "ecx");

            string exported = Path.Combine(Path.GetTempPath(), "cpuidmask-export-" + System.Guid.NewGuid().ToString("N") + ".json");
            try
            {
                File.WriteAllText(exported, result.Out);
                var again = CliRunner.Run("show", exported, "--json");
                Assert.Equal(result.Out, again.Out);

                var masked = CliRunner.Run("mask", exported, CliRunner.Avoton, "--format", "vmx");
                Assert.Equal(CliRunner.Run("mask", CliRunner.IvyBridge, CliRunner.Avoton, "--format", "vmx").Out, masked.Out);
            }
            finally
            {
                File.Delete(exported);
            }
        }

        [Fact]
        public void Show_SeveralFilesAsJson_IsAFileOfHostsThatEveryCommandReadsWhole()
        {
            var result = CliRunner.Run("show", CliRunner.Avoton, CliRunner.IvyBridge, "--json");

            Assert.Equal(0, result.ExitCode);
            var hosts = JsonNode.Parse(result.Out)!.AsArray();
            Assert.Equal(new[] { "avoton-c2750", "ivybridge-i7-3770k" }, hosts.Select(h => (string)h!["name"]!));
            string file = Path.Combine(Path.GetTempPath(), "cpuidmask-hosts-" + System.Guid.NewGuid().ToString("N") + ".json");
            try
            {
                File.WriteAllText(file, result.Out);

                Assert.Equal(result.Out, CliRunner.Run("show", file, "--json").Out);
                Assert.Equal(CliRunner.Run("mask", CliRunner.Avoton, CliRunner.IvyBridge, "--format", "vmx").Out, CliRunner.Run("mask", file, "--format", "vmx").Out);
                var compared = CliRunner.Run("compare", file);
                Assert.Equal(1, compared.ExitCode);
                Assert.Contains("MOVBE", compared.Out);
                var text = CliRunner.Run("show", file);
                Assert.Contains("Intel(R) Atom(TM) CPU  C2750  @ 2.40GHz", text.Out);
                Assert.Contains("Intel(R) Core(TM) i7-3770K CPU @ 3.50GHz", text.Out);
            }
            finally
            {
                File.Delete(file);
            }
        }

        [Fact]
        public void Show_Text_ListsIdentityAndTrackedFeatures()
        {
            var result = CliRunner.Run("show", CliRunner.Avoton);

            Assert.Equal(0, result.ExitCode);
            Assert.Contains("Intel(R) Atom(TM) CPU  C2750  @ 2.40GHz", result.Out);
            Assert.Contains(result.OutLines, l => l.TrimStart().StartsWith("MOVBE ", System.StringComparison.Ordinal) && l.Contains("yes"));
            Assert.DoesNotContain(result.OutLines, l => l.TrimStart().StartsWith("AVX ", System.StringComparison.Ordinal));
        }

        [Fact]
        public void Features_ByAlias_ShowsTheCanonicalFeatureAndWhatHidingItHides()
        {
            var result = CliRunner.Run("features", "Advanced Vector Extensions (AVX)");

            Assert.Equal(0, result.ExitCode);
            Assert.Contains("Name:         AVX", result.Out);
            Assert.Contains("leaf 0x1 ecx bit 28", result.Out);
            Assert.Contains("F16C", result.Out);
        }

        [Fact]
        public void Features_Wildcard_ListsEveryMatch()
        {
            var result = CliRunner.Run("features", "AVX512*");

            Assert.Equal(0, result.ExitCode);
            Assert.Contains(result.OutLines, l => l.StartsWith("  AVX512F ", System.StringComparison.Ordinal));
            Assert.Contains(result.OutLines, l => l.StartsWith("  AVX512BW ", System.StringComparison.Ordinal));
            Assert.DoesNotContain(result.OutLines, l => l.StartsWith("  AVX2 ", System.StringComparison.Ordinal));
        }

        [Fact]
        public void Features_UnknownName_ExitsTwoWithFeatureNotFound()
        {
            var result = CliRunner.Run("features", "NOPE42");

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("FeatureNotFound", result.Err);
            Assert.Contains("'cpuidmask features' lists them.", result.Err);
            Assert.DoesNotContain("Get-CpuidFeature", result.Err);
        }

        [Fact]
        public void Mask_WithSubleafKeys_WarnsOnStandardErrorAndStillWritesThem()
        {
            var result = CliRunner.Run("mask", CliRunner.Dump("GenuineIntel00306F2_HaswellEP_00_CPUID.txt"), CliRunner.Dump("GenuineIntel0050654_SkylakeXeon_CPUID2.txt"), "--format", "vmx");

            Assert.Equal(0, result.ExitCode);
            Assert.Contains("cpuid.d.1.eax = ", result.Out);
            Assert.Contains("warning: cpuid.d.1.eax uses the cpuid.<leaf>.<subleaf>.<reg> form", result.Err);
            Assert.Contains("--format featmask", result.Err);
        }

        [Fact]
        public void Mask_WithoutSubleafKeys_DoesNotWarn()
        {
            var result = CliRunner.Run("mask", CliRunner.Avoton, CliRunner.IvyBridge, "--format", "vmx");

            Assert.Equal(0, result.ExitCode);
            Assert.DoesNotContain("warning", result.Err);
        }

        [Fact]
        public void Compare_IdenticalHosts_ExitsZero()
        {
            var result = CliRunner.Run("compare", CliRunner.IvyBridge, CliRunner.Dump("GenuineIntel00306A9_IvyBridgeWS_CPUID.txt"));

            Assert.Equal(0, result.ExitCode);
            Assert.DoesNotContain("BLOCKED", result.Out);
        }

        [Fact]
        public void Compare_IntelAndAmd_IsBlockedByVendor()
        {
            var result = CliRunner.Run("compare", CliRunner.IvyBridge, CliRunner.Dump("AuthenticAMD0830F10_K17_Rome_CPUID2.txt"));

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("vMotion between CPU vendors is not possible", result.Out);
        }

        [Fact]
        public void Mask_IntelAndAmd_ExitsTwoWithMixedVendors()
        {
            var result = CliRunner.Run("mask", CliRunner.IvyBridge, CliRunner.Dump("AuthenticAMD0830F10_K17_Rome_CPUID2.txt"));

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("MixedVendors", result.Err);
        }

        [Fact]
        public void Mask_HideOnOneHost_HidesTheFeatureAndItsDependents()
        {
            var result = CliRunner.Run("mask", CliRunner.IvyBridge, "--hide", "AVX", "--format", "json");

            Assert.Equal(0, result.ExitCode);
            var json = JsonNode.Parse(result.Out)!;
            var hidden = json["hidden"]!.AsArray().Select(h => (string)h!["name"]!).ToArray();
            Assert.Contains("AVX", hidden);
            Assert.Contains("F16C", hidden);
            Assert.Equal("--00----------------------------", (string)json["extraConfig"]!["cpuid.1.ecx"]!);
            Assert.True((bool)json["proof"]!["passed"]!);
        }

        [Fact]
        public void Mask_JsonOutput_CanBeUsedAsAMaskFile()
        {
            var json = CliRunner.Run("mask", CliRunner.Avoton, CliRunner.IvyBridge, "--format", "json");
            string path = Path.Combine(Path.GetTempPath(), "cpuidmask-mask-" + System.Guid.NewGuid().ToString("N") + ".json");
            try
            {
                File.WriteAllText(path, json.Out);

                var result = CliRunner.Run("compare", CliRunner.Avoton, CliRunner.IvyBridge, "--mask-file", path);

                Assert.Equal(0, result.ExitCode);
            }
            finally
            {
                File.Delete(path);
            }
        }
    }
}
