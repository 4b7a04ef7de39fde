using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Engine.Compliance;
using CpuidMask.Engine.Masks;
using CpuidMask.Vim.Masks;
using CpuidMask.Vim.Soap;
using CpuidMask.Vim.Types;

namespace CpuidMask.Vim.Inventory
{
    /// <summary>Every host of one vCenter with its cluster's EVC mode, and the EVC modes the vCenter knows.</summary>
    public sealed class ComplianceHosts
    {
        internal ComplianceHosts(string server, IReadOnlyList<HostCpuRecord> hosts, IReadOnlyDictionary<string, string> clusterEvcModes, IReadOnlyList<EVCMode> evcModes)
        {
            Server = server;
            Hosts = hosts;
            ClusterEvcModes = clusterEvcModes;
            EvcModes = evcModes;
        }

        public string Server { get; }

        public IReadOnlyList<HostCpuRecord> Hosts { get; }

        /// <summary>Cluster name to its EVC mode key (ClusterComputeResourceSummary.currentEVCModeKey), for clusters with EVC on.</summary>
        public IReadOnlyDictionary<string, string> ClusterEvcModes { get; }

        /// <summary>ServiceInstance capability.supportedEVCMode.</summary>
        public IReadOnlyList<EVCMode> EvcModes { get; }
    }

    /// <summary>
    /// Reads what a compliance check needs from one vCenter in a constant number of round trips, whatever the number
    /// of hosts, clusters and VMs: the hosts (one container-view retrieval, paged), their clusters' names, every
    /// cluster's EVC mode (one more), the EVC modes (one), and the VMs (by name: their names, then their properties,
    /// then their hosts' names). And turns the records into the engine's inputs.
    /// </summary>
    public sealed class ComplianceInventory
    {
        private readonly VimClient _client;
        private readonly IProgress<InventoryReadProgress>? _progress;

        /// <param name="client">The session to read through.</param>
        /// <param name="progress">Told after every page of every read (hosts, clusters, VMs); null: nobody listens.</param>
        public ComplianceInventory(VimClient client, IProgress<InventoryReadProgress>? progress = null)
        {
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _progress = progress;
        }

        /// <summary>Every host of the vCenter, every cluster's EVC mode and the EVC modes the vCenter knows.</summary>
        public async Task<ComplianceHosts> ReadHostsAsync(CancellationToken cancellationToken = default)
        {
            var inventory = new HostInventory(_client, _progress);
            var hosts = await inventory.ReadHostsAsync((IEnumerable<string>?)null, cancellationToken).ConfigureAwait(false);
            var modes = await inventory.ReadSupportedEvcModesAsync(cancellationToken).ConfigureAwait(false);
            var clusters = await _client.PropertyCollector.RetrieveAllAsync(
                "ClusterComputeResource",
                new[] { "name", "summary" },
                o => o,
                InventoryReadProgress.ForPages(_progress, _client.ServerName, InventoryObjectKind.Cluster, null),
                cancellationToken).ConfigureAwait(false);
            var evc = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var cluster in clusters)
            {
                // summary is a ClusterComputeResourceSummary (xsi:type) for a cluster; currentEVCModeKey unset = EVC off.
                string? key = cluster["summary"]?.Text("currentEVCModeKey");
                if (!string.IsNullOrWhiteSpace(key))
                {
                    evc[EntityName.Of(cluster)] = key!;
                }
            }

            return new ComplianceHosts(_client.ServerName, hosts, evc, modes);
        }

        /// <summary>The VMs named (wildcards allowed), or every VM of the vCenter when <paramref name="names"/> is empty.</summary>
        public Task<IReadOnlyList<VmRecord>> ReadVmsAsync(IEnumerable<string>? names, CancellationToken cancellationToken = default)
        {
            var list = names?.Where(n => !string.IsNullOrWhiteSpace(n)).ToArray() ?? Array.Empty<string>();
            return new VmInventory(_client, _progress).FindVmsAsync(list.Length == 0 ? new[] { "*" } : list, cancellationToken);
        }

        /// <summary>
        /// A host record as the engine's input: its cluster's EVC mode is the host's own when the host reports none.
        /// <paramref name="server"/> names its vCenter when the record's server name does not tell two vCenters apart.
        /// </summary>
        public static ComplianceHost ToComplianceHost(HostCpuRecord host, IReadOnlyDictionary<string, string>? clusterEvcModes = null, string? server = null)
        {
            Engine.Model.CpuidProfile? profile = null;
            if (host.HasCpuData && host.IsConnected)
            {
                try
                {
                    profile = host.ToProfile();
                }
                catch (CpuidMaskException)
                {
                    // Undecodable CPU data leaves the host without a profile: it is then Unknown in every verdict.
                }
            }

            string? evc = host.CurrentEVCModeKey;
            if (evc == null && host.Cluster != null && clusterEvcModes != null && clusterEvcModes.TryGetValue(host.Cluster, out var clusterMode))
            {
                evc = clusterMode;
            }

            return new ComplianceHost(server ?? host.Server, host.Name, profile)
            {
                Cluster = host.Cluster,
                ConnectionState = host.ConnectionState ?? "unknown",
                EvcModeKey = evc,
            };
        }

        /// <summary>A VM record as the engine's input, with its stored masks parsed (or why they cannot be); <paramref name="server"/> as for hosts.</summary>
        public static ComplianceVm ToComplianceVm(VmRecord vm, string? server = null)
        {
            var stored = new StoredVmMask(vm);
            return new ComplianceVm(server ?? vm.Server, vm.Name)
            {
                Id = vm.MoRef.ToString(),
                HostName = vm.HostName,
                PowerState = vm.PowerState,
                HardwareVersion = vm.HardwareVersionNumber,
                StoredMask = stored.Mask,
                StoredMaskError = stored.MaskError,
                FeatureRequirement = vm.FeatureRequirement.Select(r => new VSphereFeature(r.Key, r.Value, r.FeatureName)).ToArray(),
                PerVmEvcMask = vm.FeatureMask.Select(m => new VSphereFeature(m.Key, m.Value, m.FeatureName)).ToArray(),
            };
        }

        /// <summary>The EVC modes as the engine's input.</summary>
        public static IReadOnlyList<EvcModeDefinition> ToEvcModes(IEnumerable<EVCMode> modes) =>
            modes.Select(m => new EvcModeDefinition(m.Key, m.Label, m.Vendor, m.FeatureMask.Select(f => new VSphereFeature(f.Key, f.Value, f.FeatureName)))).ToArray();
    }
}
