using CpuidMask.Engine;

namespace CpuidMask.Vim.Masks
{
    /// <summary>
    /// vCenter ran ApplyEvcModeVM_Task but the VM's runtime.featureMask read back is not the mask sent. Something may
    /// have changed, so <see cref="Result"/> carries the VM's previous mask, which undoes it.
    /// </summary>
    public sealed class PerVmEvcNotPersistedException : CpuidMaskException
    {
        internal PerVmEvcNotPersistedException(string message, PerVmEvcResult result)
            : base(VimErrorIds.MaskNotPersisted, ErrorKind.WriteError, message, result.VmName)
        {
            Result = result;
        }

        /// <summary>What was sent and read back, with the previous mask to restore.</summary>
        public PerVmEvcResult Result { get; }
    }
}
