using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Compliance
{
    /// <summary>
    /// A host whose CPU features changed since a saved snapshot of profiles (a BIOS setting or a microcode update
    /// turned a feature off or on), and the VMs that can no longer move to it.
    /// </summary>
    public sealed class HostDrift
    {
        internal HostDrift(ComplianceHost host, IReadOnlyList<FeatureDefinition> gained, IReadOnlyList<FeatureDefinition> lost, IReadOnlyList<string> blockedVms)
        {
            Host = host;
            Gained = gained;
            Lost = lost;
            BlockedVms = blockedVms;
        }

        public ComplianceHost Host { get; }

        public string HostName => Host.Name;

        /// <summary>Tracked features the host has now and did not have in the snapshot.</summary>
        public IReadOnlyList<FeatureDefinition> Gained { get; }

        /// <summary>Tracked features the host had in the snapshot and lacks now.</summary>
        public IReadOnlyList<FeatureDefinition> Lost { get; }

        /// <summary>The VMs checked that cannot move to the host now.</summary>
        public IReadOnlyList<string> BlockedVms { get; }

        public override string ToString() =>
            $"{HostName}: lost {(Lost.Count == 0 ? "nothing" : string.Join(", ", Lost.Select(f => f.DisplayName)))}; gained {(Gained.Count == 0 ? "nothing" : string.Join(", ", Gained.Select(f => f.DisplayName)))}";
    }

    /// <summary>Compares hosts with a saved snapshot of their profiles (Export-CpuidProfile, cpuidmask check --save-snapshot).</summary>
    public static class HostDriftDetector
    {
        /// <summary>
        /// The hosts (matched to the snapshot by name) whose tracked features differ from their saved profile. Only
        /// features known in both are compared: a host that is disconnected now, or a feature one side does not report,
        /// is not drift.
        /// </summary>
        public static IReadOnlyList<HostDrift> Compare(
            IReadOnlyList<CpuidProfile> snapshot,
            IReadOnlyList<ComplianceHost> hosts,
            IReadOnlyList<VmCompliance> results,
            FeatureCatalog? catalog = null)
        {
            catalog ??= FeatureCatalog.Default;
            var saved = new Dictionary<string, CpuidProfile>(StringComparer.OrdinalIgnoreCase);
            foreach (var profile in snapshot ?? throw new ArgumentNullException(nameof(snapshot)))
            {
                saved[profile.Name] = profile;
            }

            var tracked = catalog.Features.Where(f => f.Tracked).ToArray();
            var drift = new List<HostDrift>();
            foreach (var host in hosts.Where(h => h.Profile != null && h.IsConnected))
            {
                if (!saved.TryGetValue(host.Name, out var before))
                {
                    continue;
                }

                var gained = new List<FeatureDefinition>();
                var lost = new List<FeatureDefinition>();
                foreach (var f in tracked)
                {
                    var was = FeatureEvaluator.HostState(before, f);
                    var now = FeatureEvaluator.HostState(host.Profile!, f);
                    if (was == FeatureState.Present && now == FeatureState.Absent)
                    {
                        lost.Add(f);
                    }
                    else if (was == FeatureState.Absent && now == FeatureState.Present)
                    {
                        gained.Add(f);
                    }
                }

                if (gained.Count == 0 && lost.Count == 0)
                {
                    continue;
                }

                var blocked = results
                    .Where(r => r.Destinations.Any(d => ReferenceEquals(d.Host, host) && d.Outcome == MoveOutcome.Blocked))
                    .Select(r => r.Vm.Name)
                    .ToArray();
                drift.Add(new HostDrift(host, gained, lost, blocked));
            }

            return drift;
        }
    }
}
