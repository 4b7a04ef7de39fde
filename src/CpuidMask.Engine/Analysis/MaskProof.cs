using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Collections;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Analysis
{
    /// <summary>The evidence that a mask works: per-host guest views and every direction checked.</summary>
    public sealed class MaskProof
    {
        public MaskProof(IReadOnlyList<HostView> hosts, IReadOnlyList<MigrationCheck> directions)
            : this(hosts, directions, FeatureCatalog.Default.NewestHardwareVersion)
        {
        }

        public MaskProof(IReadOnlyList<HostView> hosts, IReadOnlyList<MigrationCheck> directions, int hardwareVersion)
        {
            Hosts = hosts.ToItemList();
            Directions = directions.ToItemList();
            HardwareVersion = hardwareVersion;
        }

        /// <summary>The virtual hardware version of the VM whose views and directions the proof checks.</summary>
        public int HardwareVersion { get; }

        public IReadOnlyList<HostView> Hosts { get; }

        public IReadOnlyList<MigrationCheck> Directions { get; }

        /// <summary>Every direction allowed.</summary>
        public bool Passed => Directions.All(d => d.Allowed);

        /// <summary>Features the proof could not check because a destination's data does not report them.</summary>
        public IReadOnlyList<FeatureDifference> Unverified => Directions.SelectMany(d => d.Unverified).ToArray();

        public override string ToString()
        {
            int blocked = Directions.Count(d => !d.Allowed);
            return Passed
                ? $"passed: {Directions.Count} directions between {Hosts.Count} hosts allowed"
                : $"failed: {blocked} of {Directions.Count} directions blocked";
        }

        /// <summary>
        /// Checks a mask against a set of hosts for a VM of the given virtual hardware version (default the newest):
        /// what it sees on each host, and every ordered pair, under the mask.
        /// </summary>
        public static MaskProof Build(IReadOnlyList<CpuidProfile> profiles, VmMask mask, FeatureCatalog catalog, int? hardwareVersion = null)
        {
            var comparer = new ProfileComparer(catalog, hardwareVersion);
            int version = comparer.HardwareVersion;
            var hosts = profiles.Select(p => new HostView(p, FeatureEvaluator.GuestFeatures(p, mask, catalog, version))).ToArray();
            return new MaskProof(hosts, comparer.CheckAll(profiles, mask), version);
        }
    }
}
