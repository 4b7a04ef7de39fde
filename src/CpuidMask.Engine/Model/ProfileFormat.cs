namespace CpuidMask.Engine.Model
{
    /// <summary>Where a profile's data came from; readers detect it from the text.</summary>
    public enum ProfileFormat
    {
        Unknown,
        /// <summary>InstLatx64 / AIDA64 text report (<c>CPUID 00000007: ...-...-...-... [SL 00]</c>).</summary>
        InstLatx64,
        /// <summary>Linux <c>cpuid -r</c> raw output.</summary>
        LinuxCpuid,
        /// <summary><c>hostCPUID</c> lines of a vmware.log.</summary>
        VmwareLog,
        /// <summary>VMware's CPU identification boot CD (<c>ID1ECX 0x...</c>).</summary>
        BootCd,
        /// <summary>vSphere HostCpuIdInfo / HostFeatureCapability data.</summary>
        VSphere,
        /// <summary>This project's own JSON export.</summary>
        Json,
        /// <summary>The CPUID instruction of the machine running the code.</summary>
        Local,
    }
}
