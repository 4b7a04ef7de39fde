using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CpuidMask.Engine;
using CpuidMask.Engine.Masks;
using CpuidMask.PowerShell.Input;
using CpuidMask.Vim;
using CpuidMask.Vim.Inventory;
using CpuidMask.Vim.Types;

namespace CpuidMask.PowerShell.Commands
{
    /// <summary>
    /// Writes a CPUID mask into VMs' configuration (extraConfig), touching only CPUID mask keys, then reads
    /// it back to verify; or, with -Undo, puts back what an earlier run replaced.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "VmCpuidMask", DefaultParameterSetName = MaskSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(VmCpuidMaskChange))]
    public sealed class SetVmCpuidMaskCommand : CpuidMaskCmdlet
    {
        // The mask comes down the pipeline (New-VmCpuidMask | Set-VmCpuidMask -VM vm01) ...
        private const string MaskSet = "Mask";

        // ... or the VMs do (Get-VM web* | Set-VmCpuidMask -Mask $mask). One pipeline parameter per set.
        private const string VMSet = "VM";

        private const string UndoSet = "Undo";

        private readonly List<object> _maskInputs = new List<object>();
        private VmMask? _mask;

        /// <summary>PowerCLI VirtualMachine objects (Get-VM), Get-VmCpuidMask output, or VM names; wildcards allowed in names.</summary>
        [Parameter(ParameterSetName = MaskSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = VMSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public object[] VM { get; set; } = Array.Empty<object>();

        /// <summary>The mask: New-VmCpuidMask output, Get-VmCpuidMask output (to copy a VM's masks), or .vmx lines.</summary>
        [Parameter(ParameterSetName = MaskSet, Mandatory = true, Position = 1, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = VMSet, Mandatory = true, Position = 1)]
        [ValidateNotNull]
        public object? Mask { get; set; }

        /// <summary>Results of an earlier Set-VmCpuidMask -PassThru (or their Import-Clixml copies) to undo.</summary>
        [Parameter(ParameterSetName = UndoSet, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public object[] Undo { get; set; } = Array.Empty<object>();

        /// <summary>Replaces all the VM's CPUID masks with this one (keys it lacks are removed) instead of merging.</summary>
        [Parameter(ParameterSetName = MaskSet)]
        [Parameter(ParameterSetName = VMSet)]
        public SwitchParameter Replace { get; set; }

        /// <summary>Also writes to VMs that are powered on (the mask applies at their next power-on), and undoes over later changes.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Writes a result per VM: every key touched with its previous and new value (the undo record).</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>The vCenter: a PowerCLI connection or a name. Default: the connection the VMs came from, else $global:DefaultVIServer.</summary>
        [Parameter]
        public object? Server { get; set; }

        /// <summary>Logs in to -Server with these credentials instead of reusing PowerCLI's session.</summary>
        [Parameter]
        [Credential]
        public PSCredential? Credential { get; set; }

        /// <summary>SHA-256 thumbprint of the vCenter's certificate, accepted instead of CA validation.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Thumbprint { get; set; }

        /// <summary>Accepts any certificate (warns every time). Prefer -Thumbprint.</summary>
        [Parameter]
        public SwitchParameter SkipCertificateCheck { get; set; }

        private string Mode => Replace ? nameof(MaskWriteMode.Replace) : nameof(MaskWriteMode.Merge);

        protected override void BeginProcessing()
        {
            if (ParameterSetName == VMSet)
            {
                _mask = ReadMask(new[] { Mask });
            }
        }

        protected override void ProcessRecord()
        {
            switch (ParameterSetName)
            {
                case MaskSet:
                    // Lines piped one by one (Get-Content) form one mask: collect, write at the end.
                    if (Mask != null)
                    {
                        _maskInputs.Add(Unwrap(Mask)!);
                    }

                    break;
                case VMSet:
                    WriteMask(VM, _mask!);
                    break;
                default:
                    foreach (var item in Undo)
                    {
                        UndoChange(item);
                    }

                    break;
            }
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName == MaskSet)
            {
                WriteMask(VM, ReadMask(_maskInputs));
            }
        }

        private VmMask ReadMask(IEnumerable<object?> inputs)
        {
            try
            {
                var mask = MaskInput.ToVmMask(inputs.Select(Unwrap), Read, "-Mask");
                if (mask.IsEmpty && !Replace)
                {
                    WriteVerbose("The mask is empty (the hosts need none); merging it changes nothing.");
                }

                return mask;
            }
            catch (CpuidMaskException ex)
            {
                throw Terminate(ex, Mask);
            }
        }

        private void WriteMask(IEnumerable<object> vmItems, VmMask mask)
        {
            var inputs = new List<InventoryInput>();
            foreach (var item in vmItems)
            {
                var value = Unwrap(item);
                if (value == null)
                {
                    continue;
                }

                try
                {
                    inputs.Add(InventoryInput.ForVm(value, Read));
                }
                catch (CpuidMaskException ex)
                {
                    WriteItemError(ex, value);
                }
            }

            var mode = Replace ? MaskWriteMode.Replace : MaskWriteMode.Merge;
            foreach (var group in inputs.GroupBy(v => Server != null ? null : v.Server))
            {
                var client = Connect(Server, Credential, Thumbprint, SkipCertificateCheck, group.Key);
                foreach (var record in ReadVms(client, group.ToArray()))
                {
                    MaskChangePlan plan;
                    try
                    {
                        CheckCanWrite(record, mask);
                        plan = MaskChangePlan.Create(ExtraConfigOf(record), mask, mode, record.Name);
                    }
                    catch (CpuidMaskException ex)
                    {
                        WriteItemError(ex, record.Name);
                        continue;
                    }

                    Apply(client, record, plan.Changes, Mode, MaskChangeDescription.Action(plan.Changes, "Set CPUID mask"));
                }
            }
        }

        private void UndoChange(object item)
        {
            var value = Unwrap(item);
            if (value == null)
            {
                return;
            }

            ChangeRecordInput change;
            try
            {
                change = ChangeRecordInput.From(value, Read);
            }
            catch (CpuidMaskException ex)
            {
                if (value is VmCpuidMask || value is string)
                {
                    ex = new CpuidMaskException("VmRequired", ErrorKind.InvalidArgument, "-VM is missing: name the VMs to write the mask to, e.g. ... | Set-VmCpuidMask -VM vm01.", value);
                }

                WriteItemError(ex, value);
                return;
            }

            var client = Connect(Server, Credential, Thumbprint, SkipCertificateCheck, change.Server);
            var input = change.MoRef != null
                ? InventoryInput.ForVmReference(change.VM, change.MoRef, change.Server, value)
                : InventoryInput.ForVm(InventoryNames.Literal(change.VM), Read);
            var record = ReadVms(client, new[] { input }).FirstOrDefault();
            if (record == null)
            {
                return;
            }

            var restore = new List<KeyChange>();
            var changedSince = new List<string>();
            foreach (var made in change.Changes)
            {
                string? now = Absent(record.GetExtraConfig(made.Key));
                if (!string.Equals(now, Absent(made.NewValue), StringComparison.Ordinal))
                {
                    changedSince.Add($"{made.Key} is {(now == null ? "absent" : "\"" + now + "\"")}, not {(made.NewValue == null ? "absent" : "\"" + made.NewValue + "\"")}");
                }

                if (!string.Equals(now, Absent(made.PreviousValue), StringComparison.Ordinal))
                {
                    restore.Add(new KeyChange(made.Key, now, Absent(made.PreviousValue)));
                }
            }

            try
            {
                if (changedSince.Count > 0 && !Force)
                {
                    throw new CpuidMaskException(
                        "MaskChangedSinceSet",
                        ErrorKind.InvalidOperation,
                        $"VM '{record.Name}' was changed after the mask was set ({string.Join("; ", changedSince)}). Check with Get-VmCpuidMask; pass -Force to restore the earlier values anyway.",
                        record.Name);
                }

                CheckCanWrite(record, VmMask.Empty);
            }
            catch (CpuidMaskException ex)
            {
                WriteItemError(ex, value);
                return;
            }

            Apply(client, record, restore, "Undo", MaskChangeDescription.Action(restore, "Restore CPUID mask"));
        }

        private void Apply(VimClient client, VmRecord record, IReadOnlyList<KeyChange> changes, string mode, string action)
        {
            string id = VmCpuidMaskInfo.IdOf(record.MoRef);
            if (changes.Count == 0)
            {
                WriteVerbose($"{record.Name} already has this mask; nothing to change.");
                if (PassThru)
                {
                    WriteObject(new VmCpuidMaskChange(record.Name, id, record.Server, mode, changes, MaskLines(record), Array.Empty<string>(), applied: false));
                }

                return;
            }

            if (!ShouldProcess(record.Name, action))
            {
                return;
            }

            foreach (var change in changes)
            {
                WriteVerbose($"{record.Name}: {change}");
            }

            var inventory = new VmInventory(client);
            VmRecord? readBack;
            try
            {
                Wait(token => inventory.ReconfigureExtraConfigAsync(record, changes.Select(c => new OptionValue(c.Key, c.WireValue)), TaskTimeout, token));
                readBack = Wait(token => inventory.ReadVmsAsync(new[] { record.MoRef }, token)).FirstOrDefault();
            }
            catch (CpuidMaskException ex)
            {
                WriteItemError(ex, record.Name);
                return;
            }

            var problems = readBack == null
                ? new[] { $"{record.Name} could not be read back" }
                : MaskChangePlan.Verify(ExtraConfigOf(readBack), changes);
            if (problems.Count > 0)
            {
                WriteItemError(
                    new CpuidMaskException(
                        "MaskNotKept",
                        ErrorKind.WriteError,
                        $"vCenter did not keep the mask of VM '{record.Name}' as written: {string.Join("; ", problems)}. Check the VM with Get-VmCpuidMask; undo with Set-VmCpuidMask -Undo on the -PassThru result.",
                        record.Name),
                    record.Name);
            }

            if (PassThru)
            {
                WriteObject(new VmCpuidMaskChange(record.Name, id, record.Server, mode, changes, MaskLines(readBack ?? record), problems, applied: true));
            }
        }

        /// <summary>Refuses what vSphere would accept but get wrong: a running VM (without -Force), named masks before hardware version 9.</summary>
        private void CheckCanWrite(VmRecord record, VmMask mask)
        {
            if (!record.IsPoweredOff && !Force)
            {
                throw new CpuidMaskException(
                    "VmNotPoweredOff",
                    ErrorKind.InvalidOperation,
                    $"VM '{record.Name}' is {record.PowerState ?? "not powered off"}. A CPUID mask takes effect at the next power-on: power the VM off first, or pass -Force to write it now (it applies after the next power cycle).",
                    record.Name);
            }

            if (mask.FeatureMasks.Count > 0 && record.HardwareVersionNumber is int version && version < 9)
            {
                throw new CpuidMaskException(
                    "HardwareVersionTooOld",
                    ErrorKind.InvalidOperation,
                    $"VM '{record.Name}' is hardware version {version}; named feature masks (featMask.vm.cpuid.*) need version 9 or later. Upgrade its compatibility, or use the raw cpuid.* lines.",
                    record.Name);
            }
        }

        private static string? Absent(string? value) => string.IsNullOrEmpty(value) ? null : value;

        private static IEnumerable<KeyValuePair<string, string>> ExtraConfigOf(VmRecord record) =>
            record.ExtraConfig.Select(o => new KeyValuePair<string, string>(o.Key, o.Value ?? string.Empty));

        private static IEnumerable<string> MaskLines(VmRecord record) =>
            record.ExtraConfig.Where(o => VmMask.IsMaskConfigKey(o.Key) && !string.IsNullOrEmpty(o.Value)).Select(o => $"{o.Key} = \"{o.Value}\"");
    }
}
