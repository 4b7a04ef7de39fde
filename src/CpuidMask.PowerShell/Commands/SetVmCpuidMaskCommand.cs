using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CpuidMask.Engine;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Masks;
using CpuidMask.PowerShell.Completion;
using CpuidMask.PowerShell.Input;
using CpuidMask.Vim;
using CpuidMask.Vim.Inventory;
using CpuidMask.Vim.Masks;

namespace CpuidMask.PowerShell.Commands
{
    /// <summary>
    /// Writes a CPUID mask into VMs' configuration (extraConfig), touching only CPUID mask keys, then reads
    /// it back to verify; or, with -Undo, puts back what an earlier run replaced; or, with -Method PerVmEvc,
    /// applies a per-VM EVC mode. The vSphere client's VmMaskService does the work; this cmdlet resolves the
    /// input and asks before each VM.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "VmCpuidMask", DefaultParameterSetName = MaskSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(VmCpuidMaskChange))]
    [OutputType(typeof(VmEvcModeChange), ParameterSetName = new[] { BaselineSet })]
    public sealed class SetVmCpuidMaskCommand : CpuidMaskCmdlet
    {
        // The mask comes down the pipeline (New-VmCpuidMask | Set-VmCpuidMask -VM vm01) ...
        private const string MaskSet = "Mask";

        // ... or the VMs do (Get-VM web* | Set-VmCpuidMask -Mask $mask). One pipeline parameter per set.
        private const string VMSet = "VM";

        private const string UndoSet = "Undo";

        // ... or a named baseline (EVC mode) is, as a raw mask or a per-VM EVC mode (-Method).
        private const string BaselineSet = "Baseline";

        private const string ExtraConfigMethod = "ExtraConfig";
        private const string PerVmEvcMethod = "PerVmEvc";

        private readonly List<object> _maskInputs = new List<object>();
        private readonly List<object> _vmItems = new List<object>();
        private readonly List<object> _undoItems = new List<object>();
        private readonly Dictionary<VmMaskService, PerVmEvcRequest> _evcModes = new Dictionary<VmMaskService, PerVmEvcRequest>();
        private VmMask? _mask;

        // The CPU vendor the mask was made for, when its input says (New-VmCpuidMask output, -Baseline).
        private string? _maskVendor;

