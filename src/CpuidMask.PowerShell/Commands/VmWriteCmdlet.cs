using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Engine.Masks;
using CpuidMask.PowerShell.Input;
using CpuidMask.Vim;
using CpuidMask.Vim.Inventory;
using CpuidMask.Vim.Masks;

namespace CpuidMask.PowerShell.Commands
{
    /// <summary>
    /// What the cmdlets that change VMs share: each VM is previewed (what -WhatIf and -Confirm show), asked about,
    /// written and read back, one at a time with a progress bar; a failure is that VM's error and the next goes on;
    /// every result (with -PassThru) is the record that undoes it.
    /// </summary>
    public abstract class VmWriteCmdlet : VCenterCmdlet
    {
        /// <summary>Reads -VM inputs (PowerCLI VMs, Get-VmCpuidMask output, names); an unusable one is its own error.</summary>
        private protected List<InventoryInput> ReadVmInputs(IEnumerable<object> items)
        {
            var inputs = new List<InventoryInput>();
            foreach (var value in items.SelectMany(UnwrapAll))
            {
                try
                {
                    inputs.Add(InventoryInput.ForVm(value, Read));
                }
                catch (CpuidMaskException ex)
                {
                    WriteItemError(ex, value);
                }
            }

            return inputs;
        }

        /// <summary>Writes <paramref name="mask"/> to every VM the inputs name, in the order they came.</summary>
        private protected void WriteMasks(IReadOnlyList<InventoryInput> inputs, VmMask mask, MaskApplyOptions options, bool passThru)
        {
            var preview = new MaskApplyOptions { Mode = options.Mode, Force = options.Force, MaskCpuVendor = options.MaskCpuVendor, WhatIf = true };
            var vms = ReadVms(inputs);
            for (int i = 0; i < vms.Count; i++)
            {
                var vm = vms[i];
                var service = MaskService(vm.Client);
                ReportProgress("Setting CPUID masks", vm.Record.Name, i, vms.Count);
                WriteOne(
                    vm.Record.Name,
                    token => service.ApplyAsync(vm.Record, mask, preview, token),
                    token => service.ApplyAsync(vm.Record, mask, options, token),
                    "Set CPUID mask",
                    passThru);
            }

            CompleteProgress();
        }

        /// <summary>
        /// Applies a per-VM EVC mode (or clears it: "none") to every VM the inputs name: the mode resolved once per
        /// vCenter (its own EVCMode.featureMask when it offers the mode, else computed from the baseline catalog), the
        /// preconditions checked per VM before asking, then one ApplyEvcModeVM_Task and the read-back.
        /// </summary>
        private protected void ApplyEvcModes(IReadOnlyList<InventoryInput> inputs, string evcModeKey, bool passThru)
        {
            var requests = new Dictionary<VimClient, PerVmEvcRequest>();
            var vms = ReadVms(inputs);
            for (int i = 0; i < vms.Count; i++)
            {
                var vm = vms[i];
                var service = EvcService(vm.Client);
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

                ReportProgress("Applying per-VM EVC modes", vm.Record.Name, i, vms.Count);
                string action = request.EvcModeKey == null ? "Clear per-VM EVC mode" : $"Apply per-VM EVC mode {request.EvcModeKey}";
                WriteOneEvc(
                    vm.Record.Name,
                    token => service.ApplyAsync(vm.Record, request, whatIf: true, token),
                    token => service.ApplyAsync(vm.Record, request, whatIf: false, token),
                    action,
                    passThru);
            }

            CompleteProgress();
        }

        /// <summary>
        /// Undoes earlier changes, newest first (so changes made one after another unwind in reverse order): CPUID mask
        /// changes put back the previous extraConfig values, per-VM EVC changes the previous per-VM EVC mask.
        /// </summary>
        private protected void UndoChanges(IReadOnlyList<object> changes, bool force, bool passThru)
        {
            var ordered = changes.OrderByDescending(AppliedAt).ToArray();
            for (int i = 0; i < ordered.Length; i++)
            {
                switch (ordered[i])
                {
                    case MaskUndoRecord record:
                        ReportProgress("Restoring CPUID masks", record.Vm, i, ordered.Length);
                        var service = MaskService(Connect(Server == null ? ServerAddress.Parse(record.Server) : null));
                        WriteOne(
                            record.Vm,
                            token => service.UndoAsync(record, new MaskUndoOptions { Force = force, WhatIf = true }, token),
                            token => service.UndoAsync(record, new MaskUndoOptions { Force = force }, token),
                            "Restore CPUID mask",
                            passThru);
                        break;
                    case PerVmEvcResult evc:
                        ReportProgress("Restoring CPUID masks", evc.VmName, i, ordered.Length);
                        var evcService = EvcService(Connect(Server == null ? ServerAddress.Parse(evc.Server) : null));
                        WriteOneEvc(
                            evc.VmName,
                            token => evcService.UndoAsync(evc, force, whatIf: true, token),
                            token => evcService.UndoAsync(evc, force, whatIf: false, token),
                            "Restore previous per-VM EVC mode",
                            passThru);
                        break;
                }
            }

            CompleteProgress();
        }

