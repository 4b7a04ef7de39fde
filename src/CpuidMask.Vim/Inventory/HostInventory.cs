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
        /// <summary>
        /// The HostSystem properties read; nothing else crosses the wire. The brand comes from
        /// summary.hardware.cpuModel, not hardware.cpuPkg: every package there carries the host's CPUID
        /// leaves once more, which would double the largest part of the answer.
        /// </summary>
        public static IReadOnlyList<string> HostPaths { get; } = new[]
        {
            "name",
            "parent",
            "runtime.connectionState",
            "hardware.cpuFeature",
            "summary.hardware.cpuModel",
            "config.featureCapability",
            "summary.maxEVCModeKey",
            "summary.currentEVCModeKey",
        };

        private readonly VimClient _client;
        private readonly IProgress<InventoryReadProgress>? _progress;

        /// <param name="client">The session to read through.</param>
        /// <param name="progress">Told after every page of every read (hosts, their names, their clusters); null: nobody listens.</param>
        public HostInventory(VimClient client, IProgress<InventoryReadProgress>? progress = null)
        {
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _progress = progress;
        }

        /// <summary>
        /// All hosts, or those whose names match <paramref name="names"/> (names or wildcards), sorted by
        /// name. Disconnected hosts are included with their state. A plain name that matches no host
        /// fails with HostNotFound; a wildcard that matches none is simply empty.
        /// </summary>
        public async Task<IReadOnlyList<HostCpuRecord>> ReadHostsAsync(IEnumerable<string>? names = null, CancellationToken cancellationToken = default)
        {
            var patterns = names?.Where(n => !string.IsNullOrWhiteSpace(n)).ToArray() ?? Array.Empty<string>();
            var collector = _client.PropertyCollector;
            var decoder = new HostDecoder(_client.ServerName);
            IReadOnlyList<ParentedRecord> contents;
            if (patterns.Length == 0)
            {
                contents = await collector.RetrieveAllAsync("HostSystem", HostPaths, decoder.Decode, Pages(null), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // Names first, then the heavy paths for the matches only.
                var all = await collector.RetrieveAllAsync("HostSystem", new[] { "name" }, o => o, Pages(null, namesOnly: true), cancellationToken).ConfigureAwait(false);
                var (matched, missing) = NamePattern.Select(patterns, all, EntityName.Of);
                if (missing.Count > 0)
                {
                    throw EntityName.NotFound(VimErrorIds.HostNotFound, "host", missing, all.Select(EntityName.Of), _client.ServerName);
                }

                contents = await collector.RetrieveAsync(matched.Select(c => c.Obj), "HostSystem", HostPaths, decoder.Decode, Pages(matched.Count), cancellationToken).ConfigureAwait(false);
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

            IReadOnlyList<ParentedRecord> contents;
            try
            {
                contents = await _client.PropertyCollector.RetrieveAsync(refs, "HostSystem", HostPaths, new HostDecoder(_client.ServerName).Decode, Pages(refs.Length), cancellationToken).ConfigureAwait(false);
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
        private async Task<IReadOnlyList<HostCpuRecord>> ToRecordsAsync(IReadOnlyList<ParentedRecord> records, CancellationToken cancellationToken)
        {
            var collector = _client.PropertyCollector;
            var clusterRefs = records.Select(r => r.Parent).Where(p => p != null && p.Type == "ClusterComputeResource").Select(p => p!).Distinct().ToArray();
            var clusterNames = new Dictionary<ManagedObjectReference, string>();
            if (clusterRefs.Length > 0)
            {
                var clusters = await collector.RetrieveAsync(
                    clusterRefs,
                    "ClusterComputeResource",
                    new[] { "name" },
                    o => o,
                    InventoryReadProgress.ForPages(_progress, _client.ServerName, InventoryObjectKind.Cluster, clusterRefs.Length),
                    cancellationToken).ConfigureAwait(false);
                foreach (var cluster in clusters)
                {
                    clusterNames[cluster.Obj] = EntityName.Of(cluster);
                }
            }

            return records
                .Select(r => r.Parent != null && clusterNames.TryGetValue(r.Parent, out var cluster) ? r.Record.WithCluster(cluster) : r.Record)
                .OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase)
                .ToArray();
        }

        /// <summary>
        /// Decodes each host as soon as it is read, so no page's XML outlives its page. A vCenter's hosts are a
        /// handful of CPU models: hosts whose leaves (or capabilities) are equal share one list, so a thousand
        /// hosts cost about as much memory as their distinct CPUs.
        /// </summary>
        private sealed class HostDecoder
        {
            private readonly string _server;
            private readonly Dictionary<IReadOnlyList<HostCpuIdInfo>, IReadOnlyList<HostCpuIdInfo>> _leafLists =
                new Dictionary<IReadOnlyList<HostCpuIdInfo>, IReadOnlyList<HostCpuIdInfo>>(new ListComparer<HostCpuIdInfo>(l => new[] { l.Vendor, l.Eax, l.Ebx, l.Ecx, l.Edx }, l => l.Level));

            private readonly Dictionary<IReadOnlyList<HostFeatureCapability>, IReadOnlyList<HostFeatureCapability>> _capabilityLists =
                new Dictionary<IReadOnlyList<HostFeatureCapability>, IReadOnlyList<HostFeatureCapability>>(new ListComparer<HostFeatureCapability>(f => new[] { f.Key, f.FeatureName, f.Value }, f => 0));

            public HostDecoder(string server) => _server = server;

            public ParentedRecord Decode(ObjectContent c) => new ParentedRecord(
                new HostCpuRecord(_server, EntityName.Of(c), c.Obj)
                {
                    ConnectionState = c.GetString("runtime.connectionState"),
                    MaxEVCModeKey = NullIfEmpty(c.GetString("summary.maxEVCModeKey")),
                    CurrentEVCModeKey = NullIfEmpty(c.GetString("summary.currentEVCModeKey")),
                    CpuFeature = Shared(_leafLists, c.GetArray("hardware.cpuFeature", HostCpuIdInfo.FromXml)),
                    CpuModel = NullIfEmpty(c.GetString("summary.hardware.cpuModel"))?.Trim(),
                    FeatureCapability = Shared(_capabilityLists, c.GetArray("config.featureCapability", HostFeatureCapability.FromXml)),
                },
                c.GetMoRef("parent"));

            // The list seen before with the same items (they are immutable), or this one.
            private static IReadOnlyList<T> Shared<T>(Dictionary<IReadOnlyList<T>, IReadOnlyList<T>> seen, IReadOnlyList<T> list)
            {
                if (list.Count == 0)
                {
                    return Array.Empty<T>();
                }

                if (seen.TryGetValue(list, out var earlier))
                {
                    return earlier;
                }

                seen[list] = list;
                return list;
            }
        }

        /// <summary>Lists equal item by item, items equal field by field (ordinal; absent and empty differ).</summary>
        private sealed class ListComparer<T> : IEqualityComparer<IReadOnlyList<T>>
        {
            private readonly Func<T, string?[]> _texts;
            private readonly Func<T, int> _number;

            public ListComparer(Func<T, string?[]> texts, Func<T, int> number)
            {
                _texts = texts;
                _number = number;
            }

            public bool Equals(IReadOnlyList<T>? x, IReadOnlyList<T>? y)
            {
                if (x == null || y == null || x.Count != y.Count)
                {
                    return ReferenceEquals(x, y);
                }

                for (int i = 0; i < x.Count; i++)
                {
                    if (_number(x[i]) != _number(y[i]) || !_texts(x[i]).SequenceEqual(_texts(y[i]), StringComparer.Ordinal))
                    {
                        return false;
                    }
                }

                return true;
            }

            public int GetHashCode(IReadOnlyList<T> list)
            {
                unchecked
                {
                    int hash = list.Count;
                    foreach (var item in list)
                    {
                        hash = (hash * 31) + _number(item);
                        foreach (string? text in _texts(item))
                        {
                            hash = (hash * 31) + (text == null ? 1 : StringComparer.Ordinal.GetHashCode(text));
                        }
                    }

                    return hash;
                }
            }
        }

        private sealed class ParentedRecord
        {
            public ParentedRecord(HostCpuRecord record, ManagedObjectReference? parent)
            {
                Record = record;
                Parent = parent;
            }

            public HostCpuRecord Record { get; }

            public ManagedObjectReference? Parent { get; }
        }

        private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

        private IProgress<int>? Pages(int? total, bool namesOnly = false) =>
            InventoryReadProgress.ForPages(_progress, _client.ServerName, InventoryObjectKind.Host, total, namesOnly);
    }
}
