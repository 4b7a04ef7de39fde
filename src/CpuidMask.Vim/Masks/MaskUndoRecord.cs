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

            // Exact spellings: an apply over a VM that held one key in two cases records both, to put both back.
            var seen = new HashSet<string>(StringComparer.Ordinal);
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

                if (!seen.Add(key))
                {
                    throw Invalid(sourceName, change, $"'{key}' appears twice.");
                }

                var keyChange = new KeyChange(key, OptionalString(change, "previous", sourceName), OptionalString(change, "applied", sourceName));
                foreach (var (name, value) in new[] { ("previous", keyChange.PreviousValue), ("applied", keyChange.NewValue) })
                {
                    // Undo writes "previous" back and compares "applied" with the VM: both must be masks, as an apply writes
                    // them. An empty value is harmless (sent, it removes the key) and is what a read gives for a key without one.
                    if (!string.IsNullOrEmpty(value) && !VmMask.TryValidateValue(key, value!, out string? problem))
                    {
                        throw Invalid(sourceName, change.Get(name) ?? change, $"\"{name}\" of {problem}");
                    }
                }

                changes.Add(keyChange);
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
    }
}
