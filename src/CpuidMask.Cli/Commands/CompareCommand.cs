using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Readers;

namespace CpuidMask.Cli.Commands
{
    internal sealed class CompareCommand : Command
    {
        public override string Name => "compare";

        public override string Summary => "Find the features that block a vMotion between hosts, each direction";

        public override string Help =>
@"Usage: cpuidmask compare FILE FILE... [--mask-file F [--allow-unknown-features]] [--hw-version N] [--cpu N] [--json] [--per-pair] [--allow-partial]
       cpuidmask compare --server URL [--user U] --host NAME... [FILE...] [options]

Compares two or more CPU profiles and lists, for every direction, the features a VM
powered on on the first host would carry that the second lacks: the features vCenter
names when it refuses the vMotion. Differences vCenter does not compare (power
management, OSXSAVE, TSC_ADJUST ...) are listed separately as informational.

Hosts that offer the same tracked features are one class (a vCenter of a thousand
hosts has a handful of CPU models): a VM moves between two hosts exactly as between
their classes, so directions are listed between classes, each named by its first host
(""esx01 (+41 alike)""), and the work grows with the hosts, not with their pairs. With
more than 12 directions each is one line naming its blockers, and a table gives, per
feature, vCenter's wording and the classes that have it and lack it.

With --mask-file, the VM is assumed to run under that mask (.vmx lines as printed by
'cpuidmask mask --format vmx', a .vmx file's cpuid lines, or the JSON of 'cpuidmask
mask --format json'): what can a VM powered on on host X under the mask carry to host Y?

With --hw-version, the VM is one of that virtual hardware version: a feature ESXi first
exposes to guests in a later version never reaches it, so a difference in one is listed
as out of the VM's reach instead of blocking.

Options:
  --mask-file F  compare under this mask
  --allow-unknown-features
                 accept featMask.vm.cpuid.NAME lines in F whose NAME the catalog does
                 not know (their values are still checked)
" + HardwareVersionHelp + @"
  --cpu N        logical CPU of multi-CPU dumps to read (default 0)
  --json         machine-readable output, written as it is produced
  --per-pair     also list every ordered pair of hosts (streamed; a thousand hosts
                 make a million lines)
  --host NAME... with --server: read these hosts live from vCenter (names or wildcards),
                 alongside any FILEs; a host that is not connected is an error naming it
" + ProfileInputs.AllowPartialHelp + @"
" + VCenterOptions.HelpText + @"
Exit codes: 0 every direction allowed, 1 some direction blocked, 2 bad input or a
vCenter error.

Example:
  cpuidmask compare docs/samples/avoton-c2750.txt docs/samples/ivybridge-i7-3770k.txt
  cpuidmask compare icelake.txt cascadelake.txt --hw-version vmx-14
";

        public override IEnumerable<string> Switches => new[] { "--json", "--per-pair", "--allow-unknown-features", "--allow-partial" }.Concat(VCenterOptions.Switches);

        public override IEnumerable<string> SingleValueOptions => new[] { "--cpu", "--mask-file", "--hw-version" }.Concat(VCenterOptions.SingleValueOptions);

        public override IEnumerable<string> MultiValueOptions => new[] { "--host" };

        public override int Run(Arguments args, CliContext context)
        {
            int? hardwareVersion = HardwareVersion(args, context.Catalog);
            var profiles = ProfileInputs.LoadFilesAndHosts(args, context, 2, "two or more FILEs to compare (or --server with --host)");
            VmMask? mask = args.Value("--mask-file") is string maskFile ? MaskFile.ReadFile(maskFile, MaskOptions(args)) : null;
            var report = new ProfileComparer(context.Catalog, hardwareVersion).Compare(profiles, mask);
            bool perPair = args.Has("--per-pair");
            if (args.Has("--json"))
            {
                WriteJson(context, report, perPair);
            }
            else
            {
                WriteText(context, report, perPair, hardwareVersion != null);
            }

            return report.HasBlockers ? Program.ExitBlocked : Program.ExitOk;
        }

        private static void WriteJson(CliContext context, ComparisonReport report, bool perPair)
        {
            using var json = new JsonStream(context.Out);
            var w = json.Writer;
            w.WriteStartObject();
            w.WriteStartArray("hosts");
            foreach (var p in report.Profiles)
            {
                json.Item(Render.Host(p));
            }

            w.WriteEndArray();
            w.WriteStartArray("classes");
            foreach (var c in report.Classes)
            {
                json.Item(Render.Class(c));
            }

            w.WriteEndArray();
            json.Property("mask", new JsonArray(report.Mask.ToVmxLines().Select(l => (JsonNode)JsonValue.Create(l)!).ToArray()));
            w.WriteStartArray("features");
            foreach (var d in report.Differences)
            {
                json.Item(new JsonObject
                {
                    ["feature"] = Render.Feature(d.Feature),
                    ["presentOn"] = Render.Strings(d.PresentOn),
                    ["missingOn"] = Render.Strings(d.MissingOn),
                    ["presentIn"] = Render.Strings(d.PresentIn.Select(c => c.Name)),
                    ["missingIn"] = Render.Strings(d.MissingIn.Select(c => c.Name)),
                });
            }

            w.WriteEndArray();
            w.WriteStartArray("directions");
            foreach (var d in report.Directions)
            {
                json.Item(Render.Direction(d));
            }

            w.WriteEndArray();
            if (perPair)
            {
                w.WriteStartArray("perPair");
                foreach (var d in report.PerPair())
                {
                    json.Item(Render.Direction(d));
                }

                w.WriteEndArray();
            }

            w.WriteStartArray("informational");
            foreach (var i in report.Informational)
            {
                json.Item(new JsonObject
                {
                    ["feature"] = Render.Feature(i.Feature),
                    ["presentOn"] = Render.Strings(i.PresentOn),
                    ["absentOn"] = Render.Strings(i.AbsentOn),
                    ["reason"] = i.Reason,
                });
            }

            w.WriteEndArray();
            w.WriteNumber("hardwareVersion", report.HardwareVersion);
            json.Property("outOfReach", Render.OutOfReach(report.OutOfReach));
            w.WriteBoolean("blocked", report.HasBlockers);
            w.WriteEndObject();
        }

        private static void WriteText(CliContext context, ComparisonReport report, bool perPair, bool versionGiven)
        {
            var o = context.Out;
            o.WriteLine("Hosts:");
            foreach (var p in report.Profiles)
            {
                o.WriteLine($"  {p.Name}: {p.Vendor} family 0x{p.Family:X} model 0x{p.Model:X} {p.Brand}".TrimEnd());
            }

            Render.Classes(o, report.Classes, report.Profiles.Count);
            if (versionGiven)
            {
                o.WriteLine($"For a VM of hardware version {context.Catalog.DescribeHardwareVersion(report.HardwareVersion).Description}.");
            }

            if (!report.Mask.IsEmpty)
            {
                o.WriteLine("Under the mask:");
                foreach (string line in report.Mask.ToVmxLines())
                {
                    o.WriteLine("  " + line);
                }
            }

            o.WriteLine();
            if (report.Classes.Count == 1)
            {
                o.WriteLine("Every host offers the same tracked features: a VM moves freely between them.");
            }

            bool brief = report.Directions.Count > Render.DirectionsInFull;
            foreach (var direction in report.Directions)
            {
                if (brief)
                {
                    Render.DirectionLine(o, direction);
                }
                else
                {
                    Render.Direction(o, direction, underMask: !report.Mask.IsEmpty);
                }
            }

            if (brief && report.Differences.Count > 0)
            {
                o.WriteLine();
                o.WriteLine("Tracked features that differ (the blockers named above):");
                var table = new TextTable("FEATURE", "VCENTER SAYS", "LOCATION", "PRESENT ON", "MISSING ON");
                foreach (var d in report.Differences)
                {
                    table.Add(d.Feature.Name, d.Feature.DisplayName, d.Feature.Location, string.Join(", ", d.PresentIn.Select(c => c.Name)), string.Join(", ", d.MissingIn.Select(c => c.Name)));
                }

                table.Write(o);
            }

            if (perPair)
            {
                o.WriteLine();
                o.WriteLine("Every pair of hosts:");
                foreach (var direction in report.PerPair())
                {
                    Render.DirectionLine(o, direction);
                }
            }

            Render.Informational(o, report.Informational);
            Render.OutOfReach(o, report.OutOfReach, report.HardwareVersion);
        }
    }
}
