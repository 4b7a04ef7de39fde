using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Vim.Masks;

namespace CpuidMask.Cli.Commands
{
    internal sealed class UndoCommand : Command
    {
        public override string Name => "undo";

        public override string Summary => "Put back the CPUID mask values an apply replaced, from its undo file";

        public override string Help =>
@"Usage: cpuidmask undo --server URL [--user U] --undo-file F... [--force] [--what-if]

Restores what 'cpuidmask apply' changed, from the undo files it wrote: every key gets
its previous value back exactly, and keys that did not exist before are removed. The VM
is found by the reference in the file (so a renamed VM is still found).

It is refused, with nothing written, when a key no longer holds the value the apply
wrote (someone changed it since; the message names the key), when the VM is powered
on or suspended, or when the file was made on another server - unless --force. The
write has the same safety as apply: one reconfigure with the VM's change version, and a
read-back that checks every key. Undoing twice reports 'unchanged'. Several files are
undone newest first, so applies made one after another unwind in reverse order.

Options:
  --undo-file F...     undo files written by 'cpuidmask apply' (one per VM)
  --force              restore even over later changes, on a running VM, or when the
                       file names the server differently
  --what-if            show the changes without writing anything

" + VCenterOptions.HelpText + @"
Exit codes: 0 every VM restored or already restored, 2 bad input, any vCenter error,
or any VM failed (the others are still done).

Example:
  cpuidmask undo --server vc01 --undo-file cpuidmask-undo-web01-20250131T091403Z.json
";

        public override IEnumerable<string> Switches => VCenterOptions.Switches.Concat(new[] { "--force", "--what-if" });

        public override IEnumerable<string> SingleValueOptions => VCenterOptions.SingleValueOptions;

        public override IEnumerable<string> MultiValueOptions => new[] { "--undo-file" };

        public override int Run(Arguments args, CliContext context)
        {
            var files = args.Values("--undo-file").Concat(args.Positionals).ToArray();
            if (files.Length == 0)
            {
                throw Arguments.Usage("Give the undo files: --undo-file F... (written by 'cpuidmask apply').");
            }

            // All files are read before anything is written: a typo must not leave half the VMs restored.
            // Newest first, so that several applies to one VM unwind in reverse order.
            var records = files.Select(UndoFiles.Read).OrderByDescending(r => r.AppliedAt).ToArray();
            var options = new MaskUndoOptions { Force = args.Has("--force"), WhatIf = args.Has("--what-if") };
            var vcenter = VCenterOptions.From(args, context);
            bool failed = false;
            using (var client = vcenter.Connect(context))
            {
                var service = new VmMaskService(client);
                foreach (var record in records)
                {
                    try
                    {
                        var result = VimCall.Run(() => service.UndoAsync(record, options));
                        MaskWriteOutput.Write(context.Out, result);
                    }
                    catch (MaskNotPersistedException ex)
                    {
                        MaskWriteOutput.Write(context.Out, ex.Result);
                        ApplyCommand.Fail(context, Name, record.Vm, ex);
                        failed = true;
                    }
                    catch (CpuidMaskException ex)
                    {
                        ApplyCommand.Fail(context, Name, record.Vm, ex);
                        failed = true;
                    }
                }
            }

            return failed ? Program.ExitBadInput : Program.ExitOk;
        }
    }
}
