using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Json;
using CpuidMask.Engine.Masks;
using CpuidMask.Vim.Types;

namespace CpuidMask.Vim.Masks
{
    /// <summary>
    /// What an apply changed on one VM, kept so that <see cref="VmMaskService.UndoAsync"/> can put the
    /// previous values back. Serialized as JSON (the undo file):
    /// <code>
    /// {"server": "vc01", "vm": "web01", "moref": "VirtualMachine:vm-42", "appliedAt": "2025-01-31T09:14:03.512Z",
    ///  "changes": [{"key": "cpuid.1.ecx", "previous": null, "applied": "--00-0---0----0-----------------"}]}
    /// </code>
    /// <c>previous</c> null means the key did not exist (undo removes it); <c>applied</c> null means the
    /// apply removed it. It never holds credentials.
    /// </summary>
    public sealed class MaskUndoRecord
    {
        private const string AppliedAtFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

        public MaskUndoRecord(string server, string vm, ManagedObjectReference? moRef, DateTimeOffset appliedAt, IEnumerable<KeyChange> changes)
        {
            Server = server ?? throw new ArgumentNullException(nameof(server));
            Vm = vm ?? throw new ArgumentNullException(nameof(vm));
            MoRef = moRef;
            AppliedAt = appliedAt.ToUniversalTime();
            Changes = (changes ?? throw new ArgumentNullException(nameof(changes))).ToArray();
        }

        /// <summary>The vCenter (or ESXi) host name the change was made on.</summary>
        public string Server { get; }

        /// <summary>The VM's name when the change was made.</summary>
        public string Vm { get; }

        /// <summary>The VM's reference; undo finds the VM by it (names can be reused, references cannot).</summary>
        public ManagedObjectReference? MoRef { get; }

        /// <summary>When the change was made (UTC).</summary>
        public DateTimeOffset AppliedAt { get; }

        /// <summary>The changes as made: key, previous value (null: absent), applied value (null: removed).</summary>
        public IReadOnlyList<KeyChange> Changes { get; }

        /// <summary>The undo file's JSON (indented, LF line ends).</summary>
        public string ToJson()
        {
            var changes = new JsonDomArray();
            foreach (var change in Changes)
            {
                changes.Add(new JsonDomObject()
                    .Add("key", change.Key)
                    .Add("previous", change.PreviousValue)
                    .Add("applied", change.NewValue));
            }

            return new JsonDomObject()
                .Add("server", Server)
                .Add("vm", Vm)
                .Add("moref", MoRef?.ToString())
                .Add("appliedAt", AppliedAt.UtcDateTime.ToString(AppliedAtFormat, CultureInfo.InvariantCulture))
                .Add("changes", changes)
                .ToJson(indented: true) + "\n";
        }

        /// <summary>
        /// Reads an undo file's JSON. Errors (id UndoRecordInvalid, or JsonMalformed for bad JSON) name
        /// <paramref name="sourceName"/> and, where they can, the line. Only CPUID mask keys are accepted:
        /// an undo never touches other extraConfig keys, whatever the file says; and every "previous" and
        /// "applied" value must be a mask for its key. Keys are not held to the catalog: they are what the VM held.
        /// </summary>
        public static MaskUndoRecord Parse(string json, string sourceName)
        {
            var root = JsonDomNode.Parse(json ?? throw new ArgumentNullException(nameof(json)), sourceName);
            if (root is not JsonDomObject obj)
            {
                throw Invalid(sourceName, root, "expected a JSON object with server, vm, moref, appliedAt and changes, as 'cpuidmask apply' writes.");
            }

            string server = RequiredString(obj, "server", sourceName);
            string vm = RequiredString(obj, "vm", sourceName);
            ManagedObjectReference? moRef = null;
            if (obj.Get("moref") is JsonDomString moRefText && !ManagedObjectReference.TryParse(moRefText.Value, out moRef))
            {
                throw Invalid(sourceName, moRefText, $"\"moref\" is '{moRefText.Value}', not a reference such as VirtualMachine:vm-42.");
            }

            var appliedAt = DateTimeOffset.MinValue;
            if (obj.Get("appliedAt") is JsonDomString at
                && !DateTimeOffset.TryParse(at.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out appliedAt))
            {
                throw Invalid(sourceName, at, $"\"appliedAt\" is '{at.Value}', not a UTC time such as 2025-01-31T09:14:03Z.");
            }

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
                    if (!string.IsNullOrEmpty(value) && !VmMask.TryValidateValue(key, value, out string? problem))
                    {
                        throw Invalid(sourceName, change.Get(name) ?? change, $"\"{name}\" of {problem}");
                    }
                }

                changes.Add(keyChange);
            }

            return new MaskUndoRecord(server, vm, moRef, appliedAt, changes);
        }

        public override string ToString() => $"{Vm} on {Server}: {string.Join(", ", Changes.Select(c => c.Key))}";

        private static string RequiredString(JsonDomObject obj, string name, string sourceName) =>
            obj.Get(name) is JsonDomString s && s.Value.Length > 0
                ? s.Value
                : throw Invalid(sourceName, obj.Get(name) ?? obj, $"\"{name}\" is missing or not a non-empty string.");

        private static string? OptionalString(JsonDomObject obj, string name, string sourceName) => obj.Get(name) switch
        {
            null => null,
            JsonDomNull _ => null,
            JsonDomString s => s.Value,
            var other => throw Invalid(sourceName, other, $"\"{name}\" must be a string or null."),
        };

        private static CpuidMaskException Invalid(string sourceName, JsonDomNode at, string message) =>
            new CpuidMaskException(
                VimErrorIds.UndoRecordInvalid,
                ErrorKind.InvalidData,
                (at.Line > 0
                    ? string.Format(CultureInfo.InvariantCulture, "{0} line {1}, column {2}: ", sourceName, at.Line, at.Column)
                    : sourceName + ": ") + "not a usable undo record: " + message,
                sourceName);
    }
}
