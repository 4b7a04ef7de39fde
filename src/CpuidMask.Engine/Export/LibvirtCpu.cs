using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;

namespace CpuidMask.Engine.Export
{
    /// <summary>What an exported CPU does with one feature.</summary>
    public enum LibvirtPolicy
    {
        /// <summary>The model lacks it and the feature set needs it.</summary>
        Require,
        /// <summary>Asked for where the host has it (features KVM does not reliably expose).</summary>
        Optional,
        /// <summary>The model has it and the feature set does not.</summary>
        Disable,
    }

    /// <summary>One feature line of an exported CPU: the catalog feature, libvirt's and QEMU's name, and the policy.</summary>
    public sealed class LibvirtFeature
    {
        public LibvirtFeature(FeatureDefinition feature, string name, string qemuName, LibvirtPolicy policy)
        {
            Feature = feature;
            Name = name;
            QemuName = qemuName;
            Policy = policy;
        }

        public FeatureDefinition Feature { get; }

        /// <summary>libvirt's name, e.g. <c>pclmuldq</c>.</summary>
        public string Name { get; }

        /// <summary>QEMU's <c>-cpu</c> spelling, e.g. <c>pclmulqdq</c>.</summary>
        public string QemuName { get; }

        public LibvirtPolicy Policy { get; }

        public override string ToString() => $"{Policy.ToString().ToLowerInvariant()} {Name}";
    }

    /// <summary>
    /// A baseline or a mask as a KVM CPU: a libvirt <c>&lt;cpu mode='custom' match='exact'&gt;</c> element on
    /// the libvirt model of the same generation, or the same as a QEMU <c>-cpu</c> argument. Only the
    /// differences between the model and the wanted feature set are written; speculation controls follow the
    /// model unless the mask hides them.
    /// </summary>
    public sealed class LibvirtCpu
    {
        private LibvirtCpu(string model, BaselineVendor vendor, string basis, IReadOnlyList<LibvirtFeature> features, IReadOnlyList<FeatureDefinition> unnamed)
        {
            Model = model;
            Vendor = vendor;
            Basis = basis;
            Features = features;
            Unnamed = unnamed;
        }

        /// <summary>The libvirt/QEMU model, e.g. <c>Westmere</c>.</summary>
        public string Model { get; }

        public BaselineVendor Vendor { get; }

        /// <summary>What the CPU stands for: "baseline intel-westmere" or the hosts of a mask.</summary>
        public string Basis { get; }

        /// <summary>The feature lines: required first, then optional, then disabled; catalog order within each.</summary>
        public IReadOnlyList<LibvirtFeature> Features { get; }

        public IReadOnlyList<LibvirtFeature> Required => Features.Where(f => f.Policy == LibvirtPolicy.Require).ToArray();

        public IReadOnlyList<LibvirtFeature> Disabled => Features.Where(f => f.Policy == LibvirtPolicy.Disable).ToArray();

        /// <summary>Wanted features libvirt has no name for (state components, which QEMU derives, left out).</summary>
        public IReadOnlyList<FeatureDefinition> Unnamed { get; }

        /// <summary>The CPU of a baseline: its features on its libvirt model, everything it hides disabled where the model has it.</summary>
        public static LibvirtCpu FromBaseline(Baseline baseline, BaselineCatalog? baselines = null, LibvirtCatalog? libvirt = null)
        {
            baselines ??= BaselineCatalog.Default;
            return Build(baseline, baseline.Features, baselines.OutsideOf(baseline), "baseline " + baseline.Key, libvirt);
        }

        /// <summary>
        /// The CPU of a generated mask: for a baseline mask, the baseline (plus any control the hosts differ in,
        /// disabled); for a mask over hosts, the tracked features a VM sees on every host, on the model of the
        /// highest baseline all the hosts support.
        /// </summary>
        public static LibvirtCpu FromMask(GeneratedMask mask, BaselineCatalog? baselines = null, LibvirtCatalog? libvirt = null)
        {
            if (mask == null)
            {
                throw new ArgumentNullException(nameof(mask));
            }

            baselines ??= BaselineCatalog.Default;
            var hidden = mask.Hidden.Select(h => h.Feature).ToArray();
            if (mask.Baseline != null)
            {
                return Build(mask.Baseline, mask.Baseline.Features, baselines.OutsideOf(mask.Baseline).Union(hidden).ToArray(), "baseline " + mask.Baseline.Key + HostsText(mask), libvirt);
            }

            if (mask.Profiles.Count == 0)
            {
                throw new CpuidMaskException("TooFewProfiles", ErrorKind.InvalidArgument, "A mask without hosts or baseline has no feature set to export.");
            }

            var generation = new BaselineClassifier(baselines).Classify(mask.Profiles);
            var model = generation.Highest
                ?? throw new CpuidMaskException(
                    "LibvirtModelNotFound",
                    ErrorKind.ObjectNotFound,
                    $"No libvirt model fits {string.Join(", ", mask.Profiles.Select(p => p.Name))}: {generation.Note}. Export needs a CPU generation to start from.",
                    mask.Profiles.Select(p => p.Name).ToArray());
            var wanted = mask.Proof.Hosts
                .Select(h => (IEnumerable<FeatureDefinition>)h.GuestFeatures)
                .Aggregate((a, b) => a.Intersect(b))
                .ToArray();
            return Build(model, wanted, hidden, "hosts " + string.Join(", ", mask.Profiles.Select(p => p.Name)), libvirt);
        }

