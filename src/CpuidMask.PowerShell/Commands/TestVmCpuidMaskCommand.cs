using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CpuidMask.Engine;
using CpuidMask.Engine.Compliance;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;
using CpuidMask.PowerShell.Input;
using CpuidMask.Vim;
using CpuidMask.Vim.Inventory;

namespace CpuidMask.PowerShell.Commands
{
    /// <summary>
    /// Checks which hosts of their scope VMs can vMotion to now, why not, and whether their masks still fit the
    /// scope: the question a scheduled compliance job asks. One engine with 'cpuidmask check'.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "VmCpuidMask", DefaultParameterSetName = ClusterSet)]
    [OutputType(typeof(VmCpuidCompliance), typeof(CpuidHostDrift), typeof(bool))]
    public sealed class TestVmCpuidMaskCommand : VCenterCmdlet
    {
        private const string ClusterSet = "Scope";
        private const string HostSet = "VMHost";

        private readonly List<InventoryInput> _vms = new List<InventoryInput>();

        /// <summary>PowerCLI VirtualMachine objects or VM names (wildcards allowed); every VM of the vCenter when omitted.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public object[]? VM { get; set; }

        /// <summary>Cluster (default): each VM's own cluster; AllHosts: every host of the VM's CPU vendor.</summary>
        [Parameter(ParameterSetName = ClusterSet)]
        [ValidateSet("Cluster", "AllHosts")]
        public string Scope { get; set; } = "Cluster";

