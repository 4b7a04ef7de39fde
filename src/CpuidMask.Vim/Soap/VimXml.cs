using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Xml;
using System.Xml.Linq;

namespace CpuidMask.Vim.Soap
{
    /// <summary>
    /// Namespaces and tolerant readers for vim25 XML. Readers match on local names only and skip what
    /// they do not know: newer vSphere releases add elements to every type, and a client that rejects
    /// them breaks on the next upgrade.
    /// </summary>
    internal static class VimXml
    {
        public static readonly XNamespace Soap = "http://schemas.xmlsoap.org/soap/envelope/";
        public static readonly XNamespace Vim = "urn:vim25";
        public static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";
        public static readonly XNamespace Xsd = "http://www.w3.org/2001/XMLSchema";

        /// <summary>
        /// Far deeper than any vim25 answer (a few dozen levels), far shallower than what costs XmlReader time: on text
        /// that opens tens of thousands of elements and never closes them, its error lists every open one, taking seconds
        /// and a message of megabytes.
        /// </summary>
        private const int MaxDepth = 1000;

        /// <summary>Parses a response without DTDs or external entities (the server is not trusted until pinned).</summary>
        public static XDocument Parse(string text)
        {
            CheckDepth(text);
            using var reader = XmlReader.Create(new StringReader(text), ReaderSettings());
            return XDocument.Load(reader);
        }

        /// <summary>A reader on a response body, with the same settings as <see cref="Parse"/>.</summary>
        public static XmlReader CreateReader(Stream body) => XmlReader.Create(body, ReaderSettings());

        private static XmlReaderSettings ReaderSettings() => new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
        };

        // Counts elements as they open and close, in one pass and without parsing: "<x" opens, "</" and "/>" close. Text
        // can fool the count ("/>" in a value), but only to fewer levels; it never refuses a real answer.
        private static void CheckDepth(string text)
        {
            int depth = 0;
            for (int i = 0; i + 1 < text.Length; i++)
            {
                char c = text[i];
                char next = text[i + 1];
                if (c == '<' && next == '/')
                {
                    depth--;
                }
                else if (c == '/' && next == '>')
                {
                    depth--;
                }
                else if (c == '<' && next != '!' && next != '?' && ++depth > MaxDepth)
                {
                    throw new XmlException($"elements are nested more than {MaxDepth} levels deep, far deeper than any vSphere answer");
                }
            }
        }

        public static XElement? Child(this XElement element, string localName)
        {
            foreach (var child in element.Elements())
            {
                if (child.Name.LocalName == localName)
                {
                    return child;
                }
            }

            return null;
        }

        public static IEnumerable<XElement> Children(this XElement element, string localName) =>
            element.Elements().Where(c => c.Name.LocalName == localName);

        public static string? Text(this XElement element, string localName) => element.Child(localName)?.Value;

        public static int? Int(this XElement element, string localName)
        {
            string? text = element.Text(localName);
            return text != null && int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : (int?)null;
        }

        public static long? Long(this XElement element, string localName)
        {
            string? text = element.Text(localName);
            return text != null && long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) ? value : (long?)null;
        }

        public static bool? Bool(this XElement element, string localName)
        {
            string? text = element.Text(localName)?.Trim();
            return text == "true" || text == "1" ? true : text == "false" || text == "0" ? false : (bool?)null;
        }

        /// <summary>
        /// The local part of xsi:type ("xsd:string" → "string", "ArrayOfHostCpuIdInfo" stays); null when there is none,
        /// an empty one included, so that a fault is named by its element rather than by nothing.
        /// </summary>
        public static string? XsiType(this XElement element)
        {
            string? value = element.Attribute(Xsi + "type")?.Value;
            if (value == null)
            {
                return null;
            }

            int colon = value.IndexOf(':');
            string local = (colon >= 0 ? value.Substring(colon + 1) : value).Trim();
            return local.Length == 0 ? null : local;
        }

        /// <summary>
        /// The items of a property value. RetrievePropertiesEx wraps arrays as
        /// <c>&lt;val xsi:type="ArrayOfX"&gt;&lt;X&gt;…&lt;/X&gt;&lt;/val&gt;</c>; inside data objects arrays are
        /// repeated elements instead, which callers read with <see cref="Children"/>.
        /// </summary>
        public static IEnumerable<XElement> Items(XElement? value)
        {
            if (value == null)
            {
                return Enumerable.Empty<XElement>();
            }

            string? type = value.XsiType();
            if (type != null && type.StartsWith("ArrayOf", StringComparison.Ordinal))
            {
                return value.Elements();
            }

            return new[] { value };
        }

        public static XElement Element(string localName, object? content) => new XElement(Vim + localName, content);

        /// <summary>An optional element: nothing when the value is null (vim25 treats absent as unset).</summary>
        public static XElement? Optional(string localName, object? value) =>
            value == null ? null : new XElement(Vim + localName, Format(value));

        public static string Format(object value) => value switch
        {
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? string.Empty,
        };

        public static XAttribute XsiTypeAttribute(string type) => new XAttribute(Xsi + "type", type);
    }
}
