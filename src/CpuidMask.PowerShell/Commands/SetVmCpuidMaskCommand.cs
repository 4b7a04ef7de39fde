using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CpuidMask.Engine;
using CpuidMask.Engine.Masks;
using CpuidMask.PowerShell.Input;
using CpuidMask.Vim;
using CpuidMask.Vim.Inventory;
using CpuidMask.Vim.Masks;

namespace CpuidMask.PowerShell.Commands
{
    /// <summary>
    /// Writes a CPUID mask into VMs' configuration (extraConfig), touching only CPUID mask keys, then reads
    /// it back to verify; or, with -Undo, puts back what an earlier run replaced. The vSphere client's
    /// VmMaskService does the work; this cmdlet resolves the input and asks before each VM.
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
                    // Read here, not in BeginProcessing: PowerShell settles on this set only once input arrives.
                    _mask ??= ReadMask(new[] { Mask });
                    WriteMask(VM, _mask);
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
                return MaskInput.ToVmMask(inputs.Select(Unwrap), Read, "-Mask");
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

            var options = new MaskApplyOptions { Mode = Replace ? MaskWriteMode.Replace : MaskWriteMode.Merge, Force = Force };
            foreach (var group in inputs.GroupBy(v => Server != null ? null : v.Server))
            {
                var service = new VmMaskService(Connect(Server, Credential, Thumbprint, SkipCertificateCheck, group.Key)) { TaskTimeout = TaskTimeout };
                foreach (var record in ReadVms(service, group.ToArray()))
                {
                    Write(
                        record.Name,
                        token => service.ApplyAsync(record, mask, new MaskApplyOptions { Mode = options.Mode, Force = options.Force, WhatIf = true }, token),
                        token => service.ApplyAsync(record, mask, options, token),
                        "Set CPUID mask",
                        () => CheckHardwareVersion(record, mask));
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

            MaskUndoRecord record;
            try
            {
                record = ChangeRecordInput.From(value, Read);
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

            var origin = Server == null ? ServerAddress.Parse(record.Server) : null;
            var service = new VmMaskService(Connect(Server, Credential, Thumbprint, SkipCertificateCheck, origin)) { TaskTimeout = TaskTimeout };
            Write(
                record.Vm,
                token => service.UndoAsync(record, new MaskUndoOptions { Force = Force, WhatIf = true }, token),
                token => service.UndoAsync(record, new MaskUndoOptions { Force = Force }, token),
                "Restore CPUID mask",
                null);
        }

        /// <summary>
        /// One VM: compute the change without writing (what -WhatIf and -Confirm show), ask, write, report.
        /// Every failure is this VM's alone: written as an error, and the next VM goes on.
        /// </summary>
        private void Write(
            string vmName,
            Func<System.Threading.CancellationToken, System.Threading.Tasks.Task<MaskApplyResult>> preview,
            Func<System.Threading.CancellationToken, System.Threading.Tasks.Task<MaskApplyResult>> write,
            string verb,
            Action? check)
        {
            MaskApplyResult planned;
            try
            {
                check?.Invoke();
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
                if (PassThru)
                {
                    WriteObject(VmCpuidMaskChange.FromResult(planned));
                }

                return;
            }

            if (!ShouldProcess(vmName, MaskChangeDescription.Action(planned.Changes, verb)))
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
                if (PassThru)
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

            if (PassThru)
            {
                WriteObject(VmCpuidMaskChange.FromResult(result));
            }
        }

        private IReadOnlyList<VmRecord> ReadVms(VmMaskService service, IReadOnlyList<InventoryInput> inputs)
        {
            var byReference = inputs.Where(i => i.MoRef != null).ToArray();
            var byName = inputs.Where(i => i.MoRef == null).ToArray();
            return ReadEach(byReference, (some, token) => service.ReadAsync(some.Select(i => i.MoRef!), token))
                .Concat(ReadEach(byName, (some, token) => service.ReadAsync(some.Select(i => i.Text), token)))
                .Select(i => i.Record)
                .GroupBy(r => r.MoRef)
                .Select(g => g.First())
                .OrderBy(r => r.Name, StringComparer.OrdinalIgnoreCase)
                .ToArray();
        }

        // Named feature masks mean nothing to a VM older than hardware version 9: it would silently ignore them.
        private static void CheckHardwareVersion(VmRecord record, VmMask mask)
        {
            if (mask.FeatureMasks.Count > 0 && record.HardwareVersionNumber is int version && version < 9)
            {
                throw new CpuidMaskException(
                    "HardwareVersionTooOld",
                    ErrorKind.InvalidOperation,
                    $"VM '{record.Name}' is hardware version {version}; named feature masks (featMask.vm.cpuid.*) need version 9 or later. Upgrade its compatibility, or use the raw cpuid.* lines.",
                    record.Name);
            }
        }
    }
}
