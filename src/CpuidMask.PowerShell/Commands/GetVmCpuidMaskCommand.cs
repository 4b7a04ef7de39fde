using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CpuidMask.Engine;
using CpuidMask.PowerShell.Input;
using CpuidMask.Vim.Masks;

namespace CpuidMask.PowerShell.Commands
{
    /// <summary>Reads the CPUID masks VMs have in their configuration, with power state, hardware version and host.</summary>
    [Cmdlet(VerbsCommon.Get, "VmCpuidMask", DefaultParameterSetName = VMSet)]
    [OutputType(typeof(VmCpuidMaskInfo))]
    public sealed class GetVmCpuidMaskCommand : CpuidMaskCmdlet
    {
        private const string VMSet = "VM";

        private readonly List<InventoryInput> _vms = new List<InventoryInput>();

        /// <summary>PowerCLI VirtualMachine objects (Get-VM) or VM names; wildcards allowed in names.</summary>
        [Parameter(ParameterSetName = VMSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public object[] VM { get; set; } = Array.Empty<object>();

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
            foreach (var item in VM)
            {
                var value = Unwrap(item);
                if (value == null)
                {
                    continue;
                }

                try
                {
                    _vms.Add(InventoryInput.ForVm(value, Read));
                }
                catch (CpuidMaskException ex)
                {
                    WriteItemError(ex, value);
                }
            }
        }

        protected override void EndProcessing()
        {
            // One session and a constant number of round trips per vCenter, however many VMs were piped in.
            foreach (var group in _vms.GroupBy(v => Server != null ? null : v.Server))
            {
                var service = new VmMaskService(Connect(Server, Credential, Thumbprint, SkipCertificateCheck, group.Key));
                var inputs = group.ToArray();
                var byReference = inputs.Where(i => i.MoRef != null).ToArray();
                var byName = inputs.Where(i => i.MoRef == null).ToArray();
                var found = ReadEach(byReference, (some, token) => service.ReadAsync(some.Select(i => i.MoRef!), token))
                    .Concat(ReadEach(byName, (some, token) => service.ReadAsync(some.Select(i => i.Text), token)))
                    .GroupBy(i => i.MoRef)
                    .Select(g => g.First())
                    .OrderBy(i => i.Name, StringComparer.OrdinalIgnoreCase);
                foreach (var vm in found)
                {
                    var info = VmCpuidMaskInfo.FromRecord(vm.Record, out var problem);
                    if (problem != null)
                    {
                        WriteItemError(problem, vm.Name);
                    }

                    WriteObject(info);
                }
            }
        }
    }
}
