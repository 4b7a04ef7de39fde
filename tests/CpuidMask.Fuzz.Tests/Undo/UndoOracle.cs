using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using CpuidMask.Fuzz.Tests.Masks;
using CpuidMask.Vim.Masks;

namespace CpuidMask.Fuzz.Tests.Undo
{
    /// <summary>
    /// Judges an undo record the engine read from a mutated file. Null when sound. What an undo would do with an accepted
    /// record must be what the file says, read by a second JSON parser (System.Text.Json): the same server, VM name and
    /// reference, the same changes in order; and it must be safe whatever the file says: every key a CPUID mask key, every
    /// value it would write or compare a mask of that key (checked by <see cref="MaskReference"/>), so that no corruption
    /// makes an undo write a non-mask value. Text that is no JSON, or names one member twice (in any case), is refused.
    /// </summary>
    internal static class UndoOracle
    {
        private static readonly HashSet<string> ReadNames = new HashSet<string>(
            new[] { "kind", "server", "vm", "moref", "appliedAt", "outcome", "changes", "key", "previous", "applied", "value", "evcMode", "cpuVendor", "featureName" },
            StringComparer.OrdinalIgnoreCase);

        public static string? Judge(UndoSeed seed, bool neutral, string text, VmUndoRecord? record)
        {
            if (neutral)
            {
                if (record == null)
                {
                    return "a change of white space, line endings or escapes was refused";
                }

                return record.ToJson() == seed.Record.ToJson() ? null : "a neutral change read as another record:\n" + record.ToJson();
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 4096 });
            }
            catch (JsonException ex)
            {
                return record == null ? null : "accepted text that is no JSON (" + ex.Message + ")";
            }

            if (record == null)
            {
                return null;
            }

            using (document)
            {
                try
                {
                    return Compare(document.RootElement, record);
                }
                catch (InvalidOperationException ex)
                {
                    // A lone surrogate System.Text.Json will not decode: only the safety of the record can be judged.
                    return Safety(record) ?? (ex.Message.Contains("surrogate", StringComparison.OrdinalIgnoreCase) || ex.Message.Contains("transcode", StringComparison.OrdinalIgnoreCase) ? null : "the second reader failed: " + ex.Message);
                }
            }
        }

        /// <summary>Whatever the file said: keys are mask keys and every value undo would write or compare is a mask.</summary>
        public static string? Safety(VmUndoRecord record)
        {
            switch (record)
            {
                case MaskUndoRecord mask:
                    foreach (var change in mask.Changes)
                    {
                        bool register = MaskReference.CanonicalKey(change.Key) is string canonical && !canonical.StartsWith(MaskReference.FeatMaskPrefix, StringComparison.Ordinal);
                        bool named = change.Key.StartsWith(MaskReference.FeatMaskPrefix, StringComparison.OrdinalIgnoreCase);
                        if (!register && !named)
                        {
                            return $"the record would restore '{change.Key}', which is no CPUID mask key";
                        }

                        foreach (string? value in new[] { change.PreviousValue, change.NewValue })
                        {
                            if (!string.IsNullOrEmpty(value) && (register ? MaskReference.NormalizeRegister(value) == null : MaskReference.FeatureValue(value) == null))
                            {
                                return $"the record holds {change.Key} = '{value}', which is no mask of that key";
                            }
                        }
                    }

                    return null;
                case EvcUndoRecord evc:
                    foreach (var entry in evc.Previous.Concat(evc.Applied))
                    {
                        bool featureKey = entry.Key.StartsWith("cpuid.", StringComparison.OrdinalIgnoreCase)
                            || string.Equals(entry.Key, "hv.capable", StringComparison.OrdinalIgnoreCase)
                            || string.Equals(entry.Key, "vt.realmode", StringComparison.OrdinalIgnoreCase);
                        if (!featureKey || MaskReference.FeatureValue(entry.Value) == null)
                        {
                            return $"the record holds the per-VM EVC entry {entry.Key} = '{entry.Value}', which is no feature mask";
                        }
                    }

                    return null;
                default:
                    return "a record of an unknown kind: " + record.GetType().Name;
            }
        }

        private static string? Compare(JsonElement root, VmUndoRecord record)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                return "accepted a document that is no object";
            }

            if (Twice(root) is string twice)
            {
                return $"accepted an object that names \"{twice}\" twice";
            }

            string? Text(JsonElement obj, string name) =>
                obj.EnumerateObject().Where(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Select(p => p.Value).FirstOrDefault() is var v && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

            var differences = new List<string>();
            if (Text(root, "server") != record.Server)
            {
                differences.Add($"server '{Text(root, "server")}' read as '{record.Server}'");
            }

            if (Text(root, "vm") != record.Vm)
            {
                differences.Add($"vm '{Text(root, "vm")}' read as '{record.Vm}'");
            }

            string? moRef = Text(root, "moref")?.Trim();
            if (record.MoRef == null ? moRef != null && moRef.Length > 0 : moRef != record.MoRef.Type + ":" + record.MoRef.Value && moRef != record.MoRef.Type + "-" + record.MoRef.Value)
            {
                differences.Add($"moref '{moRef}' read as '{record.MoRef}'");
            }

            switch (record)
            {
                case MaskUndoRecord mask:
                {
                    var changes = Member(root, "changes").EnumerateArray().ToArray();
                    string written = string.Join("; ", changes.Select(c => $"{Text(c, "key")}: {Text(c, "previous") ?? "null"} -> {Text(c, "applied") ?? "null"}"));
                    string read = string.Join("; ", mask.Changes.Select(c => $"{c.Key}: {c.PreviousValue ?? "null"} -> {c.NewValue ?? "null"}"));
                    if (written != read)
                    {
                        differences.Add($"changes [{written}] read as [{read}]");
                    }

                    break;
                }

                case EvcUndoRecord evc:
                    foreach (var (name, entries) in new[] { ("previous", evc.Previous), ("applied", evc.Applied) })
                    {
                        string written = string.Join("; ", Member(root, name).EnumerateArray().Select(e => $"{Text(e, "key")} = {Text(e, "value")}"));
                        string read = string.Join("; ", entries.Select(e => $"{e.Key} = {e.Value}"));
                        if (written != read)
                        {
                            differences.Add($"{name} [{written}] read as [{read}]");
                        }
                    }

                    break;
            }

            return differences.Count > 0 ? "read otherwise than written: " + string.Join("; ", differences) : Safety(record);
        }

        private static JsonElement Member(JsonElement obj, string name) =>
            obj.EnumerateObject().First(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Value;

        // A name given twice in one object; in another case too for the names a record is read from (the engine reads
        // names whatever their case, and refuses such a twin when it looks the name up).
        private static string? Twice(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var names = new HashSet<string>(StringComparer.Ordinal);
                    var read = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                    foreach (var property in element.EnumerateObject())
                    {
                        if (!names.Add(property.Name) || (ReadNames.Contains(property.Name) && !read.Add(property.Name)))
                        {
                            return property.Name;
                        }

                        if (Twice(property.Value) is string inner)
                        {
                            return inner;
                        }
                    }

                    return null;
                case JsonValueKind.Array:
                    return element.EnumerateArray().Select(Twice).FirstOrDefault(n => n != null);
                default:
                    return null;
            }
        }
    }
}
