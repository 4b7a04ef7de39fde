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

    /// <summary>The result of comparing two or more hosts: every direction, plus informational differences.</summary>
    public sealed class ComparisonReport
    {
        public ComparisonReport(IReadOnlyList<CpuidProfile> profiles, IReadOnlyList<MigrationCheck> directions, IReadOnlyList<InformationalDifference> informational, VmMask mask)
        {
            Profiles = profiles;
            Directions = directions;
            Informational = informational;
            Mask = mask;
        }

        public IReadOnlyList<CpuidProfile> Profiles { get; }

        /// <summary>One check per ordered pair of hosts.</summary>
        public IReadOnlyList<MigrationCheck> Directions { get; }

        public IReadOnlyList<InformationalDifference> Informational { get; }

        /// <summary>The mask the comparison assumed (empty for plain host comparisons).</summary>
        public VmMask Mask { get; }

        public bool HasBlockers => Directions.Any(d => !d.Allowed);
    }

    /// <summary>Finds what blocks a vMotion between hosts, in each direction.</summary>
    public sealed class ProfileComparer
    {
        private readonly FeatureCatalog _catalog;

        public ProfileComparer(FeatureCatalog? catalog = null)
        {
            _catalog = catalog ?? FeatureCatalog.Default;
        }

        /// <summary>
        /// What a VM powered on on <paramref name="source"/> (under <paramref name="mask"/>, if any)
        /// carries that <paramref name="destination"/> lacks, among the features vCenter tracks.
        /// </summary>
        public MigrationCheck Check(CpuidProfile source, CpuidProfile destination, VmMask? mask = null)
        {
            mask ??= VmMask.Empty;
            string? vendorMismatch = source.Vendor == destination.Vendor
                ? null
                : $"{source.Name} is {source.Vendor} and {destination.Name} is {destination.Vendor}; vMotion between CPU vendors is not possible, whatever the mask";
            var blockers = new List<FeatureDifference>();
            var unverified = new List<FeatureDifference>();
            foreach (var feature in _catalog.Features.Where(f => f.Tracked))
            {
                if (FeatureEvaluator.GuestState(source, feature, mask) != FeatureState.Present)
                {
                    continue;
                }

                var onDestination = FeatureEvaluator.HostState(destination, feature);
                if (onDestination == FeatureState.Absent)
                {
                    blockers.Add(new FeatureDifference(feature, source.Name, destination.Name));
                }
                else if (onDestination == FeatureState.Unknown)
                {
                    unverified.Add(new FeatureDifference(feature, source.Name, destination.Name, FeatureState.Unknown));
                }
            }

            return new MigrationCheck(source.Name, destination.Name, blockers, unverified, vendorMismatch);
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
            var directions = new List<MigrationCheck>();
            foreach (var source in profiles)
            {
                foreach (var destination in profiles.Where(p => !ReferenceEquals(p, source)))
                {
                    directions.Add(Check(source, destination, mask));
                }
            }

            var informational = new List<InformationalDifference>();
            foreach (var feature in _catalog.Features.Where(f => !f.Tracked))
            {
                var states = profiles.Select(p => (p.Name, State: FeatureEvaluator.HostState(p, feature))).ToArray();
                var present = states.Where(s => s.State == FeatureState.Present).Select(s => s.Name).ToArray();
                var absent = states.Where(s => s.State == FeatureState.Absent).Select(s => s.Name).ToArray();
                if (present.Length > 0 && absent.Length > 0)
                {
                    informational.Add(new InformationalDifference(feature, present, absent));
                }
            }

            return new ComparisonReport(profiles, directions, informational, mask);
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
