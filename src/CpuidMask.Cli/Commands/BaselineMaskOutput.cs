using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using CpuidMask.Engine;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Export;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;

namespace CpuidMask.Cli.Commands
{
    /// <summary>
    /// <c>cpuidmask mask --baseline KEY</c> and the export formats (libvirt, qemu, pervmevc): the parts of
    /// the mask command that deal with named baselines.
    /// </summary>
    internal static class BaselineMaskOutput
    {
        private static readonly string[] BaselineFormats = { "text", "vmx", "featmask", "json", "pervmevc", "libvirt", "qemu" };

        public static bool IsExportFormat(string format) => format == "libvirt" || format == "qemu" || format == "pervmevc";

        public static int Run(Arguments args, CliContext context, string format)
        {
            if (!BaselineFormats.Contains(format))
            {
                throw Arguments.Usage($"--format takes {string.Join(", ", BaselineFormats)}, not '{format}'.");
            }

            if (args.Value("--hw-version") != null && IsExportFormat(format))
            {
                throw Arguments.Usage($"--hw-version does not combine with --format {format}: " + (format == "pervmevc"
                    ? "per-VM EVC is for VMs of vmx-14 and later, and vSphere applies the mode's masks as they are."
                    : "it is about ESXi VMs, and a KVM guest has no virtual hardware version."));
            }

            string? key = args.Value("--baseline");
            if (key == null)
            {
                if (format == "pervmevc")
                {
                    throw Arguments.Usage("--format pervmevc needs --baseline KEY: a per-VM EVC mode is a named baseline.");
                }

                // libvirt or qemu for a mask over hosts.
                var hostsMask = new MaskGenerator(context.Catalog).Generate(
                    ProfileInputs.LoadFilesAndHosts(args, context, 1, "one or more FILEs, one per host (or --server with --host), or --baseline KEY"),
                    args.Values("--hide"));
                WriteExport(context.Out, LibvirtCpu.FromMask(hostsMask), format);
                return hostsMask.Proof.Passed ? Program.ExitOk : Program.ExitBlocked;
            }

            if (args.Values("--hide").Count > 0)
            {
                throw Arguments.Usage("--hide does not combine with --baseline: the baseline decides what is hidden.");
            }

            if (args.Value("--evc-mode-file") != null && format != "pervmevc")
            {
                throw Arguments.Usage("--evc-mode-file goes with --format pervmevc.");
            }

            var catalog = BaselineCatalog.Default;
            int? hardwareVersion = Command.HardwareVersion(args, catalog.Features);
            var baseline = catalog.Find(key);
            IReadOnlyList<CpuidProfile>? hosts = args.Positionals.Count > 0 || args.Values("--host").Count > 0
                ? ProfileInputs.LoadFilesAndHosts(args, context, 1, "FILEs")
                : null;
            var result = new BaselineMaskGenerator(catalog, hardwareVersion).Generate(baseline, hosts);
            var o = context.Out;
            switch (format)
            {
                case "vmx":
                case "featmask":
                    MaskCommand.Write(context, result, format, baseline.Key);
                    break;
                case "json":
                    MaskJson.Write(result, o);
                    break;
                case "pervmevc":
                    WritePerVmEvc(context, baseline, catalog, hosts, args.Value("--evc-mode-file"));
                    break;
                case "libvirt":
                case "qemu":
                    WriteExport(o, LibvirtCpu.FromMask(result, catalog), format);
                    break;
                default:
                    WriteText(context, result, baseline, hosts);
                    break;
            }

            return result.Proof.Passed ? Program.ExitOk : Program.ExitBlocked;
        }

        private static void WriteExport(TextWriter o, LibvirtCpu cpu, string format)
        {
            if (format == "qemu")
            {
                o.WriteLine(cpu.ToQemuArgument());
            }
            else
            {
                o.Write(cpu.ToXml());
            }
        }

        /// <summary>
        /// The per-VM EVC mask of a baseline: computed from the catalog, or with <paramref name="evcModeFile"/> a vCenter's
        /// own definition of the mode, listed with how it differs from the computed one. A mode the catalog has no
        /// identity for gets no computed mask (PerVmEvcIdentityMissing), but the vCenter's own still serves.
        /// </summary>
        internal static void WritePerVmEvc(CliContext context, Baseline baseline, BaselineCatalog catalog, IReadOnlyList<CpuidProfile>? hosts, string? evcModeFile)
        {
            var differences = new List<string>();
            PerVmEvcMask mask;
            if (evcModeFile == null)
            {
                mask = PerVmEvcMask.FromBaseline(baseline, catalog, hosts);
            }
            else
            {
                string text;
                try
                {
                    text = File.ReadAllText(evcModeFile);
                }
                catch (IOException ex)
                {
                    throw new CpuidMaskException("EvcModeFileUnreadable", ErrorKind.ResourceUnavailable, $"Cannot read {evcModeFile}: {ex.Message}", evcModeFile, ex);
                }

                mask = PerVmEvcMask.FromEvcMode(text, baseline.Key, evcModeFile);
                if (baseline.Identity != null)
                {
                    differences.AddRange(mask.Differences(PerVmEvcMask.FromBaseline(baseline, catalog, hosts)));
                }
            }

            Render.WriteJson(context.Out, new JsonObject
            {
                ["evcModeKey"] = mask.EvcModeKey,
                ["origin"] = mask.Origin,
                ["completeMasks"] = true,
                ["featureMask"] = new JsonArray(mask.Entries.Select(e => (JsonNode)new JsonObject
                {
                    ["key"] = e.Key,
                    ["featureName"] = e.FeatureName,
                    ["value"] = e.Value,
                }).ToArray()),
                ["identity"] = mask.Identity is EvcIdentity identity
                    ? new JsonObject { ["reference"] = identity.Reference, ["source"] = identity.Source }
                    : null,
                ["notes"] = BaselinesCommand.Array(mask.Notes),
                ["differencesFromCatalog"] = BaselinesCommand.Array(differences),
            });
        }

