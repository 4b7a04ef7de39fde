using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Engine.Masks;
using CpuidMask.PowerShell.Input;
using CpuidMask.Vim;
using CpuidMask.Vim.Masks;

namespace CpuidMask.PowerShell.Commands
{
    /// <summary>
    /// What the cmdlets that change VMs share. Every VM is previewed and asked about first, one after another (what
    /// -WhatIf and -Confirm show); then the approved changes run, up to -ThrottleLimit at once, each one guarded write
    /// read back and verified, with an undo record kept before it (-UndoPath) and the outcome established after a lost
    /// answer. Results come out in the order the VMs came; a failure is that VM's error and the others go on; a lost
    /// connection, -Timeout or Ctrl+C stops the VMs not yet started, which are reported not attempted.
    /// </summary>
    public abstract class VmWriteCmdlet : VCenterCmdlet
    {
        /// <summary>At most this many VMs are changed at once (default 8; 1 for one at a time).</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = VmBatch.DefaultParallelism;

        /// <summary>Stops the whole run after this many seconds: VMs under way are read again and reported, the rest not attempted.</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Timeout { get; set; }

        /// <summary>A folder for undo files (one JSON file per VM, as 'cpuidmask apply' writes), each written before its VM is changed.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? UndoPath { get; set; }

        /// <summary>Writes even when vCenter's answer lacks config.changeVersion, reading the VM again just before the write instead.</summary>
        [Parameter]
        public SwitchParameter AllowUnguarded { get; set; }

        /// <summary>Writes <paramref name="mask"/> to every VM the inputs name.</summary>
        private protected void WriteMasks(IReadOnlyList<InventoryInput> inputs, VmMask mask, MaskApplyOptions options, bool passThru)
        {
            var preview = new MaskApplyOptions { Mode = options.Mode, Force = options.Force, MaskCpuVendor = options.MaskCpuVendor, AllowUnguarded = AllowUnguarded, WhatIf = true };
            var write = new MaskApplyOptions { Mode = options.Mode, Force = options.Force, MaskCpuVendor = options.MaskCpuVendor, AllowUnguarded = AllowUnguarded };
            var vms = ReadVms(inputs);
            var journal = Journal(vms.Select(v => v.Record.Name));
            var steps = vms.Select(vm =>
            {
                var service = new VmMaskService(vm.Client) { TaskTimeout = TaskTimeout, Journal = journal };
                return Step.ForMask(vm.Record.Name, token => service.ApplyAsync(vm.Record, mask, preview, token), token => service.ApplyAsync(vm.Record, mask, write, token), "Set CPUID mask");
            }).ToArray();
            Run(steps, "Setting CPUID masks", passThru);
        }

        /// <summary>
        /// Applies a per-VM EVC mode (or clears it: "none") to every VM the inputs name: the mode resolved once per
        /// vCenter (its own EVCMode.featureMask when it offers the mode, else computed from the baseline catalog).
        /// </summary>
        private protected void ApplyEvcModes(IReadOnlyList<InventoryInput> inputs, string evcModeKey, bool passThru)
        {
            var requests = new Dictionary<VimClient, PerVmEvcRequest>();
            var vms = ReadVms(inputs);
            var journal = Journal(vms.Select(v => v.Record.Name));
            var steps = new List<Step>();
            foreach (var vm in vms)
            {
                var service = new PerVmEvcService(vm.Client) { TaskTimeout = TaskTimeout, Journal = journal };
                if (!requests.TryGetValue(vm.Client, out var request))
                {
                    try
                    {
                        request = Wait(token => service.ResolveModeAsync(evcModeKey, token));
                    }
                    catch (CpuidMaskException ex)
                    {
                        throw Terminate(ex, evcModeKey);
                    }

                    requests[vm.Client] = request;
                    WriteVerbose(request.EvcModeKey == null
                        ? $"Per-VM EVC on {vm.Client.ServerName}: clear (empty mask)."
                        : $"Per-VM EVC mode {request.EvcModeKey} on {vm.Client.ServerName}: {request.Mask.Count} feature mask entries, {request.Source}.");
                }

                string action = request.EvcModeKey == null ? "Clear per-VM EVC mode" : $"Apply per-VM EVC mode {request.EvcModeKey}";
                steps.Add(Step.ForEvc(vm.Record.Name, token => service.ApplyAsync(vm.Record, request, whatIf: true, token), token => service.ApplyAsync(vm.Record, request, whatIf: false, token), action));
            }

            Run(steps, "Applying per-VM EVC modes", passThru);
        }

