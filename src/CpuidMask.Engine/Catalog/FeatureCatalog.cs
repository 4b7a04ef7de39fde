using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Catalog
{
    /// <summary>
    /// The CPUID feature flags, loaded from XML data (Data/features.xml, embedded). Lookups accept the
    /// canonical name or any alias: Linux flag, vSphere key, vCenter's vMotion wording.
    /// </summary>
    public sealed class FeatureCatalog
    {
        /// <summary>ESX 3.0's virtual hardware version 4, where VMware's CPUID table starts.</summary>
        private const int MinimumHardwareVersion = 4;

        private static readonly Lazy<FeatureCatalog> DefaultCatalog = new Lazy<FeatureCatalog>(LoadDefault);

        private readonly Dictionary<string, FeatureDefinition> _byAnyName;
        private readonly Dictionary<(uint, uint, CpuidRegister, int), FeatureDefinition> _byBit;
        private readonly Dictionary<string, FeatureDefinition[]> _dependents;

        private FeatureCatalog(IReadOnlyList<FeatureDefinition> features, Dictionary<string, FeatureDefinition> byAnyName, int newestHardwareVersion, IReadOnlyList<VirtualHardwareVersion> hardwareVersions)
        {
            Features = features;
            NewestHardwareVersion = newestHardwareVersion;
            HardwareVersions = hardwareVersions;
            _byAnyName = byAnyName;
            _byBit = features.ToDictionary(f => (f.Leaf, f.Subleaf, f.Register, f.Bit));
            _dependents = features.ToDictionary(
                f => f.Name,
                f => features.Where(d => d.Requires.Contains(f.Name, StringComparer.OrdinalIgnoreCase)).ToArray(),
                StringComparer.OrdinalIgnoreCase);
        }

        /// <summary>The catalog shipped inside the engine assembly.</summary>
        public static FeatureCatalog Default => DefaultCatalog.Value;

        /// <summary>All features, in leaf, subleaf, register, bit order.</summary>
        public IReadOnlyList<FeatureDefinition> Features { get; }

        /// <summary>The newest virtual hardware version the catalog's data knows (no feature is first exposed later).</summary>
        public int NewestHardwareVersion { get; }

        /// <summary>
        /// The virtual hardware versions ESXi runs, oldest first, each with the product that brought it; the last is
        /// <see cref="NewestHardwareVersion"/>. Empty for a catalog whose data has no &lt;hardware-versions&gt; list.
        /// </summary>
        public IReadOnlyList<VirtualHardwareVersion> HardwareVersions { get; }

        /// <summary>The newest version, as <see cref="DescribeHardwareVersion"/> gives it.</summary>
        public VirtualHardwareVersion NewestVersion => DescribeHardwareVersion(NewestHardwareVersion);

        /// <summary>The version with its product when the catalog lists it (a VM read from vCenter may have any number).</summary>
        public VirtualHardwareVersion DescribeHardwareVersion(int number) =>
            HardwareVersions.FirstOrDefault(v => v.Number == number) ?? new VirtualHardwareVersion(number, null);

        /// <summary>
        /// A hardware version a user typed: "14" or "vmx-14" (any case, spaces around), one of
        /// <see cref="HardwareVersions"/>. Anything else throws HardwareVersionInvalid naming the text, the option it was
        /// given to (<paramref name="optionName"/>, e.g. "--hw-version", when there is one) and the known versions.
        /// </summary>
        public VirtualHardwareVersion ParseHardwareVersion(string? text, string? optionName = null)
        {
            string trimmed = (text ?? string.Empty).Trim();
            string digits = trimmed.StartsWith("vmx-", StringComparison.OrdinalIgnoreCase) ? trimmed.Substring(4) : trimmed;
            bool isNumber = digits.Length > 0 && digits.Length <= 4 && digits.All(c => c >= '0' && c <= '9');
            int number = isNumber ? int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture) : 0;
            var known = HardwareVersions.FirstOrDefault(v => v.Number == number);
            if (known != null)
            {
                return known;
            }

            string list = string.Join(", ", HardwareVersions.Select(v => v.Number.ToString(CultureInfo.InvariantCulture)));
            string problem = !isNumber
                ? $"'{InputText.Show(trimmed)}' is not a virtual hardware version"
                : number > NewestHardwareVersion
                    ? $"vmx-{number} is newer than this catalog knows (its newest is {NewestVersion.Description})"
                    : $"ESXi has no virtual hardware version vmx-{number}";
            throw new CpuidMaskException(
                "HardwareVersionInvalid",
                ErrorKind.InvalidArgument,
                (optionName == null ? string.Empty : optionName + ": ") + $"{problem}. Give a version as 14 or vmx-14, one of {list}.",
                text);
        }

        /// <summary>
        /// The number of a VM's config.version ("vmx-14"), for a guest view of that VM; null when vCenter gave none or
        /// something else. Numbers the catalog does not list are kept (a guest view needs only the number); a version
        /// newer than the catalog sees every feature the catalog knows, so it counts as <see cref="NewestHardwareVersion"/>.
        /// </summary>
        public int? VmHardwareVersion(string? configVersion)
        {
            string text = (configVersion ?? string.Empty).Trim();
            if (!text.StartsWith("vmx-", StringComparison.OrdinalIgnoreCase)
                || !int.TryParse(text.Substring(4), NumberStyles.None, CultureInfo.InvariantCulture, out int number)
                || number < 1)
            {
                return null;
            }

            return Math.Min(number, NewestHardwareVersion);
        }

        /// <summary>
        /// The version a guest view is taken at: the given one, or the newest. A version below 1 is an error, and one
        /// newer than the catalog counts as the newest (it sees every feature the catalog knows).
        /// </summary>
        public int GuestViewVersion(int? hardwareVersion) => hardwareVersion switch
        {
            null => NewestHardwareVersion,
            int v when v < 1 => throw new ArgumentOutOfRangeException(nameof(hardwareVersion), v, "A virtual hardware version is 1 or more."),
            int v => Math.Min(v, NewestHardwareVersion),
        };

        public static FeatureCatalog Load(Stream stream, string sourceName)
        {
            var xml = Xml(sourceName);
            return Load(xml.Load(stream), xml);
        }

        public static FeatureCatalog Load(XDocument document, string sourceName) => Load(document, Xml(sourceName));

        private static FeatureCatalog Load(XDocument document, CatalogXml xml)
        {
            var root = xml.Root(document, "features");
            uint newest = xml.ParseUInt(root, "newest-hwversion", required: true);
            if (newest < MinimumHardwareVersion)
            {
                throw xml.Invalid(root, $"has newest-hwversion=\"{newest}\"; virtual hardware versions start at {MinimumHardwareVersion}");
            }

            var features = new List<FeatureDefinition>();
            var byAnyName = new Dictionary<string, FeatureDefinition>(StringComparer.OrdinalIgnoreCase);
            var byBit = new Dictionary<(uint, uint, CpuidRegister, int), FeatureDefinition>();
            var perVendorKeys = PerVendorVSphereKeys(root);
            foreach (var group in root.Elements("register"))
            {
                var (leaf, subleaf, register) = xml.ParseRegisterAttributes(group);
                foreach (var element in group.Elements("feature"))
                {
                    var feature = ReadFeature(xml, element, leaf, subleaf, register, (int)newest, perVendorKeys);
                    var bitKey = (leaf, subleaf, register, feature.Bit);
                    if (byBit.TryGetValue(bitKey, out var other))
                    {
                        throw xml.Invalid(element, $"feature '{feature.Name}' overlaps '{other.Name}' at {feature.Location}");
                    }

                    byBit.Add(bitKey, feature);
                    foreach (string key in LookupNames(feature))
                    {
                        if (byAnyName.TryGetValue(key, out var owner))
                        {
                            if (perVendorKeys.Contains(key) && IsOtherVendor(owner, feature))
                            {
                                continue; // each vendor's bit under one vSphere key; a name lookup finds the first
                            }

                            string what = owner == feature ? "twice" : $"already used by '{owner.Name}'";
                            throw xml.Invalid(element, $"name or alias '{key}' of feature '{feature.Name}' is {what}");
                        }

                        byAnyName.Add(key, feature);
                    }

                    features.Add(feature);
                }
            }

            foreach (var feature in features)
            {
                foreach (string required in feature.Requires)
                {
                    if (!byAnyName.TryGetValue(required, out var target) || !string.Equals(target.Name, required, StringComparison.OrdinalIgnoreCase))
                    {
                        throw xml.Invalid(null, $"feature '{feature.Name}' requires '{required}', which is not a feature name");
                    }
                }
            }

            var ordered = features.OrderBy(f => f.LeafKey).ThenBy(f => f.Register).ThenBy(f => f.Bit).ToArray();
            var catalog = new FeatureCatalog(ordered, byAnyName, (int)newest, ReadHardwareVersions(xml, root, (int)newest));
            catalog.CheckAcyclic(xml);
            return catalog;
        }

        /// <summary>Finds a feature by name or alias, case-insensitively.</summary>
        public bool TryFind(string nameOrAlias, out FeatureDefinition feature)
        {
            if (nameOrAlias != null && _byAnyName.TryGetValue(nameOrAlias.Trim(), out var found))
            {
                feature = found;
                return true;
            }

            feature = null!;
            return false;
        }

        /// <summary>Finds a feature by name or alias, or throws FeatureNotFound with suggestions.</summary>
        public FeatureDefinition Find(string nameOrAlias)
        {
            if (TryFind(nameOrAlias, out var feature))
            {
                return feature;
            }

            string hint = string.Join(", ", Suggest(nameOrAlias ?? string.Empty).Take(5).Select(f => f.Name));
            throw new CpuidMaskException(
                "FeatureNotFound",
                ErrorKind.ObjectNotFound,
                $"No CPUID feature is named '{nameOrAlias}'." + (hint.Length > 0 ? $" Did you mean: {hint}?" : string.Empty),
                nameOrAlias)
            {
                Remedy = hint.Length > 0 ? null : new Remedy(RemedyKind.ListFeatures),
            };
        }

        /// <summary>The feature defined at a bit, if any.</summary>
        public FeatureDefinition? At(uint leaf, uint subleaf, CpuidRegister register, int bit) =>
            _byBit.TryGetValue((leaf, subleaf, register, bit), out var found) ? found : null;

        /// <summary>Features whose name or any alias matches a wildcard pattern (* and ?), or contains the text.</summary>
        public IReadOnlyList<FeatureDefinition> Match(string? pattern)
        {
            if (string.IsNullOrWhiteSpace(pattern))
            {
                return Features;
            }

            string trimmed = pattern!.Trim();
            if (TryFind(trimmed, out var exact) && trimmed.IndexOfAny(new[] { '*', '?' }) < 0)
            {
                // A vSphere key both vendors use names each vendor's own bit.
                return exact.SharesVSphereKey
                    ? Features.Where(f => LookupNames(f).Contains(trimmed, StringComparer.OrdinalIgnoreCase)).ToArray()
                    : new[] { exact };
            }

            Regex regex = trimmed.IndexOfAny(new[] { '*', '?' }) >= 0
                ? new Regex("^" + Regex.Escape(trimmed).Replace("\\*", ".*").Replace("\\?", ".") + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)
                : new Regex(Regex.Escape(trimmed), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
            return Features.Where(f => LookupNames(f).Any(n => regex.IsMatch(n))).ToArray();
        }

        /// <summary>Features that directly require the given one.</summary>
        public IReadOnlyList<FeatureDefinition> DirectDependents(FeatureDefinition feature) =>
            _dependents.TryGetValue(feature.Name, out var found) ? found : Array.Empty<FeatureDefinition>();

        /// <summary>Every feature that needs the given one, directly or through others (not including it).</summary>
        public IReadOnlyList<FeatureDefinition> AllDependents(FeatureDefinition feature)
        {
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var result = new List<FeatureDefinition>();
            var queue = new Queue<FeatureDefinition>(DirectDependents(feature));
            while (queue.Count > 0)
            {
                var next = queue.Dequeue();
                if (seen.Add(next.Name))
                {
                    result.Add(next);
                    foreach (var d in DirectDependents(next))
                    {
                        queue.Enqueue(d);
                    }
                }
            }

            return result;
        }

        private IEnumerable<FeatureDefinition> Suggest(string text)
        {
            string needle = text.Trim();
            if (needle.Length == 0)
            {
                return Array.Empty<FeatureDefinition>();
            }

            return Features.Where(f => LookupNames(f).Any(n =>
                n.IndexOf(needle, StringComparison.OrdinalIgnoreCase) >= 0
                || needle.IndexOf(n, StringComparison.OrdinalIgnoreCase) >= 0 && n.Length >= 3));
        }

        private void CheckAcyclic(CatalogXml xml)
        {
            var state = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            foreach (var feature in Features)
            {
                Visit(feature, new Stack<string>());
            }

            void Visit(FeatureDefinition feature, Stack<string> path)
            {
                if (state.TryGetValue(feature.Name, out int s))
                {
                    if (s == 1)
                    {
                        throw xml.Invalid(null, "features require each other in a cycle: " + string.Join(" -> ", path.Reverse().Concat(new[] { feature.Name })));
                    }

                    return;
                }

                state[feature.Name] = 1;
                path.Push(feature.Name);
                foreach (string required in feature.Requires)
                {
                    Visit(_byAnyName[required], path);
                }

                path.Pop();
                state[feature.Name] = 2;
            }
        }

        private static IEnumerable<string> LookupNames(FeatureDefinition feature)
        {
            var names = new List<string> { feature.Name };
            names.AddRange(feature.Aliases);
            names.AddRange(feature.VmotionLabels);
            if (feature.VSphereKey != null)
            {
                names.Add(feature.VSphereKey);
            }

            if (feature.LinuxFlag != null && !names.Contains(feature.LinuxFlag, StringComparer.OrdinalIgnoreCase))
            {
                names.Add(feature.LinuxFlag);
            }

            return names.Distinct(StringComparer.OrdinalIgnoreCase);
        }

        /// <summary>
        /// vSphere keys (and cpuid.* aliases) that both an Intel-only and an AMD-only feature carry: vCenter builds
        /// cpuid.IBRS and cpuid.IBPB from each vendor's own bit, so the key names a different bit per vendor.
        /// </summary>
        private static HashSet<string> PerVendorVSphereKeys(XElement root)
        {
            var vendorsByKey = new Dictionary<string, HashSet<string>>(StringComparer.OrdinalIgnoreCase);
            foreach (var element in root.Elements("register").Elements("feature"))
            {
                string vendor = ((string?)element.Attribute("vendor"))?.Trim() ?? string.Empty;
                var keys = element.Elements("alias").Select(a => a.Value.Trim())
                    .Concat(new[] { ((string?)element.Attribute("vsphere"))?.Trim() ?? string.Empty })
                    .Where(k => k.StartsWith("cpuid.", StringComparison.OrdinalIgnoreCase));
                foreach (string key in keys.Distinct(StringComparer.OrdinalIgnoreCase))
                {
                    if (!vendorsByKey.TryGetValue(key, out var vendors))
                    {
                        vendorsByKey[key] = vendors = new HashSet<string>(StringComparer.Ordinal);
                    }

                    vendors.Add(vendor);
                }
            }

            return new HashSet<string>(
                vendorsByKey.Where(k => k.Value.Count == 2 && k.Value.Contains("intel") && k.Value.Contains("amd")).Select(k => k.Key),
                StringComparer.OrdinalIgnoreCase);
        }

        private static bool IsOtherVendor(FeatureDefinition a, FeatureDefinition b) =>
            (a.Vendor == FeatureVendor.Intel && b.Vendor == FeatureVendor.Amd) || (a.Vendor == FeatureVendor.Amd && b.Vendor == FeatureVendor.Intel);

        private static FeatureDefinition ReadFeature(CatalogXml xml, XElement element, uint leaf, uint subleaf, CpuidRegister register, int newestHardwareVersion, HashSet<string> perVendorKeys)
        {
            string? name = ((string?)element.Attribute("name"))?.Trim();
            if (string.IsNullOrEmpty(name) || !Regex.IsMatch(name, "^[A-Za-z0-9_.-]+$"))
            {
                throw xml.Invalid(element, "needs a name= of letters, digits, '_', '.', '-'");
            }

            uint bit = xml.ParseUInt(element, "bit", required: true);
            if (bit > 31)
            {
                throw xml.Invalid(element, $"feature '{name}' has bit={bit}; bits are 0 to 31");
            }

            var vendor = xml.ParseEnum(element, "vendor", new Dictionary<string, FeatureVendor>
            {
                ["any"] = FeatureVendor.Any,
                ["intel"] = FeatureVendor.Intel,
                ["amd"] = FeatureVendor.Amd,
            });
            var kind = xml.ParseEnum(element, "kind", new Dictionary<string, FeatureKind>
            {
                ["instruction-set"] = FeatureKind.InstructionSet,
                ["state-component"] = FeatureKind.StateComponent,
                ["os-controlled"] = FeatureKind.OsControlled,
                ["informational"] = FeatureKind.Informational,
            });
            string? trackedText = (string?)element.Attribute("tracked");
            if (trackedText != "true" && trackedText != "false")
            {
                throw xml.Invalid(element, $"feature '{name}' needs tracked=\"true\" or \"false\"");
            }

            var (exposure, minHardwareVersion) = ReadHardwareVersion(xml, element, name!, newestHardwareVersion);
            if (trackedText == "true" && minHardwareVersion == null)
            {
                throw xml.Invalid(element, $"feature '{name}' is tracked but has hwversion=\"{(string?)element.Attribute("hwversion")}\"; vCenter compares only bits a released virtual hardware version exposes, so give that version");
            }

            string? description = ((string?)element.Element("description"))?.Trim();
            if (string.IsNullOrEmpty(description))
            {
                throw xml.Invalid(element, $"feature '{name}' needs a <description>");
            }

            string? vSphereKey = NonEmpty((string?)element.Attribute("vsphere"));
            return new FeatureDefinition(
                name!,
                leaf,
                subleaf,
                register,
                (int)bit,
                vendor,
                kind,
                trackedText == "true",
                description!,
                vSphereKey,
                NonEmpty((string?)element.Attribute("linux")),
                element.Elements("alias").Select(e => e.Value.Trim()).ToArray(),
                element.Elements("vmotion").Select(e => e.Value.Trim()).ToArray(),
                element.Elements("requires").Select(e => e.Value.Trim()).ToArray(),
                exposure,
                minHardwareVersion,
                vSphereKey != null && vendor != FeatureVendor.Any && perVendorKeys.Contains(vSphereKey));
        }

        /// <summary>The &lt;hardware-versions&gt; list: ascending numbers from 4 to newest-hwversion, each with its product.</summary>
        private static IReadOnlyList<VirtualHardwareVersion> ReadHardwareVersions(CatalogXml xml, XElement root, int newest)
        {
            var list = root.Elements("hardware-versions").ToArray();
            if (list.Length == 0)
            {
                return Array.Empty<VirtualHardwareVersion>();
            }

            if (list.Length > 1)
            {
                throw xml.Invalid(list[1], "<hardware-versions> is given twice; keep one list");
            }

            var versions = new List<VirtualHardwareVersion>();
            foreach (var element in list[0].Elements("hardware-version"))
            {
                uint number = xml.ParseUInt(element, "number", required: true);
                string product = NonEmpty((string?)element.Attribute("product")) ?? throw xml.Invalid(element, $"hardware version {number} needs product= (the first product that brought it)");
                if (number < MinimumHardwareVersion || number > newest)
                {
                    throw xml.Invalid(element, $"hardware version {number} is outside {MinimumHardwareVersion} to newest-hwversion {newest}");
                }

                if (versions.Count > 0 && number <= versions[versions.Count - 1].Number)
                {
                    throw xml.Invalid(element, $"hardware version {number} comes after {versions[versions.Count - 1].Number}; list them once each, oldest first");
                }

                versions.Add(new VirtualHardwareVersion((int)number, product));
            }

            if (versions.Count == 0 || versions[versions.Count - 1].Number != newest)
            {
                throw xml.Invalid(list[0], $"<hardware-versions> must end with newest-hwversion {newest}");
            }

            return versions;
        }

        /// <summary>The hwversion= attribute: a virtual hardware version, or why there is none.</summary>
        private static (GuestExposure Exposure, int? MinHardwareVersion) ReadHardwareVersion(CatalogXml xml, XElement element, string name, int newest)
        {
            string? text = ((string?)element.Attribute("hwversion"))?.Trim();
            switch (text)
            {
                case "future": return (GuestExposure.Future, null);
                case "never": return (GuestExposure.Never, null);
                case "unmasked": return (GuestExposure.Unmasked, null);
                case "unlisted": return (GuestExposure.Unlisted, null);
            }

            if (text != null && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int version))
            {
                return version >= MinimumHardwareVersion && version <= newest
                    ? (GuestExposure.FromHardwareVersion, version)
                    : throw xml.Invalid(element, $"feature '{name}' has hwversion=\"{text}\"; virtual hardware versions this catalog knows run from {MinimumHardwareVersion} to newest-hwversion {newest}");
            }

            throw xml.Invalid(element, $"feature '{name}' needs hwversion= the first virtual hardware version that exposes it, or future, never, unmasked or unlisted (found '{text}')");
        }

        private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text!.Trim();

        private static CatalogXml Xml(string sourceName) => new CatalogXml("Feature catalog", "CatalogInvalid", sourceName, "name");

        private static FeatureCatalog LoadDefault() => CatalogXml.LoadEmbedded("features.xml", "feature catalog", Load);
    }
}