        /// <summary>The scope: these hosts (PowerCLI VMHost objects, names or wildcards) for every VM.</summary>
        [Parameter(ParameterSetName = HostSet, Mandatory = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public object[] VMHost { get; set; } = Array.Empty<object>();

        /// <summary>Returns one boolean: true when every VM is compliant (and no host drifted).</summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        /// <summary>A saved snapshot of the hosts' profiles (Export-CpuidProfile): hosts whose features changed since are reported.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? SnapshotPath { get; set; }

        /// <summary>Also writes a self-contained HTML report (summary per cluster, VM x host matrix) to this file.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? HtmlPath { get; set; }

        protected override void ProcessRecord() => _vms.AddRange(ReadVmInputs(VM));

        protected override void EndProcessing()
        {
            IReadOnlyList<CpuidProfile>? snapshot = null;
            if (SnapshotPath != null)
            {
                try
                {
                    snapshot = ProfileReader.ReadHosts(GetUnresolvedProviderPathFromPSPath(SnapshotPath));
                }
                catch (CpuidMaskException ex)
                {
                    throw Terminate(ex, SnapshotPath);
                }
            }

            // Before anything is read: a report path that cannot be written fails at once, naming it.
            string? htmlFile = HtmlPath == null ? null : ResolveHtmlPath(HtmlPath);

            // The VMs, each with the session it was read through; without -VM every VM of the vCenter.
            var vms = new List<(VimClient Client, VmRecord Record)>();
            if (VM == null)
            {
                var client = Connect(null);
                vms.AddRange(OrTerminate(() => Wait(token => new ComplianceInventory(client, ReadProgress).ReadVmsAsync(null, token))).Select(r => (client, r)));
            }
            else
            {
                vms.AddRange(ReadVms(_vms).Select(r => (r.Client, r.Record)));
            }

            var scopeHosts = ParameterSetName == HostSet
                ? ReadHosts(UnwrapAll(VMHost).Select(h => InventoryInput.ForHost(h, Read)).ToArray())
                : Array.Empty<Resolved<HostCpuRecord>>();
            if (ParameterSetName == HostSet && scopeHosts.Count == 0)
            {
                throw Terminate("ScopeHostsEmpty", ErrorKind.ObjectNotFound, "-VMHost names no host that exists; name the hosts to check the VMs against, or leave -VMHost out to use each VM's cluster.", VMHost);
            }

            // Every host of every vCenter involved: a VM's cluster, and the named hosts, may be anywhere on it.
            var clients = vms.Select(v => v.Client).Concat(scopeHosts.Select(h => h.Client)).Distinct().ToArray();
            var label = LabelServers(clients);
            var fixCommands = new ComplianceFixCommands(label.GroupBy(l => l.Value, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First().Key.Server.Authority, StringComparer.OrdinalIgnoreCase));
            var hosts = new List<ComplianceHost>();
            var modes = new Dictionary<string, EvcModeDefinition>(StringComparer.OrdinalIgnoreCase);
            foreach (var client in clients)
            {
                var read = OrTerminate(() => Wait(token => new ComplianceInventory(client, ReadProgress).ReadHostsAsync(token)));
                hosts.AddRange(read.Hosts.Select(h => ComplianceInventory.ToComplianceHost(h, read.ClusterEvcModes, label[client])));
                foreach (var mode in ComplianceInventory.ToEvcModes(read.EvcModes))
                {
                    modes[mode.Key] = mode;
                }
            }

            var scope = ParameterSetName == HostSet
                ? ComplianceScope.Hosts(scopeHosts.Select(h => h.Record.Name))
                : Scope == "AllHosts" ? ComplianceScope.AllHosts : ComplianceScope.OwnCluster;
            IReadOnlyList<VmCompliance> results;
            IReadOnlyList<HostDrift> drift;
            try
            {
                results = new ComplianceChecker(Catalog, modes.Values).Check(vms.Select(v => ComplianceInventory.ToComplianceVm(v.Record, label[v.Client])).ToArray(), hosts, scope);
                drift = snapshot == null ? Array.Empty<HostDrift>() : HostDriftDetector.Compare(snapshot, hosts, results, Catalog);
            }
            catch (CpuidMaskException ex)
            {
                throw Terminate(ex);
            }

            if (htmlFile != null)
            {
                try
                {
                    ComplianceHtml.WriteFile(htmlFile, new ComplianceReport(results, hosts, DateTimeOffset.UtcNow)
                    {
                        Drift = snapshot == null ? null : drift,
                        EvcModes = modes.Values.ToArray(),
                        Scope = scope.ToString(),
                        FixCommands = fixCommands,
                    });
                }
                catch (CpuidMaskException ex)
                {
                    throw Terminate(ex, HtmlPath);
                }
            }

            if (Quiet)
            {
                WriteObject(results.All(r => r.IsCompliant) && drift.Count == 0);
                return;
            }

            foreach (var result in results)
            {
                WriteObject(new VmCpuidCompliance(result, fixCommands));
            }

            foreach (var host in drift)
            {
                WriteObject(new CpuidHostDrift(host));
            }
        }

        private string ResolveHtmlPath(string path)
        {
            string resolved;
            ProviderInfo provider;
            try
            {
                resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
            }
            catch (Exception ex) when (ex is System.Management.Automation.DriveNotFoundException || ex is ProviderNotFoundException || ex is NotSupportedException || ex is ArgumentException)
            {
                throw Terminate(new CpuidMaskException("HtmlReportUnwritable", ErrorKind.InvalidArgument, $"Cannot write the HTML report to '{path}': {ex.Message}", path, ex), path);
            }

            if (provider.Name != "FileSystem")
            {
                throw Terminate("HtmlReportUnwritable", ErrorKind.InvalidArgument, $"Cannot write the HTML report to '{path}': it is on the {provider.Name} drive. Name a file, e.g. .\\compliance.html.", path);
            }

            try
            {
                return ComplianceHtml.ResolvePath(resolved);
            }
            catch (CpuidMaskException ex)
            {
                throw Terminate(ex, path);
            }
        }

        // Each vCenter by its name, or by name and port where two sessions reach vCenters of one name: objects of
        // one vCenter must never be taken for those of another (references and names repeat across vCenters).
        private static Dictionary<VimClient, string> LabelServers(IReadOnlyList<VimClient> clients)
        {
            var shared = new HashSet<string>(clients.GroupBy(c => c.ServerName, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key), StringComparer.OrdinalIgnoreCase);
            return clients.ToDictionary(c => c, c => shared.Contains(c.ServerName) ? c.Server.Authority : c.ServerName);
        }

        private T OrTerminate<T>(Func<T> read)
        {
            try
            {
                return read();
            }
            catch (CpuidMaskException ex)
            {
                throw Terminate(ex);
            }
        }
    }
}
