using System.Linq;
using Xunit;

namespace CpuidMask.Cli.Tests
{
    /// <summary>
    /// The public write-up's case (DOMAIN.md §6): an Atom C2750 and an i7-3770, no cluster. The product
    /// must reproduce vCenter's refusals in both directions and the four-line mask exactly.
    /// </summary>
    public class WorkedCaseTests
    {
        private static readonly string[] ExpectedMask =
        {
            "cpuid.1.ecx = \"--00-0---0----0-----------------\"",
            "cpuid.7.ebx = \"-------------------------------0\"",
            "cpuid.d.eax = \"-----------------------------00-\"",
            "cpuid.80000001.ecx = \"-----------------------0--------\"",
        };

        [Fact]
        public void Compare_AvotonAndIvyBridge_ReportsExactlyVCentersBlockersEachWay()
        {
            var result = CliRunner.Run("compare", CliRunner.Avoton, CliRunner.IvyBridge, "--json");

            Assert.Equal(1, result.ExitCode);
            var json = System.Text.Json.Nodes.JsonNode.Parse(result.Out)!;
            var directions = json["directions"]!.AsArray();
            string[] Blockers(string from) => directions
                .Single(d => (string)d!["source"]! == from)!["blockers"]!.AsArray()
                .Select(b => (string)b!["name"]!).OrderBy(n => n).ToArray();

            Assert.Equal(new[] { "MOVBE", "PREFETCHW" }, Blockers("avoton-c2750"));
            Assert.Equal(new[] { "AVX", "F16C", "FSGSBASE", "PCID", "XSAVE", "XSAVE_SSE", "XSAVE_YMM" }, Blockers("ivybridge-i7-3770k"));
        }

        [Fact]
        public void Compare_AvotonAndIvyBridge_ListsUntrackedDifferencesAsInformationalOnly()
        {
            var result = CliRunner.Run("compare", CliRunner.Avoton, CliRunner.IvyBridge, "--json");

            var json = System.Text.Json.Nodes.JsonNode.Parse(result.Out)!;
            var informational = json["informational"]!.AsArray().Select(i => (string)i!["feature"]!["name"]!).ToArray();
            Assert.Contains("OSXSAVE", informational);
            Assert.Contains("TSC_ADJUST", informational);
            Assert.Contains("FDP_DEPRECATED", informational);
            Assert.Contains("XSAVE_X87", informational);
            var blockerNames = json["directions"]!.AsArray().SelectMany(d => d!["blockers"]!.AsArray()).Select(b => (string)b!["name"]!);
            Assert.Empty(blockerNames.Intersect(informational));
        }

        [Fact]
        public void Mask_AvotonAndIvyBridge_IsExactlyTheFourLinesOfTheWriteUp()
        {
            var result = CliRunner.Run("mask", CliRunner.Avoton, CliRunner.IvyBridge, "--format", "vmx");

            Assert.Equal(0, result.ExitCode);
            Assert.Equal(ExpectedMask, result.OutLines);
        }

        [Fact]
        public void Mask_AsItsOwnProcess_PrintsTheFourLinesAndExitsZero()
        {
            var result = CliRunner.RunProcess("mask", CliRunner.Avoton, CliRunner.IvyBridge, "--format", "vmx");

            Assert.True(result.ExitCode == 0, result.Err);
            Assert.Equal(ExpectedMask, result.OutLines);
            Assert.Equal(string.Empty, result.Err);
        }

        [Fact]
        public void Compare_UnderTheGeneratedMask_AllowsBothDirections()
        {
            string maskFile = System.IO.Path.GetTempFileName();
            try
            {
                System.IO.File.WriteAllLines(maskFile, ExpectedMask);

                var result = CliRunner.Run("compare", CliRunner.Avoton, CliRunner.IvyBridge, "--mask-file", maskFile);

                Assert.Equal(0, result.ExitCode);
                Assert.Contains("a VM powered on on avoton-c2750 moving to ivybridge-i7-3770k: allowed", result.Out);
                Assert.Contains("a VM powered on on ivybridge-i7-3770k moving to avoton-c2750: allowed", result.Out);
            }
            finally
            {
                System.IO.File.Delete(maskFile);
            }
        }

        [Fact]
        public void Mask_TextFormat_ExplainsEveryHiddenBitAndThePerHostProof()
        {
            var result = CliRunner.Run("mask", CliRunner.Avoton, CliRunner.IvyBridge);

            Assert.Equal(0, result.ExitCode);
            foreach (string line in ExpectedMask)
            {
                Assert.Contains(line, result.Out);
            }

            foreach (string name in new[] { "MOVBE", "PREFETCHW", "PCID", "XSAVE", "AVX", "F16C", "FSGSBASE", "XSAVE_SSE", "XSAVE_YMM" })
            {
                Assert.Contains(result.OutLines, l => l.TrimStart().StartsWith(name + " ", System.StringComparison.Ordinal));
            }

            Assert.Contains("Proof passed", result.Out);
        }

        [Fact]
        public void Mask_FeatMaskFormat_NamesEveryHiddenFeatureWithValZero()
        {
            var result = CliRunner.Run("mask", CliRunner.Avoton, CliRunner.IvyBridge, "--format", "featmask");

            Assert.Equal(0, result.ExitCode);
            Assert.Contains("featMask.vm.cpuid.AVX = \"Val:0\"", result.OutLines);
            Assert.Contains("featMask.vm.cpuid.MOVBE = \"Val:0\"", result.OutLines);
            Assert.Contains("featMask.vm.cpuid.PCID = \"Val:0\"", result.OutLines);
            Assert.All(result.OutLines, l => Assert.StartsWith("featMask.vm.cpuid.", l));
        }
    }
}
