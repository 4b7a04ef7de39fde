using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CpuidMask.PowerShell.Input;
using CpuidMask.Vim.Masks;

namespace CpuidMask.PowerShell.Commands
{
    /// <summary>Reads the CPUID masks VMs have in their configuration, with power state, hardware version and host.</summary>
    [Cmdlet(VerbsCommon.Get, "VmCpuidMask", DefaultParameterSetName = VMSet)]
    [OutputType(typeof(VmCpuidMaskInfo))]
    public sealed class GetVmCpuidMaskCommand : VCenterCmdlet
    {
        private const string VMSet = "VM";

        private readonly List<InventoryInput> _vms = new List<InventoryInput>();

        /// <summary>PowerCLI VirtualMachine objects (Get-VM) or VM names; wildcards allowed in names.</summary>
        [Parameter(ParameterSetName = VMSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public object[] VM { get; set; } = Array.Empty<object>();

        protected override void ProcessRecord() => _vms.AddRange(ReadVmInputs(VM));

        protected override void EndProcessing()
        {
            foreach (var vm in ReadVms(_vms).GroupBy(v => v.Client).SelectMany(g => g.OrderBy(v => v.Record.Name, StringComparer.OrdinalIgnoreCase)))
            {
                var stored = new StoredVmMask(vm.Record);
                if (stored.MaskProblem != null)
                {
                    WriteItemError(stored.MaskProblem, vm.Record.Name);
                }

                WriteObject(VmCpuidMaskInfo.From(stored));
            }
        }
    }
}
