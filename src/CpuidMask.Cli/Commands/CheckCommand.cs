using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using CpuidMask.Engine;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Compliance;
using CpuidMask.Engine.Readers;
using CpuidMask.Vim.Inventory;

namespace CpuidMask.Cli.Commands
{
    internal sealed class CheckCommand : Command
    {
        public override string Name => "check";

        public override string Summary => "Check which VMs can vMotion to which hosts, and which masks no longer fit (scheduled jobs)";

        public override string Help =>
@"Usage: cpuidmask check --server URL [--user U] (--vm NAME... | --all) [--hosts NAME... | --all-hosts]
                       [--json | --csv] [--html FILE] [--snapshot FILE] [--save-snapshot FILE]

For each VM, the hosts of its scope it can vMotion to now and those it cannot, with the
features that block each in vCenter's words, and whether its masks fit the scope as it
is now. A running VM is judged by its runtime.featureRequirement against each host's
config.featureCapability; a powered-off VM by what it would see after power-on on its
host under its stored masks, per-VM EVC and its cluster's EVC mode. Cluster EVC limits
what each host of an EVC cluster offers.

Statuses: Compliant; Blocked (a host of another CPU vendor in the scope); Stale (its
masks no longer cover the scope: a host was added); Unmasked (no masks, and the hosts
differ); PendingPowerCycle (running with other features than its masks now give);
Wider (its masks hide features every host offers: hosts were retired); Unknown (its
host is disconnected, or its masks cannot be read). Each comes with the fix: the mask
or per-VM EVC mode to apply, or what else to do, with the cpuidmask command that does it
for the VM (add --user or --thumbprint as for this check).

Every VM and host is read in a constant number of round trips, whatever their number.

Options:
  --vm NAME...         the VMs (names or wildcards such as 'web*'; a name that matches no
                       VM is an error naming it)
  --all                every VM of the vCenter
  --hosts NAME...      the scope: these hosts (names or wildcards) for every VM, instead of
                       each VM's own cluster (for a VM on a standalone host: every connected
                       host of the vCenter with its CPU vendor)
  --all-hosts          the scope: every host of the VM's CPU vendor
  --json               machine-readable output
  --csv                one line per VM (lists joined with '; '), for spreadsheets and Export-Csv users
  --html FILE          also write a self-contained HTML report to FILE: totals, a summary per
                       cluster, and per cluster a VM x host matrix (green can move, red cannot,
                       the blocking features on hover); no scripts or external files
  --snapshot FILE      compare the hosts with a saved snapshot of their profiles (written by
                       --save-snapshot, or Export-CpuidProfile of Get-HostCpuid): hosts whose
                       CPU features changed are reported with the features gained and lost and
                       the VMs that cannot move to them now; any such host fails the check
  --save-snapshot FILE write the hosts' current profiles to FILE (JSON) for a later --snapshot

" + VCenterOptions.HelpText + @"
Exit codes: 0 every VM compliant (and no host drifted), 1 any VM not compliant (or a host
drifted), 2 bad input or any vCenter error.

Examples:
  cpuidmask check --server vc01.example.com --user svc-audit@vsphere.local --all
  cpuidmask check --server vc01 --vm 'web*' --hosts esx01 esx02 --json
  cpuidmask check --server vc01 --all --csv --snapshot hosts-2026-11.json > compliance.csv
  cpuidmask check --server vc01 --all --html /srv/reports/compliance.html
";

        public override IEnumerable<string> Switches => VCenterOptions.Switches.Concat(new[] { "--json", "--csv", "--all", "--all-hosts" });

        public override IEnumerable<string> SingleValueOptions => VCenterOptions.SingleValueOptions.Concat(new[] { "--snapshot", "--save-snapshot", "--html" });

        public override IEnumerable<string> MultiValueOptions => new[] { "--vm", "--hosts" };

