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

    /// <summary>A tracked feature that some hosts have and others lack (or do not report).</summary>
    public sealed class FeatureSpread
    {
        public FeatureSpread(FeatureDefinition feature, IReadOnlyList<string> presentOn, IReadOnlyList<string> missingOn, IReadOnlyList<HostClass> presentIn, IReadOnlyList<HostClass> missingIn)
        {
            Feature = feature;
            PresentOn = presentOn;
            MissingOn = missingOn;
            PresentIn = presentIn;
            MissingIn = missingIn;
        }

        public FeatureDefinition Feature { get; }

        /// <summary>Hosts that have it.</summary>
        public IReadOnlyList<string> PresentOn { get; }

        /// <summary>Hosts that lack it or whose data does not report it.</summary>
        public IReadOnlyList<string> MissingOn { get; }

        /// <summary>The classes of <see cref="PresentOn"/>.</summary>
        public IReadOnlyList<HostClass> PresentIn { get; }

        /// <summary>The classes of <see cref="MissingOn"/>.</summary>
        public IReadOnlyList<HostClass> MissingIn { get; }

        public override string ToString() => $"{Feature.Name}: on {PresentOn.Count} hosts, missing on {MissingOn.Count}";
    }

    /// <summary>
    /// The result of comparing two or more hosts for a VM of one virtual hardware version: the classes of hosts that
    /// offer the same tracked features, per feature which hosts have it and which lack it, every direction between
    /// classes, informational differences and the differences out of that VM's reach.
    /// </summary>
    public sealed class ComparisonReport
    {
        private readonly ClassTable _table;

        internal ComparisonReport(
            ClassTable table,
            IReadOnlyList<FeatureSpread> differences,
            IReadOnlyList<InformationalDifference> informational,
            VmMask mask,
            IReadOnlyList<OutOfReachDifference> outOfReach)
        {
            _table = table;
            Differences = differences;
            Informational = informational;
            Mask = mask;
            OutOfReach = outOfReach;
        }

        /// <summary>The virtual hardware version of the VM the hosts were compared for (the newest the catalog knows unless one was given).</summary>
        public int HardwareVersion => _table.HardwareVersion;

        /// <summary>
        /// Features that differ between the hosts but that a VM of <see cref="HardwareVersion"/> cannot see, tracked or
        /// not, in catalog order; not in <see cref="Informational"/> and never a blocker. Empty at the newest version.
        /// </summary>
        public IReadOnlyList<OutOfReachDifference> OutOfReach { get; }

        public IReadOnlyList<CpuidProfile> Profiles => _table.Profiles;

        /// <summary>The hosts grouped by the tracked features they offer, in the order their first hosts were given.</summary>
        public IReadOnlyList<HostClass> Classes => _table.Classes;

        /// <summary>
        /// One check per ordered pair of classes (for distinct CPUs, of hosts), computed as it is read: a thousand
        /// classes make a million directions, which are never all held at once.
        /// </summary>
        public IReadOnlyList<MigrationCheck> Directions => _table.Directions;

        /// <summary>Tracked features within the VM's reach that some hosts have and others lack, in catalog order.</summary>
        public IReadOnlyList<FeatureSpread> Differences { get; }

        public IReadOnlyList<InformationalDifference> Informational { get; }

        /// <summary>The mask the comparison assumed (empty for plain host comparisons).</summary>
        public VmMask Mask { get; }

        public bool HasBlockers => _table.AnyBlocked();

        /// <summary>Number of blocked directions between classes.</summary>
        public int BlockedCount => _table.CountBlocked();

        /// <summary>Every ordered pair of distinct hosts, produced one at a time from the class directions.</summary>
        public IEnumerable<MigrationCheck> PerPair() => _table.PerPair();
    }

    /// <summary>
    /// Finds what blocks a vMotion between hosts, in each direction, for a VM of one virtual hardware version (by
    /// default the newest the catalog knows, which sees every feature): a feature the VM cannot see at its version
    /// neither blocks nor stays unverified, and is reported as out of its reach instead. Hosts that offer the same
    /// tracked features are one class (<see cref="HostClass"/>), and directions are checked between classes: the
    /// work grows with the hosts, not with their pairs.
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
        public MigrationCheck Check(CpuidProfile source, CpuidProfile destination, VmMask? mask = null) =>
            new ClassTable(new[] { source, destination }, mask ?? VmMask.Empty, _catalog, HardwareVersion).PerPair().First();

        /// <summary>Every direction between the classes of the hosts under the mask, computed as it is read.</summary>
        public IReadOnlyList<MigrationCheck> CheckAll(IReadOnlyList<CpuidProfile> profiles, VmMask? mask = null) =>
            new ClassTable(profiles, mask ?? VmMask.Empty, _catalog, HardwareVersion).Directions;

        /// <summary>Compares the hosts' classes in every direction and lists untracked and out-of-reach differences separately.</summary>
        public ComparisonReport Compare(IReadOnlyList<CpuidProfile> profiles, VmMask? mask = null)
        {
            if (profiles == null || profiles.Count < 2)
            {
                throw new CpuidMaskException("TooFewProfiles", ErrorKind.InvalidArgument, "Comparing needs at least two CPU profiles; give two or more dumps or hosts.", profiles);
            }

            CheckDistinctNames(profiles);
            mask ??= VmMask.Empty;
            var table = new ClassTable(profiles, mask, _catalog, HardwareVersion);

            var differences = new List<FeatureSpread>();
            for (int i = 0; i < table.Tracked.Count; i++)
            {
                if (table.Tracked[i].IsOutOfReachAt(HardwareVersion))
                {
                    continue;
                }

                var presentIn = table.Classes.Where(c => table.HostStateAt(c, i) == FeatureState.Present).ToArray();
                if (presentIn.Length == 0 || presentIn.Length == table.Classes.Count)
                {
                    continue;
                }

                var missingIn = table.Classes.Where(c => table.HostStateAt(c, i) != FeatureState.Present).ToArray();
                var present = new HashSet<HostClass>(presentIn);
                differences.Add(new FeatureSpread(table.Tracked[i], table.HostNamesWhere(present.Contains), table.HostNamesWhere(c => !present.Contains(c)), presentIn, missingIn));
            }

            var informational = new List<InformationalDifference>();
            var outOfReach = new List<OutOfReachDifference>();
            foreach (var feature in _catalog.Features)
            {
                bool beyond = feature.IsOutOfReachAt(HardwareVersion);
                if (feature.Tracked && !beyond)
                {
                    continue;
                }

                // A tracked feature counts a host that does not report it as lacking it, as blockers and unverified
                // features do; an untracked one only a host that reports it absent, as informational differences do.
                List<string>? present = null;
                List<string>? absent = null;
                foreach (var p in profiles)
                {
                    var state = FeatureEvaluator.HostState(p, feature);
                    if (state == FeatureState.Present)
                    {
                        (present ??= new List<string>()).Add(p.Name);
                    }
                    else if (feature.Tracked || state == FeatureState.Absent)
                    {
                        (absent ??= new List<string>()).Add(p.Name);
                    }
                }

                if (present == null || absent == null)
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

            return new ComparisonReport(table, differences, informational, mask, outOfReach);
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
}
