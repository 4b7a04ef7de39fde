using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using CpuidMask.Engine.Catalog;

namespace CpuidMask.Cli.Commands
{
    internal sealed class BaselinesCommand : Command
    {
        public override string Name => "baselines";

        public override string Summary => "List the named baselines (vSphere's EVC modes) and their features";

        public override string Help =>
@"Usage: cpuidmask baselines [KEY] [--json]

Lists the named baselines: vSphere's EVC modes as data (intel-merom ... intel-sapphirerapids,
amd-rev-e ... amd-zen4). Each builds on another, adds features (and AMD's drop some:
3DNow! from Generation 3 without 3DNow! on, XOP/FMA4/TBM from Zen on), and passes the
host's speculation controls through. With KEY, shows one baseline: every feature a VM
under it sees, what it passes through, what a mask for it hides, and where the list
comes from.

Options:
  --json   machine-readable output

Examples:
  cpuidmask baselines
  cpuidmask baselines intel-westmere
";

        public override IEnumerable<string> Switches => new[] { "--json" };

        public override int Run(Arguments args, CliContext context)
        {
            if (args.Positionals.Count > 1)
            {
                throw Arguments.Usage("baselines takes at most one KEY.");
            }

            var catalog = BaselineCatalog.Default;
            var o = context.Out;
            if (args.Positionals.Count == 1)
            {
                var baseline = catalog.Find(args.Positionals[0]);
                if (args.Has("--json"))
                {
                    Render.WriteJson(o, Json(baseline, catalog, detail: true));
                    return Program.ExitOk;
                }

                o.WriteLine($"Key:          {baseline.Key}");
                o.WriteLine($"Label:        {baseline.Label}");
                o.WriteLine($"Vendor:       {baseline.VendorString}");
                o.WriteLine($"Builds on:    {(baseline.Parent == null ? "(nothing: the vendor's first mode)" : string.Join(" -> ", baseline.Chain.Select(b => b.Key)))}");
                o.WriteLine($"Adds:         {Names(baseline.Added)}");
                if (baseline.Removed.Count > 0)
                {
                    o.WriteLine($"Drops:        {Names(baseline.Removed)}");
                }

                o.WriteLine($"Features:     {baseline.Features.Count}: {Names(baseline.Features)}");
                o.WriteLine($"Passes:       {Names(baseline.Controls)} (speculation controls: the VM sees the host's own bit)");
                o.WriteLine($"Mask hides:   {catalog.OutsideOf(baseline).Count} tracked features ('cpuidmask mask --baseline {baseline.Key}')");
                o.WriteLine($"Below it:     {Names(catalog.Baselines.Where(baseline.IsAbove).Select(b => b.Key))}");
                o.WriteLine($"libvirt:      {baseline.LibvirtModel}");
                o.WriteLine($"Per-VM EVC:   {(baseline.Identity is EvcIdentity identity ? identity.ToString() : "(no reference CPU identity: no per-VM EVC mask)")}");
                o.WriteLine($"Source:       {baseline.Source}");
                return Program.ExitOk;
            }

            if (args.Has("--json"))
            {
                Render.WriteJson(o, new JsonObject
                {
                    ["governs"] = new JsonArray(catalog.Governed.Select(g => (JsonNode)JsonValue.Create(g.ToString())!).ToArray()),
                    ["baselines"] = new JsonArray(catalog.Baselines.Select(b => (JsonNode)Json(b, catalog, detail: false)).ToArray()),
                });
                return Program.ExitOk;
            }

            var table = new TextTable("KEY", "VENDOR", "LABEL", "BUILDS ON", "FEATURES", "ADDS", "LIBVIRT MODEL");
            foreach (var b in catalog.Baselines)
            {
                string adds = Names(b.Added.Take(6)) + (b.Added.Count > 6 ? $" +{b.Added.Count - 6}" : string.Empty)
                    + (b.Removed.Count > 0 ? $"; drops {Names(b.Removed)}" : string.Empty);
                table.Add(b.Key, b.Vendor == BaselineVendor.Intel ? "Intel" : "AMD", b.Label, b.Extends ?? "-", b.Features.Count.ToString(CultureInfo.InvariantCulture), adds, b.LibvirtModel ?? string.Empty);
            }

            table.Write(o);
            o.WriteLine();
            o.WriteLine("A baseline is above another when it has all of its features: Intel's modes form one chain; AMD's");
            o.WriteLine("do not (3DNow! and the Bulldozer-only XOP/FMA4/TBM). 'cpuidmask baselines KEY' shows one.");
            return Program.ExitOk;
        }

        internal static JsonObject Json(Baseline b, BaselineCatalog catalog, bool detail)
        {
            var node = new JsonObject
            {
                ["key"] = b.Key,
                ["label"] = b.Label,
                ["vendor"] = b.VendorString,
                ["extends"] = b.Extends,
                ["adds"] = Array(b.Added.Select(f => f.Name)),
                ["removes"] = Array(b.Removed.Select(f => f.Name)),
                ["features"] = Array(b.Features.Select(f => f.Name)),
                ["controls"] = Array(b.Controls.Select(f => f.Name)),
                ["libvirtModel"] = b.LibvirtModel,
            };
            if (detail)
            {
                node["hides"] = Array(catalog.OutsideOf(b).Select(f => f.Name));
                node["below"] = Array(catalog.Baselines.Where(b.IsAbove).Select(x => x.Key));
                node["source"] = b.Source;
                node["identity"] = b.Identity is EvcIdentity identity
                    ? new JsonObject
                    {
                        ["family"] = identity.Family,
                        ["model"] = identity.Model,
                        ["stepping"] = identity.Stepping,
                        ["numLevels"] = identity.NumLevels,
                        ["numExtLevels"] = identity.NumExtLevels,
                        ["reference"] = identity.Reference,
                        ["source"] = identity.Source,
                    }
                    : null;
            }

            return node;
        }

        internal static JsonArray Array(IEnumerable<string> items) => new JsonArray(items.Select(i => (JsonNode)JsonValue.Create(i)!).ToArray());

        private static string Names(IEnumerable<FeatureDefinition> features) => Names(features.Select(f => f.Name));

        private static string Names(IEnumerable<string> names)
        {
            string text = string.Join(", ", names);
            return text.Length == 0 ? "(none)" : text;
        }
    }
}