        private static void WriteText(CliContext context, GeneratedMask result, Baseline baseline, IReadOnlyList<CpuidProfile>? hosts)
        {
            var o = context.Out;
            o.WriteLine(hosts == null
                ? $"# CPUID mask for baseline {baseline.Key} ({baseline.Label}): complete, it holds on any host that supports the mode"
                : $"# CPUID mask for baseline {baseline.Key} ({baseline.Label}) on {string.Join(", ", hosts.Select(h => h.Name))}");
            o.WriteLine("# Add to the VM's .vmx or extraConfig while it is powered off; it applies at the next power-on.");
            foreach (string line in result.ToVmxLines())
            {
                o.WriteLine(line);
            }

            o.WriteLine();
            o.WriteLine("Why each line:");
            var lines = new TextTable("LINE", "HIDES", "SOURCE");
            var explained = BaselineMaskGenerator.Explain(result);
            foreach (var line in explained)
            {
                string hides = string.Join(", ", line.Hidden.Take(6).Select(f => f.Name)) + (line.Hidden.Count > 6 ? $" +{line.Hidden.Count - 6} more" : string.Empty);
                string source = line.IsDocumentedEvcRegister ? "EVC's masks" : line.Key.Subleaf == 0 ? "added (1)" : "added (1)(2)";
                lines.Add(line.Key.ToString(), hides, source);
            }

            lines.Write(o);
            o.WriteLine("  EVC's masks: a register vCenter's EVC documentation shows a mask for (leaves 1, 0xD, 0x80000001).");
            if (explained.Any(l => !l.IsDocumentedEvcRegister))
            {
                o.WriteLine("  (1) not among those registers, but EVC hides these bits too; without the line a VM would see them.");
            }

            if (explained.Any(l => l.Key.Subleaf != 0))
            {
                o.WriteLine("  (2) ESXi's support for the cpuid.<leaf>.<subleaf>.<reg> form is unverified: on hardware version 9+");
                o.WriteLine("      prefer --format featmask or pervmevc, which hide these features by name.");
            }
            var passed = baseline.Controls.Where(c => !result.Hidden.Any(h => h.Feature.Name == c.Name)).Select(c => c.Name).ToArray();
            o.WriteLine();
            int visible = baseline.Features.Count(f => !f.IsOutOfReachAt(result.HardwareVersion));
            o.WriteLine(visible == baseline.Features.Count
                ? $"The VM sees the {baseline.Features.Count} features of {baseline.Key}; 'cpuidmask baselines {baseline.Key}' lists them."
                : $"The VM sees {visible} of the {baseline.Features.Count} features of {baseline.Key}; 'cpuidmask baselines {baseline.Key}' lists them. " +
                  $"The other {baseline.Features.Count - visible} are first exposed after vmx-{result.HardwareVersion.ToString(CultureInfo.InvariantCulture)}, its hardware version: {string.Join(", ", baseline.Features.Where(f => f.IsOutOfReachAt(result.HardwareVersion)).Select(f => f.Name))}.");
            o.WriteLine($"Passed through from the host (speculation controls, not part of any mode): {string.Join(", ", passed)}.");
            var hiddenControls = result.Hidden.Where(h => h.Reason == HideReason.NotOnAllHosts).ToArray();
            if (hiddenControls.Length > 0)
            {
                o.WriteLine($"Hidden because not every host has them: {string.Join("; ", hiddenControls.Select(h => $"{h.Feature.Name} ({h.Explanation})"))}.");
            }

            MaskCommand.WriteOutOfReach(context, result);
            if (hosts == null)
            {
                o.WriteLine($"{result.Hidden.Count.ToString(CultureInfo.InvariantCulture)} features hidden; give host FILEs to check them against the mode and keep only the lines that change something.");
                return;
            }

            o.WriteLine();
            o.WriteLine("Proof: what a VM powered on on each host sees under this mask");
            var table = new TextTable("HOST", "TRACKED FEATURES VISIBLE", "HIDDEN FROM IT");
            foreach (var view in result.Proof.Hosts)
            {
                int hiddenHere = result.Hidden.Count(h => FeatureEvaluator.HostState(view.Host, h.Feature) == FeatureState.Present);
                table.Add(view.HostName, view.GuestFeatures.Count.ToString(CultureInfo.InvariantCulture), hiddenHere.ToString(CultureInfo.InvariantCulture));
            }

            table.Write(o);
            Render.ProofDirections(o, result.Proof);

            o.WriteLine(result.Proof.Passed ? "Proof passed: every direction is allowed." : "Proof FAILED: see the blocked directions above.");
        }
    }
}
