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
            var write = new PendingWrite(vm, plan.Changes, plan.Result, kept, MaskOperation.Apply) { Mode = options.Mode };
            return WriteAsync(write, options.Force, options.WhatIf, forced: false, cancellationToken);
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
            bool forced = false;
            string server = _client.ServerName;
            if (!string.Equals(record.Server, server, StringComparison.OrdinalIgnoreCase))
            {
                if (!options.Force)
                {
                    throw new CpuidMaskException(
                        VimErrorIds.UndoServerMismatch,
                        ErrorKind.InvalidOperation,
                        $"The undo record for VM '{record.Vm}' was made on server {record.Server}, but this connection is to {server}; nothing was written. " +
                        $"Connect to {record.Server}.",
                        record.Vm)
                    {
                        Remedy = new Remedy(RemedyKind.Force, $"if {server} is the same server under another name"),
                    };
                }

                forced = true;
            }

            VmRecord vm;
            if (record.MoRef != null)
            {
                vm = await _inventory.ReadOneAsync(record.MoRef, record.Vm, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var found = await _inventory.FindVmsAsync(new[] { record.Vm }, cancellationToken).ConfigureAwait(false);
                vm = found.Count == 1 ? found[0] : throw new CpuidMaskException(
                    VimErrorIds.VmNotFound,
                    ErrorKind.ObjectNotFound,
                    $"The undo record names VM '{record.Vm}' without a reference, and {server} has {found.Count} VMs of that name; nothing was written. Add the VM's \"moref\" to the record.",
                    record.Vm);
            }

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
            return await WriteAsync(write, options.Force, options.WhatIf, forced, cancellationToken).ConfigureAwait(false);
        }

        private async Task<MaskApplyResult> WriteAsync(PendingWrite write, bool force, bool whatIf, bool forced, CancellationToken cancellationToken)
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
            if (whatIf)
            {
                return write.Result(server, MaskApplyStatus.WhatIf, now, forced, appliesAtNextPowerOn: running, note: note);
            }

            try
            {
                await _inventory.ReconfigureExtraConfigAsync(vm, write.Changes.Select(c => new OptionValue(c.Key, c.WireValue)), TaskTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (VimFaultException fault) when (fault.FaultType == ConcurrentAccess)
            {
                throw new CpuidMaskException(
                    VimErrorIds.VmChangedConcurrently,
                    ErrorKind.InvalidOperation,
                    $"VM '{vm.Name}' on {server} was changed by someone else after it was read (its configuration's change version moved on), so vSphere refused the write; nothing was written. " +
                    "Retry: the VM is read again and the changes recomputed.",
                    vm.Name,
                    fault);
            }

            var contents = await _client.PropertyCollector.RetrieveAsync(new[] { vm.MoRef }, "VirtualMachine", ReadBackPaths, cancellationToken).ConfigureAwait(false);
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
            if (problems.Count > 0)
            {
                throw new MaskNotPersistedException(
                    $"VM '{vm.Name}' on {server} does not hold what was written: {string.Join("; ", problems)}. The write was accepted but not kept as sent, so the mask is NOT in place. " +
                    "Check the VM's advanced settings; the changes sent are in the error's result (and the undo file) to revert them.",
                    result);
            }

            return result;
        }

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
                    Note = note,
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
