using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Export;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;
using CpuidMask.Vim.Inventory;
using CpuidMask.Vim.Types;

namespace CpuidMask.Vim.Masks
{
    /// <summary>
    /// Reads, writes and undoes a VM's CPUID masks (extraConfig <c>cpuid.*</c> and
    /// <c>featMask.vm.cpuid.*</c>) safely:
    /// <list type="bullet">
    /// <item>only mask keys whose value changes are sent, in one ReconfigVM_Task, so other extraConfig
    /// keys cannot be lost;</item>
    /// <item>the write carries the VM's config.changeVersion as read, so a concurrent change makes it fail
    /// (<see cref="VimErrorIds.VmChangedConcurrently"/>) instead of being overwritten;</item>
    /// <item>nothing is sent when nothing changes;</item>
    /// <item>a powered-on or suspended VM is refused unless forced (masks apply only at the next power-on);</item>
    /// <item>the VM is read back and every written key checked (<see cref="MaskNotPersistedException"/>);</item>
    /// <item>every result can be undone exactly (<see cref="MaskApplyResult.ToUndoRecord"/>, <see cref="UndoAsync"/>).</item>
    /// </list>
    /// Errors are <see cref="CpuidMaskException"/>s with the ids in <see cref="VimErrorIds"/> (or a
    /// <see cref="VimFaultException"/> named after the vSphere fault), naming the VM and the server.
    /// </summary>
    public sealed class VmMaskService
    {
        private const string ConcurrentAccess = "ConcurrentAccess";
        private static readonly string[] ReadBackPaths = { "config.extraConfig", "config.changeVersion" };

        private readonly VimClient _client;
        private readonly VmInventory _inventory;

        public VmMaskService(VimClient client)
        {
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _inventory = new VmInventory(client);
        }

        /// <summary>How long to wait for a ReconfigVM_Task; past it the write fails with VCenterTaskTimeout (the task goes on).</summary>
        public TimeSpan TaskTimeout { get; init; } = TimeSpan.FromMinutes(5);

        /// <summary>Where undo records go before each change (write-ahead) and how it ended; none by default.</summary>
        public IChangeJournal? Journal { get; init; }

        /// <summary>
        /// VMs by name or wildcard (case-insensitive), sorted by name, in a constant number of round
        /// trips. A plain name that matches no VM fails with VmNotFound naming it.
        /// </summary>
        public async Task<IReadOnlyList<StoredVmMask>> ReadAsync(IEnumerable<string> names, CancellationToken cancellationToken = default)
        {
            var records = await _inventory.FindVmsAsync(names, cancellationToken).ConfigureAwait(false);
            return records.Select(r => new StoredVmMask(r)).ToArray();
        }

        /// <summary>VMs by reference (e.g. PowerCLI's Id VirtualMachine-vm-42, parsed with <see cref="ManagedObjectReference.Parse"/>).</summary>
        public async Task<IReadOnlyList<StoredVmMask>> ReadAsync(IEnumerable<ManagedObjectReference> vms, CancellationToken cancellationToken = default)
        {
            var records = await _inventory.ReadVmsAsync(vms, cancellationToken).ConfigureAwait(false);
            return records.Select(r => new StoredVmMask(r)).ToArray();
        }

