using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Readers;

namespace CpuidMask.Cli.Commands
{
    internal sealed class MaskCommand : Command
    {
        public override string Name => "mask";

        public override string Summary => "Compute the minimal per-VM mask for a set of hosts, with its proof";

        public override string Help =>
@"Usage: cpuidmask mask FILE FILE... [--hide NAME...] [--format text|vmx|featmask|json|libvirt|qemu] [--hw-version N] [--cpu N] [--allow-partial]
       cpuidmask mask --baseline KEY [FILE...] [--format F] [--hw-version N] [--evc-mode-file F]
       cpuidmask mask --server URL [--user U] --host NAME... [FILE...] [options]

Computes the smallest per-VM CPUID mask with which a VM can power on on any of the
hosts and move between all of them: every feature vCenter compares that is not on all
hosts is hidden, and so is everything that builds on a hidden feature (hiding XSAVE
hides its state components and AVX; hiding AVX hides F16C, FMA, AVX2 ...).

The mask is for a VM of the newest virtual hardware version unless --hw-version says
otherwise: a feature ESXi first exposes in a later version than the VM's is out of its
reach on every host, so the mask leaves it alone and lists it (text, json) instead.

Options:
  --hide NAME...  also hide these features (and what depends on them)
  --format F      text (default): the .vmx lines, a table explaining every hidden bit,
                  and the per-host proof
                  vmx: only the .vmx lines, e.g. cpuid.1.ecx = ""--00-0---0----0-----------------""
                  featmask: featMask.vm.cpuid.<NAME> = ""Val:0"" lines (hardware version 9+)
                  json: everything, machine-readable
                  libvirt: a <cpu mode='custom' match='exact'> element for a KVM domain
                  qemu: the same as a QEMU -cpu argument
                  pervmevc (with --baseline): the HostFeatureMask entries (key,
                  featureName, value) for per-VM EVC (ApplyEvcModeVM_Task), as JSON
  --baseline KEY  bring the VM down to a named baseline (an EVC mode, see 'cpuidmask
                  baselines'): hide every tracked feature the mode does not include.
                  Without FILEs the mask is complete and holds on any host of the mode,
                  even CPUs newer than this program; with FILEs it hides only what they
                  have, checks that each supports the mode, and proves itself on them
" + HardwareVersionHelp + @"
                  (not with libvirt, qemu or pervmevc)
  --evc-mode-file F  with --format pervmevc: take the entries from vCenter's own EVC mode
                  definition (JSON of EVCMode objects or of supportedEVCMode) instead of
                  computing them, and list where it differs from the catalog
  --cpu N         logical CPU of multi-CPU dumps to read (default 0)
  --host NAME...  with --server: read these hosts live from vCenter (names or wildcards),
                  alongside any FILEs; a host that is not connected is an error naming it
" + ProfileInputs.AllowPartialHelp + @"
" + VCenterOptions.HelpText + @"
Exit codes: 0 success (the proof passed), 2 bad input or a vCenter error.

Example:
  cpuidmask mask docs/samples/avoton-c2750.txt docs/samples/ivybridge-i7-3770k.txt
  cpuidmask mask --baseline intel-westmere --format vmx
  cpuidmask mask icelake.txt cascadelake.txt --hw-version vmx-14
  cpuidmask mask --server vc01 --user administrator@vsphere.local --host esx01 esx02 --format vmx
";

        public override IEnumerable<string> Switches => new[] { "--allow-partial" }.Concat(VCenterOptions.Switches);

        public override IEnumerable<string> SingleValueOptions => new[] { "--cpu", "--format", "--baseline", "--evc-mode-file", "--hw-version" }.Concat(VCenterOptions.SingleValueOptions);

        public override IEnumerable<string> MultiValueOptions => new[] { "--hide", "--host" };

        public override int Run(Arguments args, CliContext context)
        {
            string format = (args.Value("--format") ?? "text").ToLowerInvariant();
            if (args.Value("--baseline") != null || BaselineMaskOutput.IsExportFormat(format))
            {
                return BaselineMaskOutput.Run(args, context, format);
            }

            if (format != "text" && format != "vmx" && format != "featmask" && format != "json")
            {
                throw Arguments.Usage($"--format takes text, vmx, featmask, json, libvirt, qemu or (with --baseline) pervmevc, not '{format}'.");
            }

            int? hardwareVersion = HardwareVersion(args, context.Catalog);
            var profiles = ProfileInputs.LoadFilesAndHosts(args, context, 1, "one or more FILEs, one per host (or --server with --host)");
            var result = new MaskGenerator(context.Catalog, hardwareVersion).Generate(profiles, args.Values("--hide"));
            Write(context, result, format);
            return result.Proof.Passed ? Program.ExitOk : Program.ExitBlocked;
        }

        /// <summary>What the mask leaves alone because the VM cannot see it; nothing at the newest version.</summary>
        internal static void WriteOutOfReach(CliContext context, GeneratedMask result)
        {
            if (result.OutOfReach.Count == 0)
            {
                return;
            }

            var o = context.Out;
            o.WriteLine();
            o.WriteLine($"Left alone: a VM of hardware version {context.Catalog.DescribeHardwareVersion(result.HardwareVersion).Description} never sees these (compute the mask again after upgrading its hardware):");
            var table = new TextTable("FEATURE", "LOCATION", "FIRST SEEN IN", "WOULD BE HIDDEN BECAUSE");
            foreach (var d in result.OutOfReach)
            {
                table.Add(d.Feature.Name, d.Feature.Location, "vmx-" + d.FirstHardwareVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), WouldHide(d.WouldHide));
            }

            table.Write(o);
        }

