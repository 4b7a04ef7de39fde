using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Analysis
{
    /// <summary>An untracked feature that differs between hosts: shown for information, never a blocker.</summary>
    public sealed class InformationalDifference
    {
        public InformationalDifference(FeatureDefinition feature, IReadOnlyList<string> presentOn, IReadOnlyList<string> absentOn)
        {
            Feature = feature;
            PresentOn = presentOn;
            AbsentOn = absentOn;
        }

        public FeatureDefinition Feature { get; }

        public IReadOnlyList<string> PresentOn { get; }

        public IReadOnlyList<string> AbsentOn { get; }

        /// <summary>Why vCenter ignores it: OS-controlled, informational, or not compared for vMotion.</summary>
        public string Reason => Feature.Kind switch
        {
            FeatureKind.OsControlled => "set by the operating system, not by the CPU",
            FeatureKind.Informational => "describes the host, not what a guest can use",
            _ => "not compared by vCenter for vMotion",
        };
    }

    /// <summary>
    /// The result of comparing two or more hosts for a VM of one virtual hardware version: every direction, plus
    /// informational differences and the differences out of that VM's reach.
    /// </summary>
    public sealed class ComparisonReport
    {
        public ComparisonReport(IReadOnlyList<CpuidProfile> profiles, IReadOnlyList<MigrationCheck> directions, IReadOnlyList<InformationalDifference> informational, VmMask mask)
            : this(profiles, directions, informational, mask, FeatureCatalog.Default.NewestHardwareVersion, null)
        {
        }

        public ComparisonReport(
            IReadOnlyList<CpuidProfile> profiles,
            IReadOnlyList<MigrationCheck> directions,
            IReadOnlyList<InformationalDifference> informational,
            VmMask mask,
            int hardwareVersion,
            IReadOnlyList<OutOfReachDifference>? outOfReach)
        {
            Profiles = profiles;
            Directions = directions;
            Informational = informational;
            Mask = mask;
            HardwareVersion = hardwareVersion;
            OutOfReach = outOfReach ?? Array.Empty<OutOfReachDifference>();
        }

        /// <summary>The virtual hardware version of the VM the hosts were compared for (the newest the catalog knows unless one was given).</summary>
        public int HardwareVersion { get; }

        /// <summary>
        /// Features that differ between the hosts but that a VM of <see cref="HardwareVersion"/> cannot see, tracked or
        /// not, in catalog order; not in <see cref="Informational"/> and never a blocker. Empty at the newest version.
        /// </summary>
        public IReadOnlyList<OutOfReachDifference> OutOfReach { get; }

        public IReadOnlyList<CpuidProfile> Profiles { get; }

        /// <summary>One check per ordered pair of hosts.</summary>
        public IReadOnlyList<MigrationCheck> Directions { get; }

        public IReadOnlyList<InformationalDifference> Informational { get; }

        /// <summary>The mask the comparison assumed (empty for plain host comparisons).</summary>
        public VmMask Mask { get; }

        public bool HasBlockers => Directions.Any(d => !d.Allowed);
    }

    /// <summary>
    /// Finds what blocks a vMotion between hosts, in each direction, for a VM of one virtual hardware version (by
    /// default the newest the catalog knows, which sees every feature): a feature the VM cannot see at its version
    /// neither blocks nor stays unverified, and is reported as out of its reach instead.
    /// </summary>
    public sealed class ProfileComparer
    {
        private readonly FeatureCatalog _catalog;

        public ProfileComparer(FeatureCatalog? catalog = null, int? hardwareVersion = null)
        {
            _catalog = catalog ?? FeatureCatalog.Default;
            HardwareVersion = _catalog.GuestViewVersion(hardwareVersion);
        }

        /// <summary>The virtual hardware version of the VM the hosts are compared for.</summary>
        public int HardwareVersion { get; }

        /// <summary>
        /// What a VM powered on on <paramref name="source"/> (under <paramref name="mask"/>, if any)
        /// carries that <paramref name="destination"/> lacks, among the features vCenter tracks.
        /// </summary>
        public MigrationCheck Check(CpuidProfile source, CpuidProfile destination, VmMask? mask = null)
        {
            var table = new StateTable(new[] { source, destination }, mask ?? VmMask.Empty, _catalog, HardwareVersion);
            return table.Check(0, 1);
        }

        /// <summary>
        /// Every ordered pair of hosts under the mask. Each host's feature states are evaluated once, so
        /// the pairs cost array lookups only (hundreds of hosts make hundreds of thousands of pairs).
        /// </summary>
        public IReadOnlyList<MigrationCheck> CheckAll(IReadOnlyList<CpuidProfile> profiles, VmMask? mask = null)
        {
            var table = new StateTable(profiles, mask ?? VmMask.Empty, _catalog, HardwareVersion);
            var directions = new List<MigrationCheck>(profiles.Count * Math.Max(0, profiles.Count - 1));
            for (int s = 0; s < profiles.Count; s++)
            {
                for (int d = 0; d < profiles.Count; d++)
                {
                    if (s != d)
                    {
                        directions.Add(table.Check(s, d));
                    }
                }
            }

            return directions;
        }

        /// <summary>Compares every ordered pair of hosts and lists untracked differences separately.</summary>
        public ComparisonReport Compare(IReadOnlyList<CpuidProfile> profiles, VmMask? mask = null)
        {
            if (profiles == null || profiles.Count < 2)
            {
                throw new CpuidMaskException("TooFewProfiles", ErrorKind.InvalidArgument, "Comparing needs at least two CPU profiles; give two or more dumps or hosts.", profiles);
            }

            CheckDistinctNames(profiles);
            mask ??= VmMask.Empty;
            var directions = CheckAll(profiles, mask);

            var informational = new List<InformationalDifference>();
            var outOfReach = new List<OutOfReachDifference>();
            foreach (var feature in _catalog.Features)
            {
                bool beyond = feature.IsOutOfReachAt(HardwareVersion);
                if (feature.Tracked && !beyond)
                {
                    continue;
                }

                var states = profiles.Select(p => (p.Name, State: FeatureEvaluator.HostState(p, feature))).ToArray();
                var present = states.Where(s => s.State == FeatureState.Present).Select(s => s.Name).ToArray();

                // A tracked feature counts a host that does not report it as lacking it, as blockers and unverified
                // features do; an untracked one only a host that reports it absent, as informational differences do.
                var absent = states.Where(s => feature.Tracked ? s.State != FeatureState.Present : s.State == FeatureState.Absent).Select(s => s.Name).ToArray();
                if (present.Length == 0 || absent.Length == 0)
                {
                    continue;
                }

                if (beyond)
                {
                    outOfReach.Add(new OutOfReachDifference(feature, HardwareVersion, present, absent));
                }
                else
                {
                    informational.Add(new InformationalDifference(feature, present, absent));
                }
            }

            return new ComparisonReport(profiles, directions, informational, mask, HardwareVersion, outOfReach);
        }

        internal static void CheckDistinctNames(IReadOnlyList<CpuidProfile> profiles)
        {
            var duplicate = profiles.GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
            if (duplicate != null)
            {
                throw new CpuidMaskException(
                    "ProfileNameDuplicate",
                    ErrorKind.InvalidArgument,
                    $"Two profiles are named '{duplicate.Key}' ({string.Join(", ", duplicate.Select(p => p.Source))}); give each host once, or rename one.",
                    duplicate.Key);
            }
        }
    }

    /// <summary>
    /// The tracked features' host and guest states of a set of hosts under one mask, evaluated once, for a VM of one
    /// virtual hardware version. Guest states are those of a VM that could see every feature; the features out of the
    /// VM's reach are set apart when directions are checked.
    /// </summary>
    internal sealed class StateTable
    {
        private static readonly FeatureDifference[] None = new FeatureDifference[0];
        private readonly IReadOnlyList<CpuidProfile> _profiles;
        private readonly FeatureDefinition[] _tracked;
        private readonly bool[] _outOfReach;
        private readonly FeatureState[][] _host;
        private readonly FeatureState[][] _guest;

        public StateTable(IReadOnlyList<CpuidProfile> profiles, VmMask mask, FeatureCatalog catalog, int hardwareVersion)
        {
            _profiles = profiles;
            _tracked = catalog.Features.Where(f => f.Tracked).ToArray();
            _outOfReach = _tracked.Select(f => f.IsOutOfReachAt(hardwareVersion)).ToArray();
            _host = profiles.Select(p => _tracked.Select(f => FeatureEvaluator.HostState(p, f)).ToArray()).ToArray();
            _guest = profiles.Select(p => _tracked.Select(f => FeatureEvaluator.GuestState(p, f, mask)).ToArray()).ToArray();
        }

        public MigrationCheck Check(int source, int destination)
        {
            var from = _profiles[source];
            var to = _profiles[destination];
            string? vendorMismatch = from.Vendor == to.Vendor
                ? null
                : $"{from.Name} is {from.Vendor} and {to.Name} is {to.Vendor}; vMotion between CPU vendors is not possible, whatever the mask";
            List<FeatureDifference>? blockers = null;
            List<FeatureDifference>? unverified = null;
            List<FeatureDifference>? outOfReach = null;
            var guest = _guest[source];
            var host = _host[destination];
            for (int i = 0; i < _tracked.Length; i++)
            {
                if (guest[i] != FeatureState.Present || host[i] == FeatureState.Present)
                {
                    continue;
                }

                if (_outOfReach[i])
                {
                    (outOfReach ??= new List<FeatureDifference>()).Add(new FeatureDifference(_tracked[i], from.Name, to.Name, host[i]));
                }
                else if (host[i] == FeatureState.Absent)
                {
                    (blockers ??= new List<FeatureDifference>()).Add(new FeatureDifference(_tracked[i], from.Name, to.Name));
                }
                else
                {
                    (unverified ??= new List<FeatureDifference>()).Add(new FeatureDifference(_tracked[i], from.Name, to.Name, FeatureState.Unknown));
                }
            }

            return new MigrationCheck(from.Name, to.Name, (IReadOnlyList<FeatureDifference>?)blockers ?? None, (IReadOnlyList<FeatureDifference>?)unverified ?? None, vendorMismatch, outOfReach);
        }
    }
}
