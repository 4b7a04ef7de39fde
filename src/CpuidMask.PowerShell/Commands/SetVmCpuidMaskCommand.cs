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
using CpuidMask.Vim.Masks;

namespace CpuidMask.PowerShell.Commands
{
    /// <summary>
    /// Writes a CPUID mask into VMs' configuration (extraConfig), touching only CPUID mask keys, then reads it back
    /// to verify. Undo-VmCpuidMask undoes it; Set-VmEvcMode applies per-VM EVC modes. The forms that did those here
    /// (-Undo, -Method PerVmEvc) still work in this version, with a deprecation warning.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "VmCpuidMask", DefaultParameterSetName = MaskSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(VmCpuidMaskChange))]
    [OutputType(typeof(VmEvcModeChange), ParameterSetName = new[] { BaselineSet })]
    public sealed class SetVmCpuidMaskCommand : VmWriteCmdlet
    {
        // The mask comes down the pipeline (New-VmCpuidMask | Set-VmCpuidMask -VM vm01) ...
        private const string MaskSet = "Mask";

        // ... or the VMs do (Get-VM web* | Set-VmCpuidMask -Mask $mask). One pipeline parameter per set.
        private const string VMSet = "VM";

        private const string UndoSet = "Undo";

        // ... or a named baseline (EVC mode) is, as its raw mask.
        private const string BaselineSet = "Baseline";

        private const string ExtraConfigMethod = "ExtraConfig";
        private const string PerVmEvcMethod = "PerVmEvc";

        private readonly List<object> _maskInputs = new List<object>();
        private readonly List<object> _vmItems = new List<object>();
        private readonly List<object> _undoItems = new List<object>();
        private VmMask? _mask;

        // The CPU vendor the mask was made for, when its input says (New-VmCpuidMask output, -Baseline).
        private string? _maskVendor;

        // The deprecated -Undo's warning is written once, and only for a real use of it.
        private bool _undoWarned;

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

        /// <summary>ExtraConfig (default: cpuid.* keys in the VM's extraConfig), or PerVmEvc (deprecated: use Set-VmEvcMode).</summary>
        [Parameter(ParameterSetName = MaskSet)]
        [Parameter(ParameterSetName = VMSet)]
        [Parameter(ParameterSetName = BaselineSet)]
        [ValidateSet(ExtraConfigMethod, PerVmEvcMethod)]
        public string Method { get; set; } = ExtraConfigMethod;

        /// <summary>Deprecated (use Undo-VmCpuidMask): results of an earlier Set-VmCpuidMask -PassThru (or their Import-Clixml copies) to undo.</summary>
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
                    "-Method PerVmEvc applies an EVC mode, not a mask: name it with -Baseline (e.g. -Baseline intel-haswell, or -Baseline none to clear it) instead of -Mask, or use Set-VmEvcMode.",
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
                    "-Baseline none clears a per-VM EVC mode: use Set-VmEvcMode -Clear. To take CPUID masks out of extraConfig, use Undo-VmCpuidMask with the change that wrote them.",
                    Baseline);
            }

            if (IsPerVmEvc)
            {
                WriteWarning("Set-VmCpuidMask -Method PerVmEvc is deprecated and goes in the next version: use Set-VmEvcMode -VM ... -Baseline KEY (or -Clear).");
            }
            else if (MyInvocation.BoundParameters.ContainsKey(nameof(Undo)))
            {
                // Named on the command line. Piped input binds to -Undo whenever -Mask or -VM is left out, so for
                // the pipeline the warning waits until an input really is a change record (ReadChangeRecords).
                WarnUndoDeprecated();
            }
        }

        private void WarnUndoDeprecated()
        {
            if (!_undoWarned)
            {
                _undoWarned = true;
                WriteWarning("Set-VmCpuidMask -Undo is deprecated and goes in the next version: pipe the change to Undo-VmCpuidMask.");
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
                    var mask = ReadMask(_maskInputs);
                    WriteMasks(ReadVmInputs(VM), mask, Options(), PassThru);
                    break;
                case VMSet:
                    WriteMasks(ReadVmInputs(_vmItems), _mask!, Options(), PassThru);
                    break;
                case BaselineSet when IsPerVmEvc:
                    ApplyEvcModes(ReadVmInputs(_vmItems), Baseline, PassThru);
                    break;
                case BaselineSet:
                    var baselineMask = BaselineMask();
                    WriteMasks(ReadVmInputs(_vmItems), baselineMask, Options(), PassThru);
                    break;
                default:
                    UndoChanges(ReadChangeRecords(_undoItems), Force, PassThru);
                    break;
            }
        }

        private MaskApplyOptions Options() =>
            new MaskApplyOptions { Mode = Replace ? MaskWriteMode.Replace : MaskWriteMode.Merge, Force = Force, MaskCpuVendor = _maskVendor };

        private VmMask ReadMask(IEnumerable<object?> inputs)
        {
            try
            {
                var items = inputs.SelectMany(UnwrapAll).ToArray();
                var read = MaskInput.ToMaskForVendor(items, Read, "-Mask", new MaskReadOptions { AllowUnknownFeatures = AllowUnknownFeature });
                _maskVendor = read.CpuVendor;
                return read.Mask;
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

        /// <summary>
        /// The deprecated -Undo takes any object, so it also gets what was piped in by mistake; say what is missing
        /// for those instead of calling them bad undo records.
        /// </summary>
        private IReadOnlyList<object> ReadChangeRecords(IEnumerable<object> items)
        {
            var records = new List<object>();
            foreach (var value in items)
            {
                if (value is VmEvcModeChange evc)
                {
                    WarnUndoDeprecated();
                    records.Add(evc.Result.ToUndoRecord());
                    continue;
                }

                try
                {
                    records.Add(ChangeRecordInput.From(value, Read));
                    WarnUndoDeprecated();
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

                    WriteItemError(
                        value is VmCpuidMask || value is string
                            ? new CpuidMaskException("VmRequired", ErrorKind.InvalidArgument, "-VM is missing: name the VMs to write the mask to, e.g. ... | Set-VmCpuidMask -VM vm01.", value)
                            : ex,
                        value);
                }
            }

            return records;
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