        /// <summary>
        /// Undoes earlier changes, newest first (so changes made one after another unwind in reverse order): CPUID mask
        /// changes put back the previous extraConfig values, per-VM EVC changes the previous per-VM EVC mask. Undos are
        /// not journaled: the record they start from is their own undo.
        /// </summary>
        private protected void UndoChanges(IReadOnlyList<object> changes, bool force, bool passThru)
        {
            var steps = new List<Step>();
            foreach (var change in changes.OfType<VmUndoRecord>().OrderByDescending(r => r.AppliedAt))
            {
                var client = Connect(Server == null ? ServerAddress.Parse(change.Server) : null);
                switch (change)
                {
                    case MaskUndoRecord record:
                        var service = new VmMaskService(client) { TaskTimeout = TaskTimeout };
                        steps.Add(Step.ForMask(
                            record.Vm,
                            token => service.UndoAsync(record, new MaskUndoOptions { Force = force, AllowUnguarded = AllowUnguarded, WhatIf = true }, token),
                            token => service.UndoAsync(record, new MaskUndoOptions { Force = force, AllowUnguarded = AllowUnguarded }, token),
                            "Restore CPUID mask"));
                        break;
                    case EvcUndoRecord record:
                        var evc = new PerVmEvcService(client) { TaskTimeout = TaskTimeout };
                        steps.Add(Step.ForEvc(
                            record.Vm,
                            token => evc.UndoAsync(record, force, whatIf: true, token),
                            token => evc.UndoAsync(record, force, whatIf: false, token),
                            "Restore previous per-VM EVC mode"));
                        break;
                }
            }

            // One VM's records run one after another, newest first, so they unwind in order.
            Run(steps, "Restoring CPUID masks", passThru, sequential: steps.Select(s => s.Vm).Distinct(StringComparer.OrdinalIgnoreCase).Count() < steps.Count);
        }

        private UndoFileJournal? _journal;

        private UndoFileJournal? Journal(IEnumerable<string> vmNames)
        {
            if (UndoPath == null)
            {
                return null;
            }

            try
            {
                string folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(UndoPath);
                return _journal = new UndoFileJournal(UndoFileJournal.PlanFolder(folder, vmNames, DateTime.UtcNow));
            }
            catch (CpuidMaskException ex)
            {
                throw Terminate(ex, UndoPath);
            }
        }

        /// <summary>
        /// The preview and confirmation of every VM on this thread, then the approved writes side by side; every VM's
        /// output or error is written in input order as soon as the VMs before it are done. With
        /// <paramref name="sequential"/> (several changes of one VM, each previewed on what the one before left), every
        /// VM is previewed, confirmed and written before the next.
        /// </summary>
        private void Run(IReadOnlyList<Step> steps, string activity, bool passThru, bool sequential = false)
        {
            var slots = new Action?[steps.Count];
            var approved = new List<int>();
            int written = 0;
            for (int i = 0; i < steps.Count; i++)
            {
                var step = steps[i];
                ReportProgress(activity, step.Vm, i, steps.Count);
                try
                {
                    var planned = Wait(step.Preview);
                    if (planned.Unchanged)
                    {
                        WriteVerbose($"{step.Vm}: nothing to change.");
                        slots[i] = passThru ? () => WriteObject(planned.Output) : (Action)(() => { });
                    }
                    else if (ShouldChange(step.Vm, planned.Action))
                    {
                        foreach (string line in planned.Details)
                        {
                            WriteVerbose($"{step.Vm}: {line}");
                        }

                        if (sequential)
                        {
                            RunApproved(steps, new List<int> { i }, slots, ref written, activity, passThru, sequential: true);
                        }
                        else
                        {
                            approved.Add(i);
                        }
                    }
                    else
                    {
                        slots[i] = () => { };
                    }
                }
                catch (CpuidMaskException ex)
                {
                    slots[i] = () => WriteItemError(ex, step.Vm);
                }

                Flush(slots, ref written);
            }

            if (approved.Count > 0)
            {
                RunApproved(steps, approved, slots, ref written, activity, passThru, sequential);
            }

            Flush(slots, ref written);
            CompleteProgress();
        }

