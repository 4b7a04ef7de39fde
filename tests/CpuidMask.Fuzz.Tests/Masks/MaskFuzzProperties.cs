using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Readers;
using CpuidMask.Fuzz.Tests.Fuzzing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace CpuidMask.Fuzz.Tests.Masks
{
    /// <summary>
    /// Mutated mask files in both forms (.vmx lines, mask JSON), read as <c>cpuidmask apply --mask-file</c> and
    /// <c>Set-VmCpuidMask -MaskPath</c> read them (<see cref="MaskFile"/>): each is refused with a CpuidMaskException that
    /// names the file, or read as the rules say (<see cref="MaskOracle"/>) and round-trips, within a time bound.
    /// </summary>
    public class MaskFuzzProperties
    {
        // JSON values a mask value must not be taken from: every other kind, numbers beyond any range, strings that
        // are no text (lone surrogates), and structures.
        private static readonly string[] ForeignJsonValues =
        {
            "0", "-1", "1.5", "-0", "1e999", "-1e999", "99999999999999999999999999999999", "1E+2", "true", "false", "null",
            "{}", "[]", "[\"--------------------------------\"]", "{\"value\": \"Val:0\"}", "[[[[[[[[[[]]]]]]]]]]",
            "\"\\ud800\"", "\"\\udc00----------------------------\"", "\"Val:\\ud83d\"", "\"\\u0000\"", "\"\"",
            "\"Val:99999999999999999999\"", "\"Val:0x10000000000000000\"", "\"Val:-1\"", "\"garbage\"",
        };

        [Fact]
        public void Seeds_EveryFormHasRealMasksThatReadCleanly()
        {
            var byForm = MaskSeeds.All.GroupBy(s => s.Form).ToDictionary(g => g.Key, g => g.Count());

            Assert.True(byForm[MaskForm.Vmx] >= 30, "vmx seeds: " + byForm[MaskForm.Vmx]);
            Assert.True(byForm[MaskForm.FeatMask] >= 20, "featmask seeds: " + byForm[MaskForm.FeatMask]);
            Assert.True(byForm[MaskForm.Annotated] >= 10);
            Assert.True(byForm[MaskForm.Respelled] >= 10);
            Assert.True(byForm[MaskForm.Json] >= 10);
            Assert.True(byForm[MaskForm.JsonExtraConfig] >= 10);
            Assert.All(MaskSeeds.All, s => Assert.NotEmpty(s.EntrySpans));
            Assert.All(MaskSeeds.All, s => Assert.Equal(s.Entries, MaskReference.Read(s.Text).Entries));
            Assert.All(MaskSeeds.All, s => Assert.Null(MaskOracle.RoundTrip(s.Mask)));
        }

        [Property(MaxTest = 1200)]
        public Property VmxMaskFiles_MutatedAreRefusedOrReadAsTheRulesSay() =>
            Check(MaskSeeds.Of(MaskForm.Vmx, MaskForm.FeatMask, MaskForm.Annotated, MaskForm.Respelled));

        [Property(MaxTest = 600)]
        public Property JsonMaskFiles_MutatedAreRefusedOrReadAsTheRulesSay() =>
            Check(MaskSeeds.Of(MaskForm.Json, MaskForm.JsonExtraConfig));

        /// <summary>A mask value that is a number, a boolean, null, a structure or no text is refused, naming the file, line and key.</summary>
        [Property(MaxTest = 300)]
        public Property JsonMaskValuesOfAnotherKind_AreRefusedNamingFileAndKey()
        {
            var seeds = MaskSeeds.Of(MaskForm.Json, MaskForm.JsonExtraConfig);
            var cases =
                from seed in Gen.Elements(seeds.ToArray())
                from index in Gen.Choose(0, int.MaxValue)
                from value in Gen.Elements(ForeignJsonValues)
                select (seed, index, value);
            return Prop.ForAll(Arb.From(cases), c =>
            {
                var (seed, index, value) = c;
                var entry = seed.EntrySpans[index % seed.EntrySpans.Count];
                string key = seed.Text.Substring(entry.KeyStart, entry.KeyLength);
                string text = seed.Text.Substring(0, entry.ValueStart - 1) + value + seed.Text.Substring(entry.ValueStart + entry.ValueLength + 1);
                string Describe() => $"{seed.Name}: {key} = {value}";
                var outcome = Bounded.Run(() => MaskFile.Read(text, seed.SourceName), Describe);
                if (outcome.Accepted)
                {
                    throw new FuzzFailure($"UNSOUND: accepted as {string.Join(", ", outcome.Value!.ToVmxLines())}; {Describe()}");
                }

                string message = outcome.Refusal!.Message;
                string line = $"line {entry.Line + 1}";
                if (!message.Contains(seed.SourceName, StringComparison.Ordinal) || !message.Contains(line, StringComparison.Ordinal) || !message.Contains(key, StringComparison.Ordinal))
                {
                    throw new FuzzFailure($"The refusal does not name the file, {line} and the key: {outcome.Refusal.ErrorId}: {message}; {Describe()}");
                }

                return true.Collect(outcome.Refusal.ErrorId);
            });
        }

        /// <summary>Inputs far larger than a mask: a seed repeated, one endless line or value, deep nesting; refused or read quickly.</summary>
        [Property(MaxTest = 40)]
        public Property HugeMaskInputs_AreRefusedOrReadQuickly()
        {
            var big = Gen.Choose(0, 6).SelectMany(kind => Gen.Choose(10_000, 400_000).Select(n => (kind, n)));
            return Prop.ForAll(Arb.From(big), c =>
            {
                var (kind, n) = c;
                var seed = MaskSeeds.All[n % MaskSeeds.All.Count];
                string text = kind switch
                {
                    0 => string.Concat(Enumerable.Repeat(seed.Text, 1 + n / Math.Max(1, seed.Text.Length))),
                    1 => "cpuid.1.ecx = \"" + new string('-', n) + "\"\n",
                    2 => "cpuid.1.ecx = \"" + new string(' ', n) + "--------------------------------\"\n",
                    3 => new string('[', n),
                    4 => "{\"extraConfig\": {\"cpuid.1.ecx\": \"" + new string('x', n) + "\"}}",
                    5 => string.Concat(Enumerable.Repeat("# a comment that goes on\n", n / 10)) + seed.Text,
                    _ => "{\"extraConfig\": {" + string.Join(",", Enumerable.Range(0, n / 20).Select(i => $"\"featMask.vm.cpuid.X{i}\": \"Val:0\"")) + "}}",
                };
                var outcome = Bounded.Run(() => MaskFile.Read(text, "huge.txt"), () => $"kind {kind}, {text.Length} characters starting {MaskCase.Show(text.Substring(0, Math.Min(60, text.Length)))}");
                if (outcome.Accepted && MaskOracle.RoundTrip(outcome.Value!) is string unsound)
                {
                    throw new FuzzFailure($"UNSOUND: {unsound}; kind {kind}, {text.Length} characters");
                }

                return true.Collect($"kind {kind} {outcome}");
            });
        }

        /// <summary>Whatever bytes a mask file holds, reading it ends in a mask or a CpuidMaskException naming the file, quickly.</summary>
        [Property(MaxTest = 150)]
        public Property AnyBytesInAMaskFile_AreReadOrRefusedQuickly() =>
            Prop.ForAll(
                Arb.From(Gen.OneOf(
                    Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)),
                    Gen.Elements(MaskSeeds.All.ToArray()).SelectMany(s => Gen.Choose(0, s.Text.Length).Select(n => Encoding.UTF8.GetBytes(s.Text.Substring(0, n)))),
                    Gen.Elements(MaskSeeds.All.ToArray()).Select(s => Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(s.Text)).ToArray()),
                    Gen.Elements(MaskSeeds.All.ToArray()).Select(s => Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(s.Text)).ToArray()))),
                bytes =>
                {
                    string path = Path.Combine(Path.GetTempPath(), "cpuidmask-fuzz-" + Guid.NewGuid().ToString("N") + ".vmx");
                    File.WriteAllBytes(path, bytes);
                    try
                    {
                        string Describe() => $"a file of {bytes.Length} bytes starting {BitConverter.ToString(bytes.Take(16).ToArray())}";
                        var outcome = Bounded.Run(() => MaskFile.ReadFile(path), Describe);
                        if (!outcome.Accepted && !outcome.Refusal!.Message.Contains(path, StringComparison.Ordinal))
                        {
                            throw new FuzzFailure($"The refusal does not name the file: {outcome.Refusal.ErrorId}: {outcome.Refusal.Message}; {Describe()}");
                        }

                        if (outcome.Accepted && MaskOracle.RoundTrip(outcome.Value!) is string unsound)
                        {
                            throw new FuzzFailure($"UNSOUND: {unsound}; {Describe()}");
                        }

                        return true.Label(outcome.ToString());
                    }
                    finally
                    {
                        File.Delete(path);
                    }
                });

        private static Property Check(IReadOnlyList<MaskSeed> seeds) =>
            Prop.ForAll(
                MaskCase.Over(seeds, MaskSeeds.All),
                @case =>
                {
                    var (text, damage, what) = @case.Apply();
                    string Describe() => $"{@case.Seed.Name} ({@case.Seed.Form}) after {@case.Kind} [{damage}]: {what}";
                    var outcome = Bounded.Run(() => MaskFile.Read(text, @case.Seed.SourceName), Describe);
                    string? unsound = MaskOracle.Judge(@case.Seed, damage, text, outcome, @case.Seed.SourceName);
                    if (unsound != null)
                    {
                        throw new FuzzFailure($"UNSOUND: {unsound}; {Describe()}");
                    }

                    return true.Collect($"{damage} {(outcome.Accepted ? "accepted" : "refused")}");
                });
    }
}
