using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml.Linq;

namespace CpuidMask.Engine.Catalog
{
    /// <summary>
    /// The named baselines (vSphere's EVC modes), loaded from XML data (Data/baselines.xml, embedded) on top
    /// of a feature catalog. Baselines inherit like libvirt's CPU models; the loader checks the data and
    /// names the file, line and element of every problem.
    /// </summary>
    public sealed class BaselineCatalog
    {
        private static readonly Lazy<BaselineCatalog> DefaultCatalog = new Lazy<BaselineCatalog>(LoadDefault);

        private readonly Dictionary<string, Baseline> _byKey;
        private readonly IReadOnlyList<EvcFixedEntries> _perVmEvc;

        private BaselineCatalog(FeatureCatalog features, IReadOnlyList<GovernedRegister> governed, IReadOnlyList<Baseline> baselines, IReadOnlyList<EvcFixedEntries> perVmEvc)
        {
            Features = features;
            Governed = governed;
            Baselines = baselines;
            _perVmEvc = perVmEvc;
            _byKey = baselines.ToDictionary(b => b.Key, StringComparer.OrdinalIgnoreCase);
        }

        /// <summary>The catalog shipped inside the engine assembly, over <see cref="FeatureCatalog.Default"/>.</summary>
        public static BaselineCatalog Default => DefaultCatalog.Value;

        /// <summary>The feature catalog the baselines name features from.</summary>
        public FeatureCatalog Features { get; }

        /// <summary>The registers a baseline mask controls (every tracked feature lies in one of them).</summary>
        public IReadOnlyList<GovernedRegister> Governed { get; }

        /// <summary>All baselines in file order: Intel's chain, then AMD's tree.</summary>
        public IReadOnlyList<Baseline> Baselines { get; }

        public static BaselineCatalog Load(Stream stream, string sourceName, FeatureCatalog? features = null)
        {
            var xml = Xml(sourceName);
            return Load(xml.Load(stream), xml, features);
        }

        public static BaselineCatalog Load(XDocument document, string sourceName, FeatureCatalog? features = null) =>
            Load(document, Xml(sourceName), features);

        private static BaselineCatalog Load(XDocument document, CatalogXml xml, FeatureCatalog? features)
        {
            features ??= FeatureCatalog.Default;
            var root = xml.Root(document, "baselines");
            var (governed, baselines, perVmEvc) = BaselineCatalogReader.Read(xml, root, features);
            return new BaselineCatalog(features, governed, baselines, perVmEvc);
        }

        /// <summary>
        /// The entries every per-VM EVC mask of the vendor carries besides identity and features (cpuid.VMX,
        /// hv.capable, vt.realmode for Intel, as vCenter's own masks), with their source; empty where the data has none.
        /// </summary>
        public EvcFixedEntries PerVmEvcEntries(BaselineVendor vendor) =>
            _perVmEvc.FirstOrDefault(p => p.Vendor == vendor) ?? new EvcFixedEntries(vendor, Array.Empty<EvcFixedEntry>(), "none in the baseline catalog");

        /// <summary>Finds a baseline by its EVC mode key, case-insensitively.</summary>
        public bool TryFind(string key, out Baseline baseline)
        {
            if (key != null && _byKey.TryGetValue(key.Trim(), out var found))
            {
                baseline = found;
                return true;
            }

            baseline = null!;
            return false;
        }

        /// <summary>Finds a baseline by key, or throws BaselineNotFound listing the keys.</summary>
        public Baseline Find(string key)
        {
            if (TryFind(key, out var baseline))
            {
                return baseline;
            }

            var near = Baselines.Where(b => key != null && key.Length >= 3 && b.Key.IndexOf(key.Trim(), StringComparison.OrdinalIgnoreCase) >= 0).Select(b => b.Key).ToArray();
            string hint = near.Length > 0
                ? $" Did you mean: {string.Join(", ", near)}?"
                : $" The baselines are: {string.Join(", ", Baselines.Select(b => b.Key))}.";
            throw new CpuidMaskException("BaselineNotFound", ErrorKind.ObjectNotFound, $"No baseline is named '{key}'." + hint, key);
        }

        /// <summary>The baselines a CPU of this vendor string can run under (empty for vendors without EVC modes).</summary>
        public IReadOnlyList<Baseline> For(string cpuVendor) => Baselines.Where(b => b.AppliesTo(cpuVendor)).ToArray();

        /// <summary>Whether a mask for a baseline controls this feature's bit.</summary>
        public bool Governs(FeatureDefinition feature) => Governed.Any(g => g.Contains(feature));

        /// <summary>
        /// The tracked features a mask for the baseline hides: every one in a governed register that the
        /// baseline neither includes nor passes through as a control. Catalog order.
        /// </summary>
        public IReadOnlyList<FeatureDefinition> OutsideOf(Baseline baseline) =>
            Features.Features.Where(f => f.Tracked && Governs(f) && !baseline.Contains(f) && !baseline.IsControl(f)).ToArray();

        /// <summary>The baselines strictly below, immediately: nothing lies between them and this one.</summary>
        public IReadOnlyList<Baseline> ImmediatelyBelow(Baseline baseline)
        {
            var below = Baselines.Where(b => baseline.IsAbove(b)).ToArray();
            return below.Where(b => !below.Any(m => m.IsAbove(b))).ToArray();
        }

        private static CatalogXml Xml(string sourceName) => new CatalogXml("Baseline catalog", "BaselineCatalogInvalid", sourceName, "key", "name");

        private static BaselineCatalog LoadDefault() =>
            CatalogXml.LoadEmbedded("baselines.xml", "baseline catalog", (stream, fileName) => Load(stream, fileName, FeatureCatalog.Default));
    }
}
