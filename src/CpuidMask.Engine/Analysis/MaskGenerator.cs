using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Collections;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Analysis
{
    /// <summary>Why the generator hides a feature.</summary>
    public enum HideReason
    {
        /// <summary>Some hosts have it and some do not.</summary>
        NotOnAllHosts,
        /// <summary>It builds on a feature that is hidden.</summary>
        DependsOnHidden,
        /// <summary>The caller asked for it.</summary>
        Requested,
        /// <summary>A baseline does not include it.</summary>
        OutsideBaseline,
    }

    /// <summary>One feature a mask hides, and why.</summary>
    public sealed class HiddenFeature
    {
        public HiddenFeature(FeatureDefinition feature, HideReason reason, IReadOnlyList<string> presentOn, IReadOnlyList<string> missingOn, string? because = null)
        {
            Feature = feature;
            Reason = reason;
            PresentOn = presentOn;
            MissingOn = missingOn;
            Because = because;
        }

        public FeatureDefinition Feature { get; }

        public HideReason Reason { get; }

        /// <summary>Hosts that have the feature.</summary>
        public IReadOnlyList<string> PresentOn { get; }

        /// <summary>Hosts that lack it (or whose data does not report it).</summary>
        public IReadOnlyList<string> MissingOn { get; }

        /// <summary>For DependsOnHidden: the hidden feature it builds on.</summary>
        public string? Because { get; }

        public string Explanation => Reason switch
        {
            HideReason.NotOnAllHosts => "missing on " + string.Join(", ", MissingOn),
            HideReason.DependsOnHidden => $"needs {Because}, which is hidden",
            HideReason.Requested => "hidden on request",
            HideReason.OutsideBaseline => $"not in baseline {Because}",
            _ => Reason.ToString(),
        };

        public override string ToString() => $"{Feature.Name} ({Explanation})";
    }

    /// <summary>What a VM powered on on one host would see under the mask.</summary>
    public sealed class HostView
    {
        public HostView(CpuidProfile host, IReadOnlyList<FeatureDefinition> guestFeatures)
        {
            Host = host;
            GuestFeatures = guestFeatures;
        }

        public CpuidProfile Host { get; }

        public string HostName => Host.Name;

        /// <summary>Tracked features visible at power-on there.</summary>
        public IReadOnlyList<FeatureDefinition> GuestFeatures { get; }

        public override string ToString() => $"{HostName}: {GuestFeatures.Count} tracked features visible";
    }

    /// <summary>The evidence that a mask works: per-host guest views and every direction checked.</summary>
    public sealed class MaskProof
    {
        public MaskProof(IReadOnlyList<HostView> hosts, IReadOnlyList<MigrationCheck> directions)
        {
            Hosts = hosts.ToItemList();
            Directions = directions.ToItemList();
        }

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

        /// <summary>Checks a mask against a set of hosts: every ordered pair, under the mask.</summary>
        public static MaskProof Build(IReadOnlyList<CpuidProfile> profiles, VmMask mask, FeatureCatalog catalog)
        {
            var hosts = profiles.Select(p => new HostView(p, FeatureEvaluator.GuestFeatures(p, mask, catalog))).ToArray();
            return new MaskProof(hosts, new ProfileComparer(catalog).CheckAll(profiles, mask));
        }
    }

    /// <summary>A computed mask with its explanation and proof.</summary>
    public sealed class GeneratedMask
    {
        public GeneratedMask(IReadOnlyList<CpuidProfile> profiles, VmMask mask, IReadOnlyList<HiddenFeature> hidden, MaskProof proof)
            : this(profiles, mask, hidden, proof, null)
        {
        }

        public GeneratedMask(IReadOnlyList<CpuidProfile> profiles, VmMask mask, IReadOnlyList<HiddenFeature> hidden, MaskProof proof, Baseline? baseline)
        {
            Profiles = profiles;
            Mask = mask;
            Hidden = hidden.ToItemList();
            Proof = proof;
            Baseline = baseline;
        }

        /// <summary>The baseline the mask brings the VM down to, when it was computed from one; else null.</summary>
        public Baseline? Baseline { get; }

        public IReadOnlyList<CpuidProfile> Profiles { get; }

        /// <summary>The raw register masks (cpuid.&lt;leaf&gt;.&lt;reg&gt; lines).</summary>
        public VmMask Mask { get; }

        /// <summary>Every hidden feature with its reason, in catalog order.</summary>
        public IReadOnlyList<HiddenFeature> Hidden { get; }

        public MaskProof Proof { get; }

        /// <summary>
        /// The same hiding as named feature masks (<c>featMask.vm.cpuid.NAME = "Val:0"</c>), for
        /// hardware version 9 and later. Features vSphere has no name for are in <see cref="WithoutFeatMaskName"/>.
        /// </summary>
        public VmMask FeatMask => new VmMask(null, Hidden.Where(h => h.Feature.FeatMaskName != null)
            .Select(h => new KeyValuePair<string, string>(h.Feature.FeatMaskName!, "Val:0")));

        public IReadOnlyList<FeatureDefinition> WithoutFeatMaskName => Hidden.Where(h => h.Feature.FeatMaskName == null).Select(h => h.Feature).ToArray();

        public IReadOnlyList<string> ToVmxLines() => Mask.ToVmxLines();

        public override string ToString() =>
            (Baseline == null ? string.Empty : Baseline.Key + ": ")
            + $"{Hidden.Count} features hidden over {Profiles.Count} hosts, proof {(Proof.Passed ? "passed" : "failed")}";
    }

    /// <summary>
    /// Computes the smallest per-VM mask that lets a VM power on on any of a set of hosts and move
    /// between all of them.
    /// </summary>
    public sealed class MaskGenerator
    {
        private readonly FeatureCatalog _catalog;

        public MaskGenerator(FeatureCatalog? catalog = null)
        {
            _catalog = catalog ?? FeatureCatalog.Default;
        }

        /// <summary>
        /// Hides every tracked feature that some host has and another lacks, every feature named in
        /// <paramref name="hideFeatures"/>, and everything that builds on a hidden feature. A feature no
        /// host is known to have is left alone: hiding it would change nothing.
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
            foreach (var feature in _catalog.Features.Where(f => f.Tracked))
            {
                var present = presence.PresentOn(feature);
                var missing = presence.MissingOn(feature);
                if (present.Length > 0 && missing.Length > 0)
                {
                    hidden[feature.Name] = new HiddenFeature(feature, HideReason.NotOnAllHosts, present, missing);
                }
            }

            foreach (var feature in requested)
            {
                if (!hidden.ContainsKey(feature.Name))
                {
                    hidden[feature.Name] = new HiddenFeature(feature, HideReason.Requested, presence.PresentOn(feature), presence.MissingOn(feature));
                }
            }

            AddDependents(hidden, presence.PresentOn, presence.MissingOn);
            return Build(profiles, hidden.Values, VmMask.Empty);
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
                    if (!dependent.Tracked || hidden.ContainsKey(dependent.Name))
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
        internal GeneratedMask Build(IReadOnlyList<CpuidProfile> profiles, IEnumerable<HiddenFeature> hidden, VmMask start, Baseline? baseline = null)
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
            return new GeneratedMask(profiles, mask, ordered, MaskProof.Build(profiles, mask, _catalog), baseline);
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

    /// <summary>Each feature's state on each host, computed once: who has it and who does not (or does not say).</summary>
    internal sealed class HostPresence
    {
        private readonly Dictionary<string, (string Name, FeatureState State)[]> _states;

        public HostPresence(IReadOnlyList<CpuidProfile> profiles, FeatureCatalog catalog)
        {
            _states = catalog.Features.ToDictionary(
                f => f.Name,
                f => profiles.Select(p => (p.Name, State: FeatureEvaluator.HostState(p, f))).ToArray(),
                StringComparer.OrdinalIgnoreCase);
        }

        public string[] PresentOn(FeatureDefinition feature) =>
            _states[feature.Name].Where(s => s.State == FeatureState.Present).Select(s => s.Name).ToArray();

        public string[] MissingOn(FeatureDefinition feature) =>
            _states[feature.Name].Where(s => s.State != FeatureState.Present).Select(s => s.Name).ToArray();

        /// <summary>Hosts whose data does not say whether they have the feature.</summary>
        public string[] UnknownOn(FeatureDefinition feature) =>
            _states[feature.Name].Where(s => s.State == FeatureState.Unknown).Select(s => s.Name).ToArray();
    }
}
