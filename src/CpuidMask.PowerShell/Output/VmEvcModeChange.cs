using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Collections;
using CpuidMask.Vim.Masks;
using CpuidMask.Vim.Types;

namespace CpuidMask.PowerShell
{
    /// <summary>
    /// What Set-VmEvcMode did to one VM: the per-VM EVC mode applied (or cleared), where its feature mask came
    /// from, the VM's runtime.featureMask before, and what vCenter reports after. Undo-VmCpuidMask puts the
    /// previous mask back.
    /// </summary>
    public sealed class VmEvcModeChange : VmCpuidChange
    {
        internal VmEvcModeChange(PerVmEvcResult result)
        {
            Result = result;
            Id = VmCpuidMaskInfo.IdOf(result.MoRef);
            Previous = Lines(result.Previous);
            Mask = Lines(result.Request.Mask);
            ReadBack = Lines(result.ReadBack);
        }

        /// <summary>The VM's name.</summary>
        public string VM => Result.VmName;

        /// <summary>PowerCLI's form of the VM's reference, e.g. VirtualMachine-vm-42.</summary>
        public string Id { get; }

        /// <summary>The vCenter the VM is on.</summary>
        public string Server => Result.Server;

        /// <summary>The EVC mode key applied, e.g. intel-haswell; null when per-VM EVC was cleared.</summary>
        public string? EvcMode => Result.Request.EvcModeKey;

        /// <summary>Where the feature mask came from: the vCenter's own EVC mode, or computed from the baseline catalog.</summary>
        public string Source => Result.Request.Source;

        /// <summary>Applied (sent and read back), Unchanged (the VM already had exactly this mask; nothing sent) or WhatIf.</summary>
        public string Status => Result.Status.ToString();

        /// <summary>Whether ApplyEvcModeVM_Task was sent.</summary>
        public bool Applied => Result.Status == MaskApplyStatus.Applied;

        /// <summary>Whether runtime.featureMask read back holds exactly the entries sent.</summary>
        public bool Verified => Result.Verified;

        /// <summary>The VM's runtime.featureMask before ("cpuid.AVX = Val:1"); empty when it had no per-VM EVC mode.</summary>
        public IReadOnlyList<string> Previous { get; }

        /// <summary>The HostFeatureMask entries sent (completeMasks true); empty to clear.</summary>
        public IReadOnlyList<string> Mask { get; }

        /// <summary>runtime.featureMask read back after the task ("key = value").</summary>
        public IReadOnlyList<string> ReadBack { get; }

        /// <summary>config.changeVersion after the task.</summary>
        public string? ChangeVersion => Result.ChangeVersion;

        /// <summary>When the change takes effect.</summary>
        public string Note => "A per-VM EVC mode takes effect at the VM's next power-on.";

        /// <summary>The vSphere client's result, with the HostFeatureMask objects.</summary>
        public PerVmEvcResult Result { get; }

        public override string ToString() => $"{VM}: {(EvcMode ?? "per-VM EVC cleared")} ({Status})";

        internal override object UndoRecord() => Result.ToUndoRecord();

        private static IReadOnlyList<string> Lines(IEnumerable<HostFeatureMask> mask) => mask.Select(m => $"{m.Key} = {m.Value}").ToItemList();
    }
}