        /// <summary>Reads the VM afresh, then applies as <see cref="ApplyAsync(VmRecord, VmMask, MaskApplyOptions?, CancellationToken)"/>.</summary>
        public async Task<MaskApplyResult> ApplyAsync(ManagedObjectReference vm, VmMask mask, MaskApplyOptions? options = null, CancellationToken cancellationToken = default)
        {
            var record = await _inventory.ReadOneAsync(vm ?? throw new ArgumentNullException(nameof(vm)), vm.Value, cancellationToken).ConfigureAwait(false);
            return await ApplyAsync(record, mask, options, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Writes <paramref name="mask"/> to the VM as it was read in <paramref name="vm"/>: the changes are
        /// computed from that read's extraConfig, and the write passes that read's config.changeVersion,
        /// so if the VM changed since, the write fails with <see cref="VimErrorIds.VmChangedConcurrently"/>
        /// and nothing is written. Returns Unchanged (without any write) when the VM already has the
        /// result, WhatIf when asked, otherwise Applied after one ReconfigVM_Task and a verified read-back.
        /// </summary>
        /// <exception cref="CpuidMaskException">
        /// VmPoweredOn (powered on or suspended, without Force), MaskConflict (merge: a bit forced on by one
        /// mask and hidden by the other), VmChangedConcurrently, or a vSphere fault (NoPermission...).
        /// </exception>
        /// <exception cref="MaskNotPersistedException">The server did not keep what was written; its Result says what was sent.</exception>
        public Task<MaskApplyResult> ApplyAsync(VmRecord vm, VmMask mask, MaskApplyOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (vm == null)
            {
                throw new ArgumentNullException(nameof(vm));
            }

            if (mask == null)
            {
                throw new ArgumentNullException(nameof(mask));
            }

            options ??= new MaskApplyOptions();
            VmChecks.CheckVendor(vm, _client.ServerName, options.MaskCpuVendor, "this mask");
            if (mask.FeatureMasks.Count > 0 && vm.HardwareVersionNumber is int version && version < 9)
            {
                // A VM below hardware version 9 ignores named feature masks without a word: the write would "succeed" and hide nothing.
                throw new CpuidMaskException(
                    VimErrorIds.FeatureMaskNeedsHardwareVersion,
                    ErrorKind.InvalidOperation,
                    $"VM '{vm.Name}' ({_client.ServerName}) is hardware version {version}; named feature masks (featMask.vm.cpuid.*) need version 9 or later. Upgrade its compatibility, or use the raw cpuid.* lines; nothing was written.",
                    vm.Name);
            }

            var plan = MaskChangePlan.Create(Pairs(vm.ExtraConfig), mask, options.Mode, vm.Name);
            var kept = MaskPairs(vm.ExtraConfig).Where(p => !plan.Changes.Any(c => string.Equals(c.Key, p.Key, StringComparison.OrdinalIgnoreCase))).ToArray();
            var write = new PendingWrite(vm, plan.Changes, plan.Result, kept, MaskOperation.Apply)
            {
                Mode = options.Mode,
                OutOfReach = OutOfReach(vm, mask, options.MaskCpuVendor),
            };
            return WriteAsync(write, options.Force, options.WhatIf, forced: false, options.AllowUnguarded, cancellationToken);
        }

        /// <summary>
        /// Puts back what an apply replaced: each key gets its previous value again, keys that did not
        /// exist are removed. The VM is found by the record's reference (or, without one, its name) and
        /// read afresh; if a key no longer holds the value that was applied (someone changed it since), the
        /// undo is refused with <see cref="VimErrorIds.UndoConflict"/> naming the keys, unless forced.
        /// The write itself has the same safety as an apply (change version, power state, read-back).
        /// </summary>
        public async Task<MaskApplyResult> UndoAsync(MaskUndoRecord record, MaskUndoOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (record == null)
            {
                throw new ArgumentNullException(nameof(record));
            }

            options ??= new MaskUndoOptions();
            string server = _client.ServerName;
            var (vm, forced) = await VmChecks.FindVmOfRecordAsync(_inventory, server, record, options.Force, cancellationToken).ConfigureAwait(false);
            var plan = MaskChangePlan.ForUndo(Pairs(vm.ExtraConfig), record.Changes, vm.Name);
            if (plan.Conflicts.Count > 0)
            {
                if (!options.Force)
                {
                    throw new CpuidMaskException(
                        VimErrorIds.UndoConflict,
                        ErrorKind.InvalidOperation,
                        $"Not undoing on VM '{vm.Name}' ({server}): {string.Join("; ", plan.Conflicts)}. Someone changed it after the apply of {record.AppliedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC; nothing was written. " +
                        "Check the VM's masks.",
                        vm.Name)
                    {
                        Remedy = new Remedy(RemedyKind.Force, "to restore the previous values anyway"),
                    };
                }

                forced = true;
            }

            var kept = MaskPairs(vm.ExtraConfig).Where(p => !plan.Changes.Any(c => string.Equals(c.Key, p.Key, StringComparison.OrdinalIgnoreCase))).ToArray();
            var write = new PendingWrite(vm, plan.Changes, plan.Result, kept, MaskOperation.Undo);
            return await WriteAsync(write, options.Force, options.WhatIf, forced, options.AllowUnguarded, cancellationToken).ConfigureAwait(false);
        }

        private async Task<MaskApplyResult> WriteAsync(PendingWrite write, bool force, bool whatIf, bool forced, bool allowUnguarded, CancellationToken cancellationToken)
        {
            var vm = write.Vm;
            string server = _client.ServerName;
            var now = DateTimeOffset.UtcNow;
            if (write.Changes.Count == 0)
            {
                return write.Result(server, MaskApplyStatus.Unchanged, now, forced, verified: true);
            }

            bool running = !vm.IsPoweredOff;
            if (running && !force)
            {
                string state = vm.PowerState == "suspended" ? "suspended" : vm.PowerState == null ? "not known to be powered off" : "powered on";
                throw new CpuidMaskException(
                    VimErrorIds.VmPoweredOn,
                    ErrorKind.InvalidOperation,
                    $"VM '{vm.Name}' on {server} is {state}; nothing was written. CPUID masks apply only at the VM's next power-on anyway: power it off first.",
                    vm.Name)
                {
                    Remedy = new Remedy(RemedyKind.Force, "to store the change now (the running VM keeps its current CPU features until it is powered off and on again)"),
                };
            }

            string note = !running
                ? "Takes effect at the VM's next power-on."
                : vm.PowerState == "suspended"
                    ? $"VM '{vm.Name}' is suspended: resuming keeps the CPU features it had; the change takes effect at its next power-on after a power-off."
                    : $"VM '{vm.Name}' is powered on: the change is stored now and takes effect at its next power-on (a guest restart is not enough; power it off and on).";
            forced |= running;
            bool unguarded = string.IsNullOrEmpty(vm.ChangeVersion);
            if (unguarded && !allowUnguarded)
            {
                throw new CpuidMaskException(
                    VimErrorIds.ChangeVersionMissing,
                    ErrorKind.InvalidOperation,
                    $"VM '{vm.Name}' ({server}): vCenter's answer has no config.changeVersion, the guard that makes a write fail if someone changed the VM after it was read, so a concurrent change could be lost; nothing was written.",
                    vm.Name)
                {
                    Remedy = new Remedy(RemedyKind.AllowUnguarded),
                };
            }

            if (whatIf)
            {
                return write.Result(server, MaskApplyStatus.WhatIf, now, forced, appliesAtNextPowerOn: running, note: note);
            }

            if (unguarded)
            {
                // No change version to send: read the VM again just before the write, and refuse if its masks moved.
                var fresh = await _inventory.ReadOneAsync(vm.MoRef, vm.Name, cancellationToken).ConfigureAwait(false);
                if (!SamePairs(MaskPairs(fresh.ExtraConfig), MaskPairs(vm.ExtraConfig)))
                {
                    throw ChangedConcurrently(vm, server, null);
                }

                note += " Written without vCenter's change-version guard: the VM was read again just before the write and compared.";
            }

            var undo = new MaskUndoRecord(server, vm.Name, vm.MoRef, now, write.Changes, VmChangeOutcome.Pending);
            BeginJournal(undo, vm.Name);
            ManagedObjectReference? task = null;
            try
            {
                task = await _inventory.StartReconfigureExtraConfigAsync(vm, write.Changes.Select(c => new OptionValue(c.Key, c.WireValue)), cancellationToken).ConfigureAwait(false);
                await _client.WaitForTaskAsync(task, TaskTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (VimFaultException fault)
            {
                // vSphere answered with a fault: the call was refused, or its task failed (a failed reconfigure is rolled back).
                Journal?.End(undo, VmChangeOutcome.NotApplied);
                if (fault.FaultType == ConcurrentAccess)
                {
                    throw ChangedConcurrently(vm, server, fault);
                }

                throw;
            }
            catch (Exception ex) when (WriteState.InDoubt(ex))
            {
                var outcome = await OutcomeByRereadAsync(vm, write.Changes, WriteState.MayStillTakeEffect(ex, task != null), WriteState.WaitForTasks(ex), task).ConfigureAwait(false);
                Journal?.End(undo, outcome);
                throw new VmWriteInterruptedException(vm.Name, server, outcome, undo.WithOutcome(outcome), ex);
            }

            IReadOnlyList<ObjectContent> contents;
            try
            {
                contents = await _client.PropertyCollector.RetrieveAsync(new[] { vm.MoRef }, "VirtualMachine", ReadBackPaths, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (WriteState.InDoubt(ex))
            {
                // The task succeeded, so the change is made; only its check is lost.
                Journal?.End(undo, VmChangeOutcome.Applied);
                throw new VmWriteInterruptedException(vm.Name, server, VmChangeOutcome.Applied, undo.WithOutcome(VmChangeOutcome.Applied), ex);
            }

            var readBack = contents.FirstOrDefault(c => c.Obj.Equals(vm.MoRef));
            var extraConfig = readBack?.GetArray("config.extraConfig", OptionValue.FromXml) ?? Array.Empty<OptionValue>();
            var problems = readBack == null
                ? new[] { $"VM '{vm.Name}' could not be read back" }
                : MaskChangePlan.Verify(Pairs(extraConfig), write.Changes);
            var result = write.Result(
                server,
                MaskApplyStatus.Applied,
                now,
                forced,
                verified: problems.Count == 0,
                problems: problems,
                changeVersion: readBack?.GetString("config.changeVersion"),
                appliesAtNextPowerOn: running,
                note: note);
            Journal?.End(undo, VmChangeOutcome.Applied);
            if (problems.Count > 0)
            {
                throw new MaskNotPersistedException(
                    $"VM '{vm.Name}' on {server} does not hold what was written: {string.Join("; ", problems)}. The write was accepted but not kept as sent, so the mask is NOT in place. " +
                    "Check the VM's advanced settings; the changes sent are in the error's result (and the undo file) to revert them.",
                    result);
            }

            return result;
        }

        /// <summary>
        /// The features the mask hides that the VM cannot see at its own hardware version (config.version): those
        /// entries are harmless and change nothing until its hardware is upgraded. Empty when the version is unknown.
        /// </summary>
        internal static IReadOnlyList<FeatureDefinition> OutOfReach(VmRecord vm, VmMask mask, string? maskCpuVendor)
        {
            var catalog = FeatureCatalog.Default;
            return catalog.VmHardwareVersion(vm.HardwareVersion) is int version
                ? Engine.Analysis.FeatureEvaluator.HiddenOutOfReach(mask, version, catalog, vm.HostCpuVendor ?? maskCpuVendor)
                : Array.Empty<FeatureDefinition>();
        }

        /// <summary>Records the change before it is sent; a record that cannot be stored stops the change.</summary>
        private void BeginJournal(VmUndoRecord undo, string vmName)
        {
            try
            {
                Journal?.Begin(undo);
            }
            catch (Exception ex) when (!(ex is CpuidMaskException))
            {
                throw new CpuidMaskException(VimErrorIds.UndoJournalFailed, ErrorKind.WriteError, $"The undo record of VM '{vmName}' could not be stored ({ex.Message}); nothing was written to it.", vmName, ex);
            }
        }

        /// <summary>
        /// After a lost answer: reads the VM again, on a fresh deadline (the run's own may be what ran out), and tells
        /// whether it holds the change (every key at its new value), does not (every key at its previous value), or
        /// cannot be told. When the connection broke or the answer was unreadable, the VM's unfinished tasks are waited
        /// for first: the server may have made the reconfigure task, which lands after an immediate read.
        /// </summary>
        private async Task<VmChangeOutcome> OutcomeByRereadAsync(VmRecord vm, IReadOnlyList<KeyChange> changes, bool mayStillTakeEffect, bool waitForTasks, ManagedObjectReference? task)
        {
            try
            {
                using var deadline = new CancellationTokenSource(WriteState.RereadTimeout);
                if (waitForTasks)
                {
                    await WriteState.SettleTasksAsync(_client, vm.MoRef, task, deadline.Token).ConfigureAwait(false);
                }

                var now = await _inventory.ReadOneAsync(vm.MoRef, vm.Name, deadline.Token).ConfigureAwait(false);
                var held = MaskPairs(now.ExtraConfig).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
                string? Value(string key) => held.TryGetValue(key, out var value) && value.Length > 0 ? value : null;
                return WriteState.Settle(changes.All(c => Value(c.Key) == c.NewValue), changes.All(c => Value(c.Key) == c.PreviousValue), mayStillTakeEffect);
            }
            catch (Exception ex) when (ex is CpuidMaskException || ex is OperationCanceledException || ex is System.Net.Http.HttpRequestException)
            {
                return VmChangeOutcome.Unknown;
            }
        }

        private static CpuidMaskException ChangedConcurrently(VmRecord vm, string server, Exception? inner) =>
            new CpuidMaskException(
                VimErrorIds.VmChangedConcurrently,
                ErrorKind.InvalidOperation,
                $"VM '{vm.Name}' on {server} was changed by someone else after it was read (its configuration's change version moved on), so vSphere refused the write; nothing was written. " +
                "Retry: the VM is read again and the changes recomputed.",
                vm.Name,
                inner);

        private static bool SamePairs(IEnumerable<KeyValuePair<string, string>> a, IEnumerable<KeyValuePair<string, string>> b) =>
            a.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase).Select(p => p.Key.ToLowerInvariant() + "=" + p.Value)
                .SequenceEqual(b.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase).Select(p => p.Key.ToLowerInvariant() + "=" + p.Value), StringComparer.Ordinal);

        private static IEnumerable<KeyValuePair<string, string>> Pairs(IEnumerable<OptionValue> extraConfig) =>
            extraConfig.Select(o => new KeyValuePair<string, string>(o.Key, o.Value ?? string.Empty));

        private static IEnumerable<KeyValuePair<string, string>> MaskPairs(IEnumerable<OptionValue> extraConfig) =>
            Pairs(extraConfig).Where(p => VmMask.IsMaskConfigKey(p.Key));

        private sealed class PendingWrite
        {
            public PendingWrite(VmRecord vm, IReadOnlyList<KeyChange> changes, VmMask resultMask, IReadOnlyList<KeyValuePair<string, string>> kept, MaskOperation operation)
            {
                Vm = vm;
                Changes = changes;
                ResultMask = resultMask;
                Kept = kept;
                Operation = operation;
            }

            public VmRecord Vm { get; }

            public IReadOnlyList<KeyChange> Changes { get; }

            public VmMask ResultMask { get; }

            public IReadOnlyList<KeyValuePair<string, string>> Kept { get; }

            public MaskOperation Operation { get; }

            public MaskWriteMode? Mode { get; init; }

            public IReadOnlyList<FeatureDefinition> OutOfReach { get; init; } = Array.Empty<FeatureDefinition>();

            /// <summary>The sentence about <see cref="OutOfReach"/>, or null.</summary>
            private string? OutOfReachNote => OutOfReach.Count == 0
                ? null
                : $"VM '{Vm.Name}' is {Vm.HardwareVersion}, which never shows a guest {string.Join(", ", OutOfReach.Take(8).Select(f => $"{f.Name} (vmx-{f.MinHardwareVersion})"))}" +
                  (OutOfReach.Count > 8 ? $" and {OutOfReach.Count - 8} more features" : string.Empty) + ": " +
                  "the mask's entries for them change nothing until its hardware is upgraded.";

            public MaskApplyResult Result(
                string server,
                MaskApplyStatus status,
                DateTimeOffset at,
                bool forced,
                bool verified = false,
                IReadOnlyList<string>? problems = null,
                string? changeVersion = null,
                bool appliesAtNextPowerOn = false,
                string? note = null) =>
                new MaskApplyResult(server, Vm.Name, Vm.MoRef, Operation, status, Changes)
                {
                    Verified = verified,
                    Problems = problems ?? Array.Empty<string>(),
                    ChangeVersion = changeVersion,
                    AppliesAtNextPowerOn = appliesAtNextPowerOn,
                    Note = note == null ? OutOfReachNote : OutOfReachNote == null ? note : note + " " + OutOfReachNote,
                    OutOfReach = OutOfReach,
                    HardwareVersion = Vm.HardwareVersion,
                    Mode = Mode,
                    Kept = Kept,
                    ResultMask = ResultMask,
                    PowerState = Vm.PowerState,
                    PreviousChangeVersion = Vm.ChangeVersion,
                    AppliedAt = at,
                    Forced = forced,
                };
        }
    }
}
