using System;
using System.Collections.Generic;
using System.Management.Automation;
using CpuidMask.Engine.Catalog;
using CpuidMask.PowerShell.Completion;

namespace CpuidMask.PowerShell.Commands
{
    /// <summary>
    /// Applies a per-VM EVC mode to VMs (vSphere 6.7+, hardware version 14+, powered off), or clears it: the
    /// vCenter's own definition of the mode when it offers it, else the one computed from the baseline catalog.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "VmEvcMode", DefaultParameterSetName = ModeSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(VmEvcModeChange))]
    public sealed class SetVmEvcModeCommand : VmWriteCmdlet
    {
        private const string ModeSet = "Mode";
        private const string ClearSet = "Clear";

        private readonly List<object> _vmItems = new List<object>();

        /// <summary>PowerCLI VirtualMachine objects (Get-VM), Get-VmCpuidMask output, or VM names; wildcards allowed in names.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public object[] VM { get; set; } = Array.Empty<object>();

        /// <summary>The EVC mode key, e.g. intel-haswell or amd-zen2 (Tab completes them).</summary>
        [Parameter(ParameterSetName = ModeSet, Mandatory = true, Position = 1)]
        [ArgumentCompleter(typeof(BaselineKeyCompleter))]
        [ValidateNotNullOrEmpty]
        public string Baseline { get; set; } = string.Empty;

        /// <summary>Removes the VMs' per-VM EVC mode (an empty mask).</summary>
        [Parameter(ParameterSetName = ClearSet, Mandatory = true)]
        public SwitchParameter Clear { get; set; }

        /// <summary>Writes a result per VM: the mode applied, the mask before and after (the undo record).</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void BeginProcessing()
        {
            if (ParameterSetName == ModeSet && string.Equals(Baseline.Trim(), BaselineKeys.None, StringComparison.OrdinalIgnoreCase))
            {
                throw Terminate(
                    "BaselineNoneNeedsClear",
                    Engine.ErrorKind.InvalidArgument,
                    "-Baseline names an EVC mode to apply; to remove a VM's per-VM EVC mode, use -Clear.",
                    Baseline);
            }
        }

        protected override void ProcessRecord() => _vmItems.AddRange(VM);

        protected override void EndProcessing() =>
            ApplyEvcModes(ReadVmInputs(_vmItems), Clear ? BaselineKeys.None : Baseline, PassThru);
    }
}