        public override int Run(Arguments args, CliContext context)
        {
            var names = args.Values("--vm").Concat(args.Positionals).ToArray();
            bool all = args.Has("--all");
            if (names.Length == 0 && !all)
            {
                throw Arguments.Usage("Name the VMs: --vm NAME... (wildcards allowed), or --all for every VM.");
            }

            if (names.Length > 0 && all)
            {
                throw Arguments.Usage("Give --vm NAME... or --all, not both.");
            }

            var hostPatterns = args.Values("--hosts");
            if (hostPatterns.Count > 0 && args.Has("--all-hosts"))
            {
                throw Arguments.Usage("Give --hosts NAME... or --all-hosts, not both.");
            }

            if (args.Has("--json") && args.Has("--csv"))
            {
                throw Arguments.Usage("Give --json or --csv, not both.");
            }

            // Read the snapshot before connecting: a wrong path fails fast, without a session.
            string? snapshotPath = args.Value("--snapshot");
            var snapshot = snapshotPath == null ? null : ProfileReader.ReadHosts(snapshotPath);
            string? htmlPath = args.Value("--html");
            if (htmlPath != null)
            {
                ComplianceHtml.ResolvePath(htmlPath);
            }

            var vcenter = VCenterOptions.From(args, context);
            ComplianceHosts hosts;
            IReadOnlyList<VmRecord> vms;
            using (var client = vcenter.Connect(context))
            {
                var inventory = new ComplianceInventory(client);
                hosts = VimCall.Run(() => inventory.ReadHostsAsync());
                vms = VimCall.Run(() => inventory.ReadVmsAsync(all ? null : names));
            }

            var scope = hostPatterns.Count > 0 ? ComplianceScope.Hosts(ResolveHosts(hostPatterns, hosts)) : args.Has("--all-hosts") ? ComplianceScope.AllHosts : ComplianceScope.OwnCluster;
            var complianceHosts = hosts.Hosts.Select(h => ComplianceInventory.ToComplianceHost(h, hosts.ClusterEvcModes)).ToArray();
            var results = new ComplianceChecker(context.Catalog, ComplianceInventory.ToEvcModes(hosts.EvcModes))
                .Check(vms.Select(v => ComplianceInventory.ToComplianceVm(v)).ToArray(), complianceHosts, scope);
            var drift = snapshot == null ? Array.Empty<HostDrift>() : HostDriftDetector.Compare(snapshot, complianceHosts, results, context.Catalog);
            var fixCommands = new ComplianceFixCommands(vcenter.Server);

            if (args.Value("--save-snapshot") is string savePath)
            {
                var profiles = complianceHosts.Where(h => h.Profile != null).Select(h => h.Profile!).ToArray();
                File.WriteAllText(savePath, ProfileJson.WriteAll(profiles, p => FeatureEvaluator.HostFeatureInfo(p, context.Catalog)) + "\n");
                context.Err.WriteLine($"cpuidmask check: saved the profiles of {profiles.Length} hosts to {savePath}.");
            }

            if (args.Has("--json"))
            {
                Render.WriteJson(context.Out, ToJson(hosts.Server, scope, results, drift, fixCommands));
            }
            else if (args.Has("--csv"))
            {
                WriteCsv(context.Out, results, fixCommands);
            }
            else
            {
                WriteText(context.Out, results, drift, fixCommands);
            }

            if (htmlPath != null)
            {
                ComplianceHtml.WriteFile(htmlPath, new ComplianceReport(results, complianceHosts, DateTimeOffset.UtcNow)
                {
                    Drift = snapshot == null ? null : drift,
                    EvcModes = ComplianceInventory.ToEvcModes(hosts.EvcModes),
                    Scope = scope.ToString(),
                    FixCommands = fixCommands,
                });
            }

            return results.All(r => r.IsCompliant) && drift.Count == 0 ? Program.ExitOk : Program.ExitBlocked;
        }

