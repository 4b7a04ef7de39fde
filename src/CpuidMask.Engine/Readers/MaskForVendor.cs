using System;
using CpuidMask.Engine.Masks;

namespace CpuidMask.Engine.Readers
{
    /// <summary>
    /// A mask as read, with the CPU vendor its input says it was made for: the same bit positions mean other features
    /// on another vendor's CPUs, so whoever writes the mask to a VM checks the VM's host against it.
    /// </summary>
    public sealed class MaskForVendor
    {
        public MaskForVendor(VmMask mask, string? cpuVendor)
        {
            Mask = mask ?? throw new ArgumentNullException(nameof(mask));
            CpuVendor = cpuVendor;
        }

        public VmMask Mask { get; }

        /// <summary>A CPUID vendor string (GenuineIntel, AuthenticAMD ...); null when the input does not say, as .vmx lines never do.</summary>
        public string? CpuVendor { get; }
    }
}