        private static DateTimeOffset AppliedAt(object change) => change switch
        {
            MaskUndoRecord record => record.AppliedAt,
            _ => DateTimeOffset.MinValue,
        };

        private static VmMaskService MaskService(VimClient client) => new VmMaskService(client) { TaskTimeout = TaskTimeout };

        private static PerVmEvcService EvcService(VimClient client) => new PerVmEvcService(client) { TaskTimeout = TaskTimeout };

        /// <summary>
        /// One VM's mask change: compute it without writing (what -WhatIf and -Confirm show), ask, write, report.
        /// Every failure is this VM's alone: written as an error, and the next VM goes on.
        /// </summary>
        private void WriteOne(
            string vmName,
            Func<CancellationToken, Task<MaskApplyResult>> preview,
            Func<CancellationToken, Task<MaskApplyResult>> write,
            string verb,
            bool passThru)
        {
            MaskApplyResult planned;
            try
            {
                planned = Wait(preview);
            }
            catch (CpuidMaskException ex)
            {
                WriteItemError(ex, vmName);
                return;
            }

            if (planned.Status == MaskApplyStatus.Unchanged)
            {
                WriteVerbose($"{vmName} already has this mask; nothing to change.");
                if (passThru)
                {
                    WriteObject(VmCpuidMaskChange.FromResult(planned));
                }

                return;
            }

            if (!ShouldChange(vmName, MaskChangeDescription.Action(planned.Changes, verb)))
            {
                return;
            }

            foreach (var change in planned.Changes)
            {
                WriteVerbose($"{vmName}: {change}");
            }

            MaskApplyResult result;
            try
            {
                result = Wait(write);
            }
            catch (MaskNotPersistedException ex)
            {
                // Something was written but not kept as sent: report it, and still hand out what undoes it.
                WriteItemError(ex, vmName);
                if (passThru)
                {
                    WriteObject(VmCpuidMaskChange.FromResult(ex.Result));
                }

                return;
            }
            catch (CpuidMaskException ex)
            {
                WriteItemError(ex, vmName);
                return;
            }

            if (result.AppliesAtNextPowerOn && result.Note != null)
            {
                WriteWarning(result.Note);
            }

            if (passThru)
            {
                WriteObject(VmCpuidMaskChange.FromResult(result));
            }
        }

        /// <summary>One VM's per-VM EVC change, as <see cref="WriteOne"/> does for masks.</summary>
        private void WriteOneEvc(
            string vmName,
            Func<CancellationToken, Task<PerVmEvcResult>> preview,
            Func<CancellationToken, Task<PerVmEvcResult>> write,
            string action,
            bool passThru)
        {
            PerVmEvcResult planned;
            try
            {
                planned = Wait(preview);
            }
            catch (CpuidMaskException ex)
            {
                WriteItemError(ex, vmName);
                return;
            }

            if (planned.Status == MaskApplyStatus.Unchanged)
            {
                WriteVerbose($"{vmName} already has this per-VM EVC mask; nothing to change.");
                if (passThru)
                {
                    WriteObject(new VmEvcModeChange(planned));
                }

                return;
            }

            if (!ShouldChange(vmName, action))
            {
                return;
            }

            PerVmEvcResult result;
            try
            {
                result = Wait(write);
            }
            catch (PerVmEvcNotPersistedException ex)
            {
                // vCenter ran the task but does not report the mask sent: the result still undoes whatever happened.
                WriteItemError(ex, vmName);
                if (passThru)
                {
                    WriteObject(new VmEvcModeChange(ex.Result));
                }

                return;
            }
            catch (CpuidMaskException ex)
            {
                WriteItemError(ex, vmName);
                return;
            }

            WriteVerbose($"{vmName}: runtime.featureMask now has {result.ReadBack.Count} entries (had {result.Previous.Count}); it takes effect at the VM's next power-on.");
            if (passThru)
            {
                WriteObject(new VmEvcModeChange(result));
            }
        }
    }
}
