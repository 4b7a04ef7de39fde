using System;
using System.Collections.Generic;
using System.Linq;

namespace CpuidMask.Engine.Masks
{
    /// <summary>How a new mask meets the masks a VM already has.</summary>
    public enum MaskWriteMode
    {
        /// <summary>Merge with the existing masks: hiding wins, a forced-vs-hidden bit is an error.</summary>
        Merge,
        /// <summary>The new mask replaces every existing CPUID mask key; keys it lacks are removed.</summary>
        Replace,
    }

    /// <summary>One extraConfig key a write changes. A null value means the key is (or becomes) absent.</summary>
    public sealed class KeyChange
    {
        public KeyChange(string key, string? previousValue, string? newValue)
        {
            Key = key;
            PreviousValue = previousValue;
            NewValue = newValue;
        }

        public string Key { get; }

        /// <summary>The value before the write; null when the key did not exist.</summary>
        public string? PreviousValue { get; }

        /// <summary>The value after the write; null when the write removes the key.</summary>
        public string? NewValue { get; }

        /// <summary>What extraConfig is sent: an empty value removes a key (vSphere API, OptionValue in extraConfig).</summary>
        public string WireValue => NewValue ?? string.Empty;

        public KeyChange Inverse() => new KeyChange(Key, NewValue, PreviousValue);

