using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using CpuidMask.Engine.IO;

namespace CpuidMask.Engine.Compliance
{
    /// <summary>
    /// Renders a compliance check as one self-contained HTML file: a header with the totals, a summary per cluster,
    /// and per scope a VM x host matrix (green can move, red cannot, the blocking features on hover). No script and
    /// no external resource: it opens from a mail attachment or a file share as it is. Written as a stream, so a
    /// vCenter of 10,000 VMs never becomes one string; every text from vCenter is escaped; the same input gives the
    /// same bytes.
    /// </summary>
    public static class ComplianceHtml
    {
        private static readonly ComplianceStatus[] Statuses = (ComplianceStatus[])Enum.GetValues(typeof(ComplianceStatus));

        // Colours pass WCAG AA for white text (the cells) and on white (the status words); the glyph and aria-label
        // carry the same meaning for anyone who cannot tell red from green.
        private const string Css = @"
:root{color-scheme:light}
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;margin:24px;color:#1b1b1b;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ccc}h3{font-size:15px;margin:20px 0 6px}
h3 small{font-weight:normal;color:#555}
table{border-collapse:collapse;margin:6px 0 14px}
th,td{border:1px solid #c4c4c4;padding:3px 7px;text-align:left;vertical-align:top}
thead th{background:#f0f0f0}
td.n{text-align:right;font-variant-numeric:tabular-nums}td.zero{color:#999}
.verdict{font-weight:bold;padding:6px 10px;display:inline-block;border-radius:3px}
.verdict.good{background:#e3f3e6;color:#145c25}.verdict.bad{background:#fbe5e7;color:#8e0f1e}
.s-Compliant{color:#17692b}.s-Blocked,.s-Stale,.s-Unmasked{color:#b3001b}.s-Wider,.s-PendingPowerCycle{color:#8a5300}.s-Unknown{color:#555}
td.st{font-weight:bold;white-space:nowrap}
table.matrix th.h{vertical-align:bottom;padding:4px 2px;font-weight:normal}
table.matrix th.h span{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap}
table.matrix th.drift{background:#fff2cc}
td.c{text-align:center;min-width:26px;font-weight:bold;white-space:nowrap;padding:3px 4px}
td.ok{background:#1d7a34;color:#fff}td.no{background:#c8102e;color:#fff}td.part{background:#e0a000;color:#000}
td.unk{background:#6b6b6b;color:#fff}td.home{background:#dfe8f5;color:#1b3a66}td.na{background:#f6f6f6;color:#888}
td.c:hover,th[title]:hover,td.st:hover{outline:2px solid #000;outline-offset:-2px}
caption{text-align:left;font-weight:bold;padding:2px 0}
table.findings{width:100%}table.findings td.why,table.findings td.fix{width:45%;overflow-wrap:anywhere}
.legend span.c{display:inline-block;min-width:20px;text-align:center;font-weight:bold;margin-right:3px}
.legend .ok{background:#1d7a34;color:#fff}.legend .no{background:#c8102e;color:#fff}.legend .part{background:#e0a000}
.legend .unk{background:#6b6b6b;color:#fff}.legend .home{background:#dfe8f5}.legend .na{background:#f6f6f6}
footer{margin-top:28px;color:#666;font-size:12px}
@media print{*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
";

        /// <summary>Writes the report to <paramref name="writer"/> (which the caller owns and flushes).</summary>
        public static void Write(TextWriter writer, ComplianceReport report)
        {
            if (writer == null)
            {
                throw new ArgumentNullException(nameof(writer));
            }

            new Renderer(writer, report ?? throw new ArgumentNullException(nameof(report))).Render();
        }

        /// <summary>
        /// The full path the report will be written to; throws HtmlReportUnwritable, naming the file, when its folder
        /// does not exist or the path is a folder. Shells call it before reading vCenter, so a typo fails at once.
        /// </summary>
        public static string ResolvePath(string path)
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                throw new CpuidMaskException("HtmlReportUnwritable", ErrorKind.InvalidArgument, "The HTML report needs a file name, e.g. compliance.html.", path);
            }

            string full;
            try
            {
                full = Path.GetFullPath(path);
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException)
            {
                throw new CpuidMaskException("HtmlReportUnwritable", ErrorKind.InvalidArgument, $"Cannot write the HTML report to '{path}': {ex.Message} Name a file such as compliance.html.", path, ex);
            }

            if (Directory.Exists(full))
            {
                throw new CpuidMaskException("HtmlReportUnwritable", ErrorKind.InvalidArgument, $"Cannot write the HTML report to '{path}': it is a folder. Name a file in it, e.g. '{Path.Combine(path, "compliance.html")}'.", path);
            }

            string? folder = Path.GetDirectoryName(full);
            if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder))
            {
                throw new CpuidMaskException("HtmlReportUnwritable", ErrorKind.ObjectNotFound, $"Cannot write the HTML report to '{path}': the folder '{folder}' does not exist. Create it or name a file in a folder that exists.", path);
            }

            return full;
        }

        /// <summary>
        /// Writes the report to a file: first to a temporary file beside it, then put in place, so a failure (a full
        /// disk, a folder that cannot be written) leaves no half-written report and any earlier report whole.
        /// Throws HtmlReportUnwritable naming <paramref name="path"/>.
        /// </summary>
        public static void WriteFile(string path, ComplianceReport report)
        {
            if (report == null)
            {
                throw new ArgumentNullException(nameof(report));
            }

            string full = ResolvePath(path);
            try
            {
                ReplacedFile.Write(full, writer => Write(writer, report));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is NotSupportedException)
            {
                string message = ex.Message.TrimEnd();
                throw new CpuidMaskException(
                    "HtmlReportUnwritable",
                    ErrorKind.WriteError,
                    $"Could not write the HTML report '{path}': {message}{(message.EndsWith(".", StringComparison.Ordinal) ? string.Empty : ".")} Name a file in a folder you can write to.",
                    path,
                    ex);
            }
        }

        /// <summary>What one status means, for the totals table.</summary>
        internal static string Meaning(ComplianceStatus status) => status switch
        {
            ComplianceStatus.Compliant => "can move to every connected host of its scope; its masks fit",
            ComplianceStatus.Blocked => "a host of its scope has another CPU vendor: no mask helps",
            ComplianceStatus.Stale => "its masks no longer cover its scope (a host was added)",
            ComplianceStatus.Wider => "its masks hide features every host offers (hosts were retired)",
            ComplianceStatus.PendingPowerCycle => "runs with other features than its masks give: power it off and on",
            ComplianceStatus.Unmasked => "no masks, and a host of its scope would block it",
            _ => "not decidable now (a disconnected host, unreadable masks)",
        };

        /// <summary>A cluster of the summary: a vCenter's cluster, its standalone hosts, or VMs whose host was not read.</summary>
        private sealed class ClusterKey : IEquatable<ClusterKey>
        {
            public ClusterKey(string server, string? name, bool unread)
            {
                Server = server;
                Name = name;
                Unread = unread;
            }

            public string Server { get; }

            /// <summary>The cluster's name; null for standalone hosts.</summary>
            public string? Name { get; }

            public bool Unread { get; }

            public int Rank => Unread ? 2 : Name == null ? 1 : 0;

            public string Label => Unread ? "(host not read)" : Name ?? "(standalone hosts)";

            public bool Equals(ClusterKey? other) => other != null
                && string.Equals(Server, other.Server, StringComparison.OrdinalIgnoreCase)
                && string.Equals(Name, other.Name, StringComparison.OrdinalIgnoreCase)
                && Unread == other.Unread;

            public override bool Equals(object? obj) => Equals(obj as ClusterKey);

            public override int GetHashCode() =>
                StringComparer.OrdinalIgnoreCase.GetHashCode(Server) ^ (Name == null ? 17 : StringComparer.OrdinalIgnoreCase.GetHashCode(Name)) ^ (Unread ? 31 : 0);
        }

        private sealed class Renderer
        {
            private readonly TextWriter _w;
            private readonly ComplianceReport _report;
            private readonly Dictionary<string, ComplianceHost[]> _hostsByName;
            private readonly Dictionary<ComplianceHost, HostDrift> _drift = new Dictionary<ComplianceHost, HostDrift>();
            private readonly Dictionary<string, EvcModeDefinition> _modes = new Dictionary<string, EvcModeDefinition>(StringComparer.OrdinalIgnoreCase);

            public Renderer(TextWriter writer, ComplianceReport report)
            {
                _w = writer;
                _report = report;
                _hostsByName = report.Hosts.GroupBy(h => h.Name, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.OrdinalIgnoreCase);
                foreach (var d in report.Drift ?? Array.Empty<HostDrift>())
                {
                    _drift[d.Host] = d;
                }

                foreach (var mode in report.EvcModes)
                {
                    _modes[mode.Key] = mode;
                }
            }

            public void Render()
            {
                var results = _report.Results;
                string when = _report.CheckedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
                _w.Write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>CPUID compliance, ");
                Text(when);
                _w.Write("</title>\n<style>");
                _w.Write(Css);
                _w.Write("</style>\n</head>\n<body>\n");
                WriteHeader(results, when);
                WriteClusters(results);
                WriteMatrices(results);
                WriteDrift();
                _w.Write("<footer>Written by cpuidmask. Hover over a cell for the features that block the move, as vCenter names them.</footer>\n</body>\n</html>\n");
            }

            private void WriteHeader(IReadOnlyList<VmCompliance> results, string when)
            {
                var servers = _report.Hosts.Select(h => h.Server).Concat(results.Select(r => r.Vm.Server))
                    .Where(s => s.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(s => s, StringComparer.OrdinalIgnoreCase).ThenBy(s => s, StringComparer.Ordinal).ToArray();
                _w.Write("<header>\n<h1>CPUID compliance</h1>\n<p class=\"when\">Checked <time datetime=\"");
                Text(_report.CheckedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                _w.Write("\">");
                Text(when);
                _w.Write("</time>");
                if (servers.Length > 0)
                {
                    _w.Write(servers.Length == 1 ? " on vCenter " : " on vCenters ");
                    Join(servers, s => Element("b", s));
                }

                if (_report.Scope != null)
                {
                    _w.Write("; scope: ");
                    Text(_report.Scope);
                }

                _w.Write(".</p>\n");

                int bad = results.Count(r => !r.IsCompliant);
                int drifted = _report.Drift?.Count ?? 0;
                _w.Write(bad == 0 && drifted == 0 ? "<p class=\"verdict good\">" : "<p class=\"verdict bad\">");
                if (bad == 0)
                {
                    Text(results.Count == 1 ? "The VM checked is compliant" : $"All {Count(results.Count)} VMs checked are compliant");
                }
                else
                {
                    Text($"{Count(bad)} of {Count(results.Count)} VM{(results.Count == 1 ? string.Empty : "s")} {(bad == 1 ? "is" : "are")} not compliant");
                }

                if (drifted > 0)
                {
                    Text($"; {Count(drifted)} host{(drifted == 1 ? string.Empty : "s")} changed since the snapshot");
                }

                _w.Write(".</p>\n<table class=\"totals\">\n<caption>VMs per status</caption>\n<thead><tr><th scope=\"col\">Status</th><th scope=\"col\">VMs</th><th scope=\"col\">Means</th></tr></thead>\n<tbody>\n");
                foreach (var status in Statuses)
                {
                    int n = results.Count(r => r.Status == status);
                    _w.Write($"<tr><th scope=\"row\" class=\"s-{status}\">{status}</th>");
                    Number(n);
                    _w.Write("<td>");
                    Text(Meaning(status));
                    _w.Write("</td></tr>\n");
                }

                _w.Write("</tbody>\n<tfoot><tr><th scope=\"row\">All</th>");
                Number(results.Count);
                _w.Write("<td></td></tr></tfoot>\n</table>\n</header>\n");
            }

            private void WriteClusters(IReadOnlyList<VmCompliance> results)
            {
                var hostsOf = _report.Hosts.GroupBy(h => new ClusterKey(h.Server, h.Cluster, false)).ToDictionary(g => g.Key, g => g.ToArray());
                var vmsOf = results.GroupBy(ClusterOf).ToDictionary(g => g.Key, g => g.ToArray());
                var keys = hostsOf.Keys.Concat(vmsOf.Keys).Distinct()
                    .OrderBy(k => k.Server, StringComparer.OrdinalIgnoreCase).ThenBy(k => k.Server, StringComparer.Ordinal)
                    .ThenBy(k => k.Rank).ThenBy(k => k.Name, StringComparer.OrdinalIgnoreCase).ThenBy(k => k.Name, StringComparer.Ordinal).ToArray();

                _w.Write("<section id=\"clusters\">\n<h2>Clusters</h2>\n<table class=\"summary\">\n<thead><tr><th scope=\"col\">vCenter</th><th scope=\"col\">Cluster</th><th scope=\"col\">EVC mode</th><th scope=\"col\">Hosts</th><th scope=\"col\">VMs</th>");
                foreach (var status in Statuses)
                {
                    _w.Write($"<th scope=\"col\" class=\"s-{status}\">{status}</th>");
                }

                _w.Write("</tr></thead>\n<tbody>\n");
                foreach (var key in keys)
                {
                    var hosts = hostsOf.TryGetValue(key, out var h) ? h : Array.Empty<ComplianceHost>();
                    var vms = vmsOf.TryGetValue(key, out var v) ? v : Array.Empty<VmCompliance>();
                    _w.Write("<tr><td>");
                    Text(key.Server);
                    _w.Write("</td><th scope=\"row\">");
                    Text(key.Label);
                    _w.Write("</th><td>");
                    Text(key.Name == null ? "-" : EvcText(hosts));
                    _w.Write("</td><td class=\"n\">");
                    int disconnected = hosts.Count(x => !x.IsConnected);
                    Text(Count(hosts.Length) + (disconnected > 0 ? $" ({Count(disconnected)} not connected)" : string.Empty));
                    _w.Write("</td>");
                    Number(vms.Length);
                    foreach (var status in Statuses)
                    {
                        Number(vms.Count(r => r.Status == status));
                    }

                    _w.Write("</tr>\n");
                }

                _w.Write("</tbody>\n</table>\n</section>\n");
            }

            private string EvcText(ComplianceHost[] hosts)
            {
                var keys = hosts.Select(h => h.EvcModeKey).Where(k => !string.IsNullOrEmpty(k)).Select(k => k!).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(k => k, StringComparer.Ordinal).ToArray();
                if (keys.Length == 0)
                {
                    return "off";
                }

                return string.Join(", ", keys.Select(k => _modes.TryGetValue(k, out var mode) && mode.Label != k ? $"{mode.Label} ({k})" : k));
            }

            private ClusterKey ClusterOf(VmCompliance r)
            {
                var home = HomeOf(r.Vm);
                return home == null ? new ClusterKey(r.Vm.Server, null, true) : new ClusterKey(home.Server, home.Cluster, false);
            }

            // As the checker finds it: the host of that name on the VM's vCenter, or the only one of that name.
            private ComplianceHost? HomeOf(ComplianceVm vm)
            {
                if (vm.HostName == null || !_hostsByName.TryGetValue(vm.HostName, out var named))
                {
                    return null;
                }

                return named.FirstOrDefault(h => string.Equals(h.Server, vm.Server, StringComparison.OrdinalIgnoreCase)) ?? (named.Length == 1 ? named[0] : null);
            }

            private void WriteMatrices(IReadOnlyList<VmCompliance> results)
            {
                _w.Write("<section id=\"matrix\">\n<h2>Where each VM can move</h2>\n<p class=\"legend\"><span class=\"c ok\">✓</span>can move now · <span class=\"c no\">✗</span>cannot (hover for the features that block it) · <span class=\"c part\">✓✗</span>to some of the other hosts · <span class=\"c unk\">?</span>not checked · <span class=\"c home\">●</span>its host · <span class=\"c na\">–</span>no verdict</p>\n");
                if (results.Count == 0)
                {
                    _w.Write("<p>No VMs were checked.</p>\n");
                }

                // One matrix per scope (a cluster, usually): every VM appears in exactly one row, with a cell per host
                // of its scope. A wide scope (all hosts of a vCenter) is cut by the VMs' own clusters instead: a cell
                // per host of that cluster and one cell for the rest, so the page grows with the VMs times the hosts of
                // their own cluster, never with every VM times every host.
                var groups = results
                    .GroupBy(r => (Server: r.Vm.Server, r.Scope))
                    .OrderBy(g => g.Key.Server, StringComparer.OrdinalIgnoreCase).ThenBy(g => g.Key.Server, StringComparer.Ordinal)
                    .ThenBy(g => g.Key.Scope, StringComparer.OrdinalIgnoreCase).ThenBy(g => g.Key.Scope, StringComparer.Ordinal);
                int index = 0;
                foreach (var group in groups)
                {
                    var rows = SortRows(group);
                    var hosts = rows.SelectMany(r => r.Destinations.Select(d => d.Host)).Concat(rows.Select(r => HomeOf(r.Vm)).Where(h => h != null).Select(h => h!)).Distinct().ToArray();
                    if (hosts.Length <= _report.MaxHostColumns)
                    {
                        WriteMatrix(++index, group.Key.Server, group.Key.Scope, rows, SortHosts(hosts), null);
                        continue;
                    }

                    var byCluster = rows.GroupBy(ClusterOf)
                        .OrderBy(g => g.Key.Rank).ThenBy(g => g.Key.Name, StringComparer.OrdinalIgnoreCase).ThenBy(g => g.Key.Name, StringComparer.Ordinal);
                    foreach (var cluster in byCluster)
                    {
                        var own = SortHosts(hosts.Where(h => !cluster.Key.Unread && new ClusterKey(h.Server, h.Cluster, false).Equals(cluster.Key)));
                        int others = hosts.Length - own.Length;
                        WriteMatrix(++index, group.Key.Server, $"{group.Key.Scope}: the VMs of {(cluster.Key.Name == null ? cluster.Key.Label : "cluster " + cluster.Key.Name)}", cluster.ToArray(), own, others > 0 ? others : (int?)null);
                    }
                }

                _w.Write("</section>\n");
            }

            private static VmCompliance[] SortRows(IEnumerable<VmCompliance> rows) =>
                rows.OrderBy(r => r.Vm.Name, StringComparer.OrdinalIgnoreCase).ThenBy(r => r.Vm.Name, StringComparer.Ordinal)
                    .ThenBy(r => r.Vm.Id ?? string.Empty, StringComparer.Ordinal).ToArray();

            private static ComplianceHost[] SortHosts(IEnumerable<ComplianceHost> hosts) =>
                hosts.OrderBy(h => h.Server, StringComparer.OrdinalIgnoreCase).ThenBy(h => h.Server, StringComparer.Ordinal)
                    .ThenBy(h => h.Name, StringComparer.OrdinalIgnoreCase).ThenBy(h => h.Name, StringComparer.Ordinal).ToArray();

            // others: how many hosts of the scope have no column of their own (one cell sums them up); null when none.
            private void WriteMatrix(int index, string server, string heading, VmCompliance[] rows, ComplianceHost[] hosts, int? others)
            {
                _w.Write($"<section class=\"scope\" id=\"scope-{index.ToString(CultureInfo.InvariantCulture)}\">\n<h3>");
                Text(heading);
                if (server.Length > 0)
                {
                    _w.Write(" <small>");
                    Text(server);
                    _w.Write("</small>");
                }

                _w.Write("</h3>\n<table class=\"matrix\">\n<thead><tr><th scope=\"col\">VM</th><th scope=\"col\">Status</th>");
                foreach (var host in hosts)
                {
                    bool drifted = _drift.TryGetValue(host, out var drift);
                    _w.Write(drifted ? "<th scope=\"col\" class=\"h drift\" title=\"" : "<th scope=\"col\" class=\"h\" title=\"");
                    Text(HostTitle(host, drift));
                    _w.Write("\"><span>");
                    Text(host.Name + (drifted ? " △" : string.Empty));
                    _w.Write("</span></th>");
                }

                if (others != null)
                {
                    _w.Write("<th scope=\"col\" class=\"h\" title=\"");
                    Text($"the {Count(others.Value)} other host{(others == 1 ? string.Empty : "s")} of the scope: how many the VM can (✓) and cannot (✗) move to");
                    _w.Write("\"><span>");
                    Text($"other hosts ({Count(others.Value)})");
                    _w.Write("</span></th>");
                }

                _w.Write("</tr></thead>\n<tbody>\n");
                var columns = new HashSet<ComplianceHost>(hosts);
                foreach (var r in rows)
                {
                    WriteRow(r, HomeOf(r.Vm), hosts, others == null ? null : columns);
                }

                _w.Write("</tbody>\n</table>\n");
                WriteFindings(rows);
                _w.Write("</section>\n");
            }

            private static string HostTitle(ComplianceHost host, HostDrift? drift)
            {
                var parts = new List<string> { host.Cluster == null ? "standalone host" : "cluster " + host.Cluster };
                if (host.Vendor != null)
                {
                    parts.Add(host.Vendor);
                }

                if (!string.IsNullOrEmpty(host.EvcModeKey))
                {
                    parts.Add("EVC " + host.EvcModeKey);
                }

                if (!host.IsConnected)
                {
                    parts.Add(host.ConnectionState!);
                }

                if (drift != null)
                {
                    parts.Add("changed since the snapshot: " + DriftText(drift));
                }

                return host.Name + ": " + string.Join(", ", parts);
            }

            // columns: with a cell for the other hosts, the hosts that have columns of their own.
            private void WriteRow(VmCompliance r, ComplianceHost? home, ComplianceHost[] hosts, HashSet<ComplianceHost>? columns)
            {
                var vm = r.Vm;
                var about = new List<string> { (vm.PowerState ?? "power state unknown") + " on " + (vm.HostName ?? "an unknown host") };
                if (vm.HardwareVersion != null)
                {
                    about.Add("vmx-" + vm.HardwareVersion.Value.ToString(CultureInfo.InvariantCulture));
                }

                if (r.Basis.Length > 0)
                {
                    about.Add("judged by " + r.Basis);
                }

                _w.Write("<tr><th scope=\"row\" title=\"");
                Text(string.Join("; ", about));
                _w.Write("\">");
                Text(vm.Name);
                _w.Write($"</th><td class=\"st s-{r.Status}\" title=\"");
                // The reason of a VM that is not compliant is in the table below the matrix; here, once, the fix.
                string fix = r.DescribeFix(_report.FixCommands);
                Text(r.IsCompliant || fix.Length == 0 ? r.Reason : "Fix: " + fix);
                _w.Write($"\">{r.Status}</td>");

                var verdicts = new Dictionary<ComplianceHost, DestinationVerdict>();
                foreach (var d in r.Destinations)
                {
                    verdicts[d.Host] = d;
                }

                foreach (var host in hosts)
                {
                    HostCell(r, host, home, verdicts);
                }

                if (columns != null)
                {
                    OthersCell(r, r.Destinations.Where(d => !columns.Contains(d.Host)).ToArray());
                }

                _w.Write("</tr>\n");
            }

            private void HostCell(VmCompliance r, ComplianceHost host, ComplianceHost? home, Dictionary<ComplianceHost, DestinationVerdict> verdicts)
            {
                if (ReferenceEquals(host, home))
                {
                    Cell("home", "its host", "●", $"{r.Vm.Name} is on {host.Name}");
                }
                else if (!verdicts.TryGetValue(host, out var d))
                {
                    Cell("na", "no verdict", "–", r.Status == ComplianceStatus.Unknown ? $"{host.Name} not checked: {r.Reason}" : $"{host.Name} is not in the scope of {r.Vm.Name}");
                }
                else if (d.Outcome == MoveOutcome.CanMove)
                {
                    Cell("ok", "can move", "✓", $"can move to {host.Name} now");
                }
                else if (d.Outcome == MoveOutcome.Blocked)
                {
                    Cell("no", "cannot move", "✗", $"{r.Vm.Name} cannot move to {host.Name}:\n" + BlockedText(d));
                }
                else
                {
                    Cell("unk", "not checked", "?", $"{host.Name} not checked: {d.Reason}");
                }
            }

            // The hosts of a wide scope outside the VM's own cluster, in one cell: how many it can and cannot move
            // to, the first blocked hosts by name and every feature that blocks it there, once.
            private void OthersCell(VmCompliance r, DestinationVerdict[] others)
            {
                int can = others.Count(d => d.Outcome == MoveOutcome.CanMove);
                var blocked = others.Where(d => d.Outcome == MoveOutcome.Blocked).ToArray();
                int unknown = others.Length - can - blocked.Length;
                var title = new StringBuilder($"{r.Vm.Name}, the other hosts of its scope: can move to {Count(can)}, cannot move to {Count(blocked.Length)}");
                if (unknown > 0)
                {
                    title.Append($", {Count(unknown)} not checked");
                }

                const int Listed = 10;
                if (blocked.Length > 0)
                {
                    title.Append("\nCannot move to: ").Append(string.Join(", ", blocked.Take(Listed).Select(d => d.HostName)));
                    if (blocked.Length > Listed)
                    {
                        title.Append($" and {Count(blocked.Length - Listed)} more");
                    }

                    var features = blocked.SelectMany(d => d.Blockers).Select(b => b.Label).Distinct(StringComparer.Ordinal).ToArray();
                    var reasons = blocked.Where(d => d.Blockers.Count == 0 && d.Reason != null).Select(d => d.Reason!).Distinct(StringComparer.Ordinal).ToArray();
                    if (features.Length > 0)
                    {
                        title.Append("\nBlocked by: ").Append(string.Join(", ", features));
                    }

                    foreach (string reason in reasons.Take(Listed))
                    {
                        title.Append('\n').Append(reason);
                    }
                }

                string glyphs = (can > 0 ? "✓" + Count(can) : string.Empty) + (can > 0 && blocked.Length > 0 ? " " : string.Empty) + (blocked.Length > 0 ? "✗" + Count(blocked.Length) : string.Empty);
                if (can > 0 && blocked.Length > 0)
                {
                    Cell("part", "can move to some", glyphs, title.ToString());
                }
                else if (blocked.Length > 0)
                {
                    Cell("no", "cannot move", glyphs, title.ToString());
                }
                else if (can > 0)
                {
                    Cell("ok", "can move", glyphs, title.ToString());
                }
                else
                {
                    Cell(unknown > 0 ? "unk" : "na", unknown > 0 ? "not checked" : "no verdict", unknown > 0 ? "?" : "–", r.Status == ComplianceStatus.Unknown ? $"not checked: {r.Reason}" : title.ToString());
                }
            }

            // vCenter's wording per feature; what the VM needs and the host offers only where it says more than
            // "needs it, host lacks it" (a numeric minimum such as a cache line size).
            private static string BlockedText(DestinationVerdict d) =>
                d.Blockers.Count == 0
                    ? d.Reason ?? "blocked"
                    : string.Join("\n", d.Blockers.Select(b => b.Required == "Bool:Min:1" && (b.HostValue == null || b.HostValue == "0")
                        ? b.Label
                        : $"{b.Label} (needs {b.Required}, host has {b.HostValue ?? "none"})"));

            private void Cell(string kind, string label, string glyph, string title)
            {
                _w.Write($"<td class=\"c {kind}\" aria-label=\"{label}\" title=\"");
                Text(title);
                _w.Write("\">");
                _w.Write(glyph);
                _w.Write("</td>");
            }

            private void WriteFindings(VmCompliance[] rows)
            {
                var findings = rows.Where(r => !r.IsCompliant).ToArray();
                if (findings.Length == 0)
                {
                    return;
                }

                _w.Write("<table class=\"findings\">\n<thead><tr><th scope=\"col\">VM</th><th scope=\"col\">Status</th><th scope=\"col\">Why</th><th scope=\"col\">Fix</th></tr></thead>\n<tbody>\n");
                foreach (var r in findings)
                {
                    _w.Write("<tr><th scope=\"row\">");
                    Text(r.Vm.Name);
                    _w.Write($"</th><td class=\"st s-{r.Status}\">{r.Status}</td><td class=\"why\">");
                    Text(r.Reason);
                    _w.Write("</td><td class=\"fix\">");
                    Text(r.DescribeFix(_report.FixCommands));
                    _w.Write("</td></tr>\n");
                }

                _w.Write("</tbody>\n</table>\n");
            }

            private void WriteDrift()
            {
                if (_report.Drift == null)
                {
                    return;
                }

                _w.Write("<section id=\"drift\">\n<h2>Hosts changed since the snapshot</h2>\n");
                if (_report.Drift.Count == 0)
                {
                    _w.Write("<p>No host's CPU features changed since the snapshot.</p>\n</section>\n");
                    return;
                }

                _w.Write("<table class=\"drift\">\n<thead><tr><th scope=\"col\">Host</th><th scope=\"col\">vCenter</th><th scope=\"col\">Cluster</th><th scope=\"col\">Lost</th><th scope=\"col\">Gained</th><th scope=\"col\">VMs that cannot move there now</th></tr></thead>\n<tbody>\n");
                var drift = _report.Drift
                    .OrderBy(d => d.Host.Server, StringComparer.OrdinalIgnoreCase).ThenBy(d => d.Host.Server, StringComparer.Ordinal)
                    .ThenBy(d => d.HostName, StringComparer.OrdinalIgnoreCase).ThenBy(d => d.HostName, StringComparer.Ordinal);
                foreach (var d in drift)
                {
                    _w.Write("<tr><th scope=\"row\">");
                    Text(d.HostName);
                    _w.Write("</th><td>");
                    Text(d.Host.Server);
                    _w.Write("</td><td>");
                    Text(d.Host.Cluster ?? "-");
                    _w.Write("</td><td class=\"lost\">");
                    Text(d.Lost.Count == 0 ? "-" : string.Join(", ", d.Lost.Select(f => f.DisplayName)));
                    _w.Write("</td><td class=\"gained\">");
                    Text(d.Gained.Count == 0 ? "-" : string.Join(", ", d.Gained.Select(f => f.DisplayName)));
                    _w.Write("</td><td>");
                    Text(d.BlockedVms.Count == 0 ? "-" : string.Join(", ", d.BlockedVms.OrderBy(v => v, StringComparer.OrdinalIgnoreCase).ThenBy(v => v, StringComparer.Ordinal)));
                    _w.Write("</td></tr>\n");
                }

                _w.Write("</tbody>\n</table>\n</section>\n");
            }

            private static string DriftText(HostDrift d) =>
                "lost " + (d.Lost.Count == 0 ? "nothing" : string.Join(", ", d.Lost.Select(f => f.DisplayName)))
                + "; gained " + (d.Gained.Count == 0 ? "nothing" : string.Join(", ", d.Gained.Select(f => f.DisplayName)));

            private void Number(int n)
            {
                _w.Write(n == 0 ? "<td class=\"n zero\">0</td>" : $"<td class=\"n\">{Count(n)}</td>");
            }

            private void Element(string name, string text)
            {
                _w.Write('<');
                _w.Write(name);
                _w.Write('>');
                Text(text);
                _w.Write("</");
                _w.Write(name);
                _w.Write('>');
            }

            private void Join(IReadOnlyList<string> items, Action<string> write)
            {
                for (int i = 0; i < items.Count; i++)
                {
                    if (i > 0)
                    {
                        _w.Write(", ");
                    }

                    write(items[i]);
                }
            }

            private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

            /// <summary>Escapes for text and for double-quoted attributes alike; control characters HTML forbids become U+FFFD.</summary>
            private void Text(string? s) => Escape(_w, s);
        }

        internal static void Escape(TextWriter w, string? s)
        {
            if (string.IsNullOrEmpty(s))
            {
                return;
            }

            int start = 0;
            for (int i = 0; i < s!.Length; i++)
            {
                char c = s[i];
                string? replacement = c switch
                {
                    '&' => "&amp;",
                    '<' => "&lt;",
                    '>' => "&gt;",
                    '"' => "&quot;",
                    '\'' => "&#39;",
                    '\r' => "&#13;",
                    _ => c < 0x20 && c != '\n' && c != '\t' || (c >= 0x7F && c <= 0x9F) ? "\uFFFD" : null,
                };
                if (replacement == null)
                {
                    continue;
                }

                if (i > start)
                {
                    w.Write(s.Substring(start, i - start));
                }

                w.Write(replacement);
                start = i + 1;
            }

            if (start == 0)
            {
                w.Write(s);
            }
            else if (start < s.Length)
            {
                w.Write(s.Substring(start));
            }
        }
    }
}
