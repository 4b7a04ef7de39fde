using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Json;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Readers;
using CpuidMask.Fuzz.Tests.Fuzzing;

namespace CpuidMask.Fuzz.Tests.Masks
{
    /// <summary>
    /// Judges what the engine made of a mutated mask input. Null when sound, otherwise what is unsound:
    /// <list type="bullet">
    /// <item>every refusal names the input (its file name);</item>
    /// <item>a neutral change (<see cref="MaskDamage.Neutral"/>) reads as the seed; a key given twice is refused;</item>
    /// <item>anything else is judged against <see cref="MaskReference"/>: what it refuses the engine refuses, and what it
    /// accepts the engine reads to the same entries (a refusal there is reported too: one of the two readers is wrong);</item>
    /// <item>an accepted mask round-trips: its .vmx lines and its extraConfig JSON read back as the same mask.</item>
    /// </list>
    /// </summary>
    internal static class MaskOracle
    {
        public static string? Judge(MaskSeed seed, MaskDamage damage, string text, Outcome<VmMask> outcome, string sourceName)
        {
            if (!outcome.Accepted)
            {
                if (!outcome.Refusal!.Message.Contains(sourceName, StringComparison.Ordinal))
                {
                    return $"the refusal ({outcome.Refusal.ErrorId}) does not name the input '{sourceName}': {outcome.Refusal.Message}";
                }
            }

            switch (damage)
            {
                case MaskDamage.Neutral:
                    if (!outcome.Accepted)
                    {
                        return $"a neutral change was refused ({outcome.Refusal!.ErrorId}: {outcome.Refusal.Message})";
                    }

                    return Differences(seed.Entries, MaskReference.EntriesOf(outcome.Value!), "seed") ?? RoundTrip(outcome.Value!);
                case MaskDamage.Twin:
                    return outcome.Accepted ? "a key given twice was accepted: " + Show(MaskReference.EntriesOf(outcome.Value!)) : null;
            }

            var reference = MaskReference.Read(text);
            if (reference.Unknown)
            {
                return outcome.Accepted ? RoundTrip(outcome.Value!) : null;
            }

            if (reference.Entries == null)
            {
                return outcome.Accepted
                    ? $"accepted what the rules refuse ({reference.Refusal}), as {Show(MaskReference.EntriesOf(outcome.Value!))}"
                    : null;
            }

            if (!outcome.Accepted)
            {
                return $"refused ({outcome.Refusal!.ErrorId}: {outcome.Refusal.Message}) what the rules accept as {Show(reference.Entries)}";
            }

            return Differences(reference.Entries, MaskReference.EntriesOf(outcome.Value!), "the rules") ?? RoundTrip(outcome.Value!);
        }

        /// <summary>An accepted mask written as .vmx lines and as an extraConfig JSON object reads back as itself.</summary>
        public static string? RoundTrip(VmMask mask)
        {
            var entries = MaskReference.EntriesOf(mask);
            VmMask fromVmx, fromJson;
            try
            {
                fromVmx = MaskFile.Read(string.Join("\n", mask.ToVmxLines()) + "\n", "round-trip.vmx");
                var extraConfig = new JsonDomObject();
                foreach (var pair in mask.ToExtraConfig())
                {
                    extraConfig.Add(pair.Key, pair.Value);
                }

                fromJson = MaskFile.Read(new JsonDomObject().Add("extraConfig", extraConfig).ToJson(), "round-trip.json");
            }
            catch (CpuidMaskException ex)
            {
                return $"the accepted mask does not read back ({ex.ErrorId}: {ex.Message})";
            }

            return Differences(entries, MaskReference.EntriesOf(fromVmx), "the mask before writing it as .vmx lines")
                ?? Differences(entries, MaskReference.EntriesOf(fromJson), "the mask before writing it as JSON");
        }

        private static string? Differences(IReadOnlyDictionary<string, string> expected, IReadOnlyDictionary<string, string> actual, string against)
        {
            var lines = expected.Keys.Union(actual.Keys)
                .Where(k => !expected.TryGetValue(k, out var e) || !actual.TryGetValue(k, out var a) || e != a)
                .Select(k => $"{k}: {(expected.TryGetValue(k, out var e) ? e : "absent")} in {against}, {(actual.TryGetValue(k, out var a) ? a : "absent")} read")
                .ToArray();
            return lines.Length == 0 ? null : "read differently: " + string.Join("; ", lines);
        }

        private static string Show(IReadOnlyDictionary<string, string> entries) =>
            "{" + string.Join(", ", entries.Select(p => p.Key + "=" + p.Value)) + "}";
    }
}
