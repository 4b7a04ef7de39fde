using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Engine.Readers;
using CpuidMask.Vim.Types;

namespace CpuidMask.Vim.Inventory
{
    /// <summary>
    /// Finds VMs and reads what masking needs, in a constant number of round trips: names of all VMs,
    /// the needed paths of the matches, and the names of their hosts.
    /// </summary>
    public sealed class VmInventory
    {
        private static readonly string[] BasePaths =
        {
            "name",
            "config.extraConfig",
            "config.changeVersion",
            "config.version",
            "runtime.powerState",
            "runtime.host",
            "runtime.featureRequirement",
        };

        private readonly VimClient _client;
        private readonly IProgress<InventoryReadProgress>? _progress;

        /// <param name="client">The session to read through.</param>
        /// <param name="progress">Told after every page of every read (VMs, their names, their hosts); null: nobody listens.</param>
        public VmInventory(VimClient client, IProgress<InventoryReadProgress>? progress = null)
        {
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _progress = progress;
        }

        /// <summary>
        /// The VirtualMachine properties read. runtime.featureMask exists from API 6.7; asking an older
        /// server for it would fail the whole retrieval with InvalidProperty.
        /// </summary>
        public IReadOnlyList<string> VmPaths =>
            SupportsFeatureMask(_client.ServiceContent.About.ApiVersion) ? BasePaths.Concat(new[] { "runtime.featureMask" }).ToArray() : BasePaths;

        /// <summary>
        /// VMs by name or wildcard (case-insensitive), sorted by name. A plain name that matches no VM
        /// fails with VmNotFound naming it; a wildcard that matches none is simply empty.
        /// </summary>
        public async Task<IReadOnlyList<VmRecord>> FindVmsAsync(IEnumerable<string> names, CancellationToken cancellationToken = default)
        {
            var patterns = (names ?? throw new ArgumentNullException(nameof(names))).Where(n => !string.IsNullOrWhiteSpace(n)).ToArray();
            if (patterns.Length == 0)
            {
                return Array.Empty<VmRecord>();
            }

            var all = await _client.PropertyCollector.RetrieveAllAsync("VirtualMachine", new[] { "name" }, o => o, Pages(InventoryObjectKind.Vm, null, namesOnly: true), cancellationToken).ConfigureAwait(false);
            var (matched, missing) = NamePattern.Select(patterns, all, EntityName.Of);
            if (missing.Count > 0)
            {
                throw EntityName.NotFound(VimErrorIds.VmNotFound, "VM", missing, all.Select(EntityName.Of), _client.ServerName);
            }

            return await ReadVmsAsync(matched.Select(c => c.Obj), cancellationToken).ConfigureAwait(false);
        }

        /// <summary>VMs by reference (e.g. PowerCLI's VM Id "VirtualMachine-vm-42" parsed with ManagedObjectReference.Parse).</summary>
        public async Task<IReadOnlyList<VmRecord>> ReadVmsAsync(IEnumerable<ManagedObjectReference> vms, CancellationToken cancellationToken = default)
        {
            var collector = _client.PropertyCollector;
            var refs = (vms ?? throw new ArgumentNullException(nameof(vms))).Distinct().ToArray();
            var contents = await collector.RetrieveAsync(refs, "VirtualMachine", VmPaths, o => o, Pages(InventoryObjectKind.Vm, refs.Length), cancellationToken).ConfigureAwait(false);

            var hostRefs = contents.Select(c => c.GetMoRef("runtime.host")).Where(h => h != null).Select(h => h!).Distinct().ToArray();
            var hostNames = new Dictionary<ManagedObjectReference, string>();
            var hostVendors = new Dictionary<ManagedObjectReference, string>();
            if (hostRefs.Length > 0)
            {
                // hardware.cpuFeature is a handful of short entries per host; its leaf 0 names the CPU vendor.
                var hosts = await collector.RetrieveAsync(hostRefs, "HostSystem", new[] { "name", "hardware.cpuFeature" }, o => o, Pages(InventoryObjectKind.Host, hostRefs.Length), cancellationToken).ConfigureAwait(false);
                foreach (var host in hosts)
                {
                    hostNames[host.Obj] = EntityName.Of(host);
                    if (CpuVendorOf(host.GetArray("hardware.cpuFeature", HostCpuIdInfo.FromXml)) is string vendor)
                    {
                        hostVendors[host.Obj] = vendor;
                    }
                }
            }

            return contents.Select(c =>
            {
                var host = c.GetMoRef("runtime.host");
                return new VmRecord(_client.ServerName, EntityName.Of(c), c.Obj)
                {
                    PowerState = c.GetString("runtime.powerState"),
                    Host = host,
                    HostName = host != null && hostNames.TryGetValue(host, out var hostName) ? hostName : null,
                    HostCpuVendor = host != null && hostVendors.TryGetValue(host, out var hostVendor) ? hostVendor : null,
                    HardwareVersion = c.GetString("config.version"),
                    // Blank is no guard at all: sent, it would not stand for the VM as read.
                    ChangeVersion = c.GetString("config.changeVersion") is string version && version.Trim().Length > 0 ? version : null,
                    ExtraConfig = c.GetArray("config.extraConfig", OptionValue.FromXml),
                    FeatureRequirement = c.GetArray("runtime.featureRequirement", VirtualMachineFeatureRequirement.FromXml),
                    FeatureMask = c.GetArray("runtime.featureMask", HostFeatureMask.FromXml),
                };
            }).OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase).ToArray();
        }