        /// <summary>PowerCLI VirtualMachine objects (Get-VM), Get-VmCpuidMask output, or VM names; wildcards allowed in names.</summary>
        [Parameter(ParameterSetName = MaskSet, Mandatory = true, Position = 0)]
        [Parameter(ParameterSetName = VMSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = BaselineSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public object[] VM { get; set; } = Array.Empty<object>();

        /// <summary>The mask: New-VmCpuidMask output, Get-VmCpuidMask output (to copy a VM's masks), .vmx lines or cpuidmask's mask JSON.</summary>
        [Parameter(ParameterSetName = MaskSet, Mandatory = true, Position = 1, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = VMSet, Mandatory = true, Position = 1)]
        [ValidateNotNull]
        public object? Mask { get; set; }

        /// <summary>Accepts featMask.vm.cpuid.NAME keys in -Mask whose NAME the feature catalog does not know (their values are still checked).</summary>
        [Parameter(ParameterSetName = MaskSet)]
        [Parameter(ParameterSetName = VMSet)]
        public SwitchParameter AllowUnknownFeature { get; set; }

        /// <summary>An EVC mode key (intel-haswell, amd-zen2 ...): its mask, or with -Method PerVmEvc the mode itself; "none" clears per-VM EVC.</summary>
        [Parameter(ParameterSetName = BaselineSet, Mandatory = true)]
        [ArgumentCompleter(typeof(EvcModeCompleter))]
        [ValidateNotNullOrEmpty]
        public string Baseline { get; set; } = string.Empty;

        /// <summary>ExtraConfig (default: cpuid.* keys in the VM's extraConfig) or PerVmEvc (a per-VM EVC mode, with -Baseline).</summary>
        [Parameter(ParameterSetName = MaskSet)]
        [Parameter(ParameterSetName = VMSet)]
        [Parameter(ParameterSetName = BaselineSet)]
        [ValidateSet(ExtraConfigMethod, PerVmEvcMethod)]
        public string Method { get; set; } = ExtraConfigMethod;

        /// <summary>Results of an earlier Set-VmCpuidMask -PassThru (or their Import-Clixml copies) to undo.</summary>
        [Parameter(ParameterSetName = UndoSet, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public object[] Undo { get; set; } = Array.Empty<object>();

        /// <summary>Replaces all the VM's CPUID masks with this one (keys it lacks are removed) instead of merging.</summary>
        [Parameter(ParameterSetName = MaskSet)]
        [Parameter(ParameterSetName = VMSet)]
        [Parameter(ParameterSetName = BaselineSet)]
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

        private bool IsPerVmEvc => string.Equals(Method, PerVmEvcMethod, StringComparison.OrdinalIgnoreCase);

        protected override void BeginProcessing()
        {
            // -Baseline is named on the command line, so whether it is there is known before any input arrives.
            bool hasBaseline = MyInvocation.BoundParameters.ContainsKey(nameof(Baseline));
            if (IsPerVmEvc && !hasBaseline)
            {
                throw Terminate(
                    "PerVmEvcNeedsBaseline",
                    ErrorKind.InvalidArgument,
                    "-Method PerVmEvc applies an EVC mode, not a mask: name it with -Baseline (e.g. -Baseline intel-haswell, or -Baseline none to clear it) instead of -Mask.",
                    Method);
            }

            if (IsPerVmEvc && (Replace || Force))
            {
                throw Terminate(
                    "PerVmEvcOptionInvalid",
                    ErrorKind.InvalidArgument,
                    $"{(Replace ? "-Replace" : "-Force")} does not go with -Method PerVmEvc: a per-VM EVC mode always replaces the previous one, and vSphere changes it only on a powered-off VM.",
                    Method);
            }

            if (hasBaseline && !IsPerVmEvc && string.Equals(Baseline.Trim(), BaselineKeys.None, StringComparison.OrdinalIgnoreCase))
            {
                throw Terminate(
                    "BaselineNoneNeedsPerVmEvc",
                    ErrorKind.InvalidArgument,
                    "-Baseline none clears a per-VM EVC mode and goes with -Method PerVmEvc. To take CPUID masks out of extraConfig, use Set-VmCpuidMask -Undo with the change that wrote them.",
                    Baseline);
            }
        }

        protected override void ProcessRecord()
        {
            // Input is collected, and the VMs are read and written at the end: one read per vCenter for all of
            // them, and a known count for the progress bar.
            switch (ParameterSetName)
            {
                case MaskSet:
                    // Lines piped one by one (Get-Content) form one mask.
                    if (Mask != null)
                    {
                        _maskInputs.Add(Unwrap(Mask)!);
                    }

                    break;
                case VMSet:
                    // Read here, not in BeginProcessing: PowerShell settles on this set only once input arrives.
                    _mask ??= ReadMask(new[] { Mask });
                    _vmItems.AddRange(VM);
                    break;
                case BaselineSet:
                    _vmItems.AddRange(VM);
                    break;
                default:
                    _undoItems.AddRange(UnwrapAll(Undo));
                    break;
            }
        }

        protected override void EndProcessing()
        {
            switch (ParameterSetName)
            {
                case MaskSet:
                    WriteMask(VM, ReadMask(_maskInputs));
                    break;
                case VMSet:
                    WriteMask(_vmItems, _mask!);
                    break;
                case BaselineSet when IsPerVmEvc:
                    ApplyEvcMode(_vmItems);
                    break;
                case BaselineSet:
                    WriteMask(_vmItems, BaselineMask());
                    break;
                default:
                    for (int i = 0; i < _undoItems.Count; i++)
                    {
                        ReportProgress("Restoring CPUID masks", (Read(_undoItems[i], "VM") ?? Read(_undoItems[i], "Vm"))?.ToString() ?? "change record", i, _undoItems.Count);
                        UndoChange(_undoItems[i]);
                    }

                    break;
            }

            CompleteProgress();
        }

        private VmMask ReadMask(IEnumerable<object?> inputs)
        {
            try
            {
                var items = inputs.SelectMany(UnwrapAll).ToArray();
                _maskVendor = MaskInput.CpuVendorOf(items);
                return MaskInput.ToVmMask(items, Read, "-Mask", new MaskReadOptions { AllowUnknownFeatures = AllowUnknownFeature });
            }
            catch (CpuidMaskException ex)
            {
                throw Terminate(ex, Mask);
            }
        }

        private VmMask BaselineMask()
        {
            GeneratedMask generated;
            try
            {
                generated = new BaselineMaskGenerator().Generate(Baseline);
            }
            catch (CpuidMaskException ex)
            {
                throw Terminate(ex, Baseline);
            }

            _maskVendor = generated.CpuVendor;
            if (generated.Mask.SubleafAdvice() is Advice subleaf)
            {
                WriteWarning($"The mask of {generated.Baseline!.Key}: " + RemedyWording.Describe(subleaf));
            }

            return generated.Mask;
        }

        private List<InventoryInput> ReadVmInputs(IEnumerable<object> vmItems)
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

            return inputs;
        }

        private void WriteMask(IEnumerable<object> vmItems, VmMask mask)
        {
            var options = new MaskApplyOptions { Mode = Replace ? MaskWriteMode.Replace : MaskWriteMode.Merge, Force = Force, MaskCpuVendor = _maskVendor };
            var preview = new MaskApplyOptions { Mode = options.Mode, Force = options.Force, MaskCpuVendor = options.MaskCpuVendor, WhatIf = true };
            var targets = ReadTargets(vmItems);
            for (int i = 0; i < targets.Count; i++)
            {
                var (service, record) = targets[i];
                ReportProgress("Setting CPUID masks", record.Name, i, targets.Count);
                Write(
                    record.Name,
                    token => service.ApplyAsync(record, mask, preview, token),
                    token => service.ApplyAsync(record, mask, options, token),
                    "Set CPUID mask");
            }
        }

        /// <summary>
        /// Every VM the inputs name, read once per vCenter (grouped by where each came from), with the service that
        /// writes it, in the order the inputs came (the VMs a wildcard matches in name order at its place).
        /// </summary>
        private IReadOnlyList<(VmMaskService Service, VmRecord Record)> ReadTargets(IEnumerable<object> vmItems)
        {
            var inputs = ReadVmInputs(vmItems);
            var targets = new List<(VmMaskService Service, VmRecord Record, int Order)>();
            foreach (var group in inputs.GroupBy(v => Server != null ? null : v.Server))
            {
                var service = new VmMaskService(Connect(Server, Credential, Thumbprint, SkipCertificateCheck, group.Key)) { TaskTimeout = TaskTimeout };
                var groupInputs = group.ToArray();
                targets.AddRange(ReadVms(service, groupInputs).Select(record => (service, record, InputOrder(inputs, groupInputs, record))));
            }

            return targets.OrderBy(t => t.Order).ThenBy(t => t.Record.Name, StringComparer.OrdinalIgnoreCase).Select(t => (t.Service, t.Record)).ToArray();
        }

        /// <summary>The place of the first input that names the record: by its reference, else by name or wildcard.</summary>
        private static int InputOrder(List<InventoryInput> all, IReadOnlyList<InventoryInput> group, VmRecord record)
        {
            var first = group.FirstOrDefault(i => i.MoRef != null
                ? i.MoRef.Equals(record.MoRef)
                : new WildcardPattern(i.Text, WildcardOptions.IgnoreCase).IsMatch(record.Name));
            return first == null ? int.MaxValue : all.IndexOf(first);
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
                // With only pipeline input, PowerShell binds whatever is piped to -Undo when -VM or -Mask is left
                // out (the one set whose mandatory parameters the pipeline can fill); say which one is missing.
                if (IsVm(value))
                {
                    throw Terminate(
                        "MaskRequired",
                        ErrorKind.InvalidArgument,
                        "-Mask is missing: VMs were piped in, so name the mask to write, e.g. Get-VM web* | Set-VmCpuidMask -Mask $mask " +
                        "(New-VmCpuidMask output or .vmx lines), or -Baseline intel-haswell for an EVC mode's mask.",
                        value);
                }

                if (value is VmCpuidMask || value is string)
                {
                    ex = new CpuidMaskException("VmRequired", ErrorKind.InvalidArgument, "-VM is missing: name the VMs to write the mask to, e.g. ... | Set-VmCpuidMask -VM vm01.", value);
                }
                else if (value is VmEvcModeChange evc)
                {
                    ex = new CpuidMaskException(
                        ChangeRecordInput.InvalidErrorId,
                        ErrorKind.InvalidArgument,
                        $"A per-VM EVC change is not undone with -Undo: apply the previous mode again, Set-VmCpuidMask -VM {evc.VM} -Method PerVmEvc -Baseline <mode>, or -Baseline none to clear it.",
                        value);
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
                "Restore CPUID mask");
        }

        /// <summary>
        /// One VM: compute the change without writing (what -WhatIf and -Confirm show), ask, write, report.
        /// Every failure is this VM's alone: written as an error, and the next VM goes on.
        /// </summary>
        private void Write(
            string vmName,
            Func<System.Threading.CancellationToken, System.Threading.Tasks.Task<MaskApplyResult>> preview,
            Func<System.Threading.CancellationToken, System.Threading.Tasks.Task<MaskApplyResult>> write,
            string verb)
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
                if (PassThru)
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

        /// <summary>
        /// Per-VM EVC for each VM: the mode resolved once per vCenter (its own EVCMode.featureMask when it offers
        /// the mode, else computed from the baseline catalog), the preconditions checked per VM before asking
        /// (each failure is that VM's error), then one ApplyEvcModeVM_Task and the read-back of runtime.featureMask.
        /// </summary>
        private void ApplyEvcMode(IEnumerable<object> vmItems)
        {
            var targets = ReadTargets(vmItems);
            for (int i = 0; i < targets.Count; i++)
            {
                var (service, record) = targets[i];
                if (!_evcModes.TryGetValue(service, out var request))
                {
                    try
                    {
                        request = Wait(token => service.ResolvePerVmEvcModeAsync(Baseline, token));
                    }
                    catch (CpuidMaskException ex)
                    {
                        throw Terminate(ex, Baseline);
                    }

                    _evcModes[service] = request;
                    WriteVerbose(request.EvcModeKey == null
                        ? $"Per-VM EVC on {record.Server}: clear (empty mask)."
                        : $"Per-VM EVC mode {request.EvcModeKey} on {record.Server}: {request.Mask.Count} feature mask entries, {request.Source}.");
                }

                ReportProgress("Applying per-VM EVC modes", record.Name, i, targets.Count);
                ApplyEvcMode(service, record, request);
            }
        }

        private void ApplyEvcMode(VmMaskService service, VmRecord record, PerVmEvcRequest request)
        {
            PerVmEvcResult planned;
            try
            {
                planned = Wait(token => service.ApplyPerVmEvcAsync(record, request, whatIf: true, token));
            }
            catch (CpuidMaskException ex)
            {
                WriteItemError(ex, record.Name);
                return;
            }

            if (planned.Status == MaskApplyStatus.Unchanged)
            {
                WriteVerbose($"{record.Name} already has this per-VM EVC mask; nothing to change.");
                if (PassThru)
                {
                    WriteObject(new VmEvcModeChange(planned));
                }

                return;
            }

            string action = request.EvcModeKey == null ? "Clear per-VM EVC mode" : $"Apply per-VM EVC mode {request.EvcModeKey}";
            if (!ShouldChange(record.Name, action))
            {
                return;
            }

            PerVmEvcResult result;
            try
            {
                result = Wait(token => service.ApplyPerVmEvcAsync(record, request, whatIf: false, token));
            }
            catch (CpuidMaskException ex)
            {
                WriteItemError(ex, record.Name);
                return;
            }

            WriteVerbose($"{record.Name}: runtime.featureMask now has {result.ReadBack.Count} entries (had {result.Previous.Count}); it takes effect at the VM's next power-on.");
            if (PassThru)
            {
                WriteObject(new VmEvcModeChange(result));
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

        /// <summary>
        /// A VM rather than a mask or a change record: PowerCLI's VirtualMachine, Get-VmCpuidMask output, or a
        /// string that is not a .vmx mask line (a VM name).
        /// </summary>
        private static bool IsVm(object value) => value switch
        {
            VmCpuidMaskInfo _ => true,
            string text => !text.Contains("="),
            _ => InventoryInput.ReadMoRef(value, Read) is { Type: "VirtualMachine" } && Read(value, "Changes") == null,
        };
    }
}
