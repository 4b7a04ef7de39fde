using CpuidMask.Engine;

namespace CpuidMask.Vim.Masks
{
    /// <summary>
    /// The server accepted a mask write but the VM read back does not hold what was written (a key was
    /// dropped or altered, as the old vSphere client did with <c>cpuid.7.ebx</c>). Something may have been
    /// written, so <see cref="Result"/> carries the changes sent, to undo them.
    /// </summary>
    public sealed class MaskNotPersistedException : CpuidMaskException
    {
        internal MaskNotPersistedException(string message, MaskApplyResult result)
            : base(VimErrorIds.MaskNotPersisted, ErrorKind.WriteError, message, result.VmName)
        {
            Result = result;
        }

        /// <summary>What was sent, with <see cref="MaskApplyResult.Problems"/> naming each key not kept.</summary>
        public MaskApplyResult Result { get; }
    }
}
