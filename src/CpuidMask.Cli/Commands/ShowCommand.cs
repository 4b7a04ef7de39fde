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

        public override string Summary => "Decode one CPU profile: vendor, family/model/stepping, brand, features";

        public override string Help =>
@"Usage: cpuidmask show FILE [--cpu N] [--json]

Decodes one CPU profile and lists the features it has.

FILE is any format cpuidmask reads, detected from its content: an InstLatx64/AIDA64 dump,
Linux 'cpuid -r' output, vmware.log hostCPUID lines, the CPU identification boot CD's
ID1ECX-style lines, a vSphere host export (JSON), or cpuidmask's own JSON.

Options:
  --cpu N    the logical CPU of a multi-CPU dump to read (default 0)
  --json     print the profile as cpuidmask JSON (readable again by every command)

Example:
  cpuidmask show docs/samples/ivybridge-i7-3770k.txt
";

        public override IEnumerable<string> Switches => new[] { "--json" };

        public override IEnumerable<string> SingleValueOptions => new[] { "--cpu" };

        public override int Run(Arguments args, CliContext context)
        {
            if (args.Positionals.Count != 1)
            {
                throw Arguments.Usage("show takes exactly one FILE.");
            }

            var profile = ProfileInputs.Load(args.Positionals, args.IntValue("--cpu", 0))[0];
            var features = FeatureEvaluator.HostFeatures(profile, context.Catalog);
            if (args.Has("--json"))
            {
                context.Out.WriteLine(ProfileJson.Write(profile, features.Select(ToInfo), indented: true));
                return Program.ExitOk;
            }

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
            return Program.ExitOk;
        }

        internal static FeatureInfo ToInfo(FeatureDefinition f) =>
            new FeatureInfo(f.Name, f.Leaf, f.Subleaf, f.Register, f.Bit);

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
