using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Masks;
using CpuidMask.Vim;
using CpuidMask.Vim.Masks;

namespace CpuidMask.Cli.Commands
{
    internal sealed class ApplyCommand : Command
    {
        public override string Name => "apply";

        public override string Summary => "Write a CPUID mask to VMs through vCenter, verified, with an undo file";

        public override string Help =>
@"Usage: cpuidmask apply --server URL [--user U] --vm NAME... --mask-file F
                      [--replace] [--force] [--what-if] [--undo-file OUT]

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
For each VM it prints the keys changed with their previous values, and writes an undo
file that 'cpuidmask undo' uses to put the previous values back.

F holds the .vmx lines 'cpuidmask mask --format vmx' prints (or a .vmx file's cpuid
lines), or the JSON of 'cpuidmask mask --format json'.

Options:
  --vm NAME...         the VMs (names or wildcards; a name that matches no VM is an
                       error, and then nothing is written to any VM)
  --mask-file F        the mask to write
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
                       never overwritten. Written only for VMs that were changed.

" + VCenterOptions.HelpText + @"
Exit codes: 0 every VM applied or unchanged, 2 bad input, any vCenter error, or any VM
failed (the others are still done; each failure is on stderr, naming the VM).

Example:
  cpuidmask mask --server vc01 --host esx01 esx02 --format vmx > mask.vmx
  cpuidmask apply --server vc01 --vm web01 web02 --mask-file mask.vmx
";

        public override IEnumerable<string> Switches => VCenterOptions.Switches.Concat(new[] { "--replace", "--force", "--what-if" });

        public override IEnumerable<string> SingleValueOptions => VCenterOptions.SingleValueOptions.Concat(new[] { "--mask-file", "--undo-file" });

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

            string maskFile = args.Value("--mask-file") ?? throw Arguments.Usage("Give the mask to write: --mask-file F (the output of 'cpuidmask mask --format vmx').");
            var mask = MaskFiles.Read(maskFile);
            var options = new MaskApplyOptions
            {
                Mode = args.Has("--replace") ? MaskWriteMode.Replace : MaskWriteMode.Merge,
                Force = args.Has("--force"),
                WhatIf = args.Has("--what-if"),
            };
            if (mask.IsEmpty && options.Mode == MaskWriteMode.Merge)
            {
                context.Err.WriteLine($"cpuidmask apply: note: {maskFile} holds no mask lines; merging it changes nothing (use --replace to remove the VMs' CPUID masks).");
            }

            var vcenter = VCenterOptions.From(args, context);
            bool failed = false;
            using (var client = vcenter.Connect(context))
            {
                var service = new VmMaskService(client);
                IReadOnlyList<VmMaskInfo> vms;
                try
                {
                    vms = VCenterOptions.Wait(() => service.ReadAsync(names));
                }
                catch (CpuidMaskException ex) when (ex.ErrorId == VimErrorIds.VmNotFound)
                {
                    throw new CpuidMaskException(ex.ErrorId, ex.Kind, ex.Message + " Nothing was written to any VM.", ex.Target, ex);
                }

                if (vms.Count == 0)
                {
                    throw new CpuidMaskException(VimErrorIds.VmNotFound, ErrorKind.ObjectNotFound, $"No VM on {client.ServerName} matches {string.Join(", ", names.Select(n => "'" + n + "'"))}; nothing was written.", names[0]);
                }

                var undoPaths = options.WhatIf
                    ? new Dictionary<string, string>()
                    : UndoFiles.Plan(args.Value("--undo-file"), vms.Select(v => v.Name).ToArray(), context, DateTime.UtcNow);
                foreach (var vm in vms)
                {
                    MaskApplyResult result;
                    try
                    {
                        result = VCenterOptions.Wait(() => service.ApplyAsync(vm.Record, mask, options));
                    }
                    catch (MaskNotPersistedException ex)
                    {
                        MaskWriteOutput.Write(context.Out, ex.Result);
                        SaveUndo(context, undoPaths, ex.Result);
                        Fail(context, Name, vm.Name, ex);
                        failed = true;
                        continue;
                    }
                    catch (CpuidMaskException ex)
                    {
                        Fail(context, Name, vm.Name, ex);
                        failed = true;
                        continue;
                    }

                    MaskWriteOutput.Write(context.Out, result);
                    if (result.Written)
                    {
                        SaveUndo(context, undoPaths, result);
                    }
                }
            }

            return failed ? Program.ExitBadInput : Program.ExitOk;
        }

        internal static void Fail(CliContext context, string command, string vm, CpuidMaskException ex)
        {
            context.Err.WriteLine($"cpuidmask {command}: {vm}: {ex.Message}");
            context.Err.WriteLine($"  (error {ex.ErrorId})");
        }

        private static void SaveUndo(CliContext context, IReadOnlyDictionary<string, string> paths, MaskApplyResult result)
        {
            if (!paths.TryGetValue(result.VmName, out var path))
            {
                return;
            }

            try
            {
                UndoFiles.Write(path, result.ToUndoRecord());
                context.Out.WriteLine($"  undo file: {path}");
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is UnauthorizedAccessException)
            {
                // The VM is already changed: say loudly what the undo would have held.
                context.Err.WriteLine($"cpuidmask apply: {result.VmName}: the mask was written but the undo file '{path}' could not be: {ex.Message}. Previous values:");
                foreach (var change in result.Changes)
                {
                    context.Err.WriteLine($"  {change.Key} = {(change.PreviousValue == null ? "(absent)" : "\"" + change.PreviousValue + "\"")}");
                }
            }
        }
    }
}
