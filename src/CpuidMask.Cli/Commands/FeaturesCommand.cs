using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine;

namespace CpuidMask.Cli.Commands
{
    internal sealed class FeaturesCommand : Command
    {
        public override string Name => "features";

        public override string Summary => "Look features up in the catalog by name, alias or wildcard";

        public override string Help =>
@"Usage: cpuidmask features [NAME-or-PATTERN] [--tracked]

Looks features up in the CPUID feature catalog. NAME may be the canonical name (AVX2),
a Linux flag (3dnowprefetch), a vSphere key (cpuid.AVX2) or vCenter's wording
(""Advanced Vector Extensions (AVX)""). PATTERN uses * and ? (AVX512*); other text
matches any name containing it. Without an argument, lists every feature.

Options:
  --tracked   only features vCenter compares for vMotion

Examples:
  cpuidmask features AVX
  cpuidmask features 'AVX512*'
";

        public override IEnumerable<string> Switches => new[] { "--tracked" };

        public override int Run(Arguments args, CliContext context)
        {
            if (args.Positionals.Count > 1)
            {
                throw Arguments.Usage("features takes at most one NAME or PATTERN.");
            }

            string? pattern = args.Positionals.FirstOrDefault();
            var found = context.Catalog.Match(pattern).Where(f => !args.Has("--tracked") || f.Tracked).ToArray();
            if (found.Length == 0)
            {
                // Reuse the catalog's own error, which suggests near names.
                context.Catalog.Find(pattern ?? string.Empty);
                throw new CpuidMaskException("FeatureNotFound", ErrorKind.ObjectNotFound, $"No feature matches '{pattern}'.", pattern);
            }

            if (found.Length == 1)
            {
                var f = found[0];
                var o = context.Out;
                o.WriteLine($"Name:         {f.Name}");
                o.WriteLine($"Location:     {f.Location}");
                o.WriteLine($"Description:  {f.Description}");
                o.WriteLine($"Vendor:       {f.Vendor}");
                o.WriteLine($"Kind:         {ShowCommand.KindText(f.Kind)}");
                o.WriteLine($"Tracked:      {(f.Tracked ? "yes, vCenter compares it for vMotion" : "no, vCenter does not compare it")}");
                o.WriteLine($"vSphere key:  {f.VSphereKey ?? "(none)"}");
                o.WriteLine($"featMask:     {(f.FeatMaskName == null ? "(none)" : $"featMask.vm.cpuid.{f.FeatMaskName} = \"Val:0\" hides it")}");
                o.WriteLine($"Linux flag:   {f.LinuxFlag ?? "(none)"}");
                if (f.Aliases.Count > 0)
                {
                    o.WriteLine($"Aliases:      {string.Join(", ", f.Aliases)}");
                }

                if (f.VmotionLabels.Count > 0)
                {
                    o.WriteLine($"vCenter says: {string.Join("; ", f.VmotionLabels)}");
                }

                o.WriteLine($"Requires:     {(f.Requires.Count == 0 ? "(nothing)" : string.Join(", ", f.Requires))}");
                var dependents = context.Catalog.AllDependents(f);
                o.WriteLine($"Hiding it also hides: {(dependents.Count == 0 ? "(nothing else)" : string.Join(", ", dependents.Select(d => d.Name)))}");
                return Program.ExitOk;
            }

            var table = new TextTable("FEATURE", "LOCATION", "TRACKED", "VSPHERE KEY", "DESCRIPTION");
            foreach (var f in found)
            {
                table.Add(f.Name, f.Location, f.Tracked ? "yes" : "no", f.VSphereKey ?? string.Empty, f.Description);
            }

            table.Write(context.Out);
            context.Out.WriteLine();
            context.Out.WriteLine($"{found.Length} features.");
            return Program.ExitOk;
        }
    }
}
