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
        private readonly ClassTable? _table;

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

        private MaskProof(ClassTable table, IReadOnlyList<HostView> hosts)
        {
            _table = table;
            Hosts = hosts.ToItemList();
            Directions = table.Directions;
            HardwareVersion = table.HardwareVersion;
        }

        /// <summary>The virtual hardware version of the VM whose views and directions the proof checks.</summary>
        public int HardwareVersion { get; }

        public IReadOnlyList<HostView> Hosts { get; }

        /// <summary>
        /// Every direction between the classes of hosts (<see cref="HostClass"/>; for distinct CPUs, between hosts),
        /// computed as it is read.
        /// </summary>
        public IReadOnlyList<MigrationCheck> Directions { get; }

        /// <summary>The hosts grouped by the tracked features they offer; empty for a proof rebuilt from its parts.</summary>
        public IReadOnlyList<HostClass> Classes => (_table?.Classes ?? new HostClass[0]).ToItemList();

        /// <summary>Every direction allowed.</summary>
        public bool Passed => _table == null ? Directions.All(d => d.Allowed) : !_table.AnyBlocked();

        /// <summary>Features the proof could not check because a destination's data does not report them.</summary>
        public IReadOnlyList<FeatureDifference> Unverified => Directions.SelectMany(d => d.Unverified).ToItemList(f => f.Name);

        public override string ToString()
        {
            int blocked = _table?.CountBlocked() ?? Directions.Count(d => !d.Allowed);
            return Passed
                ? $"passed: {Directions.Count} directions between {Hosts.Count} hosts allowed"
                : $"failed: {blocked} of {Directions.Count} directions blocked";
        }

        /// <summary>
        /// Checks a mask against a set of hosts for a VM of the given virtual hardware version (default the newest):
        /// what it sees on each host, and every direction between their classes, under the mask (a direction between
        /// two hosts is that between their classes).
        /// </summary>
        public static MaskProof Build(IReadOnlyList<CpuidProfile> profiles, VmMask mask, FeatureCatalog catalog, int? hardwareVersion = null) =>
            Build(new ClassTable(profiles, mask, catalog, catalog.GuestViewVersion(hardwareVersion)));

        /// <summary>The proof over hosts already sorted into classes, under the mask and version <paramref name="table"/> was built with.</summary>
        internal static MaskProof Build(ClassTable table)
        {
            var profiles = table.Profiles;
            var seen = table.Classes.Select(c => table.GuestFeatures(c).ToItemList(f => f.Name)).ToArray();
            var hosts = new HostView[profiles.Count];
            for (int p = 0; p < hosts.Length; p++)
            {
                hosts[p] = new HostView(profiles[p], seen[table.ClassOf(p).Index]);
            }

            return new MaskProof(table, hosts);
        }
    }
}