        private void RunApproved(IReadOnlyList<Step> steps, List<int> approved, Action?[] slots, ref int written, string activity, bool passThru, bool sequential)
        {
            var finished = new ConcurrentQueue<VmBatchResult<int, StepResult>>();
            using var deadline = Timeout > 0 ? new CancellationTokenSource(TimeSpan.FromSeconds(Timeout)) : new CancellationTokenSource();
            using var run = CancellationTokenSource.CreateLinkedTokenSource(StopToken, deadline.Token);
            var batch = VmBatch.RunAsync(
                approved,
                (index, token) => steps[index].Write(token),
                sequential ? 1 : ThrottleLimit,
                run.Token,
                done =>
                {
                    finished.Enqueue(done);
                    Wake();
                });
            int done = 0;
            while (done < approved.Count)
            {
                // Progress, warnings and results only on the pipeline thread; the writes run on the thread pool.
                AwaitWake();
                while (finished.TryDequeue(out var result))
                {
                    done++;
                    int index = result.Item;
                    var step = steps[index];
                    slots[index] = Report(step, result, passThru);
                }

                if (!StopToken.IsCancellationRequested)
                {
                    if (approved.Count > 1)
                    {
                        ReportProgress(activity, done < approved.Count ? steps[approved[done]].Vm : null, done, approved.Count);
                    }

                    Flush(slots, ref written);
                }
            }

            batch.GetAwaiter().GetResult();
            WriteQueued();
            if (StopToken.IsCancellationRequested)
            {
                // Ctrl+C: the records are kept (files with -UndoPath); PowerShell takes no more output now.
                throw new PipelineStoppedException();
            }
        }

        private Action Report(Step step, VmBatchResult<int, StepResult> result, bool passThru)
        {
            if (result.Result != null)
            {
                var output = result.Result;
                return () =>
                {
                    if (output.Note != null)
                    {
                        WriteWarning(output.Note);
                    }

                    if (passThru)
                    {
                        WriteObject(output.Output);
                    }
                };
            }

            if (!result.Attempted)
            {
                var notAttempted = new CpuidMaskException(
                    "VmNotAttempted",
                    ErrorKind.ResourceUnavailable,
                    $"VM '{step.Vm}' was not changed: the run stopped before it (a lost connection, -Timeout or Ctrl+C); nothing was sent for it.",
                    step.Vm);
                return () => WriteItemError(notAttempted, step.Vm);
            }

            var error = result.Error as CpuidMaskException ?? new CpuidMaskException(
                VimErrorIds.WriteInterrupted,
                ErrorKind.ConnectionError,
                $"The change to VM '{step.Vm}' was cut short ({result.Error?.Message}); read the VM before retrying.",
                step.Vm,
                result.Error);
            var undo = step.UndoOf(result.Error);
            string? undoFile = _journal?.WrittenPathOf(step.Vm);
            return () =>
            {
                var record = ToErrorRecord(error, step.Vm);
                if (undoFile != null)
                {
                    // The record was written before the change was sent; the file now says how it ended.
                    record.ErrorDetails = new ErrorDetails(record.Exception.Message + $" Undo file: {undoFile}")
                    {
                        RecommendedAction = $"Undo-VmCpuidMask -LiteralPath '{undoFile.Replace("'", "''")}' puts back what the VM held before, if anything of the change is there.",
                    };
                }

                WriteError(record);
                if (passThru && undo != null)
                {
                    // Something may have been written: still hand out what undoes it.
                    WriteObject(undo);
                }
            };
        }

