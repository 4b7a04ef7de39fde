using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;
using CpuidMask.Vim.Types;

namespace CpuidMask.Vim.Inventory
{
    /// <summary>What vCenter knows about one host's CPU, as read by <see cref="HostInventory"/>.</summary>
    public sealed class HostCpuRecord
    {
        public HostCpuRecord(string server, string name, ManagedObjectReference moRef)
        {
            Server = server;
            Name = name;
            MoRef = moRef;
        }

        /// <summary>The vCenter (or ESXi) the record was read from.</summary>
        public string Server { get; }

        public string Name { get; }

        public ManagedObjectReference MoRef { get; }

        /// <summary>The cluster the host is in, or null for a standalone host.</summary>
        public string? Cluster { get; init; }

        /// <summary>"connected", "disconnected" or "notResponding".</summary>
        public string? ConnectionState { get; init; }

        public string? MaxEVCModeKey { get; init; }

        public string? CurrentEVCModeKey { get; init; }

        /// <summary>hardware.cpuFeature; empty when vCenter has no hardware data for the host.</summary>
        public IReadOnlyList<HostCpuIdInfo> CpuFeature { get; init; } = Array.Empty<HostCpuIdInfo>();

        /// <summary>config.featureCapability; empty while the host is disconnected (config is unset then).</summary>
        public IReadOnlyList<HostFeatureCapability> FeatureCapability { get; init; } = Array.Empty<HostFeatureCapability>();

        /// <summary>
        /// The CPU brand string (summary.hardware.cpuModel, which is what hardware.cpuPkg[].description says
        /// without the packages' second copy of the CPUID leaves), e.g. "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz".
        /// </summary>
        public string? CpuModel { get; init; }

        public bool IsConnected => ConnectionState == "connected";

        public bool HasCpuData => CpuFeature.Count > 0 || FeatureCapability.Count > 0;

        /// <summary>Where a profile built from this record says it came from: "vcenter vc01/host-10".</summary>
        public string Source => $"vcenter {Server}/{MoRef.Value}";

        /// <summary>The host as a CPUID profile (raw leaves from cpuFeature, the rest from featureCapability).</summary>
        public CpuidProfile ToProfile()
        {
            if (!HasCpuData)
            {
                throw new CpuidMaskException(
                    VimErrorIds.HostCpuDataUnavailable,
                    ErrorKind.ResourceUnavailable,
                    $"{Server} has no CPU data for host {Name} (it is {ConnectionState ?? "in an unknown state"}). Reconnect the host in vCenter, or use a CPUID dump of it instead.",
                    Name);
            }

            return VSphereProfileBuilder.Build(
                Name,
                Source,
                CpuFeature.Select(c => c.ToRecord()),
                FeatureCapability.Where(c => c.Key.Length > 0).Select(c => new KeyValuePair<string, string>(c.Key, c.Value ?? string.Empty)),
                string.IsNullOrWhiteSpace(CpuModel) ? null : CpuModel!.Trim());
        }

        /// <summary>This record in <paramref name="cluster"/> (the lists are shared, not copied).</summary>
        internal HostCpuRecord WithCluster(string? cluster) => new HostCpuRecord(Server, Name, MoRef)
        {
            Cluster = cluster,
            ConnectionState = ConnectionState,
            MaxEVCModeKey = MaxEVCModeKey,
            CurrentEVCModeKey = CurrentEVCModeKey,
            CpuFeature = CpuFeature,
            CpuModel = CpuModel,
            FeatureCapability = FeatureCapability,
        };

        public override string ToString() => Cluster == null ? Name : $"{Name} ({Cluster})";
    }
}
