using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using CpuidMask.Engine;
using CpuidMask.Engine.Compliance;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Tests.Analysis;
using Xunit;

namespace CpuidMask.Engine.Tests.Compliance
{
    public class ComplianceHtmlTests
    {
        private static readonly DateTimeOffset CheckedAt = new DateTimeOffset(2026, 11, 27, 9, 30, 0, TimeSpan.FromHours(1));
        private static readonly CpuidProfile Avoton = DumpProfiles.Find("Avoton");
        private static readonly CpuidProfile Ivy = DumpProfiles.Find("00306A9_IvyBridge_");
        private static readonly CpuidProfile Rome = DumpProfiles.Find("Rome");

        [Fact]
        public void Write_VmBlockedByAHost_HasARedCellWithEachBlockingFeatureInVCentersWordingAndTheFix()
        {
            var hosts = Cluster("Lab", ("esx-avoton", Avoton), ("esx-ivy", Ivy));
            var vm = new ComplianceVm("vc01", "vm01") { HostName = "esx-ivy", PowerState = "poweredOff", HardwareVersion = 13 };
            var result = new ComplianceChecker().Check(new[] { vm }, hosts).Single();

            string html = Render(new[] { result }, hosts);

            var cells = CellsOf(html, "vm01");
            Assert.Equal(ComplianceStatus.Unmasked, result.Status);
            Assert.Equal(new[] { "st s-Unmasked", "c no", "c home" }, cells.Select(c => c.Class));
            Assert.Equal("✗", cells[1].Text);
            Assert.Equal("cannot move", cells[1].AriaLabel);
            Assert.StartsWith("vm01 cannot move to esx-avoton:\n", cells[1].Title, StringComparison.Ordinal);
            Assert.Equal(
                result.Destinations.Single().Blockers.Select(b => b.Label),
                cells[1].Title.Split('\n').Skip(1));
            Assert.Contains("\nAdvanced Vector Extensions (AVX)\n", cells[1].Title, StringComparison.Ordinal);
            Assert.Equal("●", cells[2].Text);
            Assert.Equal("Unmasked", cells[0].Text);
            Assert.Equal("Fix: " + result.Fix, cells[0].Title);
            Assert.Contains($"<tr><th scope=\"row\">vm01</th><td class=\"st s-Unmasked\">Unmasked</td><td class=\"why\">{Encode(result.Reason)}</td><td class=\"fix\">{Encode(result.Fix)}</td></tr>", html, StringComparison.Ordinal);
        }

        [Fact]
        public void Write_CompliantVm_HasAGreenCellForEachHostItCanMoveTo()
        {
            var hosts = Cluster("Lab", ("esx-avoton", Avoton), ("esx-ivy", Ivy));
            var vm = new ComplianceVm("vc01", "vm01") { HostName = "esx-avoton", PowerState = "poweredOff", StoredMask = ComplianceCheckerTests.WorkedMask() };
            var result = new ComplianceChecker().Check(new[] { vm }, hosts).Single();

            var cells = CellsOf(Render(new[] { result }, hosts), "vm01");

            Assert.Equal(ComplianceStatus.Compliant, result.Status);
            Assert.Equal(new[] { "st s-Compliant", "c home", "c ok" }, cells.Select(c => c.Class));
            Assert.Equal("✓", cells[2].Text);
            Assert.Equal("can move", cells[2].AriaLabel);
            Assert.Equal("can move to esx-ivy now", cells[2].Title);
            Assert.Equal(result.Reason, cells[0].Title);
            Assert.DoesNotContain("class=\"findings\"", Render(new[] { result }, hosts), StringComparison.Ordinal);
        }

        [Fact]
        public void Write_NamesWithMarkupQuotesAndAmpersands_AreEscapedInTextAndAttributes()
        {
            const string Vm = "<script>alert('x')</script> & \"q\"";
            const string Host = "esx\"><img src=x onerror=alert(1)>";
            const string ClusterName = "Lab <A&B>";
            var hosts = new[]
            {
                new ComplianceHost("vc<01>", Host, Avoton.WithName(Host)) { Cluster = ClusterName },
                new ComplianceHost("vc<01>", "esx-ivy", Ivy.WithName("esx-ivy")) { Cluster = ClusterName },
            };
            var vm = new ComplianceVm("vc<01>", Vm) { HostName = "esx-ivy", PowerState = "poweredOff" };
            var results = new ComplianceChecker().Check(new[] { vm }, hosts);

            string html = Render(results, hosts);

            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<A&B>", html, StringComparison.Ordinal);
            Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;", html, StringComparison.Ordinal);
            Assert.Contains("title=\"esx&quot;&gt;&lt;img src=x onerror=alert(1)&gt;: cluster Lab &lt;A&amp;B&gt;", html, StringComparison.Ordinal);
            Assert.Contains("<b>vc&lt;01&gt;</b>", html, StringComparison.Ordinal);
            Assert.Single(CellsOf(html, Vm), c => c.Class == "c no");
        }

