using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Catalog
{
    /// <summary>
    /// Reads the baselines of baselines.xml on top of a feature catalog, one rule group per method: the
    /// governed registers, keys and duplicates, building a baseline and its inheritance chain, the
    /// &lt;feature&gt;/&lt;remove&gt;/&lt;control&gt; children, the prerequisites, and that two modes differ.
    /// </summary>
    internal sealed class BaselineCatalogReader
    {
        private readonly CatalogXml _xml;
        private readonly FeatureCatalog _features;
        private readonly IReadOnlyList<GovernedRegister> _governed;
        private readonly XElement[] _elements;
        private readonly Dictionary<string, XElement> _byKey = new Dictionary<string, XElement>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, Baseline> _built = new Dictionary<string, Baseline>(StringComparer.OrdinalIgnoreCase);

        // The keys whose baselines are being built, parent last: a key met again here extends itself.
        private readonly List<string> _visiting = new List<string>();

        private BaselineCatalogReader(CatalogXml xml, FeatureCatalog features, IReadOnlyList<GovernedRegister> governed, XElement[] elements)
        {
            _xml = xml;
            _features = features;
            _governed = governed;
            _elements = elements;
        }

        /// <summary>The governed registers, the baselines in file order and the per-VM EVC fixed entries of a &lt;baselines&gt; root.</summary>
        public static (IReadOnlyList<GovernedRegister> Governed, IReadOnlyList<Baseline> Baselines, IReadOnlyList<EvcFixedEntries> PerVmEvc) Read(CatalogXml xml, XElement root, FeatureCatalog features)
        {
            var governed = ReadGoverned(xml, root, features);
            var reader = new BaselineCatalogReader(xml, features, governed, root.Elements("baseline").ToArray());
            return (governed, reader.ReadBaselines(), ReadPerVmEvc(xml, root, features));
        }

        /// <summary>
        /// The &lt;per-vm-evc&gt; element: per vendor, the entries every per-VM EVC mask carries besides identity and
        /// features (at most one list per vendor, each with a &lt;source&gt;, keys that no tracked feature emits).
        /// </summary>
        private static IReadOnlyList<EvcFixedEntries> ReadPerVmEvc(CatalogXml xml, XElement root, FeatureCatalog features)
        {
            var result = new List<EvcFixedEntries>();
            var perVmEvc = root.Elements("per-vm-evc").ToArray();
            if (perVmEvc.Length > 1)
            {
                throw xml.Invalid(perVmEvc[1], "repeats <per-vm-evc>; give each vendor's entries in the first");
            }

            foreach (var list in perVmEvc.SelectMany(p => p.Elements()))
            {
                if (list.Name.LocalName != "entries")
                {
                    throw xml.Invalid(list, "is not an <entries vendor=> list; <per-vm-evc> holds one per vendor");
                }

                var vendor = ParseVendor(xml, list);
                if (result.Any(r => r.Vendor == vendor))
                {
                    throw xml.Invalid(list, $"repeats the {vendor.ToString().ToLowerInvariant()} entries");
                }

                string? source = ((string?)list.Element("source"))?.Trim();
                if (string.IsNullOrEmpty(source))
                {
                    throw xml.Invalid(list, "needs a <source> saying where its entries come from");
                }

                var entries = new List<EvcFixedEntry>();
                foreach (var entry in list.Elements().Where(e => e.Name.LocalName != "source"))
                {
                    string? key = ((string?)entry.Attribute("key"))?.Trim();
                    string? value = ((string?)entry.Attribute("value"))?.Trim();
                    string? description = ((string?)entry.Attribute("description"))?.Trim();
                    if (entry.Name.LocalName != "entry" || string.IsNullOrEmpty(key) || string.IsNullOrEmpty(value) || string.IsNullOrEmpty(description))
                    {
                        throw xml.Invalid(entry, "needs to be an <entry key= value= description=> with all three");
                    }

                    if (entries.Any(e => string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase)))
                    {
                        throw xml.Invalid(entry, $"repeats key '{key}'");
                    }

                    var emitted = features.Features.FirstOrDefault(f => f.Tracked && FeatureAppliesTo(f, vendor) && (string.Equals(f.VSphereKey, key, StringComparison.OrdinalIgnoreCase) || f.Aliases.Contains(key!, StringComparer.OrdinalIgnoreCase)));
                    if (emitted != null)
                    {
                        throw xml.Invalid(entry, $"names '{key}', which tracked feature '{emitted.Name}' already gives a mask; a fixed entry is for keys no feature emits");
                    }

                    entries.Add(new EvcFixedEntry(key!, value!, Squeeze(description!)));
                }

                result.Add(new EvcFixedEntries(vendor, entries, Squeeze(source!)));
            }

            return result;
        }

        private static string Squeeze(string text) => string.Join(" ", text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

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

        private IReadOnlyList<Baseline> ReadBaselines()
        {
            IndexKeys();
            var baselines = _elements.Select(Build).ToArray();
            CheckModesDiffer(baselines);
            return baselines;
        }

        private void IndexKeys()
        {
            foreach (var element in _elements)
            {
                string? key = ((string?)element.Attribute("key"))?.Trim();
                if (string.IsNullOrEmpty(key))
                {
                    throw _xml.Invalid(element, "needs a key= (the vSphere EVC mode key, e.g. intel-westmere)");
                }

                if (_byKey.TryGetValue(key!, out var first))
                {
                    throw _xml.Invalid(element, $"repeats key '{key}' (first at line {CatalogXml.LineOf(first)})");
                }

                _byKey.Add(key!, element);
            }
        }

        /// <summary>Builds a baseline after the one it extends; a baseline met twice is built once.</summary>
        private Baseline Build(XElement element)
        {
            string key = ((string)element.Attribute("key")!).Trim();
            if (_built.TryGetValue(key, out var done))
            {
                return done;
            }

            if (_visiting.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                throw _xml.Invalid(element, "extends itself through " + string.Join(" -> ", _visiting.Concat(new[] { key })));
            }

            _visiting.Add(key);
            var vendor = ParseVendor(element);
            string? label = ((string?)element.Attribute("label"))?.Trim();
            if (string.IsNullOrEmpty(label))
            {
                throw _xml.Invalid(element, "needs a label= (the name vCenter shows for the mode)");
            }

            string? source = ((string?)element.Element("source"))?.Trim();
            if (string.IsNullOrEmpty(source))
            {
                throw _xml.Invalid(element, "needs a <source> saying where its feature list comes from");
            }

            var parent = BuildParent(element, vendor);
            var (added, removed, controls) = ReadChildren(element, key, vendor, parent);
            var identity = ReadIdentity(element);
            var baseline = new Baseline(
                key,
                label!,
                vendor,
                parent,
                Ordered(added),
                Ordered(removed),
                Ordered(controls),
                string.Join(" ", source!.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)),
                ((string?)element.Attribute("libvirt-model"))?.Trim(),
                _features,
                identity);
            CheckPrerequisites(element, baseline);
            CheckIdentityReachesFeatures(element, baseline);
            _visiting.Remove(key);
            _built.Add(key, baseline);
            return baseline;
        }

        /// <summary>The baseline named by <c>extends=</c>, built first; null where it extends nothing.</summary>
        private Baseline? BuildParent(XElement element, BaselineVendor vendor)
        {
            string? extends = ((string?)element.Attribute("extends"))?.Trim();
            if (string.IsNullOrEmpty(extends))
            {
                return null;
            }

            if (!_byKey.TryGetValue(extends!, out var parentElement))
            {
                throw _xml.Invalid(element, $"extends '{extends}', which is not a baseline key in this file");
            }

            var parent = Build(parentElement);
            if (parent.Vendor != vendor)
            {
                throw _xml.Invalid(element, $"is vendor {vendor.ToString().ToLowerInvariant()} but extends '{parent.Key}' of vendor {parent.Vendor.ToString().ToLowerInvariant()}");
            }

            return parent;
        }

        /// <summary>The features a baseline adds, removes and passes through as controls, checked against its chain.</summary>
        private (List<FeatureDefinition> Added, List<FeatureDefinition> Removed, List<FeatureDefinition> Controls) ReadChildren(XElement element, string key, BaselineVendor vendor, Baseline? parent)
        {
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
                if (kind == "source" || kind == "identity")
                {
                    continue;
                }

                if (kind != "feature" && kind != "remove" && kind != "control")
                {
                    throw _xml.Invalid(child, $"is not a baseline element; baseline '{key}' holds <source>, <identity>, <feature>, <remove> and <control>");
                }

                var feature = ReadFeature(child, key);
                if (!seen.Add(feature.Name))
                {
                    throw _xml.Invalid(child, $"names '{feature.Name}' a second time in baseline '{key}'");
                }

                if (kind == "remove")
                {
                    if (!inherited.Contains(feature.Name))
                    {
                        throw _xml.Invalid(child, $"removes '{feature.Name}', which baseline '{key}' does not inherit" + (parent == null ? " (it extends nothing)" : $" from '{parent.Key}'"));
                    }

                    removed.Add(feature);
                    continue;
                }

                CheckListable(child, feature, key, vendor);
                if (kind == "feature")
                {
                    if (inherited.Contains(feature.Name) || everAdded.Contains(feature.Name))
                    {
                        string from = FirstAdder(parent, feature.Name) ?? parent?.Key ?? key;
                        throw _xml.Invalid(child, $"adds '{feature.Name}' again: baseline '{from}' on the chain of '{key}' already adds it");
                    }

                    if (inheritedControls.Contains(feature.Name))
                    {
                        throw _xml.Invalid(child, $"adds '{feature.Name}', which the chain of '{key}' already passes through as a control");
                    }

                    added.Add(feature);
                }
                else
                {
                    if (inheritedControls.Contains(feature.Name) || inherited.Contains(feature.Name))
                    {
                        throw _xml.Invalid(child, $"makes '{feature.Name}' a control again; the chain of '{key}' already names it");
                    }

                    controls.Add(feature);
                }
            }

            var clash = added.FirstOrDefault(a => controls.Any(c => c.Name == a.Name));
            if (clash != null)
            {
                throw _xml.Invalid(element, $"names '{clash.Name}' both as a feature and as a control");
            }

            if (parent != null && added.Count == 0 && removed.Count == 0)
            {
                throw _xml.Invalid(element, $"adds and removes nothing; it would be the same mode as '{parent.Key}'");
            }

            return (added, removed, controls);
        }

        /// <summary>What a &lt;feature&gt; or &lt;control&gt; may name: a tracked feature of the baseline's vendor in a governed register.</summary>
        private void CheckListable(XElement child, FeatureDefinition feature, string key, BaselineVendor vendor)
        {
            if (!feature.Tracked)
            {
                throw _xml.Invalid(child, $"names '{feature.Name}', which vCenter does not track; a baseline names only features vCenter compares");
            }

            if (!FeatureAppliesTo(feature, vendor))
            {
                throw _xml.Invalid(child, $"names '{feature.Name}', which {(feature.Vendor == FeatureVendor.Amd ? "AMD" : "Intel")} defines for its own CPUs only, in {vendor.ToString().ToLowerInvariant()} baseline '{key}'");
            }

            if (!_governed.Any(g => g.Contains(feature)))
            {
                throw _xml.Invalid(child, $"names '{feature.Name}' ({feature.Location}), which is outside the governed registers");
            }
        }

        /// <summary>
        /// The optional &lt;identity family= model= stepping= numlevels= num-ext-levels= reference=&gt; with its
        /// &lt;source&gt;: the reference CPU whose identity the mode's per-VM EVC masks carry. Display family and
        /// model; each value within what leaf 1 EAX and leaves 0 and 0x80000000 can hold.
        /// </summary>
        private EvcIdentity? ReadIdentity(XElement element)
        {
            var identities = element.Elements("identity").ToArray();
            if (identities.Length == 0)
            {
                return null;
            }

            var identity = identities[0];
            if (identities.Length > 1)
            {
                throw _xml.Invalid(identities[1], "repeats <identity>; a mode has one reference CPU");
            }

            uint family = _xml.ParseUInt(identity, "family", required: true);
            uint model = _xml.ParseUInt(identity, "model", required: true);
            uint stepping = _xml.ParseUInt(identity, "stepping", required: true);
            uint numLevels = _xml.ParseUInt(identity, "numlevels", required: true);
            uint numExtLevels = _xml.ParseUInt(identity, "num-ext-levels", required: true);
            string? reference = ((string?)identity.Attribute("reference"))?.Trim();
            string? source = ((string?)identity.Element("source"))?.Trim();
            if (family == 0 || family > 0xF + 0xFF)
            {
                throw _xml.Invalid(identity, $"has family=\"{(string?)identity.Attribute("family")}\"; a display family is 1 to 0x10E (base 0xF plus an 8-bit extended family)");
            }

            if (model > 0xFF || stepping > 0xF)
            {
                throw _xml.Invalid(identity, "has a model above 0xFF or a stepping above 0xF; leaf 1 EAX holds no more");
            }

            if (numLevels == 0 || numLevels >= 0x80000000u)
            {
                throw _xml.Invalid(identity, "needs numlevels= the highest standard leaf, 1 to 0x7FFFFFFF (leaf 1 holds the family and the basic features)");
            }

            if (numExtLevels < 0x80000001u)
            {
                throw _xml.Invalid(identity, "needs num-ext-levels= the highest extended leaf, 0x80000001 or above (long mode and NX are in leaf 0x80000001)");
            }

            if (string.IsNullOrEmpty(reference))
            {
                throw _xml.Invalid(identity, "needs a reference= naming the CPU the values belong to");
            }

            if (string.IsNullOrEmpty(source))
            {
                throw _xml.Invalid(identity, "needs a <source> saying where its values come from");
            }

            return new EvcIdentity((int)family, (int)model, (int)stepping, numLevels, numExtLevels, Squeeze(reference!), Squeeze(source!));
        }

        /// <summary>A feature in a leaf the identity's leaf counts hide would be promised by the mode and never seen.</summary>
        private void CheckIdentityReachesFeatures(XElement element, Baseline baseline)
        {
            if (baseline.Identity is not EvcIdentity identity)
            {
                return;
            }

            var beyond = baseline.Features.FirstOrDefault(f => !identity.Reaches(f.Leaf));
            if (beyond != null)
            {
                throw _xml.Invalid(
                    element.Element("identity"),
                    $"gives numlevels 0x{identity.NumLevels:X} and num-ext-levels 0x{identity.NumExtLevels:X}, but feature '{beyond.Name}' of baseline '{baseline.Key}' is in leaf 0x{beyond.Leaf:X}, which a guest with this identity cannot see");
            }
        }

        private void CheckPrerequisites(XElement element, Baseline baseline)
        {
            foreach (var feature in baseline.Features)
            {
                foreach (string required in feature.Requires)
                {
                    var prerequisite = _features.Find(required);
                    if (prerequisite.Tracked && !baseline.Contains(prerequisite))
                    {
                        throw _xml.Invalid(element, $"has '{feature.Name}' but not '{prerequisite.Name}', which it requires; a baseline must hold the prerequisites of its features");
                    }
                }
            }
        }

        /// <summary>Two baselines with the same feature set would be one mode under two keys; the later one is named.</summary>
        private void CheckModesDiffer(Baseline[] baselines)
        {
            foreach (var baseline in baselines)
            {
                var twin = baselines.FirstOrDefault(o => !ReferenceEquals(o, baseline) && o.IsAtLeast(baseline) && baseline.IsAtLeast(o));
                if (twin != null && Array.IndexOf(baselines, twin) < Array.IndexOf(baselines, baseline))
                {
                    throw _xml.Invalid(_byKey[baseline.Key], $"has the same features as '{twin.Key}'; two modes must differ");
                }
            }
        }

        private IReadOnlyList<FeatureDefinition> Ordered(List<FeatureDefinition> list) =>
            _features.Features.Where(f => list.Any(l => l.Name == f.Name)).ToArray();

        private FeatureDefinition ReadFeature(XElement element, string key)
        {
            string? name = ((string?)element.Attribute("name"))?.Trim();
            if (string.IsNullOrEmpty(name))
            {
                throw _xml.Invalid(element, "needs a name= (a canonical feature name from features.xml)");
            }

            if (!_features.TryFind(name!, out var feature))
            {
                throw _xml.Invalid(element, $"names '{name}' in baseline '{key}', which is not a feature in the catalog");
            }

            if (!string.Equals(feature.Name, name, StringComparison.Ordinal))
            {
                throw _xml.Invalid(element, $"names '{name}'; use the canonical name '{feature.Name}'");
            }

            return feature;
        }

        private static BaselineVendor ParseVendor(CatalogXml xml, XElement element) => ((string?)element.Attribute("vendor"))?.Trim() switch
        {
            "intel" => BaselineVendor.Intel,
            "amd" => BaselineVendor.Amd,
            var other => throw xml.Invalid(element, $"needs vendor=\"intel\" or \"amd\" (found '{other}')"),
        };

        private BaselineVendor ParseVendor(XElement element) => ParseVendor(_xml, element);
    }
}