        private void Flush(Action?[] slots, ref int written)
        {
            while (written < slots.Length && slots[written] != null)
            {
                var write = slots[written]!;
                slots[written] = null;
                written++;
                write();
            }
        }

        /// <summary>What previewing a VM's change gave: unchanged, or the action to confirm with its details.</summary>
        private sealed class Planned
        {
            public Planned(bool unchanged, string action, IReadOnlyList<string> details, object output)
            {
                Unchanged = unchanged;
                Action = action;
                Details = details;
                Output = output;
            }

            public bool Unchanged { get; }

            public string Action { get; }

            public IReadOnlyList<string> Details { get; }

            public object Output { get; }
        }

        /// <summary>What a write gave: the -PassThru object and a note for a warning.</summary>
        private sealed class StepResult
        {
            public StepResult(object output, string? note)
            {
                Output = output;
                Note = note;
            }

            public object Output { get; }

            public string? Note { get; }
        }

        /// <summary>One VM's change, for the mask and the per-VM EVC service alike.</summary>
        private sealed class Step
        {
            private Step(string vm, Func<CancellationToken, Task<Planned>> preview, Func<CancellationToken, Task<StepResult>> write, Func<Exception?, object?> undoOf)
            {
                Vm = vm;
                Preview = preview;
                Write = write;
                UndoOf = undoOf;
            }

            public string Vm { get; }

            public Func<CancellationToken, Task<Planned>> Preview { get; }

            public Func<CancellationToken, Task<StepResult>> Write { get; }

            /// <summary>The -PassThru object that undoes a failed write (read-back differed, or the answer was lost); null when nothing was written.</summary>
            public Func<Exception?, object?> UndoOf { get; }

            public static Step ForMask(string vm, Func<CancellationToken, Task<MaskApplyResult>> preview, Func<CancellationToken, Task<MaskApplyResult>> write, string verb) =>
                new Step(
                    vm,
                    async token =>
                    {
                        var planned = await preview(token).ConfigureAwait(false);
                        return new Planned(planned.Status == MaskApplyStatus.Unchanged, MaskChangeDescription.Action(planned.Changes, verb), planned.Changes.Select(c => c.ToString()).ToArray(), VmCpuidMaskChange.FromResult(planned));
                    },
                    async token =>
                    {
                        var result = await write(token).ConfigureAwait(false);
                        return new StepResult(VmCpuidMaskChange.FromResult(result), result.AppliesAtNextPowerOn ? result.Note : null);
                    },
                    error => error switch
                    {
                        MaskNotPersistedException notKept => VmCpuidMaskChange.FromResult(notKept.Result),
                        VmWriteInterruptedException { UndoRecord: MaskUndoRecord record } lost when lost.Outcome != VmChangeOutcome.NotApplied => VmCpuidMaskChange.FromInterrupted(record, lost.Outcome),
                        _ => null,
                    });

            public static Step ForEvc(string vm, Func<CancellationToken, Task<PerVmEvcResult>> preview, Func<CancellationToken, Task<PerVmEvcResult>> write, string action) =>
                new Step(
                    vm,
                    async token =>
                    {
                        var planned = await preview(token).ConfigureAwait(false);
                        return new Planned(planned.Status == MaskApplyStatus.Unchanged, action, Array.Empty<string>(), new VmEvcModeChange(planned));
                    },
                    async token =>
                    {
                        var result = await write(token).ConfigureAwait(false);
                        return new StepResult(new VmEvcModeChange(result), null);
                    },
                    error => error is PerVmEvcNotPersistedException notKept ? new VmEvcModeChange(notKept.Result) : null);
        }
    }
}
