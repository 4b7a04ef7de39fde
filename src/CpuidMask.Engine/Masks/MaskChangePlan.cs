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

        /// <param name="extraConfig">The VM's whole extraConfig as read; non-mask keys are ignored.</param>
        /// <param name="mask">The mask to write.</param>
        /// <param name="mode">Merge with or replace the VM's existing masks.</param>
        /// <param name="vmName">For error messages.</param>
        public static MaskChangePlan Create(IEnumerable<KeyValuePair<string, string>> extraConfig, VmMask mask, MaskWriteMode mode, string vmName)
        {
            var existing = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in extraConfig.Where(p => VmMask.IsMaskConfigKey(p.Key)))
            {
                existing[pair.Key] = pair.Value;
            }

            var current = VmMask.FromExtraConfig(existing, vmName);
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

            var target = result.ToExtraConfig().ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
            var changes = new List<KeyChange>();
            foreach (var pair in target)
            {
                string? before = existing.TryGetValue(pair.Key, out var value) ? value : null;
                if (!string.Equals(before, pair.Value, StringComparison.Ordinal))
                {
                    // Keep the VM's own spelling of an existing key so vSphere replaces it rather than adding a twin.
                    string key = existing.Keys.FirstOrDefault(k => string.Equals(k, pair.Key, StringComparison.OrdinalIgnoreCase)) ?? pair.Key;
                    changes.Add(new KeyChange(key, before, pair.Value));
                }
            }

            foreach (var pair in existing.Where(p => !target.ContainsKey(p.Key)))
            {
                changes.Add(new KeyChange(pair.Key, pair.Value, null));
            }

            return new MaskChangePlan(current, result, changes.OrderBy(c => c.Key, StringComparer.OrdinalIgnoreCase).ToArray());
        }

        /// <summary>
        /// The changes that put back what an apply replaced, judged against what the VM holds now: each key gets its
        /// previous value again (removed where it did not exist). A key already back at its previous value needs
        /// nothing (an undo run twice); a key that holds neither that nor the applied value is a conflict
        /// (<see cref="Conflicts"/>), still planned so a forced undo restores it. Only CPUID mask keys are looked at.
        /// </summary>
        /// <param name="extraConfig">The VM's whole extraConfig as read now.</param>
        /// <param name="applied">The changes the apply made (its undo record).</param>
        /// <param name="vmName">For the result mask's error messages.</param>
        public static MaskChangePlan ForUndo(IEnumerable<KeyValuePair<string, string>> extraConfig, IEnumerable<KeyChange> applied, string vmName)
        {
            var now = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in extraConfig.Where(p => VmMask.IsMaskConfigKey(p.Key)))
            {
                now[pair.Key] = pair.Value;
            }

            var conflicts = new List<string>();
            var changes = new List<KeyChange>();
            foreach (var change in applied)
            {
                string? value = now.TryGetValue(change.Key, out var held) ? held : null;
                if (string.Equals(value, change.PreviousValue, StringComparison.Ordinal))
                {
                    continue;
                }

                if (!string.Equals(value, change.NewValue, StringComparison.Ordinal))
                {
                    conflicts.Add($"{change.Key} is {Show(value)}, not {Show(change.NewValue)} as applied");
                }

                // Keep the VM's own spelling of the key so vSphere replaces it rather than adding a twin.
                string key = now.Keys.FirstOrDefault(k => string.Equals(k, change.Key, StringComparison.OrdinalIgnoreCase)) ?? change.Key;
                changes.Add(new KeyChange(key, value, change.PreviousValue));
            }

            var after = new Dictionary<string, string>(now, StringComparer.OrdinalIgnoreCase);
            foreach (var change in changes)
            {
                if (change.NewValue == null)
                {
                    after.Remove(change.Key);
                }
                else
                {
                    after[change.Key] = change.NewValue;
                }
            }

            return new MaskChangePlan(LenientMask(now, vmName), LenientMask(after, vmName), changes, conflicts);
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

        /// <summary>
        /// Compares what the server holds after a write with what was written. A key the server dropped or
        /// altered (as the old client did with cpuid.7.ebx) is reported, so a silent loss is an error.
        /// </summary>
        public static IReadOnlyList<string> Verify(IEnumerable<KeyValuePair<string, string>> readBack, IEnumerable<KeyChange> written)
        {
            var actual = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in readBack)
            {
                actual[pair.Key] = pair.Value;
            }

            var problems = new List<string>();
            foreach (var change in written)
            {
                bool present = actual.TryGetValue(change.Key, out var value);
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
