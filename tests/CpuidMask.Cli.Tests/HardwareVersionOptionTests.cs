using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Xunit;

namespace CpuidMask.Cli.Tests
{
    /// <summary>
    /// --hw-version on compare, mask and baseline: the VM's virtual hardware version decides what it can see. The worked
    /// case at vmx-8 (ESXi 5.0) is the example: PCID, F16C and FSGSBASE are first exposed in vmx-9.
    /// </summary>
    public class HardwareVersionOptionTests
    {
        private static string IceLake => CliRunner.Dump("GenuineIntel00606A6_ICX_CPUID3.txt");

        private static string SapphireRapids => CliRunner.Dump("GenuineIntel00806F8_SapphireRapids_06_CPUID.txt");

        private static string CascadeLake => CliRunner.Dump("GenuineIntel0050656_CascadeLakeSP_CPUID.txt");

        /// <summary>Every "$ ... mask ..." command of the README's text blocks with the lines shown under it.</summary>
        public static TheoryData<string, string[]> ReadmeMaskRuns()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "README.md")))
            {
                dir = dir.Parent;
            }

            var lines = File.ReadAllLines(Path.Combine(dir!.FullName, "README.md"));
            var data = new TheoryData<string, string[]>();
            for (int i = 0; i < lines.Length; i++)
            {
                int at = lines[i].IndexOf(" mask docs/samples/", StringComparison.Ordinal);
                if (lines[i].StartsWith("$ ", StringComparison.Ordinal) && at > 0)
                {
                    var shown = lines.Skip(i + 1).TakeWhile(l => l != "```").ToArray();
                    data.Add(lines[i].Substring(at + 1), shown);
                }
            }

            return data;
        }

        [Fact]
        public void Readme_ShowsTheWorkedCaseAtTheDefaultAndAtAnOlderVersion()
        {
            var runs = ReadmeMaskRuns().Select(r => (string)r[0]).ToArray();

            Assert.Contains(runs, r => !r.Contains("--hw-version"));
            Assert.Contains(runs, r => r.Contains("--hw-version vmx-8"));
        }

        [Theory]
        [MemberData(nameof(ReadmeMaskRuns))]
        public void Readme_MaskCommand_PrintsWhatTheReadmeShows(string commandLine, string[] shown)
        {
            var args = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(a => a.StartsWith("docs/samples/", StringComparison.Ordinal) ? CliRunner.Samples(a.Substring("docs/samples/".Length)) : a)
                .ToArray();

            var result = CliRunner.Run(args);

            Assert.Equal(0, result.ExitCode);
            Assert.Equal(shown, result.OutLines);
        }

        [Theory]
        [InlineData("compare")]
        [InlineData("mask")]
        [InlineData("baseline")]
        public void Help_OfACommandThatTakesIt_ExplainsHwVersion(string command)
        {
            var result = CliRunner.Run(command, "--help");

            Assert.Contains("--hw-version N", result.Out);
            Assert.Contains("14 or vmx-14", result.Out);
        }

        [Theory]
        [InlineData("compare", "12", "ESXi has no virtual hardware version vmx-12")]
        [InlineData("mask", "vmx-16", "ESXi has no virtual hardware version vmx-16")]
        [InlineData("baseline", "23", "vmx-23 is newer than this catalog knows")]
        [InlineData("compare", "latest", "'latest' is not a virtual hardware version")]
        public void HwVersion_UnknownVersion_ExitsTwoNamingTheOptionAndTheKnownVersions(string command, string version, string problem)
        {
            var result = CliRunner.Run(command, CliRunner.Avoton, CliRunner.IvyBridge, "--hw-version", version);

            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"cpuidmask {command}: --hw-version: {problem}", result.Err);
            Assert.Contains("one of 4, 7, 8, 9, 10, 11, 13, 14, 15, 17, 18, 19, 20, 21, 22.", result.Err);
            Assert.Contains("(error HardwareVersionInvalid)", result.Err);
            Assert.Equal(string.Empty, result.Out);
        }

        [Fact]
        public void Compare_WorkedCaseAtVmx8_BlocksIvyBridgeToAvotonOnlyOnWhatAnEsxi50VmSees()
        {
            var result = CliRunner.Run("compare", CliRunner.Avoton, CliRunner.IvyBridge, "--hw-version", "vmx-8", "--json");

            Assert.Equal(1, result.ExitCode);
            var json = JsonNode.Parse(result.Out)!;
            Assert.Equal(8, (int)json["hardwareVersion"]!);
            var down = json["directions"]!.AsArray().Single(d => (string)d!["source"]! == "ivybridge-i7-3770k")!;
            Assert.Equal(new[] { "AVX", "XSAVE", "XSAVE_SSE", "XSAVE_YMM" }, down["blockers"]!.AsArray().Select(b => (string)b!["name"]!).OrderBy(n => n));
            Assert.Equal(new[] { "F16C", "FSGSBASE", "PCID" }, down["outOfReach"]!.AsArray().Select(b => (string)b!["name"]!).OrderBy(n => n));
            var outOfReach = json["outOfReach"]!.AsArray();
            var pcid = outOfReach.Single(o => (string)o!["feature"]!["name"]! == "PCID")!;
            Assert.Equal(9, (int)pcid["firstHardwareVersion"]!);
            Assert.Equal("first exposed to guests in vmx-9; a vmx-8 VM never sees it", (string)pcid["reason"]!);
            Assert.DoesNotContain(json["informational"]!.AsArray(), i => (string)i!["feature"]!["name"]! == "TSC_ADJUST");
            Assert.Contains(outOfReach, o => (string)o!["feature"]!["name"]! == "TSC_ADJUST");
        }

        [Fact]
        public void Compare_WorkedCaseText_SaysTheVersionAndListsWhatIsOutOfReach()
        {
            var result = CliRunner.Run("compare", CliRunner.Avoton, CliRunner.IvyBridge, "--hw-version", "8");

            Assert.Contains("For a VM of hardware version vmx-8 (ESXi 5.0).", result.OutLines);
            Assert.Contains("ivybridge-i7-3770k -> avoton-c2750: BLOCKED by 4 features", result.OutLines);
            Assert.Contains("    out of the VM's reach (its hardware version does not expose them): PCID, F16C, FSGSBASE", result.OutLines);
            Assert.Contains("Out of the VM's reach (a vmx-8 VM never sees these, so they neither block it nor need masking):", result.OutLines);
        }

        [Fact]
        public void Compare_DefaultVersion_PrintsExactlyWhatTheNewestVersionGivesWithoutAnOutOfReachSection()
        {
            var byDefault = CliRunner.Run("compare", CliRunner.Avoton, CliRunner.IvyBridge);
            var newest = CliRunner.Run("compare", CliRunner.Avoton, CliRunner.IvyBridge, "--hw-version", "22");

            Assert.DoesNotContain("reach", byDefault.Out);
            Assert.DoesNotContain("hardware version", byDefault.Out);
            Assert.Equal(byDefault.Out, newest.Out.Replace("For a VM of hardware version vmx-22 (ESX 9.0).\n", string.Empty).Replace("For a VM of hardware version vmx-22 (ESX 9.0).\r\n", string.Empty));
            Assert.Equal(22, (int)JsonNode.Parse(CliRunner.Run("compare", CliRunner.Avoton, CliRunner.IvyBridge, "--json").Out)!["hardwareVersion"]!);
        }

        [Fact]
        public void Compare_SapphireRapidsToIceLakeAtVmx14_IsAllowed()
        {
            Assert.Equal(1, CliRunner.Run("compare", SapphireRapids, IceLake).ExitCode);

            var result = CliRunner.Run("compare", SapphireRapids, IceLake, "--hw-version", "vmx-14", "--json");

            var json = JsonNode.Parse(result.Out)!;
            var down = json["directions"]!.AsArray().Single(d => ((string)d!["source"]!).Contains("SapphireRapids"))!;
            Assert.True((bool)down["allowed"]!);
            Assert.Contains(down["outOfReach"]!.AsArray(), f => (string)f!["name"]! == "AMX_TILE");
        }

        [Fact]
        public void Mask_WorkedCaseAtVmx8_LeavesPcidF16cAndFsgsbaseAlone()
        {
            var vmx = CliRunner.Run("mask", CliRunner.Avoton, CliRunner.IvyBridge, "--hw-version", "vmx-8", "--format", "vmx");

            Assert.Equal(0, vmx.ExitCode);
            Assert.Equal(
                new[]
                {
                    "cpuid.1.ecx = \"---0-0---0----------------------\"",
                    "cpuid.d.eax = \"-----------------------------00-\"",
                    "cpuid.80000001.ecx = \"-----------------------0--------\"",
                },
                vmx.OutLines);

            var text = CliRunner.Run("mask", CliRunner.Avoton, CliRunner.IvyBridge, "--hw-version", "vmx-8");
            Assert.Contains("Left alone: a VM of hardware version vmx-8 (ESXi 5.0) never sees these (compute the mask again after upgrading its hardware):", text.OutLines);
            Assert.Contains(text.OutLines, l => l.StartsWith("  PCID ") && l.Contains("vmx-9") && l.EndsWith("not on every host"));
            Assert.Contains("Proof passed: every direction is allowed.", text.OutLines);
        }

        [Fact]
        public void Mask_Json_CarriesTheVersionAndWhatItLeavesAlone()
        {
            var result = CliRunner.Run("mask", IceLake, CascadeLake, "--hw-version", "14", "--format", "json");

            var json = JsonNode.Parse(result.Out)!;
            Assert.Equal(14, (int)json["hardwareVersion"]!);
            var gfni = json["outOfReach"]!.AsArray().Single(o => (string)o!["name"]! == "GFNI")!;
            Assert.Equal(17, (int)gfni["firstHardwareVersion"]!);
            Assert.Equal("NotOnAllHosts", (string)gfni["wouldHide"]!);
            Assert.DoesNotContain(json["hidden"]!.AsArray(), h => (string)h!["name"]! == "GFNI");
            Assert.Contains(json["hidden"]!.AsArray(), h => (string)h!["name"]! == "SHA");
        }

        [Fact]
        public void MaskBaseline_CascadeLakeOnSkylakeAtVmx14_IsAcceptedAndSaysWhatTheVmSees()
        {
            string skylake = CliRunner.Dump("GenuineIntel0050654_SkylakeXeon_CPUID2.txt");
            Assert.Equal(2, CliRunner.Run("mask", "--baseline", "intel-cascadelake", skylake).ExitCode);

            var result = CliRunner.Run("mask", "--baseline", "intel-cascadelake", skylake, "--hw-version", "14");

            Assert.Equal(0, result.ExitCode);
            Assert.Contains(result.OutLines, l => l.StartsWith("The VM sees ") && l.Contains("features of intel-cascadelake") && l.Contains("AVX512_VNNI"));
        }

        [Theory]
        [InlineData("libvirt")]
        [InlineData("qemu")]
        [InlineData("pervmevc")]
        public void Mask_HwVersionWithAnExportFormat_IsAUsageError(string format)
        {
            var result = CliRunner.Run("mask", "--baseline", "intel-westmere", "--format", format, "--hw-version", "14");

            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"--hw-version does not combine with --format {format}", result.Err);
        }

        [Fact]
        public void Baseline_CascadeLakeAtVmx14_IsSkylakeWithCascadeLakeTheSame()
        {
            var result = CliRunner.Run("baseline", CascadeLake, "--hw-version", "14", "--json");

            Assert.Equal(0, result.ExitCode);
            var json = JsonNode.Parse(result.Out)!;
            Assert.Equal(14, (int)json["hardwareVersion"]!);
            Assert.Equal("intel-skylake", (string)json["common"]!["highest"]!);
            Assert.Equal("intel-cascadelake", (string)json["common"]!["equivalentAbove"]![0]!);
            var text = CliRunner.Run("baseline", CascadeLake, "--hw-version", "14");
            Assert.Contains("The same to a vmx-14 VM (all they add is out of its reach): intel-cascadelake.", text.OutLines);
            Assert.Equal("intel-cascadelake", (string)JsonNode.Parse(CliRunner.Run("baseline", CascadeLake, "--json").Out)!["common"]!["highest"]!);
        }
    }
}
