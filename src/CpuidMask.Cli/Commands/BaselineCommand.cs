using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;

namespace CpuidMask.Cli.Commands
{
    internal sealed class BaselineCommand : Command
    {
        public override string Name => "baseline";

        public override string Summary => "Find the highest EVC mode each host, and all of them together, supports";

        public override string Help =>
@"Usage: cpuidmask baseline FILE... [--hw-version N] [--cpu N] [--json] [--allow-partial]
       cpuidmask baseline --server URL [--user U] --host NAME... [FILE...] [options]

Classifies each host against the named baselines (vSphere's EVC modes): the highest mode
it fully supports, like vCenter's maximum EVC mode for the host, with the features that
keep it from the next mode up. For two or more hosts, also the highest mode all of them
support (what a cluster of them could run, or what 'cpuidmask mask --baseline' can bring
a VM down to), and which host blocks each mode above it.

Features a host's data does not report (the old dumper's leaf 0xD quirk, a vSphere export
without leaf 7 capabilities) do not lower the result; they are listed as unverified.

With --hw-version, the hosts are classified for a VM of that virtual hardware version: a
mode's features the VM cannot see are not required of the hosts, and modes that then
look the same to the VM count as one (the lowest is named, the others listed).

Options:
" + HardwareVersionHelp + @"
  --cpu N         logical CPU of multi-CPU dumps to read (default 0)
  --json          machine-readable output
  --host NAME...  with --server: read these hosts live from vCenter (names or wildcards),
                  alongside any FILEs
" + ProfileInputs.AllowPartialHelp + @"
" + VCenterOptions.HelpText + @"
Exit codes: 0 a mode fits every host, 1 no mode fits them all, 2 bad input or a vCenter
error.

Example:
  cpuidmask baseline docs/samples/avoton-c2750.txt docs/samples/ivybridge-i7-3770k.txt
";

        public override IEnumerable<string> Switches => new[] { "--json", "--allow-partial" }.Concat(VCenterOptions.Switches);

        public override IEnumerable<string> SingleValueOptions => new[] { "--cpu", "--hw-version" }.Concat(VCenterOptions.SingleValueOptions);

        public override IEnumerable<string> MultiValueOptions => new[] { "--host" };

        public override int Run(Arguments args, CliContext context)
        {
            int? hardwareVersion = HardwareVersion(args, BaselineCatalog.Default.Features);
            var profiles = ProfileInputs.LoadFilesAndHosts(args, context, 1, "one or more FILEs, one per host (or --server with --host)");
            var result = new BaselineClassifier(BaselineCatalog.Default, hardwareVersion).Classify(profiles);
            var hosts = profiles.Count == 1 ? new[] { result } : result.Hosts.ToArray();
            if (args.Has("--json"))
            {
                Render.WriteJson(context.Out, new JsonObject
                {
                    ["hosts"] = new JsonArray(hosts.Select(h => (JsonNode)Json(h)).ToArray()),
                    ["common"] = Json(result),
                    ["hardwareVersion"] = result.HardwareVersion,
                });
            }
            else
            {
                if (hardwareVersion != null)
                {
                    context.Out.WriteLine($"For a VM of hardware version {BaselineCatalog.Default.Features.DescribeHardwareVersion(result.HardwareVersion).Description}.");
                }

                WriteText(context.Out, result, hosts);
            }

            return result.Highest != null ? Program.ExitOk : Program.ExitBlocked;
        }

        private static void WriteText(TextWriter o, BaselineClassification result, IReadOnlyList<BaselineClassification> hosts)
        {
            var table = new TextTable("HOST", "CPU", "HIGHEST EVC MODE", "UNVERIFIED (NOT IN ITS DATA)");
            foreach (var h in hosts)
            {
                var profile = h.Profiles[0];
                table.Add(profile.Name, profile.Brand, h.Highest?.Key ?? "(none)", string.Join(", ", h.Unverified.SelectMany(u => u.Unknown).Select(f => f.Name)));
            }

            table.Write(o);
            foreach (var h in hosts)
            {
                if (h.Note != null)
                {
                    o.WriteLine($"{h.Profiles[0].Name}: {h.Note}.");
                }
            }

            if (hosts.Count > 1)
            {
                o.WriteLine();
                o.WriteLine(result.Highest == null
                    ? $"Common: no EVC mode fits every host ({result.Note})."
                    : $"Common: {result.Highest.Key} ({result.Highest.Label}), the highest mode every host supports.");
            }

            if (result.EquivalentAbove.Count > 0)
            {
                o.WriteLine($"The same to a vmx-{result.HardwareVersion} VM (all they add is out of its reach): {string.Join(", ", result.EquivalentAbove.Select(b => b.Key))}.");
            }

            foreach (var alternative in result.Alternatives)
            {
                o.WriteLine($"Also supported, not below it: {alternative.Key}.");
            }

            if (result.Next.Count > 0)
            {
                o.WriteLine();
                o.WriteLine(result.Highest == null ? "The lowest modes, and what keeps the hosts from them:" : "Next modes up, and what keeps the hosts from them:");
                var next = new TextTable("MODE", "HOST", "MISSING", "NOT IN ITS DATA");
                foreach (var step in result.Next)
                {
                    foreach (var gap in step.Hosts)
                    {
                        next.Add(step.Baseline.Key, gap.Host, string.Join(", ", gap.Missing.Select(f => f.Name)), string.Join(", ", gap.Unknown.Select(f => f.Name)));
                    }
                }

                next.Write(o);
            }
            else if (result.Highest != null)
            {
                o.WriteLine();
                o.WriteLine($"No mode lies above {result.Highest.Key}.");
            }
        }

        private static JsonObject Json(BaselineClassification c) => new JsonObject
        {
            ["hosts"] = BaselinesCommand.Array(c.Profiles.Select(p => p.Name)),
            ["highest"] = c.Highest?.Key,
            ["label"] = c.Highest?.Label,
            ["verified"] = c.IsVerified,
            ["supported"] = BaselinesCommand.Array(c.Supported.Select(b => b.Key)),
            ["alternatives"] = BaselinesCommand.Array(c.Alternatives.Select(b => b.Key)),
            ["equivalentAbove"] = BaselinesCommand.Array(c.EquivalentAbove.Select(b => b.Key)),
            ["unverified"] = new JsonArray(c.Unverified.Select(u => (JsonNode)Gap(u)).ToArray()),
            ["next"] = new JsonArray(c.Next.Select(n => (JsonNode)new JsonObject
            {
                ["baseline"] = n.Baseline.Key,
                ["blockedBy"] = new JsonArray(n.Hosts.Select(h => (JsonNode)Gap(h)).ToArray()),
            }).ToArray()),
            ["note"] = c.Note,
        };

        private static JsonObject Gap(HostBaselineGap gap) => new JsonObject
        {
            ["host"] = gap.Host,
            ["missing"] = BaselinesCommand.Array(gap.Missing.Select(f => f.Name)),
            ["unknown"] = BaselinesCommand.Array(gap.Unknown.Select(f => f.Name)),
            ["outOfReach"] = BaselinesCommand.Array(gap.OutOfReach.Select(f => f.Name)),
        };
    }
}
