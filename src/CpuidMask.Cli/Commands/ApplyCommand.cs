using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Readers;
using CpuidMask.Vim;
using CpuidMask.Vim.Masks;

namespace CpuidMask.Cli.Commands
{
    internal sealed class ApplyCommand : Command
    {
        public override string Name => "apply";

        public override string Summary => "Write a CPUID mask to VMs through vCenter, verified, with an undo file";

        public override string Help =>
@"Usage: cpuidmask apply --server URL [--user U] --vm NAME... --mask-file F|--baseline KEY
                      [--replace] [--force] [--what-if] [--undo-file OUT] [--parallel N]
                      [--timeout SECONDS] [--allow-unguarded] [--allow-unknown-features] [--json]
       cpuidmask apply --server URL [--user U] --vm NAME... --method PerVmEvc --baseline KEY|none
                      [--what-if] [--undo-file OUT] [--parallel N] [--timeout SECONDS] [--json]

Writes a CPUID mask to each VM's extraConfig, safely:
  - only the CPUID mask keys whose value changes are sent (cpuid.*, featMask.vm.cpuid.*),
    in one reconfigure per VM; other advanced settings are never touched;
  - a VM that already has the result is left alone ('unchanged'; nothing is sent);
  - the write carries the VM's change version, so if someone changes the VM between the
    read and the write, vSphere refuses it and nothing is written (run again);
  - the VM is read back and every key checked: a key the server dropped or altered is an
    error (MaskNotPersisted), not a success;
  - powered-on and suspended VMs are refused unless --force: masks apply only at the
    VM's next power-on anyway.
  - the undo file is written BEFORE the VM is changed (outcome ""pending"") and completed
    afterwards (applied, not-applied, unknown); a folder that cannot take it stops the run
    before any write, so no VM is ever changed without its undo file;
  - if an answer is lost (connection dropped, server frozen, --timeout, Ctrl+C), the VM is
    read again and reported applied, not applied or unknown, and the VMs not yet started
    are reported not attempted instead of each waiting for the server.
For each VM it prints the keys changed with their previous values, and the undo file that
'cpuidmask undo' uses to put the previous values back. VMs are changed up to --parallel at
a time and reported in the order given.

F holds the .vmx lines 'cpuidmask mask --format vmx' prints (or a .vmx file's cpuid
lines), or the JSON of 'cpuidmask mask --format json'. --baseline KEY writes an EVC
mode's complete mask instead (e.g. intel-westmere; see 'cpuidmask baselines').
The JSON and --baseline say the CPU vendor the mask is for (its hosts' or the baseline's):
a VM whose host has the other vendor's CPU is refused (CpuVendorMismatch) and the other
VMs are still done. .vmx lines carry no vendor and are not checked.

--method PerVmEvc applies an EVC mode as a per-VM EVC mode instead (vSphere 6.7+):
one ApplyEvcModeVM_Task with the vCenter's own EVCMode.featureMask when it offers the
mode in capability.supportedEVCMode, else the mask computed from cpuidmask's baseline
catalog; --baseline none clears it. Checked first, each with its own error: hardware
version vmx-14+, VM powered off (no --force: vSphere refuses), and the VM's
capability.perVmEvcSupported. runtime.featureMask is read back and compared. The undo
file holds the VM's previous per-VM EVC mask; 'cpuidmask undo' applies it again.

Options:
  --vm NAME...         the VMs (names or wildcards; a name that matches no VM is an
                       error, and then nothing is written to any VM)
  --mask-file F        the mask to write
  --allow-unknown-features
                       accept featMask.vm.cpuid.NAME lines in F whose NAME the catalog
                       does not know (their values are still checked)
  --baseline KEY       an EVC mode (intel-westmere, amd-zen2 ...) instead of a mask file
  --method M           ExtraConfig (default: cpuid.* keys in extraConfig) or PerVmEvc
  --replace            replace the VM's CPUID masks: mask keys not in F are removed
                       (default: merge with them; hiding wins, and a bit one mask forces
                       on and the other hides is an error)
  --force              also write to powered-on or suspended VMs (it takes effect at
                       their next power-on; a guest restart is not enough)
  --what-if            show the changes per VM without writing anything
  --undo-file OUT      where to write the undo record. One JSON file per VM:
                       default cpuidmask-undo-<vm>-<UTC time>.json in the current
                       directory; OUT may be a directory, or a file name (with {vm} in it
                       when several VMs match, e.g. undo-{vm}.json). Existing files are
                       never overwritten. Written (before the write) only for VMs that
                       are changed.
  --parallel N         change at most N VMs at once (default 8; 1 for one at a time)
  --timeout SECONDS    stop the whole run after SECONDS: VMs under way are read again and
                       reported, the rest not attempted (default: no limit)
  --allow-unguarded    write even when vCenter's answer lacks config.changeVersion (the
                       guard against lost updates): the VM is read again just before the
                       write and compared instead (default: refuse)
  --json               print every VM's outcome as one JSON array (vm, moref, server,
                       status, verified, changes, undoFile, error) instead of text

