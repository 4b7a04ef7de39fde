using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Vim.Soap;
using CpuidMask.Vim.Types;

namespace CpuidMask.Vim.Inventory
{
    /// <summary>
    /// Reads hosts' CPU data in a constant number of round trips, however many hosts there are: by name,
    /// one ContainerView retrieval (paged) of only the paths needed; by reference, one retrieval of those
    /// objects; then one for the names of their clusters.
    /// </summary>
    public sealed class HostInventory
    {
        /// <summary>The HostSystem properties read; nothing else crosses the wire.</summary>
        public static IReadOnlyList<string> HostPaths { get; } = new[]
        {
            "name",
            "parent",
            "runtime.connectionState",
            "hardware.cpuFeature",
            "hardware.cpuPkg",
            "config.featureCapability",
            "summary.maxEVCModeKey",
            "summary.currentEVCModeKey",
        };

        private readonly VimClient _client;

        public HostInventory(VimClient client) => _client = client ?? throw new ArgumentNullException(nameof(client));

        /// <summary>
        /// All hosts, or those whose names match <paramref name="names"/> (names or wildcards), sorted by
        /// name. Disconnected hosts are included with their state. A plain name that matches no host
        /// fails with HostNotFound; a wildcard that matches none is simply empty.
        /// </summary>
        public async Task<IReadOnlyList<HostCpuRecord>> ReadHostsAsync(IEnumerable<string>? names = null, CancellationToken cancellationToken = default)
        {
            var patterns = names?.Where(n => !string.IsNullOrWhiteSpace(n)).ToArray() ?? Array.Empty<string>();
            var collector = _client.PropertyCollector;
            IReadOnlyList<ObjectContent> contents;
            if (patterns.Length == 0)
            {
                contents = await collector.RetrieveAllAsync("HostSystem", HostPaths, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // Names first, then the heavy paths for the matches only.
                var all = await collector.RetrieveAllAsync("HostSystem", new[] { "name" }, cancellationToken).ConfigureAwait(false);
                var (matched, missing) = NamePattern.Select(patterns, all, EntityName.Of);
                if (missing.Count > 0)
                {
                    throw EntityName.NotFound(VimErrorIds.HostNotFound, "host", missing, all.Select(EntityName.Of), _client.ServerName);
                }

                contents = await collector.RetrieveAsync(matched.Select(c => c.Obj), "HostSystem", HostPaths, cancellationToken).ConfigureAwait(false);
            }

            return await ToRecordsAsync(contents, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// The hosts with these references (PowerCLI's VMHost Id "HostSystem-host-12", or
        /// ExtensionData.MoRef), sorted by name: one retrieval of the needed paths (paged) and one for the
        /// names of their clusters, however many hosts; no name lookup, so a namesake on the server is never
        /// taken for the host. A reference the server does not know fails the call with HostNotFound naming it
        /// (vSphere reports the first missing object only).
        /// </summary>
        public async Task<IReadOnlyList<HostCpuRecord>> ReadHostsAsync(IEnumerable<ManagedObjectReference> hosts, CancellationToken cancellationToken = default)
        {
            var refs = (hosts ?? throw new ArgumentNullException(nameof(hosts))).Where(h => h != null).Distinct().ToArray();
            var wrongType = refs.FirstOrDefault(r => !string.Equals(r.Type, "HostSystem", StringComparison.Ordinal));
            if (wrongType != null)
            {
                throw new CpuidMaskException(
                    VimErrorIds.MoRefInvalid,
                    ErrorKind.InvalidArgument,
                    $"{wrongType} is a {wrongType.Type}, not a host (HostSystem); pass host references such as HostSystem-host-12.",
                    wrongType.ToString());
            }

            if (refs.Length == 0)
            {
                return Array.Empty<HostCpuRecord>();
            }

            IReadOnlyList<ObjectContent> contents;
            try
            {
                contents = await _client.PropertyCollector.RetrieveAsync(refs, "HostSystem", HostPaths, cancellationToken).ConfigureAwait(false);
            }
            catch (VimFaultException fault) when (fault.FaultType == "ManagedObjectNotFound")
            {
                var missing = fault.FaultObject ?? (refs.Length == 1 ? refs[0] : null);
                throw new CpuidMaskException(
                    VimErrorIds.HostNotFound,
                    ErrorKind.ObjectNotFound,
                    $"Host {(missing == null ? "reference" : missing.ToString())} does not exist on {_client.ServerName}: it was removed, or added again under a new reference. Read the hosts again, or name them.",
                    missing?.ToString(),
                    fault);
            }

            return await ToRecordsAsync(contents, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The EVC modes the server knows (ServiceInstance capability.supportedEVCMode); empty on ESXi.</summary>
        public async Task<IReadOnlyList<EVCMode>> ReadSupportedEvcModesAsync(CancellationToken cancellationToken = default)
        {
            var contents = await _client.PropertyCollector.RetrieveAsync(
                new[] { ManagedObjectReference.ServiceInstance },
                "ServiceInstance",
                new[] { "capability" },
                cancellationToken).ConfigureAwait(false);
            return contents.FirstOrDefault()?.GetChildren("capability", "supportedEVCMode", EVCMode.FromXml) ?? Array.Empty<EVCMode>();
        }

        // The hosts' records, with the names of their clusters read in one more round trip.
        private async Task<IReadOnlyList<HostCpuRecord>> ToRecordsAsync(IReadOnlyList<ObjectContent> contents, CancellationToken cancellationToken)
        {
            var collector = _client.PropertyCollector;
            var clusterRefs = contents.Select(c => c.GetMoRef("parent")).Where(p => p != null && p.Type == "ClusterComputeResource").Select(p => p!).Distinct().ToArray();
            var clusterNames = new Dictionary<ManagedObjectReference, string>();
            if (clusterRefs.Length > 0)
            {
                var clusters = await collector.RetrieveAsync(clusterRefs, "ClusterComputeResource", new[] { "name" }, cancellationToken).ConfigureAwait(false);
                foreach (var cluster in clusters)
                {
                    clusterNames[cluster.Obj] = EntityName.Of(cluster);
                }
            }

            return contents
                .Select(c => ToRecord(c, clusterNames))
                .OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase)
                .ToArray();
        }

        private HostCpuRecord ToRecord(ObjectContent c, IReadOnlyDictionary<ManagedObjectReference, string> clusterNames)
        {
            var parent = c.GetMoRef("parent");
            return new HostCpuRecord(_client.ServerName, EntityName.Of(c), c.Obj)
            {
                Cluster = parent != null && clusterNames.TryGetValue(parent, out var cluster) ? cluster : null,
                ConnectionState = c.GetString("runtime.connectionState"),
                MaxEVCModeKey = NullIfEmpty(c.GetString("summary.maxEVCModeKey")),
                CurrentEVCModeKey = NullIfEmpty(c.GetString("summary.currentEVCModeKey")),
                CpuFeature = c.GetArray("hardware.cpuFeature", HostCpuIdInfo.FromXml),
                CpuPackages = c.GetArray("hardware.cpuPkg", HostCpuPackage.FromXml),
                FeatureCapability = c.GetArray("config.featureCapability", HostFeatureCapability.FromXml),
            };
        }

        private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
    }
}
