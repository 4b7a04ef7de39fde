using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CpuidMask.Engine.Catalog;

namespace CpuidMask.Engine.Export
{
    /// <summary>
    /// libvirt's and QEMU's names for the catalog's features and the feature lists of libvirt's CPU models
    /// (Data/libvirt.xml, embedded): what an export to KVM needs.
    /// </summary>
    public sealed class LibvirtCatalog
    {
        private static readonly Lazy<LibvirtCatalog> DefaultCatalog = new Lazy<LibvirtCatalog>(LoadDefault);

        private readonly HashSet<string> _known;
        private readonly Dictionary<string, string> _renamed;
        private readonly Dictionary<string, string> _qemu;
        private readonly Dictionary<string, HashSet<string>> _models;
        private readonly HashSet<string> _optional;

        private LibvirtCatalog(FeatureCatalog features, HashSet<string> known, Dictionary<string, string> renamed, Dictionary<string, string> qemu, Dictionary<string, HashSet<string>> models, HashSet<string> optional)
        {
            Features = features;
            _optional = optional;
            _known = known;
            _renamed = renamed;
            _qemu = qemu;
            _models = models;
        }

        public static LibvirtCatalog Default => DefaultCatalog.Value;

        public FeatureCatalog Features { get; }

        /// <summary>The model names the data knows, e.g. Westmere, EPYC-Rome.</summary>
        public IReadOnlyCollection<string> Models => _models.Keys;

        public static LibvirtCatalog Load(Stream stream, string sourceName, FeatureCatalog? features = null)
        {
            features ??= FeatureCatalog.Default;
            var xml = new CatalogXml("libvirt export data", "LibvirtDataInvalid", sourceName, "name");
            var root = xml.Root(xml.Load(stream), "libvirt");

            var known = new HashSet<string>(StringComparer.Ordinal);
            foreach (var element in root.Elements("known"))
            {
                foreach (string name in Words(element.Value))
                {
                    if (!known.Add(name))
                    {
                        throw xml.Invalid(element, $"lists '{name}' twice");
                    }
                }
            }

            var renamed = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var element in root.Elements("feature"))
            {
                string name = ((string?)element.Attribute("name"))?.Trim() ?? string.Empty;
                string libvirt = ((string?)element.Attribute("libvirt"))?.Trim() ?? string.Empty;
                if (!features.TryFind(name, out var feature) || feature.Name != name)
                {
                    throw xml.Invalid(element, $"names '{name}', which is not a canonical feature name of the catalog");
                }

                if (!known.Contains(libvirt))
                {
                    throw xml.Invalid(element, $"maps '{name}' to '{libvirt}', which is not in <known>");
                }

                if (renamed.ContainsKey(name))
                {
                    throw xml.Invalid(element, $"maps '{name}' twice");
                }

                renamed.Add(name, libvirt);
            }

            var qemu = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var element in root.Elements("qemu"))
            {
                string libvirt = ((string?)element.Attribute("libvirt"))?.Trim() ?? string.Empty;
                string name = ((string?)element.Attribute("qemu"))?.Trim() ?? string.Empty;
                if (!known.Contains(libvirt) || name.Length == 0 || qemu.ContainsKey(libvirt))
                {
                    throw xml.Invalid(element, $"needs a known libvirt= name, once, and a qemu= spelling (found '{libvirt}' -> '{name}')");
                }

                qemu.Add(libvirt, name);
            }

            var models = new Dictionary<string, HashSet<string>>(StringComparer.OrdinalIgnoreCase);
            foreach (var element in root.Elements("model"))
            {
                string name = ((string?)element.Attribute("name"))?.Trim() ?? string.Empty;
                if (name.Length == 0 || models.ContainsKey(name))
                {
                    throw xml.Invalid(element, name.Length == 0 ? "needs a name=" : $"repeats model '{name}'");
                }

                var set = new HashSet<string>(StringComparer.Ordinal);
                foreach (string feature in Words(element.Value))
                {
                    if (!known.Contains(feature))
                    {
                        throw xml.Invalid(element, $"lists '{feature}', which is not in <known>");
                    }

                    set.Add(feature);
                }

                models.Add(name, set);
            }

            var optional = new HashSet<string>(StringComparer.Ordinal);
            foreach (var element in root.Elements("optional"))
            {
                foreach (string name in Words(element.Value))
                {
                    if (!known.Contains(name))
                    {
                        throw xml.Invalid(element, $"lists '{name}', which is not in <known>");
                    }

                    optional.Add(name);
                }
            }

            var catalog = new LibvirtCatalog(features, known, renamed, qemu, models, optional);
            var clash = features.Features.Select(f => (Feature: f, Name: catalog.NameOf(f))).Where(p => p.Name != null).GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1);
            if (clash != null)
            {
                throw xml.Invalid(root, $"gives libvirt name '{clash.Key}' to {string.Join(" and ", clash.Select(c => c.Feature.Name))}");
            }

            return catalog;
        }

        /// <summary>The libvirt name of a feature (e.g. <c>sse4.1</c>, <c>pclmuldq</c>), or null where libvirt has none.</summary>
        public string? NameOf(FeatureDefinition feature)
        {
            if (_renamed.TryGetValue(feature.Name, out var name))
            {
                return name;
            }

            return feature.LinuxFlag != null && _known.Contains(feature.LinuxFlag) ? feature.LinuxFlag : null;
        }

        /// <summary>QEMU's <c>-cpu</c> spelling of a libvirt feature name (mostly the same).</summary>
        public string QemuNameOf(string libvirtName) => _qemu.TryGetValue(libvirtName, out var name) ? name : libvirtName;

        public bool HasModel(string model) => _models.ContainsKey(model);

        /// <summary>Whether KVM may not expose the feature, so an export asks for it only where the host has it.</summary>
        public bool IsOptional(string libvirtName) => _optional.Contains(libvirtName);

        /// <summary>The libvirt feature names of a model; throws LibvirtModelNotFound for an unknown one.</summary>
        public IReadOnlyCollection<string> ModelFeatures(string model) =>
            _models.TryGetValue(model, out var set)
                ? set
                : throw new CpuidMaskException("LibvirtModelNotFound", ErrorKind.ObjectNotFound, $"No libvirt CPU model '{model}' in the export data; known: {string.Join(", ", _models.Keys)}.", model);

        private static IEnumerable<string> Words(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

        private static LibvirtCatalog LoadDefault() =>
            CatalogXml.LoadEmbedded("libvirt.xml", "libvirt export", (stream, fileName) => Load(stream, fileName, FeatureCatalog.Default));
    }
}
