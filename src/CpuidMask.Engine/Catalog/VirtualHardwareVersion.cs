using System;
using System.Globalization;

namespace CpuidMask.Engine.Catalog
{
    /// <summary>
    /// A virtual hardware version ESXi runs (the N of a VM's config.version vmx-N), with the first product that
    /// brought it (features.xml &lt;hardware-versions&gt;). What a VM can see of its host's CPU depends on it: see
    /// <see cref="FeatureDefinition.IsOutOfReachAt"/>.
    /// </summary>
    public sealed class VirtualHardwareVersion : IEquatable<VirtualHardwareVersion>
    {
        public VirtualHardwareVersion(int number, string? product)
        {
            Number = number >= 1 ? number : throw new ArgumentOutOfRangeException(nameof(number));
            Product = product;
        }

        /// <summary>14 for vmx-14.</summary>
        public int Number { get; }

        /// <summary>The first product whose VMs have this version, e.g. "ESXi 6.7"; null for a version the catalog does not list.</summary>
        public string? Product { get; }

        /// <summary>"vmx-14 (ESXi 6.7)", or "vmx-14" without a product.</summary>
        public string Description => Product == null ? ToString() : $"{this} ({Product})";

        /// <summary>"vmx-14", as vSphere writes config.version.</summary>
        public override string ToString() => "vmx-" + Number.ToString(CultureInfo.InvariantCulture);

        public bool Equals(VirtualHardwareVersion? other) => other != null && other.Number == Number;

        public override bool Equals(object? obj) => Equals(obj as VirtualHardwareVersion);

        public override int GetHashCode() => Number;
    }
}
