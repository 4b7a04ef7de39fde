using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using CpuidMask.Engine.Readers;
using CpuidMask.Vim.Soap;

namespace CpuidMask.Vim.Types
{
    /// <summary>
    /// One CPUID leaf as vSphere reports it. <see cref="Level"/> is the API's signed int, so extended
    /// leaves arrive negative: 0x80000001 is -2147483647. Registers are 32 bits, bit 31 first, in
    /// groups of four separated by colons.
    /// </summary>
    public sealed class HostCpuIdInfo
    {
        public int Level { get; init; }

        /// <summary>The leaf as CPUID numbers it (the unsigned reading of <see cref="Level"/>).</summary>
        public uint Leaf => unchecked((uint)Level);

        /// <summary>Null for the common definition, or "amd"/"intel" for a vendor-specific one.</summary>
        public string? Vendor { get; init; }

        public string? Eax { get; init; }

        public string? Ebx { get; init; }

        public string? Ecx { get; init; }

        public string? Edx { get; init; }

        public HostCpuIdInfoRecord ToRecord() => new HostCpuIdInfoRecord(Level, Vendor, Eax, Ebx, Ecx, Edx);

        internal static HostCpuIdInfo FromXml(XElement e) => new HostCpuIdInfo
        {
            Level = e.Int("level") ?? throw new FormatException("HostCpuIdInfo without level."),
            Vendor = NullIfEmpty(e.Text("vendor")),
            Eax = e.Text("eax"),
            Ebx = e.Text("ebx"),
            Ecx = e.Text("ecx"),
            Edx = e.Text("edx"),
        };

        internal static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
    }

    /// <summary>A named CPU capability of a host (config.featureCapability), e.g. cpuid.AVX2 = 1.</summary>
    public sealed class HostFeatureCapability
    {
        public string Key { get; init; } = string.Empty;

        public string? FeatureName { get; init; }

        public string? Value { get; init; }

        internal static HostFeatureCapability FromXml(XElement e) => new HostFeatureCapability
        {
            Key = e.Text("key") ?? string.Empty,
            FeatureName = e.Text("featureName"),
            Value = e.Text("value"),
        };
    }

    /// <summary>A named feature mask (EVC, per-VM EVC), e.g. cpuid.AVX = "Val:0".</summary>
    public sealed class HostFeatureMask
    {
        public string Key { get; init; } = string.Empty;

        public string? FeatureName { get; init; }

        public string? Value { get; init; }

        internal static HostFeatureMask FromXml(XElement e) => new HostFeatureMask
        {
            Key = e.Text("key") ?? string.Empty,
            FeatureName = e.Text("featureName"),
            Value = e.Text("value"),
        };

        internal XElement ToXml(string name) => new XElement(
            VimXml.Vim + name,
            VimXml.Element("key", Key),
            VimXml.Element("featureName", FeatureName ?? Key),
            VimXml.Element("value", Value ?? string.Empty));
    }

    /// <summary>A feature a powered-on VM needs from its host (runtime.featureRequirement).</summary>
    public sealed class VirtualMachineFeatureRequirement
    {
        public string Key { get; init; } = string.Empty;

        public string? FeatureName { get; init; }

        public string? Value { get; init; }

        internal static VirtualMachineFeatureRequirement FromXml(XElement e) => new VirtualMachineFeatureRequirement
        {
            Key = e.Text("key") ?? string.Empty,
            FeatureName = e.Text("featureName"),
            Value = e.Text("value"),
        };
    }

    /// <summary>An EVC mode the server knows (ServiceInstance capability.supportedEVCMode).</summary>
    public sealed class EVCMode
    {
        /// <summary>e.g. "intel-ivybridge".</summary>
        public string Key { get; init; } = string.Empty;

        public string? Label { get; init; }

        public string? Summary { get; init; }

        public string? Vendor { get; init; }

        public int? VendorTier { get; init; }

        public IReadOnlyList<string> Track { get; init; } = Array.Empty<string>();

        public IReadOnlyList<HostCpuIdInfo> GuaranteedCPUFeatures { get; init; } = Array.Empty<HostCpuIdInfo>();

        public IReadOnlyList<HostFeatureCapability> FeatureCapability { get; init; } = Array.Empty<HostFeatureCapability>();

        public IReadOnlyList<HostFeatureMask> FeatureMask { get; init; } = Array.Empty<HostFeatureMask>();

        public IReadOnlyList<VirtualMachineFeatureRequirement> FeatureRequirement { get; init; } = Array.Empty<VirtualMachineFeatureRequirement>();

        public override string ToString() => Key;

        internal static EVCMode FromXml(XElement e) => new EVCMode
        {
            Key = e.Text("key") ?? string.Empty,
            Label = e.Text("label"),
            Summary = e.Text("summary"),
            Vendor = e.Text("vendor"),
            VendorTier = e.Int("vendorTier"),
            Track = e.Children("track").Select(t => t.Value).ToArray(),
            GuaranteedCPUFeatures = e.Children("guaranteedCPUFeatures").Select(HostCpuIdInfo.FromXml).ToArray(),
            FeatureCapability = e.Children("featureCapability").Select(HostFeatureCapability.FromXml).ToArray(),
            FeatureMask = e.Children("featureMask").Select(HostFeatureMask.FromXml).ToArray(),
            FeatureRequirement = e.Children("featureRequirement").Select(VirtualMachineFeatureRequirement.FromXml).ToArray(),
        };
    }
}
