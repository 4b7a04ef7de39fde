using System;
using System.Threading;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Engine.Model;
using CpuidMask.Vim.Inventory;

namespace CpuidMask.Vim.Masks
{
    /// <summary>Preconditions the mask service and the per-VM EVC service both check before they change a VM.</summary>
    internal static class VmChecks
    {
        /// <summary>
        /// Refuses a mask or EVC mode made for one CPU vendor on a VM whose host has another's: the same bit
        /// positions mean other features there, so it would hide the wrong ones or promise what the host lacks.
        /// </summary>
        public static void CheckVendor(VmRecord vm, string server, string? madeFor, string what)
        {
            if (madeFor == null || vm.HostCpuVendor == null || CpuVendors.SameLayout(madeFor, vm.HostCpuVendor))
            {
                return;
            }

            throw new CpuidMaskException(
                VimErrorIds.VendorMismatch,
                ErrorKind.InvalidOperation,
                $"VM '{vm.Name}' ({server}) runs on {vm.HostName ?? "a host"} with an {CpuVendors.Family(vm.HostCpuVendor)} CPU ({vm.HostCpuVendor}), " +
                $"but {what} is for {CpuVendors.Family(madeFor)} CPUs: CPUID bits mean other features on the other vendor. " +
                $"Compute the mask from the hosts this VM can run on, or choose an {CpuVendors.Family(vm.HostCpuVendor)} EVC mode; nothing was written.",
                vm.Name);
        }
    
        /// <summary>
        /// The VM an undo record names, read afresh: on the server it was made on (else UndoServerMismatch), by its
        /// reference, and only if the VM there still has the record's name (else UndoVmMismatch: the reference may now
        /// be another VM); a record without a reference finds its VM by a name only one VM has. Force accepts another
        /// server name and a renamed VM; the second value says whether it was needed.
        /// </summary>
        public static async Task<(VmRecord Vm, bool Forced)> FindVmOfRecordAsync(VmInventory inventory, string server, VmUndoRecord record, bool force, CancellationToken cancellationToken)
        {
            bool forced = false;
            if (!string.Equals(record.Server, server, StringComparison.OrdinalIgnoreCase))
            {
                if (!force)
                {
                    throw new CpuidMaskException(
                        VimErrorIds.UndoServerMismatch,
                        ErrorKind.InvalidOperation,
                        $"{Capitalize(record.Describe())} was made on server {record.Server}, but this connection is to {server}; nothing was written. Connect to {record.Server}.",
                        record.Vm)
                    {
                        Remedy = new Remedy(RemedyKind.Force, $"if {server} is the same server under another name"),
                    };
                }

                forced = true;
            }

            if (record.MoRef == null)
            {
                var found = await inventory.FindVmsAsync(new[] { record.Vm }, cancellationToken).ConfigureAwait(false);
                return found.Count == 1 ? (found[0], forced) : throw new CpuidMaskException(
                    VimErrorIds.VmNotFound,
                    ErrorKind.ObjectNotFound,
                    $"{Capitalize(record.Describe())} names VM '{record.Vm}' without a reference, and {server} has {found.Count} VMs of that name; nothing was written. Add the VM's \"moref\" to the record.",
                    record.Vm);
            }

            var vm = await inventory.ReadOneAsync(record.MoRef, record.Vm, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(vm.Name, record.Vm, StringComparison.OrdinalIgnoreCase))
            {
                if (!force)
                {
                    throw new CpuidMaskException(
                        VimErrorIds.UndoVmMismatch,
                        ErrorKind.InvalidOperation,
                        $"{Capitalize(record.Describe())} is for VM '{record.Vm}' ({record.MoRef}), but {record.MoRef} on {server} is '{vm.Name}'; nothing was written to it. " +
                        "Check that the record belongs to this vCenter.",
                        record.Vm)
                    {
                        Remedy = new Remedy(RemedyKind.Force, $"if '{record.Vm}' was renamed to '{vm.Name}'"),
                    };
                }

                forced = true;
            }

            return (vm, forced);
        }

        private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);
    }
}
