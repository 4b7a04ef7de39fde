using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Xml;
using System.Xml.Linq;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Catalog
{
    /// <summary>
    /// What the loaders of the engine's XML data (features.xml, baselines.xml, libvirt.xml) share: one per file
    /// read, it loads the document with line numbers, checks the root, parses numbers, register names and enum
    /// attributes, and reports every problem located as
    /// "<c>What file(line): &lt;element name="..."&gt; problem.</c>" under the file's own error id.
    /// </summary>
    internal sealed class CatalogXml
    {
        private const string ResourcePrefix = "CpuidMask.Engine.Data.";

        private readonly string _what;
        private readonly string _errorId;
        private readonly string[] _identifyingAttributes;

        /// <param name="what">How messages name the data, e.g. "Feature catalog".</param>
        /// <param name="errorId">The stable error id of every problem in this data.</param>
        /// <param name="sourceName">The file (or other source) the data comes from.</param>
        /// <param name="identifyingAttributes">The attributes that name an element in a message, first present wins.</param>
        public CatalogXml(string what, string errorId, string sourceName, params string[] identifyingAttributes)
        {
            _what = what;
            _errorId = errorId;
            SourceName = sourceName;
            _identifyingAttributes = identifyingAttributes;
        }

        public string SourceName { get; }

        /// <summary>Opens an XML file embedded in the engine (Data/*.xml) and loads it; CatalogMissing where it is not there.</summary>
        public static T LoadEmbedded<T>(string fileName, string description, Func<Stream, string, T> load)
        {
            string resourceName = ResourcePrefix + fileName;
            var assembly = typeof(CatalogXml).Assembly;
            using var stream = assembly.GetManifestResourceStream(resourceName)
                ?? throw new CpuidMaskException("CatalogMissing", ErrorKind.ResourceUnavailable, $"The {description} resource '{resourceName}' is missing from {assembly.GetName().Name}; the assembly is damaged, reinstall the module.");
            return load(stream, fileName);
        }

        public static int LineOf(XElement element) => element is IXmlLineInfo info && info.HasLineInfo() ? info.LineNumber : 0;

        public XDocument Load(Stream stream)
        {
            try
            {
                return XDocument.Load(stream, LoadOptions.SetLineInfo);
            }
            catch (XmlException ex)
            {
                throw Invalid(null, "is not well-formed XML: " + ex.Message);
            }
        }

        /// <summary>The document's root element, which must be named <paramref name="rootName"/>.</summary>
        public XElement Root(XDocument document, string rootName)
        {
            var root = document.Root;
            if (root == null || root.Name.LocalName != rootName)
            {
                throw Invalid(root, $"must have a <{rootName}> root element");
            }

            return root;
        }

        /// <summary>A decimal or 0x-prefixed hex attribute; 0 where an optional one is absent.</summary>
        public uint ParseUInt(XElement element, string attribute, bool required)
        {
            string? text = (string?)element.Attribute(attribute);
            if (text == null)
            {
                return required ? throw Invalid(element, $"needs a {attribute}= attribute") : 0u;
            }

            bool ok = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? uint.TryParse(text.Substring(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint value)
                : uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
            return ok ? value : throw Invalid(element, $"has {attribute}=\"{text}\", which is not a number");
        }

        /// <summary>The <c>leaf= subleaf= name=</c> attributes of an element that names one CPUID register.</summary>
        public (uint Leaf, uint Subleaf, CpuidRegister Register) ParseRegisterAttributes(XElement element)
        {
            uint leaf = ParseUInt(element, "leaf", required: true);
            uint subleaf = ParseUInt(element, "subleaf", required: false);
            if (!CpuidRegisterNames.TryParse((string?)element.Attribute("name"), out var register))
            {
                throw Invalid(element, "needs name=\"eax|ebx|ecx|edx\"");
            }

            return (leaf, subleaf, register);
        }

        public T ParseEnum<T>(XElement element, string attribute, Dictionary<string, T> values)
        {
            string? text = (string?)element.Attribute(attribute);
            if (text != null && values.TryGetValue(text, out var value))
            {
                return value;
            }

            throw Invalid(element, $"needs {attribute}= one of {string.Join(", ", values.Keys)} (found '{text}')");
        }

        /// <summary>A problem in the data, located at the element (its line and identifying attribute) when there is one.</summary>
        public CpuidMaskException Invalid(XElement? element, string problem)
        {
            string where = SourceName;
            if (element is IXmlLineInfo info && info.HasLineInfo())
            {
                where += $"({info.LineNumber})";
            }

            string elementText = element == null ? string.Empty : $" <{element.Name.LocalName}{IdentityOf(element)}>";
            return new CpuidMaskException(_errorId, ErrorKind.InvalidData, $"{_what} {where}:{elementText} {problem}.", SourceName);
        }

        private string IdentityOf(XElement element)
        {
            foreach (string name in _identifyingAttributes)
            {
                var id = element.Attribute(name);
                if (id != null)
                {
                    return $" {id.Name.LocalName}=\"{id.Value}\"";
                }
            }

            return string.Empty;
        }
    }
}
