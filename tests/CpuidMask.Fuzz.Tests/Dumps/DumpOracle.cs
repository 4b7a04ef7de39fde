using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Model;

namespace CpuidMask.Fuzz.Tests.Dumps
{
    /// <summary>
    /// Judges what a reader made of a mutated seed against what it made of the seed. Refusing is always sound
    /// (damage the reader cannot tell from valid data is its business); accepting must not make another CPU:
    /// <list type="bullet">
    /// <item>Neutral mutations must be accepted and read identically.</item>
    /// <item>A value changed in place may change that leaf (all its subleaves: the old dumper's leaf 0xD order
    /// follows subleaf 0's value) or that capability, nothing else.</item>
    /// <item>Any other damage may not change what vCenter compares: vendor, family, model, stepping, and the state
    /// of every tracked feature of every CPU. Only where the format legitimately omits leaf 7's and 0xD's
    /// subleaves, and in the leaves dumpers drop whole when empty (0xF, 0x10), may a feature there turn unknown or
    /// known (a lost line or a plausible foreign one), never flip.</item>
    /// <item>A cut file may lose whole CPUs at the end, never change the ones it keeps.</item>
    /// </list>
    /// </summary>
    internal static class DumpOracle
    {
        private static readonly Lazy<FeatureDefinition[]> Tracked = new Lazy<FeatureDefinition[]>(() =>
            FeatureCatalog.Default.Features.Where(f => f.Tracked).ToArray());

        /// <summary>Null when the outcome is sound, else why not.</summary>
        public static string? Judge(DumpSeed seed, MutationClass cls, IReadOnlyList<CpuidProfile>? read)
        {
            var original = seed.Profiles;
            if (read == null)
            {
                return cls == MutationClass.Neutral ? "refused, though only line endings changed" : null;
            }

            switch (cls)
            {
                case MutationClass.Neutral:
                    return SameRead(original, read);
                case MutationClass.Value:
                    return ConfinedToOneValue(original, read);
                case MutationClass.Truncation:
                    return read.Count > original.Count
                        ? $"{read.Count} CPUs read from a cut file of {original.Count}"
                        : SameCpus(seed, original.Take(read.Count).ToArray(), read);
                default:
                    return read.Count != original.Count
                        ? $"{read.Count} CPUs read instead of {original.Count}"
                        : SameCpus(seed, original, read);
            }
        }

        private static string? SameRead(IReadOnlyList<CpuidProfile> original, IReadOnlyList<CpuidProfile> read)
        {
            if (read.Count != original.Count)
            {
                return $"{read.Count} CPUs read instead of {original.Count}";
            }

            for (int i = 0; i < original.Count; i++)
            {
                var a = original[i];
                var b = read[i];
                if (a.Name != b.Name || a.Vendor != b.Vendor || a.Brand != b.Brand || a.Format != b.Format)
                {
                    return $"CPU {i} reads as {b.Name}/{b.Vendor}/'{b.Brand}'/{b.Format} instead of {a.Name}/{a.Vendor}/'{a.Brand}'/{a.Format}";
                }

                if (!a.Leaves.Select(l => (l.Key, l.Registers, l.Known)).SequenceEqual(b.Leaves.Select(l => (l.Key, l.Registers, l.Known))))
                {
                    return $"CPU {i} leaves differ: {string.Join(", ", DifferingLeaves(a, b).Take(5))}";
                }

                if (!Capabilities(a).SequenceEqual(Capabilities(b)))
                {
                    return $"CPU {i} capabilities differ";
                }
            }

            return null;
        }

