using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;

namespace CpuidMask.Cli.Commands
{
    internal sealed class ShowCommand : Command
    {
        public override string Name => "show";

        public override string Summary => "Decode CPU profiles: vendor, family/model/stepping, brand, features";

        public override string Help =>
@"Usage: cpuidmask show FILE... [--cpu N] [--json] [--allow-partial]

Decodes the CPU profile of each FILE and lists the features it has.

FILE is any format cpuidmask reads, detected from its content: an InstLatx64/AIDA64 dump,
Linux 'cpuid -r' output, vmware.log hostCPUID lines, the CPU identification boot CD's
ID1ECX-style lines, a vSphere host export (JSON), or cpuidmask's own JSON. A file of hosts
(a vSphere export, or cpuidmask JSON holding a list, as Export-CpuidProfile writes) shows
every host in it.

Options:
  --cpu N    the logical CPU of a multi-CPU dump to read (default 0)
  --json     print the profile as cpuidmask JSON (readable again by every command); several
             profiles print as one JSON array, a file of those hosts
" + ProfileInputs.AllowPartialHelp + @"
Examples:
  cpuidmask show docs/samples/ivybridge-i7-3770k.txt
  cpuidmask show esx01.txt esx02.txt --json > hosts.json
";

        public override IEnumerable<string> Switches => new[] { "--json", "--allow-partial" };

        public override IEnumerable<string> SingleValueOptions => new[] { "--cpu" };

        public override int Run(Arguments args, CliContext context)
        {
            if (args.Positionals.Count == 0)
            {
                throw Arguments.Usage("show takes a FILE (or several).");
            }

            var profiles = ProfileInputs.Load(args.Positionals, args.IntValue("--cpu", 0), ProfileInputs.ReadOptions(args, context));
            if (args.Has("--json"))
            {
                // One profile stays the single object 'show --json' always printed; several are a list.
                context.Out.WriteLine(profiles.Count == 1
                    ? ProfileJson.Write(profiles[0], FeatureEvaluator.HostFeatureInfo(profiles[0], context.Catalog), indented: true)
                    : ProfileJson.WriteAll(profiles, p => FeatureEvaluator.HostFeatureInfo(p, context.Catalog), indented: true));
                return Program.ExitOk;
            }

            for (int i = 0; i < profiles.Count; i++)
            {
                if (i > 0)
                {
                    context.Out.WriteLine();
                }

                WriteText(profiles[i], context);
            }

            return Program.ExitOk;
        }

        private static void WriteText(CpuidProfile profile, CliContext context)
        {
            var features = FeatureEvaluator.HostFeatures(profile, context.Catalog);
            var o = context.Out;
            o.WriteLine($"Name:      {profile.Name}");
            o.WriteLine($"Source:    {profile.Source}");
            o.WriteLine($"Vendor:    {profile.Vendor}");
            o.WriteLine(string.Format(CultureInfo.InvariantCulture, "Family:    0x{0:X} ({0})   Model: 0x{1:X} ({1})   Stepping: {2}{3}", profile.Family, profile.Model, profile.Stepping,
                profile.Signature is uint sig ? $"   Signature: 0x{sig:X8}" : string.Empty));
            o.WriteLine($"Brand:     {(profile.Brand.Length == 0 ? "(not reported)" : profile.Brand)}");
            o.WriteLine($"Leaves:    {profile.Leaves.Count} (highest standard {Hex(profile.MaxStandardLeaf)}, highest extended {Hex(profile.MaxExtendedLeaf)})");
            if (profile.Capabilities.Count > 0)
            {
                o.WriteLine($"vSphere:   {profile.Capabilities.Count} feature capabilities");
            }

            o.WriteLine();
            o.WriteLine($"Features ({features.Count}; TRACKED = compared by vCenter for vMotion):");
            var table = new TextTable("FEATURE", "LOCATION", "TRACKED", "KIND", "DESCRIPTION");
            foreach (var f in features)
            {
                table.Add(f.Name, f.Location, f.Tracked ? "yes" : "no", KindText(f.Kind), f.Description);
            }

            table.Write(o);
        }

        internal static string KindText(FeatureKind kind) => kind switch
        {
            FeatureKind.InstructionSet => "instruction set",
            FeatureKind.StateComponent => "XSAVE state",
            FeatureKind.OsControlled => "OS-controlled",
            _ => "informational",
        };

        private static string Hex(uint? value) => value is uint v ? "0x" + v.ToString("X", CultureInfo.InvariantCulture) : "unknown";
    }
}
