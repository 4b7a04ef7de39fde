using CpuidMask.Engine.Masks;

namespace CpuidMask.Vim.Masks
{
    /// <summary>How <see cref="VmMaskService.ApplyAsync(CpuidMask.Vim.Inventory.VmRecord, VmMask, MaskApplyOptions?, System.Threading.CancellationToken)"/> writes a mask.</summary>
    public sealed class MaskApplyOptions
    {
        /// <summary>Merge with the VM's existing masks (default; hiding wins) or replace them (mask keys the new mask lacks are removed).</summary>
        public MaskWriteMode Mode { get; init; } = MaskWriteMode.Merge;

        /// <summary>Write even though the VM is powered on or suspended (the mask then applies at its next power-on).</summary>
        public bool Force { get; init; }

        /// <summary>Compute and return the changes without writing anything.</summary>
        public bool WhatIf { get; init; }

        /// <summary>
        /// The CPU vendor the mask was made for (GeneratedMask.CpuVendor), when known: a VM whose host has another
        /// vendor's CPU is refused (CpuVendorMismatch). Null for masks that do not say (typed .vmx lines).
        /// </summary>
        public string? MaskCpuVendor { get; init; }

        /// <summary>
        /// Write even when vCenter's answer lacks config.changeVersion (the guard that makes a write fail if the VM
        /// changed after it was read): the VM is read again just before the write and compared instead. Off by default:
        /// without either, a concurrent change could be overwritten.
        /// </summary>
        public bool AllowUnguarded { get; init; }
    }

    /// <summary>How <see cref="VmMaskService.UndoAsync"/> restores a VM.</summary>
    public sealed class MaskUndoOptions
    {
        /// <summary>
        /// Restore even though a key no longer holds the value that was applied (someone changed it since),
        /// the VM is powered on or suspended, or the record names another server.
        /// </summary>
        public bool Force { get; init; }

        /// <summary>Compute and return the changes without writing anything.</summary>
        public bool WhatIf { get; init; }

        /// <summary>See <see cref="MaskApplyOptions.AllowUnguarded"/>.</summary>
        public bool AllowUnguarded { get; init; }
    }
}
