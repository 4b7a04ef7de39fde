using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using CpuidMask.Vim.Masks;

namespace CpuidMask.Cli.Commands
{
    internal sealed class VmMaskCommand : Command
    {
        public override string Name => "vm-mask";

        public override string Summary => "Show the CPUID masks VMs have, and what decides when they apply";

        public override string Help =>
@"Usage: cpuidmask vm-mask --server URL [--user U] --vm NAME... [--json]

Reads VMs from vCenter and shows their CPUID masks (the extraConfig keys cpuid.* and
featMask.vm.cpuid.*, exactly as stored), with what decides when they take effect: power
state (masks apply at the next power-on), hardware version (named feature masks need
vmx-9+, per-VM EVC vmx-14+), the host, the per-VM EVC mask in place
(runtime.featureMask) and, for a running VM, the features it needs from any host it
moves to (runtime.featureRequirement).

Options:
  --vm NAME...         the VMs (names or wildcards such as 'web*'; a name that matches
                       no VM is an error naming it)
  --json               machine-readable output, with the feature requirement in full

" + VCenterOptions.HelpText + @"
Exit codes: 0 success, 2 bad input or any vCenter error.

Example:
  cpuidmask vm-mask --server vc01.example.com --user administrator@vsphere.local --vm web01
";

        public override IEnumerable<string> Switches => VCenterOptions.Switches.Concat(new[] { "--json" });

        public override IEnumerable<string> SingleValueOptions => VCenterOptions.SingleValueOptions;

        public override IEnumerable<string> MultiValueOptions => new[] { "--vm" };

        public override int Run(Arguments args, CliContext context)
        {
            var names = args.Values("--vm").Concat(args.Positionals).ToArray();
            if (names.Length == 0)
            {
                throw Arguments.Usage("Name the VMs: --vm NAME... (wildcards allowed).");
            }

            var vcenter = VCenterOptions.From(args, context);
            IReadOnlyList<StoredVmMask> vms;
            using (var client = vcenter.Connect(context))
            {
                vms = VimCall.Run(() => new VmMaskService(client).ReadAsync(names));
            }

            if (args.Has("--json"))
            {
                Render.WriteJson(context.Out, new JsonArray(vms.Select(v => (JsonNode)ToJson(v)).ToArray()));
                return Program.ExitOk;
            }

            var o = context.Out;
            if (vms.Count == 0)
            {
                o.WriteLine("No VMs match.");
            }

            foreach (var vm in vms)
            {
                o.WriteLine($"{vm.Name} ({vm.MoRef} on {vm.Server})");
                o.WriteLine($"  host:             {vm.HostName ?? "-"}");
                o.WriteLine($"  power state:      {vm.PowerState ?? "unknown"}" + (vm.PowerState == "poweredOff" ? string.Empty : " (mask changes apply at its next power-on)"));
                o.WriteLine($"  hardware version: {vm.HardwareVersion ?? "unknown"}");
                o.WriteLine($"  change version:   {vm.ChangeVersion ?? "-"}");
                if (vm.MaskConfig.Count == 0)
                {
                    o.WriteLine("  CPUID masks:      (none)");
                }
                else
                {
                    o.WriteLine("  CPUID masks:");
                    foreach (string line in vm.ToVmxLines())
                    {
                        o.WriteLine("    " + line);
                    }
                }

                if (vm.MaskError != null)
                {
                    o.WriteLine("  warning: " + vm.MaskError);
                }

                o.WriteLine(vm.FeatureMask.Count == 0
                    ? "  per-VM EVC:       (none)"
                    : "  per-VM EVC:       " + string.Join(", ", vm.FeatureMask.Select(m => $"{m.Key}={m.Value}")));
                o.WriteLine(vm.FeatureRequirement.Count == 0
                    ? "  requirement:      (none reported" + (vm.PowerState == "poweredOn" ? ")" : "; vCenter fills it only while the VM runs)")
                    : $"  requirement:      {vm.FeatureRequirement.Count} features the running VM needs from a host (see --json)");
                o.WriteLine();
            }

            return Program.ExitOk;
        }

        private static JsonObject ToJson(StoredVmMask vm)
        {
            var masks = new JsonObject();
            foreach (var pair in vm.MaskConfig)
            {
                masks[pair.Key] = pair.Value;
            }

            return new JsonObject
            {
                ["name"] = vm.Name,
                ["moref"] = vm.MoRef.ToString(),
                ["server"] = vm.Server,
                ["host"] = vm.HostName,
                ["powerState"] = vm.PowerState,
                ["hardwareVersion"] = vm.HardwareVersion,
                ["changeVersion"] = vm.ChangeVersion,
                ["extraConfig"] = masks,
                ["vmx"] = new JsonArray(vm.ToVmxLines().Select(l => (JsonNode)JsonValue.Create(l)!).ToArray()),
                ["maskError"] = vm.MaskError,
                ["featureMask"] = new JsonArray(vm.FeatureMask.Select(m => (JsonNode)new JsonObject { ["key"] = m.Key, ["value"] = m.Value }).ToArray()),
                ["featureRequirement"] = new JsonArray(vm.FeatureRequirement.Select(r => (JsonNode)new JsonObject { ["key"] = r.Key, ["value"] = r.Value }).ToArray()),
            };
        }
    }
}
