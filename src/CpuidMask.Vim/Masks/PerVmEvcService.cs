using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Export;
using CpuidMask.Engine.Model;
using CpuidMask.Vim.Inventory;
using CpuidMask.Vim.Types;

namespace CpuidMask.Vim.Masks
{
    /// <summary>
    /// Applies, clears and undoes a VM's per-VM EVC mode (vSphere 6.7+, <c>ApplyEvcModeVM_Task</c>), beside
    /// <see cref="VmMaskService"/>, which writes CPUID masks into extraConfig. The same safety: the preconditions are
    /// checked first (vendor, hardware version, power state, capability), nothing is sent when nothing changes, and
    /// runtime.featureMask is read back; a result carries the VM's previous mask, so every change can be undone.
    /// </summary>
    public sealed class PerVmEvcService
    {
        private readonly VimClient _client;
        private readonly VmInventory _inventory;

        public PerVmEvcService(VimClient client)
        {
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _inventory = new VmInventory(client);
        }

        /// <summary>How long the ApplyEvcModeVM task may run before the service stops waiting for it.</summary>
        public TimeSpan TaskTimeout { get; init; } = TimeSpan.FromMinutes(5);

        /// <summary>Where undo records go before each change (write-ahead) and how it ended; none by default.</summary>
        public IChangeJournal? Journal { get; init; }

        /// <summary>
        /// The per-VM EVC mask for an EVC mode key: the vCenter's own <c>EVCMode.featureMask</c> when it offers
        /// the mode in <c>capability.supportedEVCMode</c> (what the vSphere Client would apply), otherwise the
        /// mask computed from the engine's baseline catalog (<see cref="PerVmEvcMask.FromBaseline"/>). "none" or
        /// an empty key gives <see cref="PerVmEvcRequest.Clear"/>. An unknown key fails with EvcModeNotFound
        /// listing the keys there are.
        /// </summary>
        public async Task<PerVmEvcRequest> ResolveModeAsync(string? evcModeKey, CancellationToken cancellationToken = default)
        {
            string key = (evcModeKey ?? string.Empty).Trim();
            if (key.Length == 0 || string.Equals(key, "none", StringComparison.OrdinalIgnoreCase))
            {
                return PerVmEvcRequest.Clear;
            }

            string server = _client.ServerName;
            var modes = await new HostInventory(_client).ReadSupportedEvcModesAsync(cancellationToken).ConfigureAwait(false);
            var offered = modes.FirstOrDefault(m => string.Equals(m.Key, key, StringComparison.OrdinalIgnoreCase));
            if (offered != null && offered.FeatureMask.Count > 0)
            {
                string? vendor = string.Equals(offered.Vendor, "intel", StringComparison.OrdinalIgnoreCase) ? CpuVendors.Intel
                    : string.Equals(offered.Vendor, "amd", StringComparison.OrdinalIgnoreCase) ? CpuVendors.Amd
                    : null;
                return new PerVmEvcRequest(offered.Key, offered.FeatureMask, $"{server}'s own EVC mode {offered.Key} (capability.supportedEVCMode)", vendor);
            }

            if (BaselineCatalog.Default.TryFind(key, out var baseline))
            {
                var computed = PerVmEvcMask.FromBaseline(baseline);
                var mask = computed.Entries.Select(e => new HostFeatureMask { Key = e.Key, FeatureName = e.FeatureName, Value = e.Value }).ToArray();
                return new PerVmEvcRequest(
                    baseline.Key,
                    mask,
                    $"computed from cpuidmask's baseline catalog ({server} does not offer {baseline.Key})",
                    baseline.Vendor == BaselineVendor.Intel ? CpuVendors.Intel : CpuVendors.Amd);
            }

            var known = modes.Select(m => m.Key).Concat(BaselineCatalog.Default.Baselines.Select(b => b.Key)).Distinct(StringComparer.OrdinalIgnoreCase);
            throw new CpuidMaskException(
                VimErrorIds.EvcModeNotFound,
                ErrorKind.ObjectNotFound,
                $"No EVC mode '{key}': neither {server} nor cpuidmask's baseline catalog has it. Known modes: {string.Join(", ", known)}. Use 'none' to clear per-VM EVC.",
                key);
        }

