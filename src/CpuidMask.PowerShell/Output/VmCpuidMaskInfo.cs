using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Collections;
using CpuidMask.Engine.Masks;
using CpuidMask.Vim.Inventory;
using CpuidMask.Vim.Masks;
using CpuidMask.Vim.Types;

namespace CpuidMask.PowerShell
{
    /// <summary>A VM's CPUID masks as Get-VmCpuidMask reads them, with what decides when they apply.</summary>
    public sealed class VmCpuidMaskInfo
    {
        internal VmCpuidMaskInfo(
            string name,
            string id,
            string server,
            string? powerState,
            string? hardwareVersion,
            string? vmHost,
            IEnumerable<KeyValuePair<string, string>> maskConfig,
            VmMask? mask,
            IEnumerable<string> featureRequirement,
            IEnumerable<string> featureMask)
        {
            Name = name;
            Id = id;
            Server = server;
            PowerState = powerState;
            HardwareVersion = hardwareVersion;
            VMHost = vmHost;
            Mask = mask;
            MaskConfig = maskConfig.ToArray();
            Lines = MaskConfig.Select(p => $"{p.Key} = \"{p.Value}\"").ToItemList();
            FeatureRequirement = featureRequirement.ToItemList();
            FeatureMask = featureMask.ToItemList();
        }

        /// <summary>The VM's name.</summary>
        public string Name { get; }

        /// <summary>PowerCLI's form of the VM's reference, e.g. VirtualMachine-vm-42.</summary>
        public string Id { get; }

        /// <summary>The vCenter the VM was read from.</summary>
        public string Server { get; }

        /// <summary>poweredOn, poweredOff or suspended. Masks apply at the next power-on.</summary>
        public string? PowerState { get; }

        /// <summary>e.g. vmx-14; named feature masks need vmx-9, per-VM EVC vmx-14.</summary>
        public string? HardwareVersion { get; }

        /// <summary>The host the VM is registered on.</summary>
        public string? VMHost { get; }

        /// <summary>The CPUID mask keys in extraConfig as .vmx lines (raw and featMask), as stored.</summary>
        public IReadOnlyList<string> Lines { get; }

        /// <summary>The masks parsed; null when a stored value is malformed (the cmdlet reports it).</summary>
        public VmMask? Mask { get; }

        public bool HasMask => Lines.Count > 0;

        /// <summary>runtime.featureRequirement: what the running VM needs from a host ("key = value"); empty while powered off.</summary>
        public IReadOnlyList<string> FeatureRequirement { get; }

        /// <summary>runtime.featureMask: the per-VM EVC masks ("key = value").</summary>
        public IReadOnlyList<string> FeatureMask { get; }

        /// <summary>The mask keys and values as stored, which <see cref="Lines"/> shows.</summary>
        internal IReadOnlyList<KeyValuePair<string, string>> MaskConfig { get; }

        public string ToVmx() => string.Join(Environment.NewLine, Lines);

        /// <summary>
        /// The VM's masks as the vSphere client read and parsed them. A stored mask value that does not parse
        /// leaves <see cref="Mask"/> null (the reading's MaskProblem says why); the lines are kept as stored.
        /// </summary>
        internal static VmCpuidMaskInfo From(StoredVmMask stored) =>
            new VmCpuidMaskInfo(
                stored.Name,
                IdOf(stored.MoRef),
                stored.Server,
                stored.PowerState,
                stored.HardwareVersion,
                stored.HostName,
                stored.MaskConfig,
                stored.Mask,
                stored.FeatureRequirement.Select(r => $"{r.Key} = {r.Value}"),
                stored.FeatureMask.Select(m => $"{m.Key} = {m.Value}"));

        /// <summary>A VM's masks as stored, rebuilt from what an earlier read kept (Export-Clixml, a job's output).</summary>
        internal static VmCpuidMaskInfo Restore(
            string name,
            string id,
            string server,
            string? powerState,
            string? hardwareVersion,
            string? vmHost,
            IReadOnlyList<KeyValuePair<string, string>> maskConfig,
            IEnumerable<string> featureRequirement,
            IEnumerable<string> featureMask) =>
            new VmCpuidMaskInfo(name, id, server, powerState, hardwareVersion, vmHost, maskConfig, ParseMask(maskConfig, name, out _), featureRequirement, featureMask);

        /// <summary>PowerCLI's Id form of a reference: VirtualMachine-vm-42.</summary>
        internal static string IdOf(ManagedObjectReference moRef) => moRef.Type + "-" + moRef.Value;

        public override string ToString() => Name;

        private static VmMask? ParseMask(IReadOnlyList<KeyValuePair<string, string>> maskConfig, string vmName, out CpuidMaskException? problem)
        {
            problem = null;
            try
            {
                return VmMask.FromExtraConfig(maskConfig, vmName);
            }
            catch (CpuidMaskException ex)
            {
                problem = ex;
                return null;
            }
        }
    }
}
