using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Masks;

namespace CpuidMask.Engine.Compliance
{
    /// <summary>The verdict on one VM, from a small fixed set (a scheduled job alerts on anything but Compliant).</summary>
    public enum ComplianceStatus
    {
        /// <summary>It can move to every connected host of its scope, and its masks hide nothing for nothing.</summary>
        Compliant,

        /// <summary>A host of its scope is of another CPU vendor: no mask can make that move possible.</summary>
        Blocked,

        /// <summary>It has masks (stored, or per-VM EVC), but a host of its scope would still block it (a host was added).</summary>
        Stale,

        /// <summary>Its masks hide features every host of its scope offers (hosts were retired): the guest loses them for nothing.</summary>
        Wider,

        /// <summary>Running with other features than its stored masks give: they take effect at its next power-on.</summary>
        PendingPowerCycle,

        /// <summary>No masks, and a host of its scope would block it.</summary>
        Unmasked,

        /// <summary>Not decidable now; the reason says why (e.g. its host is disconnected).</summary>
        Unknown,
    }

    /// <summary>Whether a VM can be moved to a host now.</summary>
    public enum MoveOutcome
    {
        CanMove,
        Blocked,
        Unknown,
    }

    /// <summary>One feature that stops a move, as vCenter names it.</summary>
    public sealed class BlockingFeature
    {
        public BlockingFeature(string key, string label, string required, string? hostValue, FeatureDefinition? feature)
        {
            Key = key;
            Label = label;
            Required = required;
            HostValue = hostValue;
            Feature = feature;
        }

        /// <summary>The vSphere key (cpuid.AVX2), or the catalog name for a bit vSphere has no key for.</summary>
        public string Key { get; }

        /// <summary>vCenter's wording for it in vMotion errors, else the key.</summary>
        public string Label { get; }

        /// <summary>What the VM needs, in vCenter's form: "Bool:Min:1", "Num:Min:0x8".</summary>
        public string Required { get; }

        /// <summary>What the destination offers ("0"), or null when it does not report the key.</summary>
        public string? HostValue { get; }

        /// <summary>The catalog's feature, when the key is a CPUID bit the catalog knows.</summary>
        public FeatureDefinition? Feature { get; }

        public override string ToString() => Label;
    }

    /// <summary>Whether the VM can move to one host of its scope now, and what stops it.</summary>
    public sealed class DestinationVerdict
    {
        internal DestinationVerdict(ComplianceHost host, MoveOutcome outcome, IReadOnlyList<BlockingFeature> blockers, string? reason)
        {
            Host = host;
            Outcome = outcome;
            Blockers = blockers;
            Reason = reason;
        }

        public ComplianceHost Host { get; }

        public string HostName => Host.Name;

        public MoveOutcome Outcome { get; }

        /// <summary>The features the VM needs that the host lacks; empty unless blocked by features.</summary>
        public IReadOnlyList<BlockingFeature> Blockers { get; }

        /// <summary>Why blocked or unknown, in words (another CPU vendor, disconnected, features unknown).</summary>
        public string? Reason { get; }

        public override string ToString() => Outcome switch
        {
            MoveOutcome.CanMove => $"{HostName}: can move",
            MoveOutcome.Blocked => $"{HostName}: blocked by " + (Blockers.Count > 0 ? string.Join(", ", Blockers.Select(b => b.Label)) : Reason),
            _ => $"{HostName}: unknown ({Reason})",
        };
    }

    /// <summary>The compliance of one VM with its scope: where it can move, why not, and what to do.</summary>
    public sealed class VmCompliance
    {
        internal VmCompliance(ComplianceVm vm, ComplianceStatus status, string reason, string scope, IReadOnlyList<DestinationVerdict> destinations)
        {
            Vm = vm;
            Status = status;
            Reason = reason;
            Scope = scope;
            Destinations = destinations;
        }

        public ComplianceVm Vm { get; }

        /// <summary>The cluster of the VM's host; null for a standalone host or an unknown one.</summary>
        public string? Cluster { get; internal set; }

        public ComplianceStatus Status { get; }

        /// <summary>One sentence: why this status.</summary>
        public string Reason { get; }

        /// <summary>The scope, in words: "cluster Prod", "standalone: GenuineIntel hosts of vc01", "hosts a, b".</summary>
        public string Scope { get; }

        /// <summary>What the verdict on each host was decided from: "featureRequirement" (running) or "stored masks".</summary>
        public string Basis { get; internal set; } = string.Empty;

        /// <summary>Every other host of the scope, with the verdict for each.</summary>
        public IReadOnlyList<DestinationVerdict> Destinations { get; }

        public IReadOnlyList<string> CanMoveTo => Destinations.Where(d => d.Outcome == MoveOutcome.CanMove).Select(d => d.HostName).ToArray();

        public IReadOnlyList<string> CannotMoveTo => Destinations.Where(d => d.Outcome == MoveOutcome.Blocked).Select(d => d.HostName).ToArray();

        public IReadOnlyList<string> UnknownHosts => Destinations.Where(d => d.Outcome == MoveOutcome.Unknown).Select(d => d.HostName).ToArray();

        /// <summary>Every feature that blocks a move to some host of the scope, once each, in catalog wording.</summary>
        public IReadOnlyList<BlockingFeature> BlockingFeatures =>
            Destinations.SelectMany(d => d.Blockers).GroupBy(b => b.Key, StringComparer.OrdinalIgnoreCase).Select(g => g.First()).ToArray();

        /// <summary>Features the masks hide although every host of the scope offers them (status Wider).</summary>
        public IReadOnlyList<FeatureDefinition> HiddenNeedlessly { get; internal set; } = Array.Empty<FeatureDefinition>();

        /// <summary>Features the minimal mask for the scope hides that the VM's masks do not (status Stale or Unmasked).</summary>
        public IReadOnlyList<FeatureDefinition> NotHidden { get; internal set; } = Array.Empty<FeatureDefinition>();

        /// <summary>The minimal mask for the scope as it is now (empty when the hosts need none); null when not computable.</summary>
        public VmMask? ScopeMask { get; internal set; }

        /// <summary>The per-VM EVC mode to apply instead, for a VM that uses per-VM EVC, when one fits.</summary>
        public string? FixEvcMode { get; internal set; }

        /// <summary>What kind of fix <see cref="Fix"/> is; the facts it needs are <see cref="FixEvcMode"/>, <see cref="ScopeMask"/> and <see cref="Vm"/>.</summary>
        public ComplianceFixKind FixKind { get; internal set; }

        /// <summary>What to do, in one or two sentences that name no shell's command; empty when compliant.</summary>
        public string Fix => ComplianceFixText.Describe(this, null);

        /// <summary>The label of <see cref="FixEvcMode"/> ("Intel Ivy Bridge Generation"), for the fix's sentence.</summary>
        internal string? FixEvcModeLabel { get; set; }

        /// <summary>The whole fix, for the kinds no shell has a command for (Manual, PowerCycle).</summary>
        internal string ManualFix { get; set; } = string.Empty;

        /// <summary>What to do, with the shell's own commands in it where the fix has one; <see cref="Fix"/> for null.</summary>
        public string DescribeFix(IComplianceFixCommands? commands) => ComplianceFixText.Describe(this, commands);

        public bool IsCompliant => Status == ComplianceStatus.Compliant;

        public override string ToString() => $"{Vm.Name}: {Status} ({Reason})";
    }
}
