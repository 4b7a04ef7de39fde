using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace CpuidMask.Cli.Tests
{
    /// <summary>compare and mask over many hosts: classes of hosts with the same CPU, brief directions, --per-pair, streamed JSON.</summary>
    public sealed class CompareClassesTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "cpuidmask-classes-" + Guid.NewGuid().ToString("N"));

        public CompareClassesTests()
        {
            Directory.CreateDirectory(_dir);
        }

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        [Fact]
        public void Compare_ThreeHostsOfOneCpuAndAnother_ListsTheClassAndTwoDirections()
        {
            var files = Copies(CliRunner.IvyBridge, "ivy", 3).Append(CliRunner.Avoton).ToArray();

            var result = CliRunner.Run(new[] { "compare" }.Concat(files).ToArray());

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("Classes (2 for 4 hosts", result.Out);
            Assert.Contains("ivy1 (+2 alike): ivy1, ivy2, ivy3", result.Out);
            Assert.Contains("ivy1 (+2 alike) -> avoton-c2750: BLOCKED by", result.Out);
            Assert.Contains("avoton-c2750 -> ivy1 (+2 alike): BLOCKED by", result.Out);
            Assert.DoesNotContain("ivy1 -> ivy2", result.Out);
        }

        [Fact]
        public void Compare_IdenticalHosts_SaysTheyMoveFreely()
        {
            var result = CliRunner.Run(new[] { "compare" }.Concat(Copies(CliRunner.IvyBridge, "ivy", 2)).ToArray());

            Assert.Equal(0, result.ExitCode);
            Assert.Contains("Every host offers the same tracked features", result.Out);
        }

        [Fact]
        public void Compare_FiveCpus_OneLinePerDirectionAndAFeatureTable()
        {
            var files = FiveCpus();

            var result = CliRunner.Run(new[] { "compare" }.Concat(files).ToArray());

            Assert.Equal(1, result.ExitCode);
            var lines = result.OutLines.Where(l => l.Contains(" -> ")).ToArray();
            Assert.Equal(20, lines.Length);
            Assert.All(lines, l => Assert.Matches(@": (allowed|BLOCKED by [A-Z0-9_]+(, [A-Z0-9_]+)*)(; not verifiable: [A-Z0-9_]+(, [A-Z0-9_]+)*)?$", l));
            Assert.Contains("Tracked features that differ", result.Out);
            Assert.Matches(@"(?m)^  AVX2 +Advanced Vector Extensions 2 \(AVX2\) +leaf 0x7 ebx bit 5 +GenuineIntel00306C3_Haswell_CPUID, ", result.Out);
        }

        [Fact]
        public void Compare_PerPair_ListsEveryOrderedPairOfHosts()
        {
            var files = Copies(CliRunner.IvyBridge, "ivy", 3).Append(CliRunner.Avoton).ToArray();

            var result = CliRunner.Run(new[] { "compare", "--per-pair" }.Concat(files).ToArray());

            var pairs = result.Out.Substring(result.Out.IndexOf("Every pair of hosts:", StringComparison.Ordinal))
                .Split('\n').Where(l => l.Contains(" -> ")).ToArray();
            Assert.Equal(12, pairs.Length);
            Assert.Contains(pairs, l => l.StartsWith("ivy1 -> ivy2: allowed", StringComparison.Ordinal));
            Assert.Contains(pairs, l => l.StartsWith("ivy3 -> avoton-c2750: BLOCKED by", StringComparison.Ordinal));
        }

        [Fact]
        public void Compare_Json_HasClassesFeaturesDirectionsAndPerPairOnlyWhenAsked()
        {
            var files = Copies(CliRunner.IvyBridge, "ivy", 3).Append(CliRunner.Avoton).ToArray();

            var plain = JsonDocument.Parse(CliRunner.Run(new[] { "compare", "--json" }.Concat(files).ToArray()).Out).RootElement;
            var withPairs = JsonDocument.Parse(CliRunner.Run(new[] { "compare", "--json", "--per-pair" }.Concat(files).ToArray()).Out).RootElement;

            Assert.Equal(2, plain.GetProperty("classes").GetArrayLength());
            Assert.Equal(3, plain.GetProperty("classes")[0].GetProperty("hosts").GetArrayLength());
            Assert.Equal(2, plain.GetProperty("directions").GetArrayLength());
            Assert.Equal(3, plain.GetProperty("directions")[0].GetProperty("sourceHosts").GetArrayLength());
            var avx = plain.GetProperty("features").EnumerateArray().Single(f => f.GetProperty("feature").GetProperty("name").GetString() == "AVX");
            Assert.Equal(new[] { "ivy1", "ivy2", "ivy3" }, avx.GetProperty("presentOn").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(new[] { "avoton-c2750" }, avx.GetProperty("missingOn").EnumerateArray().Select(e => e.GetString()));
            Assert.True(plain.GetProperty("blocked").GetBoolean());
            Assert.False(plain.TryGetProperty("perPair", out _));
            Assert.Equal(12, withPairs.GetProperty("perPair").GetArrayLength());
        }

        [Fact]
        public void Mask_ManyHostsOfTwoCpus_ProofNamesTheClasses()
        {
            var files = Copies(CliRunner.IvyBridge, "ivy", 4).Concat(Copies(CliRunner.Avoton, "atom", 4)).ToArray();

            var result = CliRunner.Run(new[] { "mask" }.Concat(files).ToArray());

            Assert.Equal(0, result.ExitCode);
            Assert.Contains("Classes (2 for 8 hosts", result.Out);
            Assert.Contains("a VM powered on on ivy1 (+3 alike) moving to atom1 (+3 alike): allowed", result.Out);
            Assert.Contains("Proof passed", result.Out);
            Assert.Equal(8, result.OutLines.Count(l => l.StartsWith("  ivy", StringComparison.Ordinal) || l.StartsWith("  atom", StringComparison.Ordinal)) - 2); // the proof table, and the two classes
        }

        private IEnumerable<string> Copies(string file, string stem, int count)
        {
            for (int i = 1; i <= count; i++)
            {
                string copy = Path.Combine(_dir, $"{stem}{i}.txt");
                File.Copy(file, copy);
                yield return copy;
            }
        }

        private static string[] FiveCpus() => new[]
        {
            CliRunner.Avoton,
            CliRunner.IvyBridge,
            CliRunner.Dump("GenuineIntel00306C3_Haswell_CPUID.txt"),
            CliRunner.Dump("GenuineIntel0050654_SkylakeXeon_CPUID2.txt"),
            CliRunner.Dump("GenuineIntel00606A6_ICX_CPUID3.txt"),
        };
    }
}
