namespace CpuidMask.Vim.Masks
{
    /// <summary>
    /// Where the services keep undo records as they change VMs (the CLI's undo files; a PowerShell -UndoPath folder).
    /// A record is begun before its change is sent (write-ahead, outcome Pending) and ended with how the change went,
    /// so that no VM is changed without a record, whatever happens to the run.
    /// </summary>
    public interface IChangeJournal
    {
        /// <summary>Stores <paramref name="record"/> before its change is sent; an exception stops the change, and nothing is sent.</summary>
        void Begin(VmUndoRecord record);

        /// <summary>Stores how the change of a begun record ended (Applied, NotApplied or Unknown).</summary>
        void End(VmUndoRecord record, VmChangeOutcome outcome);
    }
}
