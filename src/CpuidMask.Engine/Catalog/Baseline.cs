using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Collections;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Catalog
{
    /// <summary>The CPU vendor a baseline is for. vSphere defines EVC modes for Intel and AMD only.</summary>
    public enum BaselineVendor
    {
        Intel,
        Amd,
    }

    /// <summary>A register a baseline mask controls: every tracked feature in it is either in the baseline or hidden.</summary>
    public readonly struct GovernedRegister : IEquatable<GovernedRegister>
    {
        public GovernedRegister(uint leaf, uint subleaf, CpuidRegister register)
        {
            Leaf = leaf;
            Subleaf = subleaf;
            Register = register;
        }

        public uint Leaf { get; }

        public uint Subleaf { get; }

        public CpuidRegister Register { get; }

        public LeafKey LeafKey => new LeafKey(Leaf, Subleaf);

        public bool Contains(FeatureDefinition feature) =>
            feature.Leaf == Leaf && feature.Subleaf == Subleaf && feature.Register == Register;

        public bool Equals(GovernedRegister other) => Leaf == other.Leaf && Subleaf == other.Subleaf && Register == other.Register;

        public override bool Equals(object? obj) => obj is GovernedRegister other && Equals(other);

        public override int GetHashCode() => unchecked((int)(Leaf * 31 + Subleaf * 7) ^ (int)Register);

        /// <summary>"leaf 0x7 ebx", "leaf 0xD.1 eax".</summary>
        public override string ToString() => $"leaf {LeafKey} {Register.ToName()}";
    }

    /// <summary>
    /// A named CPU feature baseline: one of vSphere's EVC modes, as data (Data/baselines.xml). It builds on
    /// the baseline it extends, may drop some of its features, and names the features a VM under the mode
    /// sees and the controls it passes through from the host. Immutable.
    /// </summary>
    public sealed class Baseline
    {
        private readonly HashSet<string> _features;
        private readonly HashSet<string> _controls;

        internal Baseline(
            string key,
            string label,
            BaselineVendor vendor,
            Baseline? parent,
            IReadOnlyList<FeatureDefinition> added,
            IReadOnlyList<FeatureDefinition> removed,
            IReadOnlyList<FeatureDefinition> addedControls,
            string source,
            string? libvirtModel,
            FeatureCatalog catalog,
            EvcIdentity? identity = null)
        {
            Key = key;
            Label = label;
            Vendor = vendor;
            Parent = parent;
            Added = added.ToItemList(f => f.Name);
            Removed = removed.ToItemList(f => f.Name);
            AddedControls = addedControls.ToItemList(f => f.Name);
            Source = source;
            LibvirtModel = libvirtModel;
            Identity = identity;
            _features = new HashSet<string>(parent?._features ?? Enumerable.Empty<string>(), StringComparer.OrdinalIgnoreCase);
            _features.ExceptWith(removed.Select(f => f.Name));
            _features.UnionWith(added.Select(f => f.Name));
            _controls = new HashSet<string>(parent?._controls ?? Enumerable.Empty<string>(), StringComparer.OrdinalIgnoreCase);
            _controls.UnionWith(addedControls.Select(f => f.Name));
            Features = catalog.Features.Where(f => _features.Contains(f.Name)).ToItemList(f => f.Name);
            Controls = catalog.Features.Where(f => _controls.Contains(f.Name)).ToItemList(f => f.Name);
        }

        /// <summary>The vSphere EVC mode key, e.g. <c>intel-westmere</c>.</summary>
        public string Key { get; }

        /// <summary>The name vCenter shows, e.g. <c>Intel® "Westmere" Generation</c>.</summary>
        public string Label { get; }

        public BaselineVendor Vendor { get; }

        /// <summary>The baseline this one extends, or null for a vendor's root.</summary>
        public Baseline? Parent { get; }

        public string? Extends => Parent?.Key;

        /// <summary>The features this baseline adds to its parent's.</summary>
        public IReadOnlyList<FeatureDefinition> Added { get; }

        /// <summary>Inherited features this baseline drops (AMD: 3DNow!, and XOP/FMA4/TBM from Zen on).</summary>
        public IReadOnlyList<FeatureDefinition> Removed { get; }

        /// <summary>The controls this baseline adds to its parent's.</summary>
        public IReadOnlyList<FeatureDefinition> AddedControls { get; }

        /// <summary>Every feature a VM under this baseline sees and every host of it must have, in catalog order.</summary>
        public IReadOnlyList<FeatureDefinition> Features { get; }

        /// <summary>
        /// Tracked bits the baseline neither guarantees nor hides (speculation controls that follow the
        /// host's microcode): the VM sees the host's own bit.
        /// </summary>
        public IReadOnlyList<FeatureDefinition> Controls { get; }

        /// <summary>Where the feature list comes from, and what is uncertain about it.</summary>
        public string Source { get; }

        /// <summary>The libvirt/QEMU CPU model of the same generation, e.g. <c>Westmere</c>.</summary>
        public string? LibvirtModel { get; }

        /// <summary>
        /// The identity a per-VM EVC mask of the mode gives its VMs (family, model, stepping, leaf counts of its
        /// reference CPU); null where the catalog has none, and then no per-VM EVC mask can be made from the baseline.
        /// </summary>
        public EvcIdentity? Identity { get; }

        /// <summary>The CPUID vendor string of the baseline's CPUs.</summary>
        public string VendorString => Vendor == BaselineVendor.Intel ? "GenuineIntel" : "AuthenticAMD";

        /// <summary>The chain from the root to this baseline.</summary>
        public IReadOnlyList<Baseline> Chain
        {
            get
            {
                var chain = new List<Baseline>();
                for (var b = this; b != null; b = b.Parent)
                {
                    chain.Insert(0, b);
                }

                return chain.ToItemList(b => b.Key);
            }
        }

        public bool Contains(FeatureDefinition feature) => _features.Contains(feature.Name);

        public bool Contains(string featureName) => _features.Contains(featureName);

        public bool IsControl(FeatureDefinition feature) => _controls.Contains(feature.Name);

        /// <summary>Whether a CPU with this vendor string can run under the baseline (Hygon counts as AMD).</summary>
        public bool AppliesTo(string cpuVendor) => Vendor == BaselineVendor.Intel
            ? cpuVendor == "GenuineIntel"
            : cpuVendor == "AuthenticAMD" || cpuVendor == "HygonGenuine";

        /// <summary>
        /// Whether this baseline is at or above the other: same vendor and a superset of its features. The
        /// order vCenter's EVCMode.track and vendorTier describe.
        /// </summary>
        public bool IsAtLeast(Baseline other) =>
            Vendor == other.Vendor && other._features.IsSubsetOf(_features);

        /// <summary>Strictly above: at least, and not the same set.</summary>
        public bool IsAbove(Baseline other) => IsAtLeast(other) && _features.Count > other._features.Count;

        public override string ToString() => $"{Key} ({Label})";
    }
}
