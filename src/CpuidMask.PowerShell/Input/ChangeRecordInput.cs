using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Masks;
using CpuidMask.Vim.Masks;
using CpuidMask.Vim.Types;

namespace CpuidMask.PowerShell.Input
{
    /// <summary>
    /// Turns what -Undo is given into the vSphere client's undo record: a Set-VmCpuidMask result (live, or
    /// deserialized by Import-Clixml or remoting), or a MaskUndoRecord (e.g. parsed from a 'cpuidmask apply'
    /// undo file).
    /// </summary>
    internal static class ChangeRecordInput
    {
        public const string InvalidErrorId = "UndoInputInvalid";

        public static MaskUndoRecord From(object item, PropertyReader read)
        {
            switch (item)
            {
                case MaskUndoRecord record:
                    return record;
                case VmCpuidMaskChange change:
                    return change.ToUndoRecord();
                case MaskApplyResult result:
                    return result.ToUndoRecord();
            }

            string? vm = read.ReadString(item, "VM");
            string? server = read.ReadString(item, "Server");
            object? changes = read(item, "Changes");
            if (vm == null || server == null || changes == null || changes is string || !(changes is IEnumerable list))
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
                if (!VmMask.IsMaskConfigKey(key))
                {
                    throw new CpuidMaskException(
                        InvalidErrorId,
                        ErrorKind.InvalidData,
                        $"The change record of VM '{vm}' names '{key}', which is not a CPUID mask key; -Undo only restores CPUID masks.",
                        item);
                }

                var change = new KeyChange(key, read(entry!, "PreviousValue")?.ToString(), read(entry!, "NewValue")?.ToString());
                foreach (string? value in new[] { change.PreviousValue, change.NewValue })
                {
                    // -Undo writes the previous value back: it must be a mask, as Set-VmCpuidMask wrote and read it (or
                    // empty, which removes the key).
                    if (!string.IsNullOrEmpty(value) && !VmMask.TryValidateValue(key, value, out string? problem))
                    {
                        throw new CpuidMaskException(
                            InvalidErrorId,
                            ErrorKind.InvalidData,
                            $"The change record of VM '{vm}' holds {problem} It is not what Set-VmCpuidMask recorded, so it cannot be undone safely.",
                            item);
                    }
                }

                keyChanges.Add(change);
            }

            ManagedObjectReference.TryParse(read.ReadString(item, "Id"), out var moRef);
            return new MaskUndoRecord(server, vm, moRef, ReadTime(read(item, "AppliedAt"), read), keyChanges);
        }

        private static DateTimeOffset ReadTime(object? value, PropertyReader read) => value switch
        {
            null => DateTimeOffset.MinValue,
            DateTimeOffset offset => offset,
            DateTime time => new DateTimeOffset(time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time),
            string text when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) => parsed,
            // Import-Clixml gives a DateTimeOffset back as a property bag.
            _ when read(value, "UtcDateTime") is DateTime utc => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)),
            _ => DateTimeOffset.MinValue,
        };
    }
}
