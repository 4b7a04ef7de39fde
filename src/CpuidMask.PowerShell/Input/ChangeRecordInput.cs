using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Masks;
using CpuidMask.Vim.Types;

namespace CpuidMask.PowerShell.Input
{
    /// <summary>A Set-VmCpuidMask result to undo, live or deserialized (Import-Clixml).</summary>
    internal sealed class ChangeRecordInput
    {
        public const string InvalidErrorId = "UndoInputInvalid";

        private ChangeRecordInput(string vm, ManagedObjectReference? moRef, ServerAddress? server, IReadOnlyList<KeyChange> changes, object original)
        {
            VM = vm;
            MoRef = moRef;
            Server = server;
            Changes = changes;
            Original = original;
        }

        public string VM { get; }

        public ManagedObjectReference? MoRef { get; }

        public ServerAddress? Server { get; }

        /// <summary>The changes as they were made (Key, PreviousValue, NewValue).</summary>
        public IReadOnlyList<KeyChange> Changes { get; }

        public object Original { get; }

        public static ChangeRecordInput From(object item, PropertyReader read)
        {
            if (item is VmCpuidMaskChange change)
            {
                ManagedObjectReference.TryParse(change.Id, out var id);
                return new ChangeRecordInput(change.VM, id, ServerAddress.Parse(change.Server), change.Changes, item);
            }

            string? vm = read.ReadString(item, "VM");
            object? changes = read(item, "Changes");
            if (vm == null || changes == null || changes is string || !(changes is IEnumerable list))
            {
                throw new CpuidMaskException(
                    InvalidErrorId,
                    ErrorKind.InvalidArgument,
                    $"A {item.GetType().Name} is not a Set-VmCpuidMask result; -Undo takes what Set-VmCpuidMask -PassThru returned (or its Export-Clixml copy).",
                    item);
            }

            var keyChanges = new List<KeyChange>();
            foreach (var entry in list.Cast<object?>().Where(e => e != null))
            {
                if (entry is KeyChange live)
                {
                    keyChanges.Add(live);
                    continue;
                }

                string key = read.ReadString(entry!, "Key") ?? throw new CpuidMaskException(
                    InvalidErrorId,
                    ErrorKind.InvalidData,
                    $"The change record of VM '{vm}' has a change without a Key; it cannot be undone safely.",
                    item);
                keyChanges.Add(new KeyChange(key, ReadValue(read, entry!, "PreviousValue"), ReadValue(read, entry!, "NewValue")));
            }

            ManagedObjectReference.TryParse(read.ReadString(item, "Id"), out var moRef);
            string? server = read.ReadString(item, "Server");
            return new ChangeRecordInput(vm, moRef, server == null ? null : ServerAddress.Parse(server), keyChanges, item);
        }

        // Null means "absent"; an empty string survives serialization as empty, so it stays distinct.
        private static string? ReadValue(PropertyReader read, object entry, string name) => read(entry, name)?.ToString();
    }
}
