using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit;

namespace CpuidMask.Integration.Tests
{
    /// <summary>
    /// 'cpuidmask check --html' against the compliance simulator, and the report as a real browser (headless
    /// chromium) parses and draws it: the cells it holds, their colours on screen, and that it needs no script.
    /// </summary>
    public class ComplianceReportTests : IClassFixture<ComplianceVcsim>
    {
        // Run in the browser on a copy of the report, after it: what the browser parsed and laid out, as JSON in an
        // attribute (which changes nothing on screen). The report itself carries no script.
        private const string Probe = @"<script>
(function () {
  var out = { scripts: document.scripts.length, title: document.title, totals: {}, matrices: [] };
  document.querySelectorAll('table.totals tbody tr').forEach(function (tr) {
    out.totals[tr.querySelector('th').textContent] = Number(tr.querySelector('td').textContent);
  });
  document.querySelectorAll('table.matrix').forEach(function (table) {
    var m = { heading: table.closest('section').querySelector('h3').textContent, hosts: [], rows: [] };
    table.querySelectorAll('thead th.h').forEach(function (th) { m.hosts.push(th.textContent); });
    table.querySelectorAll('tbody tr').forEach(function (tr) {
      var row = { vm: tr.querySelector('th').textContent, cells: [] };
      tr.querySelectorAll('td').forEach(function (td) {
        var r = td.getBoundingClientRect();
        row.cells.push({ cls: td.className, aria: td.getAttribute('aria-label'), title: td.title, text: td.textContent,
          bg: getComputedStyle(td).backgroundColor, x: r.left, y: r.top, w: r.width, h: r.height });
      });
      m.rows.push(row);
    });
    out.matrices.push(m);
  });
  document.body.setAttribute('data-probe', JSON.stringify(out));
})();
</script>
";

        private const int Width = 1400;
        private const int Height = 4000;

        private readonly ComplianceVcsim _vcsim;

        public ComplianceReportTests(ComplianceVcsim vcsim) => _vcsim = vcsim;