        /// <summary>
        /// One VM by reference, read afresh (before a write or an undo). A reference the server no longer has fails with
        /// VmNotFound naming <paramref name="name"/>: the VM was removed, or re-registered under a new reference.
        /// </summary>
        public async Task<VmRecord> ReadOneAsync(ManagedObjectReference moRef, string name, CancellationToken cancellationToken = default)
        {
            IReadOnlyList<VmRecord> records;
            try
            {
                records = await ReadVmsAsync(new[] { moRef }, cancellationToken).ConfigureAwait(false);
            }
            catch (VimFaultException fault) when (fault.FaultType == "ManagedObjectNotFound")
            {
                records = Array.Empty<VmRecord>();
            }

            return records.FirstOrDefault(r => r.MoRef.Equals(moRef)) ?? throw new CpuidMaskException(
                VimErrorIds.VmNotFound,
                ErrorKind.ObjectNotFound,
                $"VM '{name}' ({moRef}) does not exist on {_client.ServerName}; it was removed, or re-registered under a new reference. Nothing was written.",
                name);
        }

        /// <summary>
        /// Sets (or, with an empty value, removes) extraConfig keys and waits for the task. Passes the
        /// record's changeVersion, so a VM changed since it was read is refused with ConcurrentAccess
        /// instead of losing the other change.
        /// </summary>
        public async Task<TaskInfo> ReconfigureExtraConfigAsync(VmRecord vm, IEnumerable<OptionValue> extraConfig, TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            var task = await StartReconfigureExtraConfigAsync(vm, extraConfig, cancellationToken).ConfigureAwait(false);
            return await _client.WaitForTaskAsync(task, timeout, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Sends the ReconfigVM_Task of <see cref="ReconfigureExtraConfigAsync"/> and returns the task without waiting for it.</summary>
        public Task<ManagedObjectReference> StartReconfigureExtraConfigAsync(VmRecord vm, IEnumerable<OptionValue> extraConfig, CancellationToken cancellationToken = default)
        {
            var spec = new VirtualMachineConfigSpec { ChangeVersion = vm.ChangeVersion, ExtraConfig = extraConfig.ToArray() };
            return _client.Service.ReconfigVM_Task(vm.MoRef, spec, cancellationToken);
        }

        /// <summary>The vendor string leaf 0 spells (decoded as for any host profile); null when it is missing or unreadable.</summary>
        internal static string? CpuVendorOf(IReadOnlyList<HostCpuIdInfo> cpuFeature)
        {
            try
            {
                string vendor = VSphereProfileBuilder.Build("host", "hardware.cpuFeature", cpuFeature.Select(i => i.ToRecord()), null).Vendor;
                return vendor == "Unknown" ? null : vendor;
            }
            catch (CpuidMaskException)
            {
                return null;
            }
        }

        private IProgress<int>? Pages(InventoryObjectKind kind, int? total, bool namesOnly = false) =>
            InventoryReadProgress.ForPages(_progress, _client.ServerName, kind, total, namesOnly);

        internal static bool SupportsFeatureMask(string? apiVersion)
        {
            if (string.IsNullOrWhiteSpace(apiVersion))
            {
                return true;
            }

            var parts = apiVersion!.Split('.');
            if (!int.TryParse(parts[0], out int major))
            {
                return true;
            }

            int minor = parts.Length > 1 && int.TryParse(parts[1], out int m) ? m : 0;
            return major > 6 || (major == 6 && minor >= 7);
        }
    }
}
