using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Compliance
{
    /// <summary>A host as the compliance check sees it: where it is, whether vCenter can move VMs to it, and its CPU.</summary>
    public sealed class ComplianceHost
    {
        public ComplianceHost(string server, string name, CpuidProfile? profile)
        {
            Server = server ?? string.Empty;
            Name = name ?? throw new ArgumentNullException(nameof(name));
            Profile = profile;
        }

        /// <summary>The vCenter the host belongs to.</summary>
        public string Server { get; }

        public string Name { get; }

        /// <summary>The host's cluster, or null for a standalone host.</summary>
        public string? Cluster { get; init; }

        /// <summary>runtime.connectionState; null counts as connected (a profile from a file).</summary>
        public string? ConnectionState { get; init; }

        /// <summary>
        /// The EVC mode in effect on the host (HostListSummary.currentEVCModeKey): set while the host is in a cluster
        /// with EVC on, and then the same as the cluster's mode.
        /// </summary>
        public string? EvcModeKey { get; init; }

        /// <summary>The host's CPU: raw CPUID leaves and/or config.featureCapability; null when vCenter has no data.</summary>
        public CpuidProfile? Profile { get; }

        public bool IsConnected => ConnectionState == null || string.Equals(ConnectionState, "connected", StringComparison.OrdinalIgnoreCase);

        public string? Vendor => Profile?.Vendor;

        public override string ToString() => Cluster == null ? Name : $"{Name} ({Cluster})";
    }

    /// <summary>A VM as the compliance check sees it: where it runs, its power state, and every layer that decides its CPU features.</summary>
    public sealed class ComplianceVm
    {
        public ComplianceVm(string server, string name)
        {
            Server = server ?? string.Empty;
            Name = name ?? throw new ArgumentNullException(nameof(name));
        }

        public string Server { get; }

        public string Name { get; }

        /// <summary>The VM's reference (VirtualMachine:vm-42), when known.</summary>
        public string? Id { get; init; }

        /// <summary>The host the VM is registered on (runtime.host).</summary>
        public string? HostName { get; init; }

        /// <summary>poweredOn, poweredOff or suspended.</summary>
        public string? PowerState { get; init; }

        /// <summary>The N of vmx-N; null when unknown.</summary>
        public int? HardwareVersion { get; init; }

        /// <summary>The CPUID masks stored in its configuration (extraConfig); null or empty when it has none.</summary>
        public VmMask? StoredMask { get; init; }

        /// <summary>Why the stored masks could not be read, when they could not.</summary>
        public string? StoredMaskError { get; init; }

        /// <summary>runtime.featureRequirement: what the running VM needs from any host; empty while powered off.</summary>
        public IReadOnlyList<VSphereFeature> FeatureRequirement { get; init; } = Array.Empty<VSphereFeature>();

        /// <summary>runtime.featureMask: the per-VM EVC masks; empty without per-VM EVC.</summary>
        public IReadOnlyList<VSphereFeature> PerVmEvcMask { get; init; } = Array.Empty<VSphereFeature>();

        /// <summary>
        /// Whether the VM carries a feature set from an earlier power-on: running, or suspended (a suspended VM resumes
        /// with the features it had).
        /// </summary>
        public bool IsRunning => string.Equals(PowerState, "poweredOn", StringComparison.OrdinalIgnoreCase)
            || string.Equals(PowerState, "suspended", StringComparison.OrdinalIgnoreCase);

        public bool HasStoredMask => StoredMask != null && !StoredMask.IsEmpty;

        public bool HasPerVmEvc => PerVmEvcMask.Count > 0;

        public override string ToString() => Name;
    }

    /// <summary>An EVC mode: the masks that level a host (cluster EVC) or a VM (per-VM EVC) down to a baseline.</summary>
    public sealed class EvcModeDefinition
    {
        public EvcModeDefinition(string key, string? label, string? vendor, IEnumerable<VSphereFeature> featureMask)
        {
            Key = key ?? throw new ArgumentNullException(nameof(key));
            Label = string.IsNullOrEmpty(label) ? key : label!;
            Vendor = vendor;
            FeatureMask = (featureMask ?? Enumerable.Empty<VSphereFeature>()).ToArray();
        }

        public string Key { get; }

        public string Label { get; }

        /// <summary>intel or amd, as EVCMode.vendor says.</summary>
        public string? Vendor { get; }

        /// <summary>EVCMode.featureMask: one entry per feature the baseline keeps ("Val:1"), or limits.</summary>
        public IReadOnlyList<VSphereFeature> FeatureMask { get; }

        /// <summary>Whether the mode is for CPUs of the given vendor string (GenuineIntel, AuthenticAMD...).</summary>
        public bool AppliesTo(string cpuVendor) =>
            Vendor == null
            || (Vendor.Equals("intel", StringComparison.OrdinalIgnoreCase) && cpuVendor == CpuVendors.Intel)
            || (Vendor.Equals("amd", StringComparison.OrdinalIgnoreCase) && (cpuVendor == CpuVendors.Amd || cpuVendor == CpuVendors.Hygon));

        public override string ToString() => Key;
    }

    /// <summary>Which hosts a VM should be able to move to.</summary>
    public enum ComplianceScopeKind
    {
        /// <summary>The hosts of the VM's own cluster; for a standalone host, every connected host of its vCenter of the same CPU vendor.</summary>
        Cluster,

        /// <summary>The hosts named (of any vCenter and vendor).</summary>
        Hosts,

        /// <summary>Every host of every vCenter read, of the VM's CPU vendor (no VM can move between vendors).</summary>
        AllHosts,
    }

    /// <summary>The destinations a VM is checked against.</summary>
    public sealed class ComplianceScope
    {
        private ComplianceScope(ComplianceScopeKind kind, IReadOnlyList<string> hostNames)
        {
            Kind = kind;
            HostNames = hostNames;
        }

        public static ComplianceScope OwnCluster { get; } = new ComplianceScope(ComplianceScopeKind.Cluster, Array.Empty<string>());

        public static ComplianceScope AllHosts { get; } = new ComplianceScope(ComplianceScopeKind.AllHosts, Array.Empty<string>());

        public ComplianceScopeKind Kind { get; }

        /// <summary>The hosts of a <see cref="ComplianceScopeKind.Hosts"/> scope.</summary>
        public IReadOnlyList<string> HostNames { get; }

        public static ComplianceScope Hosts(IEnumerable<string> names)
        {
            var list = (names ?? throw new ArgumentNullException(nameof(names))).Where(n => !string.IsNullOrWhiteSpace(n)).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            if (list.Length == 0)
            {
                throw new CpuidMaskException("ScopeHostsEmpty", ErrorKind.InvalidArgument, "A scope of named hosts needs at least one host name.", names);
            }

            return new ComplianceScope(ComplianceScopeKind.Hosts, list);
        }

        public override string ToString() => Kind switch
        {
            ComplianceScopeKind.Cluster => "own cluster",
            ComplianceScopeKind.AllHosts => "all hosts",
            _ => "hosts " + string.Join(", ", HostNames),
        };
    }
}
