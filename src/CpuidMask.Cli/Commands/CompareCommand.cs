using System.Collections.Generic;
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
@"Usage: cpuidmask compare FILE FILE... [--mask-file F [--allow-unknown-features]] [--hw-version N] [--cpu N] [--json] [--allow-partial]
       cpuidmask compare --server URL [--user U] --host NAME... [FILE...] [options]

Compares two or more CPU profiles and lists, for every direction, the features a VM
powered on on the first host would carry that the second lacks: the features vCenter
names when it refuses the vMotion. Differences vCenter does not compare (power
management, OSXSAVE, TSC_ADJUST ...) are listed separately as informational.

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
  --json         machine-readable output
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

        public override IEnumerable<string> Switches => new[] { "--json", "--allow-unknown-features", "--allow-partial" }.Concat(VCenterOptions.Switches);

        public override IEnumerable<string> SingleValueOptions => new[] { "--cpu", "--mask-file", "--hw-version" }.Concat(VCenterOptions.SingleValueOptions);

        public override IEnumerable<string> MultiValueOptions => new[] { "--host" };

        public override int Run(Arguments args, CliContext context)
        {
            int? hardwareVersion = HardwareVersion(args, context.Catalog);
            var profiles = ProfileInputs.LoadFilesAndHosts(args, context, 2, "two or more FILEs to compare (or --server with --host)");
            VmMask? mask = args.Value("--mask-file") is string maskFile ? MaskFile.ReadFile(maskFile, MaskOptions(args)) : null;
            var report = new ProfileComparer(context.Catalog, hardwareVersion).Compare(profiles, mask);
            if (args.Has("--json"))
            {
                Render.WriteJson(context.Out, new JsonObject
                {
                    ["hosts"] = new JsonArray(profiles.Select(p => (JsonNode)Render.Host(p)).ToArray()),
                    ["mask"] = new JsonArray(report.Mask.ToVmxLines().Select(l => (JsonNode)JsonValue.Create(l)!).ToArray()),
                    ["directions"] = new JsonArray(report.Directions.Select(d => (JsonNode)Render.Direction(d)).ToArray()),
                    ["informational"] = new JsonArray(report.Informational.Select(i => (JsonNode)new JsonObject
                    {
                        ["feature"] = Render.Feature(i.Feature),
                        ["presentOn"] = new JsonArray(i.PresentOn.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()),
                        ["absentOn"] = new JsonArray(i.AbsentOn.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()),
                        ["reason"] = i.Reason,
                    }).ToArray()),
                    ["hardwareVersion"] = report.HardwareVersion,
                    ["outOfReach"] = Render.OutOfReach(report.OutOfReach),
                    ["blocked"] = report.HasBlockers,
                });
                return report.HasBlockers ? Program.ExitBlocked : Program.ExitOk;
            }

            var o = context.Out;
            o.WriteLine("Hosts:");
            foreach (var p in profiles)
            {
                o.WriteLine($"  {p.Name}: {p.Vendor} family 0x{p.Family:X} model 0x{p.Model:X} {p.Brand}".TrimEnd());
            }

            if (hardwareVersion != null)
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
            foreach (var direction in report.Directions)
            {
                Render.Direction(o, direction, underMask: !report.Mask.IsEmpty);
            }

            Render.Informational(o, report.Informational);
            Render.OutOfReach(o, report.OutOfReach, report.HardwareVersion);
            return report.HasBlockers ? Program.ExitBlocked : Program.ExitOk;
        }
    }
}
