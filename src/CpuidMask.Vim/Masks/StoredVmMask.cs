using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Masks;
using CpuidMask.Vim.Inventory;
using CpuidMask.Vim.Types;

namespace CpuidMask.Vim.Masks
{
    /// <summary>
    /// The CPUID masks a VM has stored in its extraConfig, as read (<see cref="VmMaskService"/>), parsed once,
    /// with what decides when and whether they apply: power state, hardware version, host, and the runtime
    /// feature requirement and per-VM EVC mask vCenter reports.
    /// </summary>
    public sealed class StoredVmMask
    {
        public StoredVmMask(VmRecord record)
        {
            Record = record ?? throw new ArgumentNullException(nameof(record));
            MaskConfig = record.ExtraConfig
                .Where(o => VmMask.IsMaskConfigKey(o.Key))
                .Select(o => new KeyValuePair<string, string>(o.Key, o.Value ?? string.Empty))
                .ToArray();
            try
            {
                Mask = VmMask.FromExtraConfig(MaskConfig, $"VM '{record.Name}'");
            }
            catch (CpuidMaskException ex)
            {
                // A hand-edited .vmx can hold anything; reading must still show what is there.
                MaskProblem = ex;
            }
        }

        /// <summary>The VM as read, including its whole extraConfig and config.changeVersion.</summary>
        public VmRecord Record { get; }

        /// <summary>The vCenter (or ESXi) the VM was read from, as the user named it (host part only).</summary>
        public string Server => Record.Server;

        public string Name => Record.Name;

        public ManagedObjectReference MoRef => Record.MoRef;

        /// <summary>poweredOn, poweredOff or suspended. Masks take effect at the next power-on.</summary>
        public string? PowerState => Record.PowerState;

        /// <summary>config.version, e.g. vmx-14 (named feature masks need 9+, per-VM EVC 14+).</summary>
        public string? HardwareVersion => Record.HardwareVersion;

        /// <summary>The host the VM is registered on.</summary>
        public string? HostName => Record.HostName;

        /// <summary>config.changeVersion; a write based on this read is refused if the VM changes meanwhile.</summary>
        public string? ChangeVersion => Record.ChangeVersion;

        /// <summary>The CPUID mask keys of extraConfig (<c>cpuid.*</c>, <c>featMask.vm.cpuid.*</c>) exactly as stored, in stored order.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> MaskConfig { get; }

        /// <summary>The masks parsed; null when a stored value is malformed (see <see cref="MaskError"/>).</summary>
        public VmMask? Mask { get; }

        /// <summary>Why a stored mask value could not be parsed (naming the key), or null.</summary>
        public string? MaskError => MaskProblem?.Message;

        /// <summary>The error that <see cref="MaskError"/> describes, with its id, for a shell to report; null when the masks parsed.</summary>
        public CpuidMaskException? MaskProblem { get; }

        public bool HasMask => MaskConfig.Count > 0;

        /// <summary>runtime.featureRequirement: what the running VM needs from a host; empty while powered off.</summary>
        public IReadOnlyList<VirtualMachineFeatureRequirement> FeatureRequirement => Record.FeatureRequirement;

        /// <summary>runtime.featureMask: the per-VM EVC masks in place (vSphere 6.7+).</summary>
        public IReadOnlyList<HostFeatureMask> FeatureMask => Record.FeatureMask;

        /// <summary>The mask keys as .vmx lines, as stored.</summary>
        public IReadOnlyList<string> ToVmxLines() => MaskConfig.Select(p => $"{p.Key} = \"{p.Value}\"").ToArray();

        public override string ToString() => Name;
    }
}
