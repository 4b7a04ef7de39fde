using System;
using System.Collections.Generic;
using System.Linq;

namespace CpuidMask.Engine.Compliance
{
    /// <summary>
    /// Everything one compliance report shows: the verdicts, the hosts they were decided against, host drift when a
    /// snapshot was compared, and when the check ran. The time is an input, so the same check renders the same bytes.
    /// </summary>
    public sealed class ComplianceReport
    {
        /// <summary>Above this many hosts in one scope, the scope's matrix is cut by the VMs' own clusters.</summary>
        public const int DefaultMaxHostColumns = 48;

        public ComplianceReport(IEnumerable<VmCompliance> results, IEnumerable<ComplianceHost> hosts, DateTimeOffset checkedAt)
        {
            Results = (results ?? throw new ArgumentNullException(nameof(results))).ToArray();
            Hosts = (hosts ?? throw new ArgumentNullException(nameof(hosts))).ToArray();
            CheckedAt = checkedAt;
        }

        public IReadOnlyList<VmCompliance> Results { get; }

        /// <summary>Every host read (the clusters' summaries count them, whether or not a VM was checked against them).</summary>
        public IReadOnlyList<ComplianceHost> Hosts { get; }

        /// <summary>When the check ran; shown in UTC.</summary>
        public DateTimeOffset CheckedAt { get; }

        /// <summary>The hosts changed since the snapshot; null when no snapshot was compared, empty when none changed.</summary>
        public IReadOnlyList<HostDrift>? Drift { get; init; }

        /// <summary>The EVC modes the vCenters list, for their labels in the cluster summary (keys are shown without them).</summary>
        public IReadOnlyList<EvcModeDefinition> EvcModes { get; init; } = Array.Empty<EvcModeDefinition>();

        /// <summary>
        /// The commands of the shell that writes the report, put into each VM's fix in its syntax; null for the fix
        /// without commands (<see cref="VmCompliance.Fix"/>).
        /// </summary>
        public IComplianceFixCommands? FixCommands { get; init; }

        /// <summary>The scope asked for, in words ("own cluster", "hosts a, b"); null when not worth saying.</summary>
        public string? Scope { get; init; }

        /// <summary>
        /// The most hosts a scope's matrix has a column for each. A wider scope (all hosts of a vCenter) gets a matrix
        /// per cluster of the VMs, with a column per host of that cluster and one cell summing up the other hosts, so
        /// the report grows with the VMs times the hosts of their own cluster, not VMs times hosts.
        /// </summary>
        public int MaxHostColumns { get; init; } = DefaultMaxHostColumns;
    }
}