        /// <summary>
        /// Applies a per-VM EVC mode (vSphere 6.7+): <c>ApplyEvcModeVM_Task(mask, completeMasks: true)</c>;
        /// an empty mask clears it. The preconditions are checked first, each with its own error: hardware
        /// version vmx-14 or later (VmHardwareVersionTooOld), powered off (VmPoweredOn; vSphere allows no
        /// override), <c>capability.perVmEvcSupported</c> (PerVmEvcNotSupported). Nothing is sent when the VM
        /// already has exactly this mask. After the task, runtime.featureMask is read back and compared
        /// (MaskNotPersisted when it differs).
        /// </summary>
        public async Task<PerVmEvcResult> ApplyAsync(VmRecord vm, PerVmEvcRequest request, bool whatIf = false, CancellationToken cancellationToken = default)
        {
            if (vm == null)
            {
                throw new ArgumentNullException(nameof(vm));
            }

            if (request == null)
            {
                throw new ArgumentNullException(nameof(request));
            }

            string server = _client.ServerName;
            string what = request.Mask.Count == 0 ? "clear its per-VM EVC mode"
                : request.EvcModeKey == null ? "restore its previous per-VM EVC mask"
                : $"apply per-VM EVC mode {request.EvcModeKey}";
            VmChecks.CheckVendor(vm, server, request.CpuVendor, request.EvcModeKey == null ? "this per-VM EVC mask" : $"EVC mode {request.EvcModeKey}");
            if (vm.HardwareVersionNumber is int version && version < 14)
            {
                throw new CpuidMaskException(
                    VimErrorIds.VmHardwareVersionTooOld,
                    ErrorKind.InvalidOperation,
                    $"Cannot {what} on VM '{vm.Name}' ({server}): it has hardware version {vm.HardwareVersion}, and per-VM EVC needs vmx-14 or later. " +
                    "Upgrade the VM's compatibility (while powered off), or use the ExtraConfig method (cpuid.* masks work on any hardware version).",
                    vm.Name);
            }

            if (!vm.IsPoweredOff)
            {
                throw new CpuidMaskException(
                    VimErrorIds.VmPoweredOn,
                    ErrorKind.InvalidOperation,
                    $"Cannot {what} on VM '{vm.Name}' ({server}): it is {vm.PowerState ?? "not known to be powered off"}, and vSphere changes per-VM EVC only on a powered-off VM. Power it off first; nothing was written.",
                    vm.Name);
            }

            var capability = await _client.PropertyCollector.RetrieveAsync(new[] { vm.MoRef }, "VirtualMachine", new[] { "capability.perVmEvcSupported" }, cancellationToken).ConfigureAwait(false);
            string? supported = capability.FirstOrDefault()?.GetString("capability.perVmEvcSupported");
            if (!string.Equals(supported?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new CpuidMaskException(
                    VimErrorIds.PerVmEvcNotSupported,
                    ErrorKind.NotImplemented,
                    $"Cannot {what} on VM '{vm.Name}' ({server}): vSphere reports capability.perVmEvcSupported {(supported == null ? "unset" : supported)} for it (it needs vSphere 6.7+ and hardware version 14+). " +
                    "Use the ExtraConfig method instead.",
                    vm.Name);
            }

            var previous = vm.FeatureMask;
            if (SameMask(previous, request.Mask))
            {
                return new PerVmEvcResult(server, vm.Name, vm.MoRef, MaskApplyStatus.Unchanged, request, previous) { ReadBack = previous, Verified = true, ChangeVersion = vm.ChangeVersion };
            }

            if (whatIf)
            {
                return new PerVmEvcResult(server, vm.Name, vm.MoRef, MaskApplyStatus.WhatIf, request, previous);
            }

            var appliedAt = DateTimeOffset.UtcNow;
            var undo = new EvcUndoRecord(server, vm.Name, vm.MoRef, appliedAt, previous, request.Mask, request.EvcModeKey, request.CpuVendor, VmChangeOutcome.Pending);
            try
            {
                Journal?.Begin(undo);
            }
            catch (Exception ex) when (!(ex is CpuidMaskException))
            {
                throw new CpuidMaskException(VimErrorIds.UndoJournalFailed, ErrorKind.WriteError, $"The undo record of VM '{vm.Name}' could not be stored ({ex.Message}); nothing was written to it.", vm.Name, ex);
            }

            IReadOnlyList<ObjectContent> contents;
            ManagedObjectReference? task = null;
            try
            {
                task = await _client.Service.ApplyEvcModeVM_Task(vm.MoRef, request.Mask.Count == 0 ? null : request.Mask, completeMasks: true, cancellationToken).ConfigureAwait(false);
                await _client.WaitForTaskAsync(task, TaskTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (VimFaultException)
            {
                Journal?.End(undo, VmChangeOutcome.NotApplied);
                throw;
            }
            catch (Exception ex) when (WriteState.InDoubt(ex))
            {
                var outcome = await OutcomeByRereadAsync(vm, previous, request.Mask, WriteState.MayStillTakeEffect(ex, task != null), WriteState.WaitForTasks(ex), task).ConfigureAwait(false);
                Journal?.End(undo, outcome);
                throw new VmWriteInterruptedException(vm.Name, server, outcome, undo.WithOutcome(outcome), ex);
            }

            try
            {
                contents = await _client.PropertyCollector.RetrieveAsync(new[] { vm.MoRef }, "VirtualMachine", new[] { "runtime.featureMask", "config.changeVersion" }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (WriteState.InDoubt(ex))
            {
                Journal?.End(undo, VmChangeOutcome.Applied);
                throw new VmWriteInterruptedException(vm.Name, server, VmChangeOutcome.Applied, undo.WithOutcome(VmChangeOutcome.Applied), ex);
            }

            Journal?.End(undo, VmChangeOutcome.Applied);
            var readBack = contents.FirstOrDefault()?.GetArray("runtime.featureMask", HostFeatureMask.FromXml) ?? Array.Empty<HostFeatureMask>();
            var result = new PerVmEvcResult(server, vm.Name, vm.MoRef, MaskApplyStatus.Applied, request, previous)
            {
                AppliedAt = appliedAt,
                ReadBack = readBack,
                Verified = SameMask(readBack, request.Mask),
                ChangeVersion = contents.FirstOrDefault()?.GetString("config.changeVersion"),
            };
            if (!result.Verified)
            {
                var sent = ToSet(request.Mask);
                var kept = ToSet(readBack);
                var missing = sent.Except(kept).Take(5).ToArray();
                var extra = kept.Except(sent).Take(5).ToArray();
                throw new PerVmEvcNotPersistedException(
                    $"VM '{vm.Name}' on {server} does not hold the per-VM EVC mask that was applied: runtime.featureMask has {readBack.Count} entries, {request.Mask.Count} were sent" +
                    (missing.Length > 0 ? "; not kept: " + string.Join(", ", missing) : string.Empty) +
                    (extra.Length > 0 ? "; not sent: " + string.Join(", ", extra) : string.Empty) + ". Check the VM's CPUID Mask settings in the vSphere Client; the result's previous mask undoes the change.",
                    result);
            }

            return result;
        }

        /// <summary>
        /// Puts back the per-VM EVC mask a VM had before a change: its previous entries again, or none (clears per-VM
        /// EVC) when it had none. The VM is found as for any undo record (server, reference and name checked); if its
        /// mask is no longer the one applied (someone changed it since), the undo is refused with UndoConflict unless
        /// forced. Otherwise the same preconditions and read-back as an apply.
        /// </summary>
        public async Task<PerVmEvcResult> UndoAsync(EvcUndoRecord record, bool force = false, bool whatIf = false, CancellationToken cancellationToken = default)
        {
            if (record == null)
            {
                throw new ArgumentNullException(nameof(record));
            }

            string server = _client.ServerName;
            var (vm, _) = await VmChecks.FindVmOfRecordAsync(_inventory, server, record, force, cancellationToken).ConfigureAwait(false);
            if (!SameMask(vm.FeatureMask, record.Applied) && !SameMask(vm.FeatureMask, record.Previous) && !force)
            {
                throw new CpuidMaskException(
                    VimErrorIds.UndoConflict,
                    ErrorKind.InvalidOperation,
                    $"Not undoing on VM '{vm.Name}' ({server}): its per-VM EVC mask has {vm.FeatureMask.Count} entries, not the {record.Applied.Count} applied; someone changed it since. Nothing was written. Check the VM's per-VM EVC mode.",
                    vm.Name)
                {
                    Remedy = new Remedy(RemedyKind.Force, "to restore the previous mode anyway"),
                };
            }

            var previous = new PerVmEvcRequest(
                null,
                record.Previous,
                record.Previous.Count == 0 ? "the VM's state before: no per-VM EVC mode" : $"the VM's per-VM EVC mask before the change ({record.Previous.Count} entries)",
                record.CpuVendor);
            return await ApplyAsync(vm, previous, whatIf, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// After a lost answer: the VM read again on a fresh deadline (after its unfinished tasks, when the connection
        /// broke or the answer was unreadable); its mask tells whether the change is there.
        /// </summary>
        private async Task<VmChangeOutcome> OutcomeByRereadAsync(VmRecord vm, IReadOnlyList<HostFeatureMask> previous, IReadOnlyList<HostFeatureMask> applied, bool mayStillTakeEffect, bool waitForTasks, ManagedObjectReference? task)
        {
            try
            {
                using var deadline = new CancellationTokenSource(WriteState.RereadTimeout);
                if (waitForTasks)
                {
                    await WriteState.SettleTasksAsync(_client, vm.MoRef, task, deadline.Token).ConfigureAwait(false);
                }

                var now = await _inventory.ReadOneAsync(vm.MoRef, vm.Name, deadline.Token).ConfigureAwait(false);
                return WriteState.Settle(SameMask(now.FeatureMask, applied), SameMask(now.FeatureMask, previous), mayStillTakeEffect);
            }
            catch (Exception ex) when (ex is CpuidMaskException || ex is OperationCanceledException || ex is System.Net.Http.HttpRequestException)
            {
                return VmChangeOutcome.Unknown;
            }
        }

        private static bool SameMask(IReadOnlyList<HostFeatureMask> a, IReadOnlyList<HostFeatureMask> b) => ToSet(a).SetEquals(ToSet(b));

        private static HashSet<string> ToSet(IEnumerable<HostFeatureMask> mask) =>
            new HashSet<string>(mask.Select(m => m.Key.ToLowerInvariant() + "=" + (m.Value ?? string.Empty).Trim()), StringComparer.Ordinal);
    }
}
