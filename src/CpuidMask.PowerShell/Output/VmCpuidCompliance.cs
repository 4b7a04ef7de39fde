using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CpuidMask.Engine.Collections;
using CpuidMask.Engine.Compliance;

namespace CpuidMask.PowerShell
{
    /// <summary>
    /// Test-VmCpuidMask's verdict on one VM. Every property is a string, a number, a boolean or a list of strings
    /// (a list prints joined with "; "), so Export-Csv, ConvertTo-Json and ConvertTo-Html show it as it reads.
    /// </summary>
    public sealed class VmCpuidCompliance
    {
        private readonly VmCompliance _result;

        internal VmCpuidCompliance(VmCompliance result, ComplianceFixCommands? fixCommands = null)
        {
            _result = result ?? throw new ArgumentNullException(nameof(result));
            Fix = result.DescribeFix(fixCommands ?? new ComplianceFixCommands());
            CanMoveTo = result.CanMoveTo.ToItemList();
            CannotMoveTo = result.CannotMoveTo.ToItemList();
            UnknownHosts = result.UnknownHosts.ToItemList();
            BlockingFeatures = result.BlockingFeatures.Select(b => b.Label).ToItemList();
            Blockers = result.Destinations.Where(d => d.Outcome == MoveOutcome.Blocked)
                .Select(d => d.HostName + ": " + (d.Blockers.Count > 0 ? string.Join(", ", d.Blockers.Select(b => b.Label)) : d.Reason))
                .ToItemList();
            HiddenNeedlessly = result.HiddenNeedlessly.Select(f => f.DisplayName).ToItemList();
            NotHidden = result.NotHidden.Select(f => f.DisplayName).ToItemList();
            bool maskFix = result.Status == ComplianceStatus.Stale || result.Status == ComplianceStatus.Unmasked || result.Status == ComplianceStatus.Wider;
            FixMask = (maskFix && result.FixEvcMode == null ? result.ScopeMask?.ToVmxLines() : null).ToItemList();
        }

        /// <summary>The VM's name.</summary>
        public string Name => _result.Vm.Name;

        /// <summary>PowerCLI's form of the VM's reference, e.g. VirtualMachine-vm-42.</summary>
        public string? Id => _result.Vm.Id == null ? null : _result.Vm.Id.Replace("VirtualMachine:", "VirtualMachine-");

        /// <summary>The vCenter the VM was read from.</summary>
        public string Server => _result.Vm.Server;

        /// <summary>The cluster of the VM's host; empty for a standalone host.</summary>
        public string? Cluster => _result.Cluster;

        /// <summary>The host the VM is registered on.</summary>
        public string? VMHost => _result.Vm.HostName;

        public string? PowerState => _result.Vm.PowerState;

        /// <summary>e.g. vmx-19.</summary>
        public string? HardwareVersion => _result.Vm.HardwareVersion == null ? null : "vmx-" + _result.Vm.HardwareVersion.Value.ToString(CultureInfo.InvariantCulture);

        /// <summary>Compliant, Blocked, Stale, Wider, PendingPowerCycle, Unmasked or Unknown (a string, so JSON carries the word).</summary>
        public string Status => _result.Status.ToString();

        /// <summary>Whether the status is Compliant.</summary>
        public bool Compliant => _result.IsCompliant;

        /// <summary>Why this status, in one sentence.</summary>
        public string Reason => _result.Reason;

        /// <summary>The hosts the VM was checked against: "cluster Prod", "hosts esx01, esx02"...</summary>
        public string Scope => _result.Scope;

        /// <summary>What the verdicts were decided from: the running VM's featureRequirement, or its masks on its host.</summary>
        public string Basis => _result.Basis;

        /// <summary>Hosts of the scope it can vMotion to now.</summary>
        public IReadOnlyList<string> CanMoveTo { get; }

        /// <summary>Hosts of the scope it cannot vMotion to now.</summary>
        public IReadOnlyList<string> CannotMoveTo { get; }

        /// <summary>Hosts of the scope that could not be checked (disconnected, no CPU data).</summary>
        public IReadOnlyList<string> UnknownHosts { get; }

        /// <summary>Every feature that blocks a move to some host, in vCenter's words.</summary>
        public IReadOnlyList<string> BlockingFeatures { get; }

        /// <summary>Per blocked host: "host: feature, feature".</summary>
        public IReadOnlyList<string> Blockers { get; }

        /// <summary>Features its masks hide although every host of the scope offers them (Wider).</summary>
        public IReadOnlyList<string> HiddenNeedlessly { get; }

        /// <summary>Features the hosts of the scope differ in that its masks do not hide (Stale, Unmasked).</summary>
        public IReadOnlyList<string> NotHidden { get; }

        /// <summary>What to do, naming the cmdlets that do it; empty when compliant.</summary>
        public string Fix { get; }

        /// <summary>The mask to apply, as .vmx lines (Set-VmCpuidMask -Mask takes them); empty unless that is the fix.</summary>
        public IReadOnlyList<string> FixMask { get; }

        /// <summary>The per-VM EVC mode to apply instead (Set-VmEvcMode), for a VM that uses per-VM EVC.</summary>
        public string? FixEvcMode => _result.FixEvcMode;

        /// <summary>The engine's verdict, with every destination and blocking feature (not shown by Export-Csv: use the lists above).</summary>
        internal VmCompliance Result => _result;

        public override string ToString() => $"{Name}: {Status}";
    }

    /// <summary>A host whose CPU features changed since a saved snapshot (Test-VmCpuidMask -SnapshotPath).</summary>
    public sealed class CpuidHostDrift
    {
        internal CpuidHostDrift(HostDrift drift)
        {
            HostName = drift.HostName;
            Server = drift.Host.Server;
            Cluster = drift.Host.Cluster;
            Lost = drift.Lost.Select(f => f.DisplayName).ToItemList();
            Gained = drift.Gained.Select(f => f.DisplayName).ToItemList();
            BlockedVms = drift.BlockedVms.ToItemList();
        }

        public string HostName { get; }

        public string Server { get; }

        public string? Cluster { get; }

        /// <summary>Tracked features the host had in the snapshot and lacks now, in vCenter's words.</summary>
        public IReadOnlyList<string> Lost { get; }

        /// <summary>Tracked features the host has now and did not have in the snapshot.</summary>
        public IReadOnlyList<string> Gained { get; }

        /// <summary>The VMs checked that cannot move to the host now.</summary>
        public IReadOnlyList<string> BlockedVms { get; }

        public override string ToString() => HostName;
    }
}
