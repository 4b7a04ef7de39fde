using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using CpuidMask.Engine.Model;

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

        private BaselineCatalog(FeatureCatalog features, IReadOnlyList<GovernedRegister> governed, IReadOnlyList<Baseline> baselines)
        {
            Features = features;
            Governed = governed;
            Baselines = baselines;
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
            var governed = ReadGoverned(xml, root, features);
            var elements = root.Elements("baseline").ToArray();
            var byKey = new Dictionary<string, XElement>(StringComparer.OrdinalIgnoreCase);
            foreach (var element in elements)
            {
                string? key = ((string?)element.Attribute("key"))?.Trim();
                if (string.IsNullOrEmpty(key))
                {
                    throw xml.Invalid(element, "needs a key= (the vSphere EVC mode key, e.g. intel-westmere)");
                }

                if (byKey.TryGetValue(key!, out var first))
                {
                    throw xml.Invalid(element, $"repeats key '{key}' (first at line {CatalogXml.LineOf(first)})");
                }

                byKey.Add(key!, element);
            }

            var built = new Dictionary<string, Baseline>(StringComparer.OrdinalIgnoreCase);
            var visiting = new List<string>();
            foreach (var element in elements)
            {
                Build(element);
            }

            var baselines = elements.Select(e => built[(string)e.Attribute("key")!]).ToArray();
            foreach (var baseline in baselines)
            {
                var twin = baselines.FirstOrDefault(o => !ReferenceEquals(o, baseline) && o.IsAtLeast(baseline) && baseline.IsAtLeast(o));
                if (twin != null && Array.IndexOf(baselines, twin) < Array.IndexOf(baselines, baseline))
                {
                    throw xml.Invalid(byKey[baseline.Key], $"has the same features as '{twin.Key}'; two modes must differ");
                }
            }

            return new BaselineCatalog(features, governed, baselines);

            Baseline Build(XElement element)
            {
                string key = ((string)element.Attribute("key")!).Trim();
                if (built.TryGetValue(key, out var done))
                {
                    return done;
                }

                if (visiting.Contains(key, StringComparer.OrdinalIgnoreCase))
                {
                    throw xml.Invalid(element, "extends itself through " + string.Join(" -> ", visiting.Concat(new[] { key })));
                }

                visiting.Add(key);
                var vendor = ParseVendor(xml, element);
                string? label = ((string?)element.Attribute("label"))?.Trim();
                if (string.IsNullOrEmpty(label))
                {
                    throw xml.Invalid(element, "needs a label= (the name vCenter shows for the mode)");
                }

                string? source = ((string?)element.Element("source"))?.Trim();
                if (string.IsNullOrEmpty(source))
                {
                    throw xml.Invalid(element, "needs a <source> saying where its feature list comes from");
                }

                Baseline? parent = null;
                string? extends = ((string?)element.Attribute("extends"))?.Trim();
                if (!string.IsNullOrEmpty(extends))
                {
                    if (!byKey.TryGetValue(extends!, out var parentElement))
                    {
                        throw xml.Invalid(element, $"extends '{extends}', which is not a baseline key in this file");
                    }

                    parent = Build(parentElement);
                    if (parent.Vendor != vendor)
                    {
                        throw xml.Invalid(element, $"is vendor {vendor.ToString().ToLowerInvariant()} but extends '{parent.Key}' of vendor {parent.Vendor.ToString().ToLowerInvariant()}");
                    }
                }

                var inherited = new HashSet<string>(parent?.Features.Select(f => f.Name) ?? Enumerable.Empty<string>(), StringComparer.OrdinalIgnoreCase);
                var inheritedControls = new HashSet<string>(parent?.Controls.Select(f => f.Name) ?? Enumerable.Empty<string>(), StringComparer.OrdinalIgnoreCase);
                var everAdded = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                for (var b = parent; b != null; b = b.Parent)
                {
                    everAdded.UnionWith(b.Added.Select(f => f.Name));
                }

                var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                var added = new List<FeatureDefinition>();
                var removed = new List<FeatureDefinition>();
                var controls = new List<FeatureDefinition>();
                foreach (var child in element.Elements())
                {
                    string kind = child.Name.LocalName;
                    if (kind == "source")
                    {
                        continue;
                    }

                    if (kind != "feature" && kind != "remove" && kind != "control")
                    {
                        throw xml.Invalid(child, $"is not a baseline element; baseline '{key}' holds <source>, <feature>, <remove> and <control>");
                    }

                    var feature = ReadFeature(xml, child, features, key);
                    if (!seen.Add(feature.Name))
                    {
                        throw xml.Invalid(child, $"names '{feature.Name}' a second time in baseline '{key}'");
                    }

                    if (kind == "remove")
                    {
                        if (!inherited.Contains(feature.Name))
                        {
                            throw xml.Invalid(child, $"removes '{feature.Name}', which baseline '{key}' does not inherit" + (parent == null ? " (it extends nothing)" : $" from '{parent.Key}'"));
                        }

                        removed.Add(feature);
                        continue;
                    }

                    if (!feature.Tracked)
                    {
                        throw xml.Invalid(child, $"names '{feature.Name}', which vCenter does not track; a baseline names only features vCenter compares");
                    }

                    if (!FeatureAppliesTo(feature, vendor))
                    {
                        throw xml.Invalid(child, $"names '{feature.Name}', which {(feature.Vendor == FeatureVendor.Amd ? "AMD" : "Intel")} defines for its own CPUs only, in {vendor.ToString().ToLowerInvariant()} baseline '{key}'");
                    }

                    if (!governed.Any(g => g.Contains(feature)))
                    {
                        throw xml.Invalid(child, $"names '{feature.Name}' ({feature.Location}), which is outside the governed registers");
                    }

                    if (kind == "feature")
                    {
                        if (inherited.Contains(feature.Name) || everAdded.Contains(feature.Name))
                        {
                            string from = FirstAdder(parent, feature.Name) ?? parent?.Key ?? key;
                            throw xml.Invalid(child, $"adds '{feature.Name}' again: baseline '{from}' on the chain of '{key}' already adds it");
                        }

                        if (inheritedControls.Contains(feature.Name))
                        {
                            throw xml.Invalid(child, $"adds '{feature.Name}', which the chain of '{key}' already passes through as a control");
                        }

                        added.Add(feature);
                    }
                    else
                    {
                        if (inheritedControls.Contains(feature.Name) || inherited.Contains(feature.Name))
                        {
                            throw xml.Invalid(child, $"makes '{feature.Name}' a control again; the chain of '{key}' already names it");
                        }

                        controls.Add(feature);
                    }
                }

                var clash = added.FirstOrDefault(a => controls.Any(c => c.Name == a.Name));
                if (clash != null)
                {
                    throw xml.Invalid(element, $"names '{clash.Name}' both as a feature and as a control");
                }

                if (parent != null && added.Count == 0 && removed.Count == 0)
                {
                    throw xml.Invalid(element, $"adds and removes nothing; it would be the same mode as '{parent.Key}'");
                }

                var baseline = new Baseline(
                    key,
                    label!,
                    vendor,
                    parent,
                    Ordered(features, added),
                    Ordered(features, removed),
                    Ordered(features, controls),
                    string.Join(" ", source!.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)),
                    ((string?)element.Attribute("libvirt-model"))?.Trim(),
                    features);
                foreach (var feature in baseline.Features)
                {
                    foreach (string required in feature.Requires)
                    {
                        var prerequisite = features.Find(required);
                        if (prerequisite.Tracked && !baseline.Contains(prerequisite))
                        {
                            throw xml.Invalid(element, $"has '{feature.Name}' but not '{prerequisite.Name}', which it requires; a baseline must hold the prerequisites of its features");
                        }
                    }
                }

                visiting.Remove(key);
                built.Add(key, baseline);
                return baseline;
            }
        }

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

        private static string? FirstAdder(Baseline? from, string featureName)
        {
            string? found = null;
            for (var b = from; b != null; b = b.Parent)
            {
                if (b.Added.Any(f => string.Equals(f.Name, featureName, StringComparison.OrdinalIgnoreCase)))
                {
                    found = b.Key;
                }
            }

            return found;
        }

        private static bool FeatureAppliesTo(FeatureDefinition feature, BaselineVendor vendor) =>
            feature.Vendor == FeatureVendor.Any
            || (feature.Vendor == FeatureVendor.Intel && vendor == BaselineVendor.Intel)
            || (feature.Vendor == FeatureVendor.Amd && vendor == BaselineVendor.Amd);

        private static IReadOnlyList<FeatureDefinition> Ordered(FeatureCatalog features, List<FeatureDefinition> list) =>
            features.Features.Where(f => list.Any(l => l.Name == f.Name)).ToArray();

        private static IReadOnlyList<GovernedRegister> ReadGoverned(CatalogXml xml, XElement root, FeatureCatalog features)
        {
            var governs = root.Element("governs") ?? throw xml.Invalid(root, "needs a <governs> list of the registers the baselines control");
            var result = new List<GovernedRegister>();
            foreach (var element in governs.Elements())
            {
                if (element.Name.LocalName != "register")
                {
                    throw xml.Invalid(element, "is not a <register leaf= subleaf= name=> element");
                }

                var (leaf, subleaf, register) = xml.ParseRegisterAttributes(element);
                var entry = new GovernedRegister(leaf, subleaf, register);
                if (result.Contains(entry))
                {
                    throw xml.Invalid(element, $"lists {entry} twice");
                }

                result.Add(entry);
            }

            var loose = features.Features.FirstOrDefault(f => f.Tracked && !result.Any(g => g.Contains(f)));
            if (loose != null)
            {
                throw xml.Invalid(governs, $"leaves out the register of tracked feature '{loose.Name}' ({loose.Location}); a baseline mask would pass it through on every host");
            }

            return result;
        }

        private static FeatureDefinition ReadFeature(CatalogXml xml, XElement element, FeatureCatalog features, string key)
        {
            string? name = ((string?)element.Attribute("name"))?.Trim();
            if (string.IsNullOrEmpty(name))
            {
                throw xml.Invalid(element, "needs a name= (a canonical feature name from features.xml)");
            }

            if (!features.TryFind(name!, out var feature))
            {
                throw xml.Invalid(element, $"names '{name}' in baseline '{key}', which is not a feature in the catalog");
            }

            if (!string.Equals(feature.Name, name, StringComparison.Ordinal))
            {
                throw xml.Invalid(element, $"names '{name}'; use the canonical name '{feature.Name}'");
            }

            return feature;
        }

        private static BaselineVendor ParseVendor(CatalogXml xml, XElement element) => ((string?)element.Attribute("vendor"))?.Trim() switch
        {
            "intel" => BaselineVendor.Intel,
            "amd" => BaselineVendor.Amd,
            var other => throw xml.Invalid(element, $"needs vendor=\"intel\" or \"amd\" (found '{other}')"),
        };

        private static CatalogXml Xml(string sourceName) => new CatalogXml("Baseline catalog", "BaselineCatalogInvalid", sourceName, "key", "name");

        private static BaselineCatalog LoadDefault() =>
            CatalogXml.LoadEmbedded("baselines.xml", "baseline catalog", (stream, fileName) => Load(stream, fileName, FeatureCatalog.Default));
    }
}
