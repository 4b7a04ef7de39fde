using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Vim;
using CpuidMask.Vim.Masks;

namespace CpuidMask.Cli.Commands
{
    internal sealed class UndoCommand : Command
    {
        public override string Name => "undo";

        public override string Summary => "Put back what an apply replaced (CPUID masks or a per-VM EVC mode), from its undo file";

        public override string Help =>
@"Usage: cpuidmask undo --server URL [--user U] --undo-file F... [--force] [--what-if]
                     [--parallel N] [--timeout SECONDS] [--allow-unguarded] [--json]

Restores what 'cpuidmask apply' changed, from the undo files it wrote: every key gets
its previous value back exactly, and keys that did not exist before are removed; for a
per-VM EVC change, the VM's previous per-VM EVC mask is applied again (or cleared).

Every file is read and checked first (a damaged or foreign file stops the run with its
name, before anything is written). The VM is found on the server the file names, by the
reference in the file, and only if it still has the file's VM name; otherwise the undo
of that file is refused (the reference may be another VM now). It is refused, with
nothing written, when a key no longer holds the value the apply wrote (someone changed
it since; the message names the key), when the VM is powered on or suspended, or when
the file was made on another server or names a renamed VM - unless --force. The write
has the same safety as apply: one reconfigure with the VM's change version, and a
read-back that checks every key. Undoing twice reports 'unchanged'. Several files of one
VM are undone newest first, so applies made one after another unwind in reverse order;
different VMs are undone up to --parallel at a time.

Options:
  --undo-file F...     undo files written by 'cpuidmask apply' (one per VM)
  --force              restore even over later changes, on a running VM, when the file
                       names the server differently, or when the VM was renamed
  --what-if            show the changes without writing anything
  --parallel N         restore at most N VMs at once (default 8)
  --timeout SECONDS    stop the whole run after SECONDS (default: no limit)
  --allow-unguarded    write even when vCenter's answer lacks config.changeVersion
  --json               print every VM's outcome as one JSON array

" + VCenterOptions.HelpText + @"
Exit codes: 0 every VM restored or already restored, 2 bad input, any vCenter error,
or any VM failed, not restored, unknown or not attempted (the others are still done).

Example:
  cpuidmask undo --server vc01 --undo-file cpuidmask-undo-web01-20250131T091403Z.json
";

        public override IEnumerable<string> Switches => VCenterOptions.Switches.Concat(new[] { "--force", "--what-if", "--allow-unguarded", "--json" });

        public override IEnumerable<string> SingleValueOptions => VCenterOptions.SingleValueOptions.Concat(new[] { "--parallel", "--timeout" });

        public override IEnumerable<string> MultiValueOptions => new[] { "--undo-file" };

        public override int Run(Arguments args, CliContext context)
        {
            var files = args.Values("--undo-file").Concat(args.Positionals).ToArray();
            if (files.Length == 0)
            {
                throw Arguments.Usage("Give the undo files: --undo-file F... (written by 'cpuidmask apply').");
            }

            // All files are read before anything is written: a typo must not leave half the VMs restored.
            // One VM's files run newest first and one after another; different VMs may run side by side.
            var groups = files.Select(UndoFiles.Read)
                .OrderByDescending(r => r.AppliedAt)
                .GroupBy(r => (r.Server.ToLowerInvariant(), r.MoRef?.ToString() ?? "name:" + r.Vm.ToLowerInvariant()))
                .Select(g => g.ToArray())
                .ToArray();
            bool force = args.Has("--force");
            bool whatIf = args.Has("--what-if");
            var options = new MaskUndoOptions { Force = force, WhatIf = whatIf, AllowUnguarded = args.Has("--allow-unguarded") };
            int parallel = RunDeadline.Parallelism(args);
            var writer = new VmChangeReportWriter(context, Name, args.Has("--json"));
            var vcenter = VCenterOptions.From(args, context);
            using (var deadline = new RunDeadline(args))
            using (var client = vcenter.Connect(context))
            {
                var masks = new VmMaskService(client);
                var evc = new PerVmEvcService(client);
                VimCall.Run(() => VmBatch.RunAsync(
                    groups,
                    (records, token) => UndoAsync(records, masks, evc, options, token),
                    whatIf ? 1 : parallel,
                    deadline.Token,
                    done =>
                    {
                        var reports = done.Result
                            ?? (done.Error as GroupInterruptedException)?.Reports
                            ?? done.Item.Select(r => (VmChangeReport.Failure(r.Vm, r.Server, done.Error, done.Attempted, null), (Action<System.IO.TextWriter>?)null)).ToArray();
                        writer.Add(done.Index, reports.Select(r => r.Report).ToArray(), o =>
                        {
                            foreach (var report in reports)
                            {
                                report.Text?.Invoke(o);
                            }
                        });
                    }));
            }

            writer.Finish();
            return writer.AnyFailed ? Program.ExitBadInput : Program.ExitOk;
        }

        /// <summary>Undoes one VM's records in order; a failure stops that VM's older ones (they build on it) and is reported for each.</summary>
        private static async Task<IReadOnlyList<(VmChangeReport Report, Action<System.IO.TextWriter>? Text)>> UndoAsync(
            IReadOnlyList<VmUndoRecord> records, VmMaskService masks, PerVmEvcService evc, MaskUndoOptions options, CancellationToken token)
        {
            var reports = new List<(VmChangeReport, Action<System.IO.TextWriter>?)>();
            for (int i = 0; i < records.Count; i++)
            {
                var record = records[i];
                try
                {
                    switch (record)
                    {
                        case EvcUndoRecord evcRecord:
                            var evcResult = await evc.UndoAsync(evcRecord, options.Force, options.WhatIf, token).ConfigureAwait(false);
                            reports.Add((VmChangeReport.From(evcResult, null), o => ApplyCommand.WriteEvc(o, evcResult)));
                            break;
                        case MaskUndoRecord maskRecord:
                            var result = await masks.UndoAsync(maskRecord, options, token).ConfigureAwait(false);
                            reports.Add((VmChangeReport.From(result, null), o => MaskWriteOutput.Write(o, result)));
                            break;
                    }
                }
                catch (Exception ex)
                {
                    reports.Add((VmChangeReport.Failure(record.Vm, record.Server, ex, attempted: true, null), null));
                    foreach (var skipped in records.Skip(i + 1))
                    {
                        reports.Add((VmChangeReport.Failure(skipped.Vm, skipped.Server, null, attempted: false, null), null));
                    }

                    // A lost connection stops the whole run, and this VM's reports still go out with it.
                    if (VmBatch.StopsTheBatch(ex))
                    {
                        throw new GroupInterruptedException(reports, ex);
                    }

                    break;
                }
            }

            return reports;
        }

        /// <summary>One VM's undo stopped by a lost connection: what was reported for its records, and the cause.</summary>
        private sealed class GroupInterruptedException : Exception
        {
            public GroupInterruptedException(IReadOnlyList<(VmChangeReport Report, Action<System.IO.TextWriter>? Text)> reports, Exception cause)
                : base(cause.Message, cause)
            {
                Reports = reports;
            }

            public IReadOnlyList<(VmChangeReport Report, Action<System.IO.TextWriter>? Text)> Reports { get; }
        }
    }
}