        [Fact]
        public void Escape_ControlCharacters_BecomeTheReplacementCharacter()
        {
            var writer = new StringWriter();

            ComplianceHtml.Escape(writer, "a\u0001b\u0085c\td\ne");

            Assert.Equal("a\uFFFDb\uFFFDc\td\ne", writer.ToString());
        }

        [Fact]
        public void Write_EveryStatus_IsCountedInTheTotalsAndPerCluster()
        {
            var hosts = new[]
            {
                new ComplianceHost("vc01", "esx-avoton", Avoton.WithName("esx-avoton")) { Cluster = "Lab" },
                new ComplianceHost("vc01", "esx-ivy", Ivy.WithName("esx-ivy")) { Cluster = "Lab" },
                new ComplianceHost("vc01", "esx-gone", null) { Cluster = "Lab", ConnectionState = "disconnected" },
                new ComplianceHost("vc01", "esx-rome", Rome.WithName("esx-rome")),
            };
            var vms = new[]
            {
                new ComplianceVm("vc01", "unmasked") { HostName = "esx-ivy", PowerState = "poweredOff" },
                new ComplianceVm("vc01", "fine") { HostName = "esx-avoton", PowerState = "poweredOff", StoredMask = ComplianceCheckerTests.WorkedMask() },
                new ComplianceVm("vc01", "stranded") { HostName = "esx-gone", PowerState = "poweredOff" },
                new ComplianceVm("vc01", "amd") { HostName = "esx-rome", PowerState = "poweredOff" },
                new ComplianceVm("vc01", "lost") { HostName = "esx-nowhere", PowerState = "poweredOff" },
            };
            var results = new ComplianceChecker().Check(vms, hosts);

            string html = Render(results, hosts);

            Assert.Contains("<tr><th scope=\"row\" class=\"s-Compliant\">Compliant</th><td class=\"n\">2</td>", html, StringComparison.Ordinal);
            Assert.Contains("<tr><th scope=\"row\" class=\"s-Unmasked\">Unmasked</th><td class=\"n\">1</td>", html, StringComparison.Ordinal);
            Assert.Contains("<tr><th scope=\"row\" class=\"s-Unknown\">Unknown</th><td class=\"n\">2</td>", html, StringComparison.Ordinal);
            Assert.Contains("<tr><th scope=\"row\" class=\"s-Stale\">Stale</th><td class=\"n zero\">0</td>", html, StringComparison.Ordinal);
            Assert.Contains("<tfoot><tr><th scope=\"row\">All</th><td class=\"n\">5</td>", html, StringComparison.Ordinal);
            Assert.Contains("3 of 5 VMs are not compliant.", html, StringComparison.Ordinal);

            // Per cluster: VMs, then one column per status in the enum's order.
            Assert.Contains("<th scope=\"row\">Lab</th><td>off</td><td class=\"n\">3 (1 not connected)</td><td class=\"n\">3</td><td class=\"n\">1</td><td class=\"n zero\">0</td><td class=\"n zero\">0</td><td class=\"n zero\">0</td><td class=\"n zero\">0</td><td class=\"n\">1</td><td class=\"n\">1</td></tr>", html, StringComparison.Ordinal);
            Assert.Contains("<th scope=\"row\">(standalone hosts)</th><td>-</td><td class=\"n\">1</td><td class=\"n\">1</td><td class=\"n\">1</td>", html, StringComparison.Ordinal);
            Assert.Contains("<th scope=\"row\">(host not read)</th><td>-</td><td class=\"n\">0</td><td class=\"n\">1</td>", html, StringComparison.Ordinal);

            // The VM on the disconnected host: its own host, and no verdict for the others, with the reason.
            var stranded = CellsOf(html, "stranded");
            Assert.Equal(new[] { "st s-Unknown", "c na", "c home", "c na" }, stranded.Select(c => c.Class));
            Assert.Contains("esx-gone is disconnected", stranded[1].Title, StringComparison.Ordinal);

            // The VM that can move to the other Lab host but not to the disconnected one.
            var fine = CellsOf(html, "fine");
            Assert.Equal(new[] { "st s-Compliant", "c home", "c unk", "c ok" }, fine.Select(c => c.Class));
            Assert.Equal("?", fine[2].Text);
        }