        [Fact]
        public void CheckHtml_InAHeadlessBrowser_HasEveryVmWithRedAndGreenCellsAndTheBlockersOnHover()
        {
            string dir = VcsimCli.TempDirectory();
            try
            {
                string report = Path.Combine(dir, "compliance.html");
                var run = VcsimCli.Run(_vcsim, "check", "--all", "--html", report);
                var json = JsonNode.Parse(VcsimCli.Run(_vcsim, "check", "--all", "--json").Out)!;

                // The report comes in addition to the normal output, and alone in its folder (no temporary file left).
                Assert.Equal(1, run.ExitCode);
                Assert.Contains("11 VMs: 5 Compliant, 1 Stale, 1 Wider, 1 PendingPowerCycle, 2 Unmasked, 1 Unknown", run.Out);
                Assert.Equal(new[] { report }, Directory.GetFiles(dir));

                string probed = Path.Combine(dir, "probed.html");
                File.WriteAllText(probed, File.ReadAllText(report).Replace("</body>", Probe + "</body>", StringComparison.Ordinal));
                string dom = HeadlessChromium.DumpDom(probed, Width, Height);
                var found = Regex.Match(dom, "<body data-probe=\"([^\"]*)\"");
                Assert.True(found.Success, dom.Length > 2000 ? dom.Substring(0, 2000) : dom);
                var page = JsonNode.Parse(WebUtility.HtmlDecode(found.Groups[1].Value))!;

                // Only the probe ran: the report has no script of its own.
                Assert.Equal(1, (int)page["scripts"]!);
                Assert.StartsWith("CPUID compliance, ", (string)page["title"]!, StringComparison.Ordinal);
                Assert.Equal(5, (int)page["totals"]!["Compliant"]!);
                Assert.Equal(2, (int)page["totals"]!["Unmasked"]!);
                Assert.Equal(1, (int)page["totals"]!["Unknown"]!);

                var rows = page["matrices"]!.AsArray().SelectMany(m => m!["rows"]!.AsArray()).ToArray();
                Assert.Equal(
                    json["vms"]!.AsArray().Select(v => (string)v!["name"]!).OrderBy(n => n, StringComparer.Ordinal),
                    rows.Select(r => (string)r!["vm"]!).OrderBy(n => n, StringComparer.Ordinal));

                // vm-dev-unmasked runs on the Cascade Lake and needs AVX-512, which esx-dev-haswell lacks.
                var dev = page["matrices"]!.AsArray().Single(m => ((string)m!["heading"]!).StartsWith("cluster Dev", StringComparison.Ordinal))!;
                var hosts = dev["hosts"]!.AsArray().Select(h => (string)h!).ToArray();
                var unmasked = dev["rows"]!.AsArray().Single(r => (string)r!["vm"]! == "vm-dev-unmasked")!["cells"]!.AsArray();
                Assert.Equal("Unmasked", (string)unmasked[0]!["text"]!);
                var red = unmasked[1 + Array.IndexOf(hosts, "esx-dev-haswell")]!;
                Assert.Equal("c no", (string)red["cls"]!);
                Assert.Equal("✗", (string)red["text"]!);
                Assert.Equal("cannot move", (string)red["aria"]!);
                Assert.Equal("rgb(200, 16, 46)", (string)red["bg"]!);
                var blockers = json["vms"]!.AsArray().Single(v => (string)v!["name"]! == "vm-dev-unmasked")!["destinations"]!.AsArray()
                    .Single(d => (string)d!["host"]! == "esx-dev-haswell")!["blockers"]!.AsArray();
                Assert.Contains(blockers, b => (string)b!["key"]! == "cpuid.AVX512F");
                Assert.StartsWith("vm-dev-unmasked cannot move to esx-dev-haswell:\n", (string)red["title"]!, StringComparison.Ordinal);
                Assert.All(blockers, b => Assert.Contains("\n" + (string)b!["label"]!, (string)red["title"]!, StringComparison.Ordinal));
                Assert.Contains("\nAdvanced Vector Extensions 512 Foundation (AVX512F)", (string)red["title"]!, StringComparison.Ordinal);
                var vmJson = json["vms"]!.AsArray().Single(v => (string)v!["name"]! == "vm-dev-unmasked")!;
                Assert.Equal("Fix: " + (string)vmJson["fix"]!, (string)unmasked[0]!["title"]!);
                Assert.Equal("c home", (string)unmasked[1 + Array.IndexOf(hosts, "esx-dev-cascade")]!["cls"]!);
                Assert.Equal("c unk", (string)unmasked[1 + Array.IndexOf(hosts, "esx-dev-broadwell")]!["cls"]!);

                // vm-prod-on is compliant: every other host of Prod is a green cell.
                var prod = page["matrices"]!.AsArray().Single(m => ((string)m!["heading"]!).StartsWith("cluster Prod", StringComparison.Ordinal))!;
                var green = prod["rows"]!.AsArray().Single(r => (string)r!["vm"]! == "vm-prod-on")!["cells"]!.AsArray()
                    .Skip(1).Where(c => (string)c!["cls"]! != "c home").ToArray();
                Assert.NotEmpty(green);
                Assert.All(green, c => Assert.Equal("c ok", (string)c!["cls"]!));
                Assert.All(green, c => Assert.Equal("rgb(29, 122, 52)", (string)c!["bg"]!));

                // On screen: the pixels of those cells (off the glyph, inside the border) are red and green.
                var shot = HeadlessChromium.Screenshot(probed, Width, Height);
                var (rr, rg, rb) = PixelIn(shot, red);
                Assert.True(rr > 150 && rg < 60 && rb < 80, $"the blocked cell is drawn rgb({rr}, {rg}, {rb})");
                var (gr, gg, gb) = PixelIn(shot, green[0]!);
                Assert.True(gg > 90 && gr < 60 && gb < 80, $"the can-move cell is drawn rgb({gr}, {gg}, {gb})");
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void CheckHtml_FolderMissing_ExitsTwoNamingTheFileBeforeReadingVCenter()
        {
            string missing = Path.Combine(Path.GetTempPath(), "cpuidmask-no-such-" + Guid.NewGuid().ToString("N"), "report.html");

            var run = VcsimCli.Run(_vcsim, "check", "--all", "--html", missing);

            Assert.Equal(2, run.ExitCode);
            Assert.Contains(missing, run.Err);
            Assert.Contains("HtmlReportUnwritable", run.Err);
            Assert.Empty(run.Requests);
            Assert.False(Directory.Exists(Path.GetDirectoryName(missing)));
        }

        // Three pixels in from the cell's top left corner: inside its border, clear of the centred glyph.
        private static (byte R, byte G, byte B) PixelIn(PngImage shot, JsonNode cell)
        {
            int x = (int)Math.Ceiling((double)cell["x"]!) + 3;
            int y = (int)Math.Ceiling((double)cell["y"]!) + 3;
            Assert.True(x < shot.Width && y < shot.Height, $"cell at {x},{y} is outside the {shot.Width}x{shot.Height} screenshot");
            return shot[x, y];
        }
    }
}
