using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Analysis
{
    /// <summary>
    /// Computes the smallest per-VM mask that lets a VM of one virtual hardware version (by default the newest the
    /// catalog knows) power on on any of a set of hosts and move between all of them. A feature the VM cannot see at
    /// its version is never hidden: the mask lists it as out of reach instead.
    /// </summary>
    public sealed class MaskGenerator
    {
        private readonly FeatureCatalog _catalog;

        public MaskGenerator(FeatureCatalog? catalog = null, int? hardwareVersion = null)
        {
            _catalog = catalog ?? FeatureCatalog.Default;
            HardwareVersion = _catalog.GuestViewVersion(hardwareVersion);
        }

        /// <summary>The virtual hardware version of the VM the mask is for.</summary>
        public int HardwareVersion { get; }

        /// <summary>
        /// Hides every tracked feature that some host has and another lacks, every feature named in
        /// <paramref name="hideFeatures"/>, and everything that builds on a hidden feature. A feature no
        /// host is known to have is left alone: hiding it would change nothing. So is a feature out of the VM's
        /// reach at <see cref="HardwareVersion"/> (<see cref="GeneratedMask.OutOfReach"/> lists those of them that
        /// would otherwise be hidden): the VM never sees it, on any host.
        /// </summary>
        public GeneratedMask Generate(IReadOnlyList<CpuidProfile> profiles, IEnumerable<string>? hideFeatures = null)
        {
            if (profiles == null || profiles.Count == 0)
            {
                throw new CpuidMaskException("TooFewProfiles", ErrorKind.InvalidArgument, "A mask needs at least one CPU profile; give the dumps or hosts the VM should run on.", profiles);
            }

            ProfileComparer.CheckDistinctNames(profiles);
            CheckOneVendor(profiles);
            var requested = (hideFeatures ?? Enumerable.Empty<string>()).Select(_catalog.Find).ToArray();

            var presence = new HostPresence(profiles, _catalog);

            var hidden = new Dictionary<string, HiddenFeature>(StringComparer.OrdinalIgnoreCase);
            foreach (var feature in _catalog.Features.Where(f => f.Tracked && presence.Differs(f)))
            {
                hidden[feature.Name] = new HiddenFeature(feature, HideReason.NotOnAllHosts, presence.PresentOn(feature), presence.MissingOn(feature));
            }

            foreach (var feature in requested)
            {
                if (!hidden.ContainsKey(feature.Name))
                {
                    hidden[feature.Name] = new HiddenFeature(feature, HideReason.Requested, presence.PresentOn(feature), presence.MissingOn(feature));
                }
            }

            var outOfReach = SetAsideOutOfReach(hidden);
            AddDependents(hidden, presence.PresentOn, presence.MissingOn);
            return Build(profiles, hidden.Values, VmMask.Empty, outOfReach: outOfReach, classes: presence.Classes);
        }

        /// <summary>
        /// Takes the features a VM of <see cref="HardwareVersion"/> cannot see out of <paramref name="hidden"/> and
        /// returns them as out of reach. Their dependents are first exposed no earlier (features.xml), so the
        /// dependency pass never needs them; it skips out-of-reach dependents itself.
        /// </summary>
        internal IReadOnlyList<OutOfReachDifference> SetAsideOutOfReach(Dictionary<string, HiddenFeature> hidden)
        {
            var beyond = hidden.Values.Where(h => h.Feature.IsOutOfReachAt(HardwareVersion)).ToArray();
            foreach (var entry in beyond)
            {
                hidden.Remove(entry.Feature.Name);
            }

            return beyond
                .OrderBy(h => h.Feature.LeafKey).ThenBy(h => h.Feature.Register).ThenBy(h => h.Feature.Bit)
                .Select(h => new OutOfReachDifference(h.Feature, HardwareVersion, h.PresentOn, h.MissingOn, h.Reason))
                .ToArray();
        }

        /// <summary>
        /// Hides everything that builds on an already hidden feature and that some host has.
        /// Untracked dependents (OSXSAVE, the x87 state) are left to ESXi.
        /// </summary>
        internal void AddDependents(Dictionary<string, HiddenFeature> hidden, Func<FeatureDefinition, string[]> presentOn, Func<FeatureDefinition, string[]> missingOn)
        {
            var queue = new Queue<HiddenFeature>(hidden.Values);
            while (queue.Count > 0)
            {
                var next = queue.Dequeue();
                foreach (var dependent in _catalog.DirectDependents(next.Feature))
                {
                    if (!dependent.Tracked || hidden.ContainsKey(dependent.Name) || dependent.IsOutOfReachAt(HardwareVersion))
                    {
                        continue;
                    }

                    var present = presentOn(dependent);
                    if (present.Length == 0)
                    {
                        continue;
                    }

                    var entry = new HiddenFeature(dependent, HideReason.DependsOnHidden, present, missingOn(dependent), next.Feature.Name);
                    hidden[dependent.Name] = entry;
                    queue.Enqueue(entry);
                }
            }
        }

        /// <summary>Turns hidden features into register masks on top of a starting mask, and proves the result.</summary>
        internal GeneratedMask Build(IReadOnlyList<CpuidProfile> profiles, IEnumerable<HiddenFeature> hidden, VmMask start, Baseline? baseline = null, IReadOnlyList<OutOfReachDifference>? outOfReach = null, ClassTable? classes = null)
        {
            var ordered = hidden
                .OrderBy(h => h.Feature.LeafKey).ThenBy(h => h.Feature.Register).ThenBy(h => h.Feature.Bit)
                .ToArray();
            var registers = start.Registers.ToDictionary(p => p.Key, p => p.Value);
            foreach (var entry in ordered)
            {
                var f = entry.Feature;
                var key = new MaskKey(f.Leaf, f.Subleaf, f.Register);
                var current = registers.TryGetValue(key, out var existing) ? existing : RegisterMask.Empty;
                registers[key] = current.With(f.Bit, MaskChar.Zero);
            }

            var mask = new VmMask(registers, start.FeatureMasks);
            var proof = classes == null ? MaskProof.Build(profiles, mask, _catalog, HardwareVersion) : MaskProof.Build(classes.Under(mask, HardwareVersion));
            return new GeneratedMask(profiles, mask, ordered, proof, baseline, outOfReach);
        }

        internal static void CheckOneVendor(IReadOnlyList<CpuidProfile> profiles)
        {
            var vendors = profiles.GroupBy(p => p.Vendor).ToArray();
            if (vendors.Length > 1)
            {
                string list = string.Join("; ", vendors.Select(g => g.Key + ": " + string.Join(", ", g.Select(p => p.Name))));
                throw new CpuidMaskException(
                    "MixedVendors",
                    ErrorKind.InvalidArgument,
                    $"The hosts have CPUs of different vendors ({list}). A running VM cannot move between CPU vendors, so no mask can cover them; compute one mask per vendor.",
                    profiles);
            }
        }
    }
}