        [Fact]
        public void Write_HostOfAnotherVendorInTheScope_IsARedCellWithTheReason()
        {
            var hosts = new[]
            {
                new ComplianceHost("vc01", "esx-ivy", Ivy.WithName("esx-ivy")),
                new ComplianceHost("vc01", "esx-rome", Rome.WithName("esx-rome")),
            };
            var vm = new ComplianceVm("vc01", "vm01") { HostName = "esx-ivy", PowerState = "poweredOff" };
            var result = new ComplianceChecker().Check(new[] { vm }, hosts, ComplianceScope.Hosts(new[] { "esx-ivy", "esx-rome" })).Single();

            var cells = CellsOf(Render(new[] { result }, hosts), "vm01");

            Assert.Equal(ComplianceStatus.Blocked, result.Status);
            Assert.Equal(new[] { "st s-Blocked", "c home", "c no" }, cells.Select(c => c.Class));
            Assert.Contains(result.Destinations.Single().Reason!, cells[2].Title, StringComparison.Ordinal);
        }

        [Fact]
        public void Write_HostDrift_ListsLostAndGainedFeaturesAndMarksTheHostsColumn()
        {
            var hosts = Cluster("Lab", ("esx-a", Ivy), ("esx-b", Avoton));
            var snapshot = new[] { Ivy.WithName("esx-a"), Ivy.WithName("esx-b") };
            var vm = new ComplianceVm("vc01", "vm01") { HostName = "esx-a", PowerState = "poweredOff" };
            var results = new ComplianceChecker().Check(new[] { vm }, hosts);
            var drift = HostDriftDetector.Compare(snapshot, hosts, results);

            string html = Render(results, hosts, drift);

            var row = Regex.Match(html, "<tr><th scope=\"row\">esx-b</th><td>vc01</td><td>Lab</td><td class=\"lost\">([^<]*)</td><td class=\"gained\">([^<]*)</td><td>vm01</td></tr>");
            Assert.True(row.Success, html);
            Assert.Contains("AVX", row.Groups[1].Value, StringComparison.Ordinal);
            Assert.Contains(drift.Single().Gained.First().DisplayName, row.Groups[2].Value, StringComparison.Ordinal);
            Assert.Matches("<th scope=\"col\" class=\"h drift\" title=\"esx-b: cluster Lab, GenuineIntel, changed since the snapshot: lost [^\"]*AVX", html);
            Assert.Contains("<span>esx-b △</span>", html, StringComparison.Ordinal);
            Assert.Contains("1 host changed since the snapshot", html, StringComparison.Ordinal);
        }

        [Fact]
        public void Write_SnapshotComparedAndNothingChanged_SaysSo_AndWithoutASnapshotHasNoDriftSection()
        {
            var hosts = Cluster("Lab", ("esx-a", Ivy));
            var results = new ComplianceChecker().Check(new[] { new ComplianceVm("vc01", "vm01") { HostName = "esx-a" } }, hosts);

            Assert.Contains("No host's CPU features changed since the snapshot.", Render(results, hosts, Array.Empty<HostDrift>()), StringComparison.Ordinal);
            Assert.DoesNotContain("id=\"drift\"", Render(results, hosts), StringComparison.Ordinal);
        }

        [Fact]
        public void Write_SameCheckInAnotherOrder_GivesTheSameBytes()
        {
            var hosts = Cluster("Lab", ("esx-avoton", Avoton), ("esx-ivy", Ivy), ("esx-ivy2", Ivy));
            var vms = new[]
            {
                new ComplianceVm("vc01", "b") { HostName = "esx-ivy", PowerState = "poweredOff" },
                new ComplianceVm("vc01", "a") { HostName = "esx-avoton", PowerState = "poweredOff", StoredMask = ComplianceCheckerTests.WorkedMask() },
                new ComplianceVm("vc01", "c") { HostName = "esx-ivy2", PowerState = "poweredOff" },
            };
            var checker = new ComplianceChecker();

            string first = Render(checker.Check(vms, hosts), hosts);
            string second = Render(checker.Check(vms.Reverse().ToArray(), hosts.Reverse().ToArray()), hosts.Reverse().ToArray());

            Assert.Equal(first, second);
            Assert.True(first.IndexOf(">a</th>", StringComparison.Ordinal) < first.IndexOf(">b</th>", StringComparison.Ordinal));
            Assert.Contains("<time datetime=\"2026-11-27T08:30:00Z\">2026-11-27 08:30 UTC</time>", first, StringComparison.Ordinal);
        }