        public override string ToString() =>
            $"{Key}: {(PreviousValue == null ? "(absent)" : "\"" + PreviousValue + "\"")} -> {(NewValue == null ? "(removed)" : "\"" + NewValue + "\"")}";
    }

    /// <summary>
    /// The exact extraConfig changes that put a mask on a VM: only CPUID mask keys, only the ones whose
    /// value changes. Other keys are never in it, so they cannot be lost.
    /// </summary>
    public sealed class MaskChangePlan
    {
        private MaskChangePlan(VmMask current, VmMask result, IReadOnlyList<KeyChange> changes, IReadOnlyList<string>? conflicts = null)
        {
            Current = current;
            Result = result;
            Changes = changes;
            Conflicts = conflicts ?? Array.Empty<string>();
        }

        /// <summary>The masks the VM had.</summary>
        public VmMask Current { get; }

        /// <summary>The masks the VM will have.</summary>
        public VmMask Result { get; }

        public IReadOnlyList<KeyChange> Changes { get; }

        /// <summary>
        /// For an undo: the keys someone changed after the apply (they hold neither the applied value nor the
        /// previous one), e.g. <c>cpuid.1.ecx is "...", not "..." as applied</c>. Undoing over them loses that change,
        /// so callers refuse unless told to force. Always empty for an apply.
        /// </summary>
        public IReadOnlyList<string> Conflicts { get; }

        public bool IsNoOp => Changes.Count == 0;

        /// <summary>
        /// The changes that put <paramref name="mask"/> on a VM. Keys are matched as ESXi matches them, ignoring case:
        /// a key the VM holds in another case (Cpuid.1.Ecx) is written under the VM's spelling, never twinned. A key the
        /// VM holds in another spelling ESXi would not match (cpuid.01.ecx, cpuid.1.0.ecx) is removed and the mask's
        /// own written instead, and so is every further spelling of one key: afterwards the VM holds each key once.
        /// </summary>
        /// <param name="extraConfig">The VM's whole extraConfig as read; non-mask keys are ignored.</param>
        /// <param name="mask">The mask to write.</param>
        /// <param name="mode">Merge with or replace the VM's existing masks.</param>
        /// <param name="vmName">For error messages.</param>
        /// <exception cref="CpuidMaskException">
        /// MaskConflict (merge: a bit forced on by one mask and hidden by the other); MaskKeyDuplicate (merge: the VM
        /// holds one key in several spellings with different values, so which one ESXi honours is unknown);
        /// MaskMalformed (a value the VM holds is no mask).
        /// </exception>
        public static MaskChangePlan Create(IEnumerable<KeyValuePair<string, string>> extraConfig, VmMask mask, MaskWriteMode mode, string vmName)
        {
            var held = new StoredKeys(extraConfig);
            foreach (var pair in held.Pairs)
            {
                // Every value the plan may remove ends up in the undo record, which must be a mask to be put back.
                if (!VmMask.TryValidateValue(pair.Key, pair.Value, out string? problem))
                {
                    throw new CpuidMaskException(
                        "MaskMalformed",
                        ErrorKind.InvalidData,
                        $"VM '{vmName}' holds {problem} Correct or remove it in the VM's advanced settings; nothing was written.",
                        vmName);
                }
            }

            var spellings = held.Pairs.GroupBy(p => Identity(p.Key)).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            var differing = spellings.Values.FirstOrDefault(g => g.Select(p => p.Value).Distinct(StringComparer.Ordinal).Count() > 1);
            if (mode == MaskWriteMode.Merge && differing != null)
            {
                throw new CpuidMaskException(
                    "MaskKeyDuplicate",
                    ErrorKind.InvalidData,
                    $"VM '{vmName}' holds one key in {differing.Count} spellings with different values ({string.Join(", ", differing.Select(p => $"{InputText.Show(p.Key)} = \"{InputText.Show(p.Value)}\""))}), so which one ESXi honours is unknown and the mask cannot be merged with it. " +
                    "Use replace mode, which writes the key once and removes the other spellings, or remove one in the VM's advanced settings; nothing was written.",
                    vmName);
            }

            var current = VmMask.FromExtraConfig(spellings.Values.Select(g => g[0]), vmName);
            VmMask result;
            if (mode == MaskWriteMode.Merge)
            {
                var merged = current.Merge(mask, out var conflicts);
                if (conflicts.Count > 0)
                {
                    throw new CpuidMaskException(
                        "MaskConflict",
                        ErrorKind.InvalidData,
                        $"VM '{vmName}' already has masks that disagree with the new one: {string.Join("; ", conflicts)}. Use replace mode to overwrite its masks, or fix the mask.",
                        vmName);
                }

                result = merged;
            }
            else
            {
                result = mask;
            }

            var changes = new List<KeyChange>();
            var written = new HashSet<string>(StringComparer.Ordinal);
            foreach (var pair in result.ToExtraConfig())
            {
                string identity = Identity(pair.Key);
                written.Add(identity);
                if (!spellings.TryGetValue(identity, out var group))
                {
                    changes.Add(new KeyChange(pair.Key, null, pair.Value));
                    continue;
                }

                // The VM's own spelling of the key, where ESXi would take ours for it; else ours, and theirs go.
                int keep = group.FindIndex(p => string.Equals(p.Key, pair.Key, StringComparison.OrdinalIgnoreCase));
                if (keep < 0)
                {
                    changes.Add(new KeyChange(pair.Key, null, pair.Value));
                }
                else if (!string.Equals(group[keep].Value, pair.Value, StringComparison.Ordinal))
                {
                    changes.Add(new KeyChange(group[keep].Key, group[keep].Value, pair.Value));
                }

                changes.AddRange(group.Where((_, i) => i != keep).Select(p => new KeyChange(p.Key, p.Value, null)));
            }

            changes.AddRange(held.Pairs.Where(p => !written.Contains(Identity(p.Key))).Select(p => new KeyChange(p.Key, p.Value, null)));
            return new MaskChangePlan(current, result, changes.OrderBy(c => c.Key, StringComparer.OrdinalIgnoreCase).ToArray());
        }

        /// <summary>
        /// The changes that put back what an apply replaced, judged against what the VM holds now: each key gets its
        /// previous value again (removed where it did not exist). A key already back at its previous value needs
        /// nothing (an undo run twice); a key that holds neither that nor the applied value is a conflict
        /// (<see cref="Conflicts"/>), still planned so a forced undo restores it. Only CPUID mask keys are looked at,
        /// found as <see cref="Create"/> wrote them: by their spelling, else ignoring case.
        /// </summary>
        /// <param name="extraConfig">The VM's whole extraConfig as read now.</param>
        /// <param name="applied">The changes the apply made (its undo record).</param>
        /// <param name="vmName">For the result mask's error messages.</param>
        public static MaskChangePlan ForUndo(IEnumerable<KeyValuePair<string, string>> extraConfig, IEnumerable<KeyChange> applied, string vmName)
        {
            var now = new StoredKeys(extraConfig);
            var records = applied.ToArray();
            var named = new HashSet<string>(records.Select(c => c.Key), StringComparer.Ordinal);
            var conflicts = new List<string>();
            var changes = new List<KeyChange>();
            foreach (var change in records)
            {
                var held = now.Find(change.Key, named);
                string? value = held?.Value;
                if (string.Equals(value, change.PreviousValue, StringComparison.Ordinal))
                {
                    continue;
                }

                if (!string.Equals(value, change.NewValue, StringComparison.Ordinal))
                {
                    conflicts.Add($"{change.Key} is {Show(value)}, not {Show(change.NewValue)} as applied");
                }

                // Keep the VM's own spelling of the key so vSphere replaces it rather than adding a twin.
                changes.Add(new KeyChange(held?.Key ?? change.Key, value, change.PreviousValue));
            }

            var after = now.Pairs.ToList();
            foreach (var change in changes)
            {
                after.RemoveAll(p => string.Equals(p.Key, change.Key, StringComparison.Ordinal));
                if (change.NewValue != null)
                {
                    after.Add(new KeyValuePair<string, string>(change.Key, change.NewValue));
                }
            }

            return new MaskChangePlan(LenientMask(now.Pairs, vmName), LenientMask(after, vmName), changes, conflicts);
        }

        // What a VM held before is restored as it was; a malformed value there is the VM's own, not this plan's error.
        private static VmMask LenientMask(IEnumerable<KeyValuePair<string, string>> pairs, string vmName)
        {
            try
            {
                return VmMask.FromExtraConfig(pairs, vmName);
            }
            catch (CpuidMaskException)
            {
                return VmMask.Empty;
            }
        }

        private static string Show(string? value) => value == null ? "absent" : "\"" + value + "\"";

        /// <summary>One key whatever its spelling: the canonical cpuid key, a featMask key in upper case.</summary>
        private static string Identity(string key) =>
            MaskKey.TryParse(key, out var maskKey) ? maskKey.ToString() : key.ToUpperInvariant();

        /// <summary>
        /// Keys a VM holds, in stored order. ESXi matches keys ignoring case, but a store that does not (or an old twin)
        /// can hold Cpuid.1.Ecx beside cpuid.1.ecx, so a key is found by its exact spelling first, and ignoring case
        /// only when no key of the plan is spelled that way itself.
        /// </summary>
        private sealed class StoredKeys
        {
            public StoredKeys(IEnumerable<KeyValuePair<string, string>> extraConfig, bool maskKeysOnly = true)
            {
                Pairs = extraConfig
                    .Where(p => p.Key != null && (!maskKeysOnly || VmMask.IsMaskConfigKey(p.Key)))
                    .Select(p => new KeyValuePair<string, string>(p.Key, p.Value ?? string.Empty))
                    .ToArray();
            }

            public IReadOnlyList<KeyValuePair<string, string>> Pairs { get; }

            public KeyValuePair<string, string>? Find(string key, ISet<string> planned)
            {
                foreach (var pair in Pairs)
                {
                    if (string.Equals(pair.Key, key, StringComparison.Ordinal))
                    {
                        return pair;
                    }
                }

                foreach (var pair in Pairs)
                {
                    if (string.Equals(pair.Key, key, StringComparison.OrdinalIgnoreCase) && !planned.Contains(pair.Key))
                    {
                        return pair;
                    }
                }

                return null;
            }
        }

        /// <summary>
        /// Compares what the server holds after a write with what was written. A key the server dropped or
        /// altered (as the old client did with cpuid.7.ebx) is reported, so a silent loss is an error.
        /// </summary>
        public static IReadOnlyList<string> Verify(IEnumerable<KeyValuePair<string, string>> readBack, IEnumerable<KeyChange> written)
        {
            var writes = written.ToArray();
            var actual = new StoredKeys(readBack, maskKeysOnly: false);
            var named = new HashSet<string>(writes.Select(c => c.Key), StringComparer.Ordinal);
            var problems = new List<string>();
            foreach (var change in writes)
            {
                var held = actual.Find(change.Key, named);
                bool present = held != null;
                string? value = held?.Value;
                if (change.NewValue == null && present && value!.Length > 0)
                {
                    problems.Add($"{change.Key} should have been removed but is \"{value}\"");
                }
                else if (change.NewValue != null && !present)
                {
                    problems.Add($"{change.Key} is missing (the server did not keep it)");
                }
                else if (change.NewValue != null && !string.Equals(value, change.NewValue, StringComparison.Ordinal))
                {
                    problems.Add($"{change.Key} is \"{value}\", not \"{change.NewValue}\"");
                }
            }

            return problems;
        }
    }
}