        private static IReadOnlyList<string> ResolveHosts(IReadOnlyList<string> patterns, ComplianceHosts hosts)
        {
            var matched = new List<string>();
            foreach (var pattern in patterns.Select(p => new NamePattern(p)))
            {
                var names = hosts.Hosts.Where(h => pattern.Matches(h.Name)).Select(h => h.Name).ToArray();
                if (names.Length == 0 && !pattern.IsWildcard)
                {
                    throw new CpuidMaskException(
                        "HostNotFound",
                        ErrorKind.ObjectNotFound,
                        $"--hosts names '{pattern}', which is not a host of {hosts.Server}. Its hosts: {string.Join(", ", hosts.Hosts.Select(h => h.Name).Take(20))}.",
                        pattern.Text);
                }

                matched.AddRange(names);
            }

            if (matched.Count == 0)
            {
                throw Arguments.Usage($"--hosts {string.Join(" ", patterns)} matches no host of {hosts.Server}.");
            }

            return matched.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        }

        private static void WriteText(TextWriter o, IReadOnlyList<VmCompliance> results, IReadOnlyList<HostDrift> drift, IComplianceFixCommands fixCommands)
        {
            if (results.Count == 0)
            {
                o.WriteLine("No VMs match.");
            }

            foreach (var r in results)
            {
                o.WriteLine($"{r.Vm.Name}: {r.Status} ({r.Scope}; on {r.Vm.HostName ?? "-"}, {r.Vm.PowerState ?? "unknown"})");
                o.WriteLine("  why:            " + r.Reason);
                if (r.Destinations.Count > 0)
                {
                    o.WriteLine("  judged by:      " + r.Basis);
                    o.WriteLine("  can move to:    " + (r.CanMoveTo.Count == 0 ? "-" : string.Join(", ", r.CanMoveTo)));
                }

                foreach (var d in r.Destinations.Where(d => d.Outcome == MoveOutcome.Blocked))
                {
                    o.WriteLine($"  cannot move to: {d.HostName}: " + (d.Blockers.Count > 0 ? string.Join(", ", d.Blockers.Select(b => b.Label)) : d.Reason));
                }

                foreach (var d in r.Destinations.Where(d => d.Outcome == MoveOutcome.Unknown))
                {
                    o.WriteLine($"  not checked:    {d.HostName}: {d.Reason}");
                }

                if (r.FixKind != ComplianceFixKind.None)
                {
                    o.WriteLine("  fix:            " + r.DescribeFix(fixCommands));
                }

                o.WriteLine();
            }

            foreach (var d in drift)
            {
                o.WriteLine($"host {d.HostName} changed since the snapshot:");
                o.WriteLine("  lost:           " + (d.Lost.Count == 0 ? "-" : string.Join(", ", d.Lost.Select(f => f.DisplayName))));
                o.WriteLine("  gained:         " + (d.Gained.Count == 0 ? "-" : string.Join(", ", d.Gained.Select(f => f.DisplayName))));
                o.WriteLine("  VMs that cannot move there now: " + (d.BlockedVms.Count == 0 ? "-" : string.Join(", ", d.BlockedVms)));
                o.WriteLine();
            }

            var counts = results.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => $"{g.Count().ToString(CultureInfo.InvariantCulture)} {g.Key}");
            o.WriteLine($"{results.Count.ToString(CultureInfo.InvariantCulture)} VM{(results.Count == 1 ? string.Empty : "s")}: {string.Join(", ", counts)}" + (drift.Count > 0 ? $"; {drift.Count.ToString(CultureInfo.InvariantCulture)} host(s) changed since the snapshot" : string.Empty));
        }

        internal static readonly string[] CsvColumns =
        {
            "Name", "Server", "Cluster", "VMHost", "PowerState", "HardwareVersion", "Status", "Reason", "Scope",
            "CanMoveTo", "CannotMoveTo", "UnknownHosts", "BlockingFeatures", "Fix", "FixMask", "FixEvcMode",
        };

        private static void WriteCsv(TextWriter o, IReadOnlyList<VmCompliance> results, IComplianceFixCommands fixCommands)
        {
            o.WriteLine(string.Join(",", CsvColumns.Select(Csv)));
            foreach (var r in results)
            {
                o.WriteLine(string.Join(",", new[]
                {
                    r.Vm.Name,
                    r.Vm.Server,
                    r.Cluster ?? string.Empty,
                    r.Vm.HostName ?? string.Empty,
                    r.Vm.PowerState ?? string.Empty,
                    r.Vm.HardwareVersion == null ? string.Empty : "vmx-" + r.Vm.HardwareVersion.Value.ToString(CultureInfo.InvariantCulture),
                    r.Status.ToString(),
                    r.Reason,
                    r.Scope,
                    string.Join("; ", r.CanMoveTo),
                    string.Join("; ", r.CannotMoveTo),
                    string.Join("; ", r.UnknownHosts),
                    string.Join("; ", r.BlockingFeatures.Select(b => b.Label)),
                    r.DescribeFix(fixCommands),
                    FixMaskText(r),
                    r.FixEvcMode ?? string.Empty,
                }.Select(Csv)));
            }
        }

        // RFC 4180: quote a field that holds a comma, a quote or a line break, and double the quotes inside.
        private static string Csv(string field) =>
            field.IndexOfAny(new[] { ',', '"', '\n', '\r' }) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;

        private static string FixMaskText(VmCompliance r) =>
            r.Status == ComplianceStatus.Stale || r.Status == ComplianceStatus.Unmasked || r.Status == ComplianceStatus.Wider
                ? string.Join("; ", r.ScopeMask?.ToVmxLines() ?? Array.Empty<string>())
                : string.Empty;

        private static JsonObject ToJson(string server, ComplianceScope scope, IReadOnlyList<VmCompliance> results, IReadOnlyList<HostDrift> drift, IComplianceFixCommands fixCommands) => new JsonObject
        {
            ["server"] = server,
            ["scope"] = scope.ToString(),
            ["compliant"] = results.All(r => r.IsCompliant) && drift.Count == 0,
            ["summary"] = new JsonObject(results.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => new KeyValuePair<string, JsonNode?>(g.Key.ToString(), g.Count()))),
            ["vms"] = new JsonArray(results.Select(r => (JsonNode)new JsonObject
            {
                ["name"] = r.Vm.Name,
                ["moref"] = r.Vm.Id,
                ["server"] = r.Vm.Server,
                ["cluster"] = r.Cluster,
                ["host"] = r.Vm.HostName,
                ["powerState"] = r.Vm.PowerState,
                ["hardwareVersion"] = r.Vm.HardwareVersion,
                ["status"] = r.Status.ToString(),
                ["reason"] = r.Reason,
                ["scope"] = r.Scope,
                ["basis"] = r.Basis,
                ["destinations"] = new JsonArray(r.Destinations.Select(d => (JsonNode)new JsonObject
                {
                    ["host"] = d.HostName,
                    ["cluster"] = d.Host.Cluster,
                    ["outcome"] = d.Outcome.ToString(),
                    ["reason"] = d.Reason,
                    ["blockers"] = new JsonArray(d.Blockers.Select(b => (JsonNode)new JsonObject
                    {
                        ["key"] = b.Key,
                        ["label"] = b.Label,
                        ["required"] = b.Required,
                        ["hostValue"] = b.HostValue,
                    }).ToArray()),
                }).ToArray()),
                ["hiddenNeedlessly"] = Strings(r.HiddenNeedlessly.Select(f => f.DisplayName)),
                ["notHidden"] = Strings(r.NotHidden.Select(f => f.DisplayName)),
                ["fix"] = r.DescribeFix(fixCommands),
                ["fixMask"] = Strings(FixMaskText(r).Length == 0 ? Array.Empty<string>() : r.ScopeMask!.ToVmxLines()),
                ["fixEvcMode"] = r.FixEvcMode,
            }).ToArray()),
            ["drift"] = new JsonArray(drift.Select(d => (JsonNode)new JsonObject
            {
                ["host"] = d.HostName,
                ["lost"] = Strings(d.Lost.Select(f => f.DisplayName)),
                ["gained"] = Strings(d.Gained.Select(f => f.DisplayName)),
                ["blockedVms"] = Strings(d.BlockedVms),
            }).ToArray()),
        };

        private static JsonArray Strings(IEnumerable<string> items) => new JsonArray(items.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray());
    }
}
