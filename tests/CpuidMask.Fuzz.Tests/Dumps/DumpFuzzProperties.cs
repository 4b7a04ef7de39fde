using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;
using CpuidMask.Fuzz.Tests.Fuzzing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace CpuidMask.Fuzz.Tests.Dumps
{
    /// <summary>
    /// Mutated real dumps of every format the readers take: each is refused with a CpuidMaskException or read
    /// soundly (see <see cref="DumpOracle"/>), within a time bound. A failure prints the seed, the mutation and
    /// FsCheck's replay seed; put it in the property's Replay to run that case again.
    /// </summary>
    public class DumpFuzzProperties
    {
        [Fact]
        public void Seeds_EveryFormatHasRealDataThatReadsCleanly()
        {
            var byFormat = DumpSeeds.All.GroupBy(s => s.Format).ToDictionary(g => g.Key, g => g.Count());

            Assert.Equal(49, byFormat[ProfileFormat.InstLatx64]);
            Assert.True(byFormat[ProfileFormat.LinuxCpuid] >= 20, "cpuid -r seeds: " + byFormat[ProfileFormat.LinuxCpuid]);
            Assert.True(byFormat[ProfileFormat.VmwareLog] >= 40);
            Assert.True(byFormat[ProfileFormat.BootCd] >= 40);
            Assert.True(byFormat[ProfileFormat.VSphere] >= 20);
            Assert.True(byFormat[ProfileFormat.Json] >= 10);
            Assert.All(DumpSeeds.All, s => Assert.Equal(s.Format == ProfileFormat.Json ? ProfileFormat.Json : s.Format, ProfileReader.Detect(s.Text)));
            Assert.All(DumpSeeds.All, s => Assert.Contains(s.Values, v => v != ValueChar.None));
        }

        [Property(MaxTest = 2000)]
        public Property InstLatx64Dumps_MutatedAreRefusedOrReadSoundly() => Check(ProfileFormat.InstLatx64);

        [Property(MaxTest = 600)]
        public Property LinuxCpuidOutput_MutatedIsRefusedOrReadSoundly() => Check(ProfileFormat.LinuxCpuid);

        [Property(MaxTest = 600)]
        public Property VmwareLogs_MutatedAreRefusedOrReadSoundly() => Check(ProfileFormat.VmwareLog);

        [Property(MaxTest = 600)]
        public Property BootCdOutput_MutatedIsRefusedOrReadSoundly() => Check(ProfileFormat.BootCd);

        [Property(MaxTest = 500)]
        public Property VSphereExports_MutatedAreRefusedOrReadSoundly() => Check(ProfileFormat.VSphere);

        [Property(MaxTest = 400)]
        public Property SavedProfiles_MutatedAreRefusedOrReadSoundly() => Check(ProfileFormat.Json);

        /// <summary>Whatever bytes a file holds, reading it ends in profiles or a CpuidMaskException, quickly.</summary>
        [Property(MaxTest = 200)]
        public Property AnyBytesInAFile_AreReadOrRefusedQuickly() =>
            Prop.ForAll(
                Arb.From(Gen.OneOf(
                    Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)),
                    Gen.Elements(DumpSeeds.All.ToArray()).SelectMany(s => Gen.Choose(0, s.Text.Length).Select(n => Encoding.UTF8.GetBytes(s.Text.Substring(0, n)))),
                    Gen.Elements(DumpSeeds.All.ToArray()).Select(s => Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(s.Text)).ToArray()))),
                bytes =>
                {
                    string path = Path.Combine(Path.GetTempPath(), "cpuidmask-fuzz-" + Guid.NewGuid().ToString("N") + ".txt");
                    File.WriteAllBytes(path, bytes);
                    try
                    {
                        var outcome = Bounded.Run(() => ProfileReader.ReadAll(path), () => $"a file of {bytes.Length} bytes starting {BitConverter.ToString(bytes.Take(16).ToArray())}");
                        return true.Label(outcome.ToString());
                    }
                    finally
                    {
                        File.Delete(path);
                    }
                });

        private static Property Check(ProfileFormat format)
        {
            var seeds = DumpSeeds.Of(format);
            return Prop.ForAll(
                DumpCase.Over(seeds, seeds),
                @case =>
                {
                    var (text, cls, what) = @case.Apply();
                    string Describe() => $"{@case.Seed.Name} ({format}) after {@case.Kind} [{cls}]: {what}";
                    var outcome = Bounded.Run(() => ProfileReader.Parse(text, @case.Seed.Name), Describe);
                    string? unsound = DumpOracle.Judge(@case.Seed, cls, outcome.Value);
                    if (unsound != null)
                    {
                        throw new FuzzFailure($"UNSOUND: {unsound}; {Describe()}");
                    }

                    return true.Collect($"{cls} {(outcome.Accepted ? "accepted" : "refused")}");
                });
        }
    }
}
