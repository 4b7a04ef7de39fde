namespace CpuidMask.PowerShell
{
    /// <summary>
    /// A change this module made to a VM's CPUID settings, kept by -PassThru: a CPUID mask change
    /// (<see cref="VmCpuidMaskChange"/>) or a per-VM EVC change (<see cref="VmEvcModeChange"/>). Each is its own
    /// undo record: Undo-VmCpuidMask takes either, live or from Export-Clixml / Import-Clixml.
    /// </summary>
    public abstract class VmCpuidChange
    {
        private protected VmCpuidChange()
        {
        }

        /// <summary>What the vSphere client undoes: a MaskUndoRecord or a PerVmEvcResult.</summary>
        internal abstract object UndoRecord();
    }
}
