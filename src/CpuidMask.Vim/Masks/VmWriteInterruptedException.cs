using System;
using CpuidMask.Engine;

namespace CpuidMask.Vim.Masks
{
    /// <summary>
    /// A change was sent to a VM but its answer was lost (the connection dropped, the server froze, the run's time ran
    /// out, the session ended). The VM was read again where it could be: <see cref="Outcome"/> says whether the change is
    /// there (Applied), is not (NotApplied), or cannot be told (Unknown). <see cref="UndoRecord"/> undoes it either way.
    /// </summary>
    public sealed class VmWriteInterruptedException : CpuidMaskException
    {
        internal VmWriteInterruptedException(string vm, string server, VmChangeOutcome outcome, VmUndoRecord undoRecord, Exception cause)
            : base(
                VimErrorIds.WriteInterrupted,
                ErrorKind.ConnectionError,
                $"The change to VM '{vm}' on {server} was sent, but its answer was lost ({cause.Message.TrimEnd('.')}). " + outcome switch
                {
                    VmChangeOutcome.Applied => "Reading the VM again shows the change in place.",
                    VmChangeOutcome.NotApplied => "Reading the VM again shows it unchanged.",
                    _ => "Whether it takes effect is unknown: the VM could not be read again, holds only part of it, or the change may still be under way; read it before retrying.",
                },
                vm,
                cause)
        {
            Outcome = outcome;
            UndoRecord = undoRecord;
        }

        public VmChangeOutcome Outcome { get; }

        /// <summary>What undoes the change, with its outcome.</summary>
        public VmUndoRecord UndoRecord { get; }
    }
}
