using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Json;
using CpuidMask.Engine.Masks;
using CpuidMask.Vim.Types;

namespace CpuidMask.Vim.Masks
{
    /// <summary>
    /// What a mask write changed on one VM's extraConfig, kept so that <see cref="VmMaskService.UndoAsync"/> can put the
    /// previous values back. As JSON (the undo file):
    /// <code>
    /// {"kind": "extraConfig", "server": "vc01", "vm": "web01", "moref": "VirtualMachine:vm-42",
    ///  "appliedAt": "2025-01-31T09:14:03.512Z", "outcome": "applied",
    ///  "changes": [{"key": "cpuid.1.ecx", "previous": null, "applied": "--00-0---0----0-----------------"}]}
    /// </code>
    /// <c>previous</c> null means the key did not exist (undo removes it); <c>applied</c> null means the write removed it.
    /// </summary>
    public sealed class MaskUndoRecord : VmUndoRecord
    {
        internal const string KindName = "extraConfig";

        public MaskUndoRecord(string server, string vm, ManagedObjectReference? moRef, DateTimeOffset appliedAt, IEnumerable<KeyChange> changes, VmChangeOutcome? outcome = null)
            : base(server, vm, moRef, appliedAt, outcome)
        {
            Changes = (changes ?? throw new ArgumentNullException(nameof(changes))).ToArray();
        }

        public override string Kind => KindName;

        /// <summary>The changes as made: key, previous value (null: absent), applied value (null: removed).</summary>
        public IReadOnlyList<KeyChange> Changes { get; }

        /// <summary>Reads an undo file of either kind that must be of this one; see <see cref="VmUndoRecord.Parse"/>.</summary>
        public static new MaskUndoRecord Parse(string json, string sourceName) =>
            VmUndoRecord.Parse(json, sourceName) as MaskUndoRecord
            ?? throw new CpuidMaskException(VimErrorIds.UndoRecordInvalid, ErrorKind.InvalidData, $"{sourceName}: a per-VM EVC undo record, where CPUID mask changes were expected.", sourceName);

        public override VmUndoRecord WithOutcome(VmChangeOutcome outcome) => new MaskUndoRecord(Server, Vm, MoRef, AppliedAt, Changes, outcome);

        public override string ToString() => $"{Vm} on {Server}: {string.Join(", ", Changes.Select(c => c.Key))}";

        internal static MaskUndoRecord Read(JsonDomObject obj, Header header, string sourceName)
        {
            if (obj.Get("changes") is not JsonDomArray list)
            {
                throw Invalid(sourceName, obj, "it has no \"changes\" array.");
            }

            var changes = new List<KeyChange>();
            var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var item in list)
            {
                if (item is not JsonDomObject change)
                {
                    throw Invalid(sourceName, item, "each change must be an object with key, previous and applied.");
                }

                string key = RequiredString(change, "key", sourceName);
                if (!VmMask.IsMaskConfigKey(key))
                {
                    throw Invalid(sourceName, change, $"'{key}' is not a CPUID mask key (cpuid.<leaf>.<reg> or featMask.vm.cpuid.<NAME>); undo only restores CPUID masks.");
                }

                string canonical = CanonicalKey(key);
                if (seen.TryGetValue(canonical, out var first))
                {
                    throw Invalid(sourceName, change, first == key ? $"'{key}' appears twice." : $"'{key}' and '{first}' are the same key.");
                }

                seen.Add(canonical, key);
                string? previous = OptionalString(change, "previous", sourceName);
                string? applied = OptionalString(change, "applied", sourceName);
                foreach (var (label, value) in new[] { ("previous", previous), ("applied", applied) })
                {
                    // An empty value is how vSphere shows a removed key; anything else must be a value the key can hold.
                    if (!string.IsNullOrEmpty(value) && !IsValue(key, value!))
                    {
                        throw Invalid(sourceName, change, $"the {label} value of '{key}', \"{value}\", is not a value that key can hold; an undo would write it back into the VM.");
                    }
                }

                changes.Add(new KeyChange(key, previous, applied));
            }

            return new MaskUndoRecord(header.Server, header.Vm, header.MoRef, header.AppliedAt, changes, header.Outcome);
        }

        private protected override void AddChanges(JsonDomObject obj)
        {
            var changes = new JsonDomArray();
            foreach (var change in Changes)
            {
                changes.Add(new JsonDomObject()
                    .Add("key", change.Key)
                    .Add("previous", change.PreviousValue)
                    .Add("applied", change.NewValue));
            }

            obj.Add("changes", changes);
        }

        // One spelling per key (cpuid.1.ecx, CPUID.01.ECX): the key as a mask would write it.
        private static string CanonicalKey(string key)
        {
            try
            {
                return VmMask.FromExtraConfig(new[] { new KeyValuePair<string, string>(key, SampleValue(key)) }, "undo record").ToExtraConfig().Single().Key;
            }
            catch (CpuidMaskException)
            {
                return key.ToLowerInvariant();
            }
        }

        private static bool IsValue(string key, string value)
        {
            try
            {
                VmMask.FromExtraConfig(new[] { new KeyValuePair<string, string>(key, value) }, "undo record");
                return true;
            }
            catch (CpuidMaskException)
            {
                return false;
            }
        }

        private static string SampleValue(string key) =>
            key.StartsWith(VmMask.FeatMaskPrefix, StringComparison.OrdinalIgnoreCase) ? "Val:0" : new string('-', 31) + "0";
    }
}
