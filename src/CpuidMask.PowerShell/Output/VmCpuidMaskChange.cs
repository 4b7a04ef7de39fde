using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Collections;
using CpuidMask.Engine.Masks;
using CpuidMask.Vim.Masks;

namespace CpuidMask.PowerShell
{
    /// <summary>
    /// What Set-VmCpuidMask changed on one VM: every key it touched with the value before and after. It is
    /// its own undo record: <c>$change | Undo-VmCpuidMask</c> puts the previous values back (also from
    /// Export-Clixml / Import-Clixml).
    /// </summary>
    public sealed class VmCpuidMaskChange : VmCpuidChange
    {
        internal VmCpuidMaskChange(
            string vm,
            string id,
            string server,
            string mode,
            IEnumerable<KeyChange> changes,
            IEnumerable<string> resultLines,
            IEnumerable<string> problems,
            bool applied,
            DateTimeOffset? appliedAt = null,
            string? note = null)
        {
            VM = vm;
            Id = id;
            Server = server;
            Mode = mode;
            Changes = changes.ToItemList();
            Lines = resultLines.ToItemList();
            Problems = problems.ToItemList();
            Applied = applied;
            AppliedAt = appliedAt ?? DateTimeOffset.UtcNow;
            Note = note;
        }

        /// <summary>The VM's name.</summary>
        public string VM { get; }

        /// <summary>PowerCLI's form of the VM's reference, e.g. VirtualMachine-vm-42.</summary>
        public string Id { get; }

        /// <summary>The vCenter the VM was written on.</summary>
        public string Server { get; }

        /// <summary>Merge, Replace or Undo.</summary>
        public string Mode { get; }

        /// <summary>Every extraConfig key touched: Key, PreviousValue (null: it did not exist), NewValue (null: removed).</summary>
        public IReadOnlyList<KeyChange> Changes { get; }

        public IReadOnlyList<string> Keys => Changes.Select(c => c.Key).ToItemList();

        /// <summary>The VM's CPUID mask lines after the change.</summary>
        public IReadOnlyList<string> Lines { get; }

        /// <summary>Whether the reconfiguration was sent (false when nothing needed changing).</summary>
        public bool Applied { get; }

        /// <summary>Read-back differences: keys the server did not keep as written. Empty when verified.</summary>
        public IReadOnlyList<string> Problems { get; }

        /// <summary>The server holds exactly what was written.</summary>
        public bool Verified => Problems.Count == 0;

        /// <summary>When the change was made (UTC).</summary>
        public DateTimeOffset AppliedAt { get; }

        /// <summary>When the change takes effect, e.g. at the next power-on of a VM that was running.</summary>
        public string? Note { get; }

        /// <summary>The undo record the vSphere client takes (also what 'cpuidmask undo' reads, as JSON: ToUndoRecord().ToJson()).</summary>
        public MaskUndoRecord ToUndoRecord() =>
            new MaskUndoRecord(Server, VM, Vim.Types.ManagedObjectReference.TryParse(Id, out var moRef) ? moRef : null, AppliedAt, Changes);

        public override string ToString() => $"{VM}: {string.Join(", ", Keys)}";

        internal override object UndoRecord() => ToUndoRecord();

        /// <summary>A write whose answer was lost: what it sent, as its undo record holds it, and not verified.</summary>
        internal static VmCpuidMaskChange FromInterrupted(MaskUndoRecord record, VmChangeOutcome outcome) => new VmCpuidMaskChange(
            record.Vm,
            record.MoRef == null ? string.Empty : VmCpuidMaskInfo.IdOf(record.MoRef),
            record.Server,
            "Interrupted",
            record.Changes,
            Array.Empty<string>(),
            new[] { $"the answer was lost; the VM read again shows the outcome: {VmUndoRecord.OutcomeText(outcome)}" },
            applied: outcome == VmChangeOutcome.Applied,
            record.AppliedAt);

        internal static VmCpuidMaskChange FromResult(MaskApplyResult result) => new VmCpuidMaskChange(
            result.VmName,
            VmCpuidMaskInfo.IdOf(result.MoRef),
            result.Server,
            result.Operation == MaskOperation.Undo ? "Undo" : (result.Mode ?? MaskWriteMode.Merge).ToString(),
            result.Changes,
            result.ResultMask.ToVmxLines(),
            result.Problems,
            result.Written,
            result.AppliedAt,
            result.Note);
    }
}