        private static string WouldHide(HideReason? reason) => reason switch
        {
            HideReason.NotOnAllHosts => "not on every host",
            HideReason.Requested => "asked for (--hide)",
            HideReason.OutsideBaseline => "outside the baseline",
            _ => string.Empty,
        };

        internal static void Write(CliContext context, GeneratedMask result, string format, string? baseline = null)
        {
            var o = context.Out;
            if ((format == "vmx" || format == "text") && result.Mask.SubleafAdvice() is Advice subleaf)
            {
                context.Err.WriteLine("cpuidmask mask: warning: " + RemedyWording.Describe(subleaf));
            }

            switch (format)
            {
                case "vmx":
                    foreach (string line in result.ToVmxLines())
                    {
                        o.WriteLine(line);
                    }

                    return;
                case "featmask":
                    foreach (string line in result.FeatMask.ToVmxLines())
                    {
                        o.WriteLine(line);
                    }

                    foreach (var f in result.WithoutFeatMaskName)
                    {
                        context.Err.WriteLine($"cpuidmask mask: warning: {f.Name} ({f.Location}) has no vSphere feature name; hide it with the raw line from --format vmx.");
                    }

                    return;
                case "json":
                    MaskJson.Write(result, o);
                    return;
            }

            o.WriteLine($"# CPUID mask for {string.Join(", ", result.Profiles.Select(p => p.Name))}" + (baseline == null ? string.Empty : $" (baseline {baseline})"));
            o.WriteLine("# Add to the VM's .vmx or extraConfig while it is powered off; it applies at the next power-on.");
            if (result.Mask.IsEmpty)
            {
                o.WriteLine("# No mask is needed: the hosts offer the same features vCenter compares.");
            }

            foreach (string line in result.ToVmxLines())
            {
                o.WriteLine(line);
            }

            if (result.Hidden.Count > 0)
            {
                o.WriteLine();
                o.WriteLine("Hidden features:");
                var table = new TextTable("FEATURE", "VCENTER SAYS", "LOCATION", "WHY HIDDEN");
                foreach (var h in result.Hidden)
                {
                    table.Add(h.Feature.Name, h.Feature.DisplayName, h.Feature.Location, h.Explanation);
                }

                table.Write(o);
            }

            WriteOutOfReach(context, result);
            o.WriteLine();
            o.WriteLine("Proof: what a VM powered on on each host sees under this mask");
            var hosts = new TextTable("HOST", "TRACKED FEATURES VISIBLE", "HIDDEN FROM IT");
            foreach (var view in result.Proof.Hosts)
            {
                int hiddenHere = result.Hidden.Count(h => FeatureEvaluator.HostState(view.Host, h.Feature) == Engine.Model.FeatureState.Present);
                hosts.Add(view.HostName, view.GuestFeatures.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), hiddenHere.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            hosts.Write(o);
            Render.ProofDirections(o, result.Proof);

            o.WriteLine(result.Proof.Passed ? "Proof passed: every direction is allowed." : "Proof FAILED: see the blocked directions above.");
        }
    }
}