" + VCenterOptions.HelpText + @"
Exit codes: 0 every VM applied or unchanged, 2 bad input, any vCenter error, or any VM
failed, not applied, unknown or not attempted (the others are still done; each failure is
on stderr, naming the VM).

Example:
  cpuidmask mask --server vc01 --host esx01 esx02 --format vmx > mask.vmx
  cpuidmask apply --server vc01 --vm web01 web02 --mask-file mask.vmx
  cpuidmask apply --server vc01 --vm app01 --method PerVmEvc --baseline intel-haswell
";

        public override IEnumerable<string> Switches => VCenterOptions.Switches.Concat(new[] { "--replace", "--force", "--what-if", "--allow-unguarded", "--allow-unknown-features", "--json" });

        public override IEnumerable<string> SingleValueOptions => VCenterOptions.SingleValueOptions.Concat(new[] { "--mask-file", "--undo-file", "--method", "--baseline", "--parallel", "--timeout" });

        public override IEnumerable<string> MultiValueOptions => new[] { "--vm" };

        public override int Run(Arguments args, CliContext context)
        {
            if (args.Positionals.Count > 0)
            {
                throw Arguments.Usage($"Unexpected '{args.Positionals[0]}'; name VMs with --vm and the mask with --mask-file.");
            }

            var names = args.Values("--vm");
            if (names.Count == 0)
            {
                throw Arguments.Usage("Name the VMs to write to: --vm NAME... (wildcards allowed).");
            }

            string method = args.Value("--method") ?? "ExtraConfig";
            if (string.Equals(method, "PerVmEvc", StringComparison.OrdinalIgnoreCase))
            {
                return RunPerVmEvc(args, context, names);
            }

            if (!string.Equals(method, "ExtraConfig", StringComparison.OrdinalIgnoreCase))
            {
                throw Arguments.Usage($"--method takes ExtraConfig or PerVmEvc, not '{method}'.");
            }

            string? maskFile = args.Value("--mask-file");
            string? baseline = args.Value("--baseline");
            if ((maskFile == null) == (baseline == null))
            {
                throw Arguments.Usage("Give the mask to write: --mask-file F (the output of 'cpuidmask mask --format vmx') or --baseline KEY, one of the two.");
            }

            var generated = baseline != null ? new BaselineMaskGenerator().Generate(baseline) : null;
            var read = generated != null ? new MaskForVendor(generated.Mask, generated.CpuVendor) : MaskFile.ReadFileWithVendor(maskFile!, MaskOptions(args));
            var mask = read.Mask;
            maskFile ??= "baseline " + baseline;
            var options = new MaskApplyOptions
            {
                Mode = args.Has("--replace") ? MaskWriteMode.Replace : MaskWriteMode.Merge,
                Force = args.Has("--force"),
                WhatIf = args.Has("--what-if"),
                MaskCpuVendor = read.CpuVendor,
                AllowUnguarded = args.Has("--allow-unguarded"),
            };
            if (mask.IsEmpty && options.Mode == MaskWriteMode.Merge)
            {
                context.Err.WriteLine($"cpuidmask apply: note: {maskFile} holds no mask lines; merging it changes nothing (use --replace to remove the VMs' CPUID masks).");
            }

            int parallel = RunDeadline.Parallelism(args);
            var writer = new VmChangeReportWriter(context, Name, args.Has("--json"));
            var vcenter = VCenterOptions.From(args, context);
            using (var deadline = new RunDeadline(args))
            using (var client = vcenter.Connect(context))
            {
                var vms = ReadVms(new VmMaskService(client), client.ServerName, names);
                var journal = options.WhatIf ? null : Journal(args, context, vms);
                var service = new VmMaskService(client) { Journal = journal };
                VimCall.Run(() => VmBatch.RunAsync(
                    vms,
                    (vm, token) => service.ApplyAsync(vm.Record, mask, options, token),
                    options.WhatIf ? 1 : parallel,
                    deadline.Token,
                    done => writer.Add(
                        done.Index,
                        new[] { done.Result != null ? VmChangeReport.From(done.Result, journal?.PathOf(done.Item.Name)) : VmChangeReport.Failure(done.Item.Name, client.ServerName, done.Error, done.Attempted, journal?.WrittenPathOf(done.Item.Name)) },
                        done.Result != null ? o => MaskWriteOutput.Write(o, done.Result) : (done.Error as MaskNotPersistedException)?.Result is MaskApplyResult notKept ? o => MaskWriteOutput.Write(o, notKept) : (Action<System.IO.TextWriter>?)null)));
            }

            writer.Finish();
            return writer.AnyFailed ? Program.ExitBadInput : Program.ExitOk;
        }

        /// <summary>The run's undo files, planned and proven writable before any VM is changed.</summary>
        private static UndoFileJournal Journal(Arguments args, CliContext context, IReadOnlyList<StoredVmMask> vms) =>
            new UndoFileJournal(UndoFiles.Plan(args.Value("--undo-file"), vms.Select(v => v.Name).ToArray(), context, DateTime.UtcNow));

        private int RunPerVmEvc(Arguments args, CliContext context, IReadOnlyList<string> names)
        {
            string baseline = args.Value("--baseline") ?? throw Arguments.Usage("--method PerVmEvc needs --baseline KEY (an EVC mode such as intel-haswell), or --baseline none to clear per-VM EVC.");
            foreach (string option in new[] { "--mask-file" })
            {
                if (args.Value(option) != null)
                {
                    throw Arguments.Usage($"{option} does not go with --method PerVmEvc: per-VM EVC applies a whole EVC mode, given by --baseline.");
                }
            }

            if (args.Has("--replace") || args.Has("--force"))
            {
                throw Arguments.Usage("--replace and --force do not go with --method PerVmEvc: a per-VM EVC mode always replaces the previous one, and vSphere changes it only on a powered-off VM.");
            }

            bool whatIf = args.Has("--what-if");
            int parallel = RunDeadline.Parallelism(args);
            var writer = new VmChangeReportWriter(context, Name, args.Has("--json"));
            var vcenter = VCenterOptions.From(args, context);
            using (var deadline = new RunDeadline(args))
            using (var client = vcenter.Connect(context))
            {
                var vms = ReadVms(new VmMaskService(client), client.ServerName, names);
                var journal = whatIf ? null : Journal(args, context, vms);
                var service = new PerVmEvcService(client) { Journal = journal };
                var request = VimCall.Run(() => service.ResolveModeAsync(baseline));
                if (!args.Has("--json"))
                {
                    context.Out.WriteLine(request.EvcModeKey == null
                        ? "Per-VM EVC: clear (empty mask)"
                        : $"Per-VM EVC mode {request.EvcModeKey}: {request.Mask.Count} feature mask entries, {request.Source}");
                }

                VimCall.Run(() => VmBatch.RunAsync(
                    vms,
                    (vm, token) => service.ApplyAsync(vm.Record, request, whatIf, token),
                    whatIf ? 1 : parallel,
                    deadline.Token,
                    done => writer.Add(
                        done.Index,
                        new[] { done.Result != null ? VmChangeReport.From(done.Result, journal?.PathOf(done.Item.Name)) : VmChangeReport.Failure(done.Item.Name, client.ServerName, done.Error, done.Attempted, journal?.WrittenPathOf(done.Item.Name)) },
                        done.Result == null ? null : o => WriteEvc(o, done.Result))));
            }

            writer.Finish();
            return writer.AnyFailed ? Program.ExitBadInput : Program.ExitOk;
        }

        internal static void WriteEvc(System.IO.TextWriter o, PerVmEvcResult result)
        {
            string what = result.Status switch
            {
                MaskApplyStatus.Unchanged => "unchanged (it already has exactly this mask; nothing was sent)",
                MaskApplyStatus.WhatIf => "what if: would apply it; nothing was written",
                _ => "applied, verified by reading runtime.featureMask back",
            };
            o.WriteLine($"{result.VmName} ({result.MoRef} on {result.Server}): {what}");
            o.WriteLine($"  previous runtime.featureMask: {(result.Previous.Count == 0 ? "(none)" : result.Previous.Count + " entries")}");
            if (result.Status == MaskApplyStatus.Applied)
            {
                o.WriteLine($"  runtime.featureMask now: {(result.ReadBack.Count == 0 ? "(none; per-VM EVC cleared)" : result.ReadBack.Count + " entries")}");
                o.WriteLine("  Takes effect at the VM's next power-on.");
            }
        }

        private static IReadOnlyList<StoredVmMask> ReadVms(VmMaskService service, string server, IReadOnlyList<string> names)
        {
            IReadOnlyList<StoredVmMask> vms;
            try
            {
                vms = VimCall.Run(() => service.ReadAsync(names));
            }
            catch (CpuidMaskException ex) when (ex.ErrorId == VimErrorIds.VmNotFound)
            {
                throw new CpuidMaskException(ex.ErrorId, ex.Kind, ex.Message + " Nothing was written to any VM.", ex.Target, ex) { Remedy = ex.Remedy };
            }

            return vms.Count > 0 ? vms : throw new CpuidMaskException(
                VimErrorIds.VmNotFound,
                ErrorKind.ObjectNotFound,
                $"No VM on {server} matches {string.Join(", ", names.Select(n => "'" + n + "'"))}; nothing was written.",
                names[0]);
        }
    }
}
