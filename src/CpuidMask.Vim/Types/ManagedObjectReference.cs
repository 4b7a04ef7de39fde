using System;
using System.Xml.Linq;
using CpuidMask.Engine;
using CpuidMask.Vim.Soap;

namespace CpuidMask.Vim.Types
{
    /// <summary>A reference to a server-side object: its type (HostSystem, VirtualMachine...) and its id (host-10).</summary>
    public sealed class ManagedObjectReference : IEquatable<ManagedObjectReference>
    {
        public ManagedObjectReference(string type, string value)
        {
            if (string.IsNullOrEmpty(type))
            {
                throw new ArgumentException("A managed object reference needs a type.", nameof(type));
            }

            if (string.IsNullOrEmpty(value))
            {
                throw new ArgumentException("A managed object reference needs a value.", nameof(value));
            }

            Type = type;
            Value = value;
        }

        public string Type { get; }

        public string Value { get; }

        /// <summary>The one ServiceInstance every endpoint has; where RetrieveServiceContent starts.</summary>
        public static ManagedObjectReference ServiceInstance { get; } = new ManagedObjectReference("ServiceInstance", "ServiceInstance");

        /// <summary>
        /// Parses "HostSystem:host-10" and PowerCLI's Id form "HostSystem-host-10" (the type never
        /// contains a dash, so the first dash separates it).
        /// </summary>
        public static ManagedObjectReference Parse(string text)
        {
            if (TryParse(text, out var parsed))
            {
                return parsed!;
            }

            throw new CpuidMaskException(
                VimErrorIds.MoRefInvalid,
                ErrorKind.InvalidArgument,
                $"'{text}' is not a managed object reference; expected Type:value or Type-value, e.g. VirtualMachine-vm-42.",
                text);
        }

        public static bool TryParse(string? text, out ManagedObjectReference? reference)
        {
            reference = null;
            if (string.IsNullOrWhiteSpace(text))
            {
                return false;
            }

            text = text!.Trim();
            int colon = text.IndexOf(':');
            int dash = text.IndexOf('-');
            int split = colon > 0 ? colon : dash;
            if (split <= 0 || split == text.Length - 1)
            {
                return false;
            }

            reference = new ManagedObjectReference(text.Substring(0, split), text.Substring(split + 1));
            return true;
        }

        public bool Equals(ManagedObjectReference? other) =>
            other is not null && Type == other.Type && Value == other.Value;

        public override bool Equals(object? obj) => Equals(obj as ManagedObjectReference);

        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Type) * 31 + StringComparer.Ordinal.GetHashCode(Value);

        /// <summary>"HostSystem:host-10", as govc prints references.</summary>
        public override string ToString() => Type + ":" + Value;

        internal static ManagedObjectReference? FromXml(XElement? element)
        {
            if (element == null)
            {
                return null;
            }

            string? type = element.Attribute("type")?.Value;
            string value = element.Value.Trim();
            return string.IsNullOrEmpty(type) || value.Length == 0 ? null : new ManagedObjectReference(type!, value);
        }

        internal XElement ToXml(string localName) => new XElement(VimXml.Vim + localName, new XAttribute("type", Type), Value);
    }
}
