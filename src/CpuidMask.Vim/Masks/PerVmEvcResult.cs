using System;
using System.Collections.Generic;
using CpuidMask.Engine.Collections;
using CpuidMask.Vim.Types;

namespace CpuidMask.Vim.Masks
{
    /// <summary>A per-VM EVC mask to apply: the HostFeatureMask entries, which mode they stand for, and where they come from.</summary>
    public sealed class PerVmEvcRequest
    {
        public PerVmEvcRequest(string? evcModeKey, IReadOnlyList<HostFeatureMask> mask, string source, string? cpuVendor = null)
        {
            EvcModeKey = evcModeKey;
            Mask = Entries(mask ?? throw new ArgumentNullException(nameof(mask)));
            Source = source ?? throw new ArgumentNullException(nameof(source));
            CpuVendor = cpuVendor;
        }

        /// <summary>A request that removes the VM's per-VM EVC mode (an empty mask).</summary>
        public static PerVmEvcRequest Clear { get; } = new PerVmEvcRequest(null, Array.Empty<HostFeatureMask>(), "empty mask (clears per-VM EVC)");

        /// <summary>The CPU vendor the mode is for (GenuineIntel, AuthenticAMD); null when clearing or not known.</summary>
        public string? CpuVendor { get; }

        /// <summary>The EVC mode key, e.g. intel-haswell; null when clearing.</summary>
        public string? EvcModeKey { get; }

        /// <summary>The entries sent with completeMasks true; empty clears per-VM EVC.</summary>
        public IReadOnlyList<HostFeatureMask> Mask { get; }

        /// <summary>"vCenter's own EVC mode intel-haswell (capability.supportedEVCMode)" or "computed from the baseline catalog".</summary>
        public string Source { get; }

        public override string ToString() => (EvcModeKey ?? "(clear)") + " from " + Source;

        /// <summary>Entries as a list whose text is each entry's "key = value" (what Export-Csv writes for it).</summary>
        internal static IReadOnlyList<HostFeatureMask> Entries(IEnumerable<HostFeatureMask> entries) => entries.ToItemList(e => $"{e.Key} = {e.Value}");
    }

    /// <summary>What applying a per-VM EVC mode did to one VM.</summary>
    public sealed class PerVmEvcResult
    {
        private readonly IReadOnlyList<HostFeatureMask> _readBack = ItemList<HostFeatureMask>.Empty;

        /// <remarks>Public so that a result kept with Export-Clixml (or returned from a job) can be rebuilt as it was.</remarks>
        public PerVmEvcResult(string server, string vmName, ManagedObjectReference moRef, MaskApplyStatus status, PerVmEvcRequest request, IReadOnlyList<HostFeatureMask> previous)
        {
            Server = server;
            VmName = vmName;
            MoRef = moRef;
            Status = status;
            Request = request;
            Previous = PerVmEvcRequest.Entries(previous);
        }

        public string Server { get; }

        public string VmName { get; }

        public ManagedObjectReference MoRef { get; }

        /// <summary>Applied (one ApplyEvcModeVM_Task, read back), Unchanged (the VM already had exactly this mask) or WhatIf.</summary>
        public MaskApplyStatus Status { get; }

        /// <summary>What was (or would be) applied, and from where.</summary>
        public PerVmEvcRequest Request { get; }

        /// <summary>runtime.featureMask before; empty when the VM had no per-VM EVC mode.</summary>
        public IReadOnlyList<HostFeatureMask> Previous { get; }

        /// <summary>runtime.featureMask read back after the task; empty for WhatIf.</summary>
        public IReadOnlyList<HostFeatureMask> ReadBack
        {
            get => _readBack;
            init => _readBack = PerVmEvcRequest.Entries(value);
        }

        /// <summary>Whether the read-back equals what was sent (as a set of key/value pairs).</summary>
        public bool Verified { get; init; }

        /// <summary>config.changeVersion after the task.</summary>
        public string? ChangeVersion { get; init; }

        /// <summary>When the change was made (UTC); for Unchanged/WhatIf, when it was checked.</summary>
        public DateTimeOffset AppliedAt { get; init; } = DateTimeOffset.UtcNow;

        /// <summary>The record that undoes this change: the VM's previous per-VM EVC mask again (none: cleared).</summary>
        public EvcUndoRecord ToUndoRecord(VmChangeOutcome? outcome = null) =>
            new EvcUndoRecord(Server, VmName, MoRef, AppliedAt, Previous, Status == MaskApplyStatus.Applied ? ReadBack : Request.Mask, Request.EvcModeKey, Request.CpuVendor, outcome);

        public override string ToString() => $"{VmName}: {Status.ToString().ToLowerInvariant()} {Request}";
    }
}
