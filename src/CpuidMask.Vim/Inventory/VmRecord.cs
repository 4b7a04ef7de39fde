using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CpuidMask.Vim.Types;

namespace CpuidMask.Vim.Inventory
{
    /// <summary>What this tool needs to know about one VM, as read by <see cref="VmInventory"/>.</summary>
    public sealed class VmRecord
    {
        public VmRecord(string server, string name, ManagedObjectReference moRef)
        {
            Server = server;
            Name = name;
            MoRef = moRef;
        }

        public string Server { get; }

        public string Name { get; }

        public ManagedObjectReference MoRef { get; }

        /// <summary>"poweredOn", "poweredOff" or "suspended".</summary>
        public string? PowerState { get; init; }

        public bool IsPoweredOff => PowerState == "poweredOff";

        /// <summary>The host the VM is registered on (runtime.host).</summary>
        public ManagedObjectReference? Host { get; init; }

        public string? HostName { get; init; }

        /// <summary>
        /// The CPU vendor of the VM's host ("GenuineIntel", "AuthenticAMD"...), from its hardware.cpuFeature leaf 0;
        /// null when the host does not report it (disconnected). Masks are vendor-specific (see CpuVendors).
        /// </summary>
        public string? HostCpuVendor { get; init; }

        /// <summary>config.version, e.g. "vmx-14"; null when the VM's configuration is unavailable.</summary>
        public string? HardwareVersion { get; init; }

        /// <summary>14 for "vmx-14".</summary>
        public int? HardwareVersionNumber =>
            HardwareVersion != null && HardwareVersion.StartsWith("vmx-", StringComparison.Ordinal)
                && int.TryParse(HardwareVersion.Substring(4), NumberStyles.Integer, CultureInfo.InvariantCulture, out int number)
                ? number
                : (int?)null;

        /// <summary>config.changeVersion, to pass back in a reconfigure so concurrent edits are refused.</summary>
        public string? ChangeVersion { get; init; }

        public IReadOnlyList<OptionValue> ExtraConfig { get; init; } = Array.Empty<OptionValue>();

        /// <summary>What the running VM needs from its host; filled only while powered on.</summary>
        public IReadOnlyList<VirtualMachineFeatureRequirement> FeatureRequirement { get; init; } = Array.Empty<VirtualMachineFeatureRequirement>();

        /// <summary>Per-VM EVC masks (runtime.featureMask; vSphere 6.7+).</summary>
        public IReadOnlyList<HostFeatureMask> FeatureMask { get; init; } = Array.Empty<HostFeatureMask>();

        /// <summary>The value of an extraConfig key (keys compare without case, as in the .vmx), or null.</summary>
        public string? GetExtraConfig(string key) =>
            ExtraConfig.FirstOrDefault(o => string.Equals(o.Key, key, StringComparison.OrdinalIgnoreCase))?.Value;

        public override string ToString() => Name;
    }
}