        private static string? ConfinedToOneValue(IReadOnlyList<CpuidProfile> original, IReadOnlyList<CpuidProfile> read)
        {
            if (read.Count != original.Count)
            {
                return $"{read.Count} CPUs read instead of {original.Count} after a value changed";
            }

            var changed = new List<string>();
            for (int i = 0; i < original.Count; i++)
            {
                if (original[i].Format != read[i].Format || original[i].Name != read[i].Name)
                {
                    return $"CPU {i} reads as {read[i].Name} ({read[i].Format}) instead of {original[i].Name} ({original[i].Format})";
                }

                foreach (uint leaf in DifferingLeaves(original[i], read[i]).Select(k => k.Leaf).Distinct())
                {
                    changed.Add($"CPU {i} leaf {LeafKey.FormatLeaf(leaf)}");
                }

                var a = Capabilities(original[i]).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
                var b = Capabilities(read[i]).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
                var keys = a.Keys.Union(b.Keys, StringComparer.OrdinalIgnoreCase)
                    .Where(k => !a.TryGetValue(k, out var x) || !b.TryGetValue(k, out var y) || x != y)
                    .ToArray();
                if (keys.Length > 2 || (keys.Length == 2 && !(a.ContainsKey(keys[0]) ^ a.ContainsKey(keys[1]))))
                {
                    return $"CPU {i}: capabilities {string.Join(", ", keys)} changed after one value changed";
                }

                if (keys.Length > 0)
                {
                    changed.Add($"CPU {i} capability {keys[0]}");
                }
            }

            return changed.Count > 1 ? "one value changed, yet " + string.Join(" and ", changed) + " read differently" : null;
        }

        private static string? SameCpus(DumpSeed seed, IReadOnlyList<CpuidProfile> original, IReadOnlyList<CpuidProfile> read)
        {
            for (int i = 0; i < original.Count; i++)
            {
                var a = original[i];
                var b = read[i];
                if (a.Vendor != b.Vendor || a.Family != b.Family || a.Model != b.Model || a.Stepping != b.Stepping)
                {
                    return $"CPU {i} reads as {b.Vendor} {b.Family:X}/{b.Model:X}/{b.Stepping} instead of {a.Vendor} {a.Family:X}/{a.Model:X}/{a.Stepping}";
                }

                foreach (var feature in Tracked.Value)
                {
                    var was = FeatureEvaluator.HostState(a, feature);
                    var now = FeatureEvaluator.HostState(b, feature);
                    // Where the format may omit a subleaf, a lost line and a plausible inserted one are both undetectable.
                    bool eitherUnknown = was == FeatureState.Unknown || now == FeatureState.Unknown;
                    if (was == now || (eitherUnknown && ((seed.PartialSubleaves && MayBeOmitted(feature.LeafKey)) || MayBeDroppedWhole(feature.LeafKey))))
                    {
                        continue;
                    }

                    return $"CPU {i} feature {feature.Name} ({feature.Location}) reads {now} instead of {was}";
                }
            }

            return null;
        }

        private static bool MayBeOmitted(LeafKey key) => (key.Leaf == 7 || key.Leaf == 0xD) && key.Subleaf > 0;

        /// <summary>
        /// Leaves enumerated by subleaf that dumpers leave out entirely when they are empty (leaf 0x10, resource
        /// director technology, on CPUs without it): no format requires them, so their loss reads as unknown.
        /// Leaves 7 and 0xD are required wherever the CPU reports them.
        /// </summary>
        private static bool MayBeDroppedWhole(LeafKey key) => key.Leaf == 0x10 || key.Leaf == 0xF;

        private static IEnumerable<LeafKey> DifferingLeaves(CpuidProfile a, CpuidProfile b)
        {
            var mine = a.Leaves.ToDictionary(l => l.Key);
            var theirs = b.Leaves.ToDictionary(l => l.Key);
            return mine.Keys.Union(theirs.Keys)
                .Where(k => !mine.TryGetValue(k, out var x) || !theirs.TryGetValue(k, out var y) || !x.Registers.Equals(y.Registers) || x.Known != y.Known)
                .OrderBy(k => k);
        }

        private static IEnumerable<KeyValuePair<string, string>> Capabilities(CpuidProfile profile) =>
            profile.Capabilities.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase);
    }
}
