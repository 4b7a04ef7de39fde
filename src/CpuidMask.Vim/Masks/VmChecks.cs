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
    }
}
