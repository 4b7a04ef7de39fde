using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using CpuidMask.Vim.Soap;

namespace CpuidMask.Vim.Types
{
    /// <summary>A key/value setting (VM extraConfig, host advanced options).</summary>
    public sealed class OptionValue
    {
        public OptionValue(string key, string? value)
        {
            Key = key ?? throw new ArgumentNullException(nameof(key));
            Value = value;
        }

        public string Key { get; }

        /// <summary>The value as text. In a reconfigure, an empty value removes the key.</summary>
        public string? Value { get; }

        public override string ToString() => $"{Key} = \"{Value}\"";

        internal static OptionValue FromXml(XElement e) => new OptionValue(e.Text("key") ?? string.Empty, e.Text("value"));

        // value is xsd:anyType on the wire, so its type has to be stated.
        internal XElement ToXml(string name) => new XElement(
            VimXml.Vim + name,
            VimXml.Element("key", Key),
            new XElement(VimXml.Vim + "value", VimXml.XsiTypeAttribute("xsd:string"), Value ?? string.Empty));
    }

    /// <summary>The part of VirtualMachineConfigSpec this tool changes.</summary>
    public sealed class VirtualMachineConfigSpec
    {
        /// <summary>
        /// config.changeVersion as read; the server refuses the change (ConcurrentAccess) if the VM
        /// was changed since, so a concurrent edit is never silently overwritten.
        /// </summary>
        public string? ChangeVersion { get; init; }

        /// <summary>Keys to set; an empty value removes a key.</summary>
        public IReadOnlyList<OptionValue> ExtraConfig { get; init; } = Array.Empty<OptionValue>();

        // The XSD fixes the element order: changeVersion comes first, extraConfig much later.
        internal XElement ToXml(string name) => new XElement(
            VimXml.Vim + name,
            VimXml.Optional("changeVersion", ChangeVersion),
            ExtraConfig.Select(o => o.ToXml("extraConfig")));
    }
}