        /// <summary>
        /// The libvirt domain XML element, e.g.
        /// <c>&lt;cpu mode='custom' match='exact'&gt;&lt;model fallback='forbid'&gt;Westmere&lt;/model&gt;...</c>.
        /// </summary>
        public string ToXml()
        {
            var xml = new StringBuilder();
            xml.Append("<cpu mode='custom' match='exact'>\n");
            xml.Append($"  <!-- {Comment(Basis)} -->\n");
            xml.Append($"  <model fallback='forbid'>{Model}</model>\n");
            xml.Append($"  <vendor>{(Vendor == BaselineVendor.Intel ? "Intel" : "AMD")}</vendor>\n");
            foreach (var feature in Features)
            {
                xml.Append($"  <feature policy='{feature.Policy.ToString().ToLowerInvariant()}' name='{feature.Name}'/>\n");
            }

            if (Unnamed.Count > 0)
            {
                xml.Append($"  <!-- no libvirt name, left to the model: {Comment(string.Join(", ", Unnamed.Select(f => f.Name)))} -->\n");
            }

            xml.Append("</cpu>\n");
            return xml.ToString();
        }

        /// <summary>The value of QEMU's <c>-cpu</c> option: <c>Westmere,+pclmulqdq,-avx</c> (optional features left to the model).</summary>
        public string ToQemuCpuOption() =>
            string.Join(",", new[] { Model }
                .Concat(Features.Where(f => f.Policy == LibvirtPolicy.Require).Select(f => "+" + f.QemuName))
                .Concat(Features.Where(f => f.Policy == LibvirtPolicy.Disable).Select(f => "-" + f.QemuName)));

        /// <summary>The QEMU argument: <c>-cpu Westmere,+pclmulqdq,-avx</c>.</summary>
        public string ToQemuArgument() => "-cpu " + ToQemuCpuOption();

        private static LibvirtCpu Build(Baseline generation, IEnumerable<FeatureDefinition> wanted, IEnumerable<FeatureDefinition> hidden, string basis, LibvirtCatalog? libvirt)
        {
            libvirt ??= LibvirtCatalog.Default;
            string model = generation.LibvirtModel
                ?? throw new CpuidMaskException("LibvirtModelNotFound", ErrorKind.ObjectNotFound, $"Baseline {generation.Key} names no libvirt model.", generation.Key);
            var modelFeatures = libvirt.ModelFeatures(model);
            var want = new HashSet<string>(wanted.Select(f => f.Name), StringComparer.OrdinalIgnoreCase);
            var hide = new HashSet<string>(hidden.Select(f => f.Name), StringComparer.OrdinalIgnoreCase);
            var lines = new List<LibvirtFeature>();
            var unnamed = new List<FeatureDefinition>();
            foreach (var feature in libvirt.Features.Features.Where(f => f.Tracked))
            {
                string? name = libvirt.NameOf(feature);
                bool inModel = name != null && modelFeatures.Contains(name);
                LibvirtPolicy? policy = null;
                if (hide.Contains(feature.Name) || (!want.Contains(feature.Name) && !generation.IsControl(feature)))
                {
                    policy = inModel ? LibvirtPolicy.Disable : (LibvirtPolicy?)null;
                }
                else if (want.Contains(feature.Name) && !inModel)
                {
                    if (name == null)
                    {
                        if (feature.Kind != FeatureKind.StateComponent)
                        {
                            unnamed.Add(feature);
                        }
                    }
                    else
                    {
                        policy = libvirt.IsOptional(name) ? LibvirtPolicy.Optional : LibvirtPolicy.Require;
                    }
                }

                if (policy is LibvirtPolicy p)
                {
                    lines.Add(new LibvirtFeature(feature, name!, libvirt.QemuNameOf(name!), p));
                }
            }

            var ordered = lines.OrderBy(l => l.Policy).ToArray();
            return new LibvirtCpu(model, generation.Vendor, basis, ordered, unnamed);
        }

        private static string HostsText(GeneratedMask mask) =>
            mask.Profiles.Count == 0 ? string.Empty : " for hosts " + string.Join(", ", mask.Profiles.Select(p => p.Name));

        // XML comments may not contain "--".
        private static string Comment(string text) => text.Replace("--", "- -");
    }
}