        [Fact]
        public void Write_IsSelfContained_NoScriptNoExternalResource()
        {
            var hosts = Cluster("Lab", ("esx-avoton", Avoton), ("esx-ivy", Ivy));
            var results = new ComplianceChecker().Check(new[] { new ComplianceVm("vc01", "vm01") { HostName = "esx-ivy" } }, hosts);

            string html = Render(results, hosts);

            Assert.StartsWith("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">", html, StringComparison.Ordinal);
            Assert.EndsWith("</html>\n", html, StringComparison.Ordinal);
            Assert.DoesNotMatch("<script|<link|<img|src=|href=|url\\(|@import", html);
        }

        [Fact]
        public void Write_ScopeWiderThanTheMatrixLimit_HasAMatrixPerClusterOfTheVmsWithOneCellForTheOtherHosts()
        {
            var hosts = Cluster("Ivys", ("esx-i1", Ivy), ("esx-i2", Ivy), ("esx-i3", Ivy))
                .Concat(Cluster("Avotons", ("esx-a1", Avoton), ("esx-a2", Avoton)))
                .ToArray();
            var vms = new[]
            {
                new ComplianceVm("vc01", "vm-i") { HostName = "esx-i1", PowerState = "poweredOff" },
                new ComplianceVm("vc01", "vm-a") { HostName = "esx-a2", PowerState = "poweredOff", StoredMask = ComplianceCheckerTests.WorkedMask() },
            };
            var results = new ComplianceChecker().Check(vms, hosts, ComplianceScope.AllHosts);

            string html = Render(results, hosts, maxHostColumns: 4);

            var ivyVm = CellsOf(html, "vm-i");
            Assert.Equal(new[] { "st s-Unmasked", "c home", "c ok", "c ok", "c no" }, ivyVm.Select(c => c.Class));
            Assert.Equal("✗2", ivyVm[4].Text);
            Assert.Contains("can move to 0, cannot move to 2\nCannot move to: esx-a1, esx-a2\nBlocked by: ", ivyVm[4].Title, StringComparison.Ordinal);
            Assert.Contains("Advanced Vector Extensions (AVX)", ivyVm[4].Title, StringComparison.Ordinal);
            var avotonVm = CellsOf(html, "vm-a");
            Assert.Equal(new[] { "st s-Compliant", "c ok", "c home", "c ok" }, avotonVm.Select(c => c.Class));
            Assert.Equal("✓3", avotonVm[3].Text);
            Assert.Contains("<h3>all GenuineIntel hosts: the VMs of cluster Avotons <small>vc01</small></h3>", html, StringComparison.Ordinal);
            Assert.Contains("<h3>all GenuineIntel hosts: the VMs of cluster Ivys <small>vc01</small></h3>", html, StringComparison.Ordinal);
            Assert.Equal(2, Regex.Matches(html, "<span>other hosts \\(\\d\\)</span>").Count);
        }

        [Fact]
        public void Write_AllHostsOfABigVCenter_EachRowHasItsClustersHostsAndOneCellForTheRest()
        {
            var hosts = Enumerable.Range(0, 100)
                .Select(i => new ComplianceHost("vc01", $"esx-{i:D3}", (i % 2 == 0 ? Ivy : Avoton).WithName($"esx-{i:D3}")) { Cluster = $"C{i / 20}" })
                .ToArray();
            var vms = Enumerable.Range(0, 50).Select(i => new ComplianceVm("vc01", $"vm{i:D2}") { HostName = $"esx-{i * 2:D3}", PowerState = "poweredOff" }).ToArray();
            var results = new ComplianceChecker().Check(vms, hosts, ComplianceScope.AllHosts);

            string html = Render(results, hosts);

            Assert.All(vms, vm => Assert.Equal(1 + 20 + 1, CellsOf(html, vm.Name).Length));
            Assert.Equal(5, Regex.Matches(html, "<table class=\"matrix\">").Count);
        }

        [Fact]
        public void Write_OtherHostsSomeOfWhichBlock_IsAPartCell()
        {
            var hosts = Cluster("Home", ("esx-i1", Ivy), ("esx-i2", Ivy))
                .Concat(Cluster("Other", ("esx-i3", Ivy), ("esx-a1", Avoton)))
                .ToArray();
            var vm = new ComplianceVm("vc01", "vm01") { HostName = "esx-i1", PowerState = "poweredOff" };
            var results = new ComplianceChecker().Check(new[] { vm }, hosts, ComplianceScope.AllHosts);

            var cells = CellsOf(Render(results, hosts, maxHostColumns: 2), "vm01");

            Assert.Equal(new[] { "st s-Unmasked", "c home", "c ok", "c part" }, cells.Select(c => c.Class));
            Assert.Equal("✓1 ✗1", cells[3].Text);
            Assert.Equal("can move to some", cells[3].AriaLabel);
        }

        [Fact]
        public void WriteFile_WritesTheReportWholeAndLeavesNoTemporaryFile()
        {
            string dir = Path.Combine(Path.GetTempPath(), "cpuidmask-html-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                var hosts = Cluster("Lab", ("esx-a", Ivy));
                var report = new ComplianceReport(new ComplianceChecker().Check(new[] { new ComplianceVm("vc01", "vm01") { HostName = "esx-a" } }, hosts), hosts, CheckedAt);
                string path = Path.Combine(dir, "report.html");
                File.WriteAllText(path, "an older report");

                ComplianceHtml.WriteFile(path, report);

                var writer = new StringWriter();
                ComplianceHtml.Write(writer, report);
                Assert.Equal(writer.ToString(), File.ReadAllText(path));
                Assert.Equal(new[] { path }, Directory.GetFiles(dir));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void WriteFile_FolderMissingOrAFolderGiven_NamesTheFile()
        {
            var report = new ComplianceReport(Array.Empty<VmCompliance>(), Array.Empty<ComplianceHost>(), CheckedAt);
            string missing = Path.Combine(Path.GetTempPath(), "cpuidmask-no-such-" + Guid.NewGuid().ToString("N"), "report.html");

            var notThere = Assert.Throws<CpuidMaskException>(() => ComplianceHtml.WriteFile(missing, report));
            var folder = Assert.Throws<CpuidMaskException>(() => ComplianceHtml.WriteFile(Path.GetTempPath(), report));

            Assert.Equal("HtmlReportUnwritable", notThere.ErrorId);
            Assert.Contains(missing, notThere.Message, StringComparison.Ordinal);
            Assert.Contains("does not exist", notThere.Message, StringComparison.Ordinal);
            Assert.Equal("HtmlReportUnwritable", folder.ErrorId);
            Assert.Contains("is a folder", folder.Message, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.GetDirectoryName(missing)));
        }

        private static ComplianceHost[] Cluster(string name, params (string Name, CpuidProfile Profile)[] hosts) =>
            hosts.Select(h => new ComplianceHost("vc01", h.Name, h.Profile.WithName(h.Name)) { Cluster = name }).ToArray();

        private static string Render(IReadOnlyList<VmCompliance> results, IReadOnlyList<ComplianceHost> hosts, IReadOnlyList<HostDrift>? drift = null, int maxHostColumns = ComplianceReport.DefaultMaxHostColumns)
        {
            var writer = new StringWriter();
            ComplianceHtml.Write(writer, new ComplianceReport(results, hosts, CheckedAt) { Drift = drift, MaxHostColumns = maxHostColumns });
            return writer.ToString();
        }

        private static string Encode(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;").Replace("'", "&#39;");

        private static string Decode(string html) => System.Net.WebUtility.HtmlDecode(html);

        /// <summary>The cells of a VM's matrix row (its status, then one per column), attributes decoded.</summary>
        internal static (string Class, string? AriaLabel, string Title, string Text)[] CellsOf(string html, string vm)
        {
            var row = Regex.Match(html, "<tr><th scope=\"row\" title=\"[^\"]*\">" + Regex.Escape(Encode(vm)) + "</th>(.*?)</tr>", RegexOptions.Singleline);
            Assert.True(row.Success, $"no matrix row for {vm}");
            return Regex.Matches(row.Groups[1].Value, "<td class=\"([^\"]*)\"(?: aria-label=\"([^\"]*)\")? title=\"([^\"]*)\">([^<]*)</td>")
                .Cast<Match>()
                .Select(m => (m.Groups[1].Value, m.Groups[2].Success ? m.Groups[2].Value : null, Decode(m.Groups[3].Value), Decode(m.Groups[4].Value)))
                .ToArray();
        }
    }
}
