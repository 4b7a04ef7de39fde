using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Masks;
using CpuidMask.Fuzz.Tests.Masks;
using CpuidMask.Vim.Masks;
using CpuidMask.Vim.Types;

namespace CpuidMask.Fuzz.Tests.Undo
{
    /// <summary>One unmutated undo file: what 'cpuidmask apply' writes for one VM, and the record it was written from.</summary>
    internal sealed class UndoSeed
    {
        public UndoSeed(string name, VmUndoRecord record, string text)
        {
            Name = name;
            Record = record;
            Text = text;
            SourceName = "undo-" + name + ".json";
        }

        public string Name { get; }

        public VmUndoRecord Record { get; }

        public string Text { get; }

        public string SourceName { get; }

        public override string ToString() => Name;
    }

    /// <summary>
    /// The seeds: undo records of both kinds over the masks of <see cref="MaskSeeds.Generated"/> (real dumps): a mask
    /// applied over nothing, over another mask, over the same keys in other spellings, and removed (--replace); per-VM
    /// EVC masks applied and cleared; every outcome, and the older form without "kind" and "outcome".
    /// </summary>
    internal static class UndoSeeds
    {
        private static readonly Lazy<IReadOnlyList<UndoSeed>> Seeds = new Lazy<IReadOnlyList<UndoSeed>>(Load);

        public static IReadOnlyList<UndoSeed> All => Seeds.Value;

        private static IReadOnlyList<UndoSeed> Load()
        {
            var seeds = new List<UndoSeed>();
            var generated = MaskSeeds.Generated;
            var outcomes = new VmChangeOutcome?[] { VmChangeOutcome.Applied, VmChangeOutcome.Pending, VmChangeOutcome.NotApplied, VmChangeOutcome.Unknown, null };
            var appliedAt = new DateTimeOffset(2026, 11, 27, 9, 14, 3, 512, TimeSpan.Zero);
            for (int i = 0; i < generated.Count; i += 2)
            {
                var (name, mask) = generated[i];
                var before = generated[(i * 7 + 5) % generated.Count].Mask;
                var applied = new VmMask(mask.Mask.Registers, mask.FeatMask.FeatureMasks).ToExtraConfig();
                var previous = new VmMask(before.Mask.Registers, before.FeatMask.FeatureMasks).ToExtraConfig().ToDictionary(p => p.Key, p => p.Value);
                var changes = (i % 4) switch
                {
                    // Over nothing: every key new.
                    0 => applied.Select(p => new KeyChange(p.Key, null, p.Value)),

                    // Over another mask: keys it had are replaced, and with --replace the others removed.
                    2 => applied.Select(p => new KeyChange(p.Key, previous.TryGetValue(p.Key, out var v) ? v : null, p.Value))
                        .Concat(previous.Where(p => !applied.Any(a => a.Key == p.Key)).Select(p => new KeyChange(p.Key, p.Value, null))),
                    _ => applied.Select(p => new KeyChange(p.Key, null, p.Value)),
                };
                if (i % 6 == 4)
                {
                    // The VM held one key in another spelling too; the record puts both back.
                    var first = applied.First();
                    var other = MaskReference.Spellings(MaskReference.CanonicalKey(first.Key)!).First(s => s != first.Key);
                    changes = changes.Append(new KeyChange(other, first.Value, null));
                }

                var record = new MaskUndoRecord("vc01.example.test", "vm-" + i, new ManagedObjectReference("VirtualMachine", "vm-" + (40 + i)), appliedAt.AddMinutes(i), changes.ToArray(), outcomes[i % outcomes.Length]);
                seeds.Add(Seed(name + "-extraconfig", record, i % 5 == 4));
            }

            for (int i = 1; i < generated.Count; i += 4)
            {
                var (name, mask) = generated[i];
                var applied = Evc(mask.FeatMask);
                var previous = i % 3 == 0 ? Array.Empty<HostFeatureMask>() : Evc(generated[(i + 3) % generated.Count].Mask.FeatMask);
                var record = new EvcUndoRecord("esx01.example.test", "app" + i, new ManagedObjectReference("VirtualMachine", "vm-" + (900 + i)), appliedAt.AddHours(i), previous, i % 5 == 1 ? Array.Empty<HostFeatureMask>() : applied, i % 5 == 1 ? null : "intel-haswell", "GenuineIntel", outcomes[i % outcomes.Length]);
                seeds.Add(Seed(name + "-pervmevc", record, false));
            }

            return seeds;
        }

        // What vCenter's runtime.featureMask holds: cpuid.NAME = Val:n, every hidden feature by name.
        private static HostFeatureMask[] Evc(VmMask featMask) =>
            featMask.FeatureMasks.Select(p => new HostFeatureMask { Key = "cpuid." + p.Key, FeatureName = "cpuid." + p.Key, Value = p.Value })
                .Append(new HostFeatureMask { Key = "cpuid.FAMILY", FeatureName = "cpuid.FAMILY", Value = "Val:0x6" })
                .ToArray();

        private static UndoSeed Seed(string name, VmUndoRecord record, bool older)
        {
            string text = record.ToJson();
            if (older)
            {
                // Written before undo files had a kind and an outcome.
                text = string.Join("\n", text.Split('\n').Where(l => !l.TrimStart().StartsWith("\"kind\"", StringComparison.Ordinal) && !l.TrimStart().StartsWith("\"outcome\"", StringComparison.Ordinal)));
            }

            return new UndoSeed(name, VmUndoRecord.Parse(text, name), text);
        }
    }
}
