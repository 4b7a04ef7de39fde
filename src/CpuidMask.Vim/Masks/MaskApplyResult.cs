using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Masks;
using CpuidMask.Vim.Types;

namespace CpuidMask.Vim.Masks
{
    /// <summary>What an apply or undo did to one VM.</summary>
    public enum MaskApplyStatus
    {
        /// <summary>The changes were written (one ReconfigVM_Task) and read back.</summary>
        Applied,

        /// <summary>The VM already had exactly this; nothing was sent.</summary>
        Unchanged,

        /// <summary>WhatIf: the changes were computed, nothing was written.</summary>
        WhatIf,
    }

    /// <summary>Whether a result comes from applying a mask or from undoing an earlier apply.</summary>
    public enum MaskOperation
    {
        Apply,
        Undo,
    }

    /// <summary>
    /// The outcome of writing CPUID masks to one VM: every extraConfig key changed with its value
    /// before and after, whether the server kept exactly that, and the change version it now has. It
    /// holds no credentials; <see cref="ToUndoRecord"/> turns it into a record that puts the previous
    /// values back.
    /// </summary>
    public sealed class MaskApplyResult
    {
        internal MaskApplyResult(string server, string vmName, ManagedObjectReference moRef, MaskOperation operation, MaskApplyStatus status, IReadOnlyList<KeyChange> changes)
        {
            Server = server;
            VmName = vmName;
            MoRef = moRef;
            Operation = operation;
            Status = status;
            Changes = changes;
        }

        /// <summary>The vCenter (or ESXi) host name the VM lives on, as the user named it.</summary>
        public string Server { get; }

        public string VmName { get; }

        public ManagedObjectReference MoRef { get; }

        public MaskOperation Operation { get; }

        /// <summary>Merge or Replace for an apply; null for an undo.</summary>
        public MaskWriteMode? Mode { get; init; }

        public MaskApplyStatus Status { get; }

        /// <summary>
        /// The keys changed (or, for WhatIf, that would be): key, previous value (null: did not exist),
        /// new value (null: removed). Only CPUID mask keys; other extraConfig keys are never touched.
        /// </summary>
        public IReadOnlyList<KeyChange> Changes { get; }

        /// <summary>Mask keys the VM already had that stay as they are (merge keeps them).</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Kept { get; init; } = Array.Empty<KeyValuePair<string, string>>();

        /// <summary>The masks the VM has after the write (or would have, for WhatIf).</summary>
        public VmMask ResultMask { get; init; } = VmMask.Empty;

        /// <summary>The power state when the VM was read.</summary>
        public string? PowerState { get; init; }

        /// <summary>config.changeVersion the write was based on.</summary>
        public string? PreviousChangeVersion { get; init; }

        /// <summary>config.changeVersion after the write; null when nothing was written.</summary>
        public string? ChangeVersion { get; init; }

        /// <summary>
        /// True when the VM was read back after the write and holds exactly what was written, or when
        /// nothing needed writing because the VM already held it. False for WhatIf.
        /// </summary>
        public bool Verified { get; init; }

        /// <summary>Keys the server did not keep as written (see <see cref="MaskNotPersistedException"/>); empty when verified.</summary>
        public IReadOnlyList<string> Problems { get; init; } = Array.Empty<string>();

        /// <summary>
        /// True when masks were (or would be) written to a VM that is powered on or suspended: the running
        /// guest keeps the CPU features it got at power-on until the VM is powered off and on again (a
        /// guest reboot or a resume is not enough). A powered-off VM gets them at its next power-on anyway.
        /// </summary>
        public bool AppliesAtNextPowerOn { get; init; }

        /// <summary>A sentence for the user about when the change takes effect, or null.</summary>
        public string? Note { get; init; }

        /// <summary>The VM's config.version as read, e.g. vmx-14; null when vCenter gave none.</summary>
        public string? HardwareVersion { get; init; }

        /// <summary>
        /// Features the applied mask hides that the VM cannot see at its hardware version (<see cref="HardwareVersion"/>):
        /// those entries change nothing until its hardware is upgraded, and <see cref="Note"/> says so. Not an error.
        /// </summary>
        public IReadOnlyList<FeatureDefinition> OutOfReach { get; init; } = Array.Empty<FeatureDefinition>();

        /// <summary>Whether a precondition (power state, a changed key, another server) was overridden with Force.</summary>
        public bool Forced { get; init; }

        /// <summary>When the VM was written (UTC); for Unchanged/WhatIf, when it was checked.</summary>
        public DateTimeOffset AppliedAt { get; init; } = DateTimeOffset.UtcNow;

        /// <summary>Whether anything was sent to the server.</summary>
        public bool Written => Status == MaskApplyStatus.Applied;

        /// <summary>The record that undoes these changes (previous values back; keys that did not exist removed).</summary>
        public MaskUndoRecord ToUndoRecord() => new MaskUndoRecord(Server, VmName, MoRef, AppliedAt, Changes);

        public override string ToString() =>
            $"{VmName}: {Status.ToString().ToLowerInvariant()}" + (Changes.Count == 0 ? string.Empty : " " + string.Join(", ", Changes.Select(c => c.Key)));
    }
}
