using System;
using System.IO;
using System.Linq;
using System.Text;
using CpuidMask.Fuzz.Tests.Fuzzing;
using CpuidMask.Vim.Masks;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace CpuidMask.Fuzz.Tests.Undo
{
    /// <summary>
    /// Mutated undo files of both kinds, read as 'cpuidmask undo' and Undo-VmCpuidMask read them
    /// (<see cref="VmUndoRecord.Parse"/>, <see cref="UndoFileJournal.Read"/>): each is refused with a CpuidMaskException
    /// naming the file, or read as the file says and safe to undo (<see cref="UndoOracle"/>), within a time bound.
    /// </summary>
    public class UndoFuzzProperties
    {
        [Fact]
        public void Seeds_BothKindsEveryOutcomeAndTheOlderForm()
        {
            var seeds = UndoSeeds.All;

            Assert.True(seeds.Count(s => s.Record is MaskUndoRecord) >= 20, "extraConfig seeds: " + seeds.Count(s => s.Record is MaskUndoRecord));
            Assert.True(seeds.Count(s => s.Record is EvcUndoRecord) >= 8, "perVmEvc seeds: " + seeds.Count(s => s.Record is EvcUndoRecord));
            Assert.Contains(seeds, s => !s.Text.Contains("\"kind\"", StringComparison.Ordinal));
            Assert.Equal(5, seeds.Select(s => s.Record.Outcome).Distinct().Count());
            Assert.All(seeds, s => Assert.Null(UndoOracle.Judge(s, neutral: false, s.Text, s.Record)));
        }

        [Property(MaxTest = 1000)]
        public Property UndoFiles_MutatedAreRefusedOrReadAsWrittenAndSafe() =>
            Prop.ForAll(
                UndoCase.Over(UndoSeeds.All),
                @case =>
                {
                    var (text, what) = @case.Apply();
                    string Describe() => $"{@case.Seed.Name} after {@case.Kind}: {what}";
                    var outcome = Bounded.Run(() => VmUndoRecord.Parse(text, @case.Seed.SourceName), Describe);
                    if (!outcome.Accepted && !outcome.Refusal!.Message.Contains(@case.Seed.SourceName, StringComparison.Ordinal))
                    {
                        throw new FuzzFailure($"The refusal does not name the file: {outcome.Refusal.ErrorId}: {outcome.Refusal.Message}; {Describe()}");
                    }

                    if (UndoOracle.Judge(@case.Seed, @case.Neutral, text, outcome.Value) is string unsound)
                    {
                        throw new FuzzFailure($"UNSOUND: {unsound}; {Describe()}");
                    }

                    return true.Collect($"{(@case.Neutral ? "neutral" : "damaged")} {outcome}");
                });

        /// <summary>Whatever bytes an undo file holds, reading it ends in a safe record or a CpuidMaskException naming the file, quickly.</summary>
        [Property(MaxTest = 100)]
        public Property AnyBytesInAnUndoFile_AreReadOrRefusedQuickly() =>
            Prop.ForAll(
                Arb.From(Gen.OneOf(
                    Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)),
                    Gen.Elements(UndoSeeds.All.ToArray()).SelectMany(s => Gen.Choose(0, s.Text.Length).Select(n => Encoding.UTF8.GetBytes(s.Text.Substring(0, n)))),
                    Gen.Elements(UndoSeeds.All.ToArray()).Select(s => Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(s.Text)).ToArray()),
                    Gen.Choose(1, 200_000).Select(n => Encoding.UTF8.GetBytes(new string('[', n))))),
                bytes =>
                {
                    string path = Path.Combine(Path.GetTempPath(), "cpuidmask-fuzz-" + Guid.NewGuid().ToString("N") + ".undo.json");
                    File.WriteAllBytes(path, bytes);
                    try
                    {
                        string Describe() => $"a file of {bytes.Length} bytes starting {BitConverter.ToString(bytes.Take(16).ToArray())}";
                        var outcome = Bounded.Run(() => UndoFileJournal.Read(path), Describe);
                        if (!outcome.Accepted && !outcome.Refusal!.Message.Contains(path, StringComparison.Ordinal))
                        {
                            throw new FuzzFailure($"The refusal does not name the file: {outcome.Refusal.ErrorId}: {outcome.Refusal.Message}; {Describe()}");
                        }

                        if (outcome.Accepted && UndoOracle.Safety(outcome.Value!) is string unsafeRecord)
                        {
                            throw new FuzzFailure($"UNSOUND: {unsafeRecord}; {Describe()}");
                        }

                        return true.Label(outcome.ToString());
                    }
                    finally
                    {
                        File.Delete(path);
                    }
                });
    }
}
