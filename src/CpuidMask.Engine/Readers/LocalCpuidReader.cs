using System;
using System.Collections.Generic;
using System.Reflection;
using System.Runtime.InteropServices;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Readers
{
    /// <summary>
    /// Reads the CPUID of the machine running the code. The engine targets netstandard2.0, which has no
    /// CPUID intrinsic, so <c>System.Runtime.Intrinsics.X86.X86Base.CpuId(int, int)</c> is found at run
    /// time: it exists on .NET 5 and later (PowerShell 7) on x86/x64, and not on .NET Framework
    /// (Windows PowerShell 5.1) or on Arm.
    /// </summary>
    public static class LocalCpuidReader
    {
        /// <summary>The error id raised when this runtime or CPU cannot execute CPUID.</summary>
        public const string UnavailableErrorId = "LocalCpuidUnavailable";

        // Hypervisors and broken firmware sometimes report absurd maxima; no real CPU comes near these.
        private const uint MaxStandardLeafRead = 0x100;
        private const uint MaxExtendedLeafCount = 0x100;
        private const uint MaxSubleafRead = 64;

        private static readonly Lazy<Func<int, int, (int, int, int, int)>?> Instruction =
            new Lazy<Func<int, int, (int, int, int, int)>?>(FindInstruction);

        /// <summary>Whether CPUID can be executed here (.NET 5+ on an x86 or x64 CPU).</summary>
        public static bool IsAvailable => Instruction.Value != null;

        /// <summary>
        /// Every leaf this CPU reports: 0..max, with the subleaves of 4, 7, 0xB, 0xD, 0xF, 0x10, 0x12,
        /// 0x14, 0x17, 0x18, 0x1D, 0x1F and 0x24 by each leaf's own rule, and 0x80000000..max.
        /// Throws LocalCpuidUnavailable (ResourceUnavailable) where <see cref="IsAvailable"/> is false.
        /// </summary>
        /// <param name="name">The profile's name; the machine name when omitted.</param>
        public static CpuidProfile Read(string? name = null)
        {
            var cpuid = Instruction.Value ?? throw Unavailable();
            string profileName = string.IsNullOrWhiteSpace(name) ? MachineName() : name!;
            return Read(profileName, (leaf, subleaf) =>
            {
                var (eax, ebx, ecx, edx) = cpuid(unchecked((int)leaf), unchecked((int)subleaf));
                return new CpuidRegisters(unchecked((uint)eax), unchecked((uint)ebx), unchecked((uint)ecx), unchecked((uint)edx));
            });
        }

        /// <summary>
        /// Walks the leaves with the given CPUID function; tests pass a recorded CPU to check the subleaf
        /// rules without depending on the machine they run on.
        /// </summary>
        internal static CpuidProfile Read(string name, Func<uint, uint, CpuidRegisters> cpuid)
        {
            var leaves = new List<CpuidLeaf>();
            void Add(uint leaf, uint subleaf, CpuidRegisters r) => leaves.Add(new CpuidLeaf(new LeafKey(leaf, subleaf), r));

            var leaf0 = cpuid(0, 0);
            uint maxStandard = Math.Min(leaf0.Eax, MaxStandardLeafRead);
            Add(0, 0, leaf0);
            for (uint leaf = 1; leaf <= maxStandard; leaf++)
            {
                foreach (var (subleaf, registers) in Subleaves(leaf, cpuid))
                {
                    Add(leaf, subleaf, registers);
                }
            }

            var ext0 = cpuid(0x80000000u, 0);
            if (ext0.Eax >= 0x80000000u && ext0.Eax < 0x80000000u + MaxExtendedLeafCount)
            {
                Add(0x80000000u, 0, ext0);
                for (uint leaf = 0x80000001u; leaf <= ext0.Eax; leaf++)
                {
                    foreach (var (subleaf, registers) in Subleaves(leaf, cpuid))
                    {
                        Add(leaf, subleaf, registers);
                    }
                }
            }

            return new CpuidProfile(name, leaves, ProfileFormat.Local, "local CPU of " + name);
        }

        /// <summary>The subleaves worth reading for a leaf, each leaf by the rule its manual gives.</summary>
        internal static IEnumerable<(uint Subleaf, CpuidRegisters Registers)> Subleaves(uint leaf, Func<uint, uint, CpuidRegisters> cpuid)
        {
            var sl0 = cpuid(leaf, 0);
            yield return (0, sl0);
            switch (leaf)
            {
                case 0x4:
                case 0x8000001Du:
                    // Deterministic cache parameters: one subleaf per cache until the type field (EAX 4:0) is 0 (no more caches).
                    if ((sl0.Eax & 0x1F) != 0)
                    {
                        for (uint sub = 1; sub < MaxSubleafRead; sub++)
                        {
                            var r = cpuid(leaf, sub);
                            if ((r.Eax & 0x1F) == 0)
                            {
                                break;
                            }

                            yield return (sub, r);
                        }
                    }

                    break;

                case 0x7:
                case 0x14:
                case 0x17:
                case 0x18:
                case 0x1D:
                case 0x24:
                    // Subleaf 0 EAX is the highest valid subleaf.
                    for (uint sub = 1; sub <= Math.Min(sl0.Eax, MaxSubleafRead - 1); sub++)
                    {
                        yield return (sub, cpuid(leaf, sub));
                    }

                    break;

                case 0xB:
                case 0x1F:
                case 0x80000026u:
                    // Topology levels until the level type (ECX 15:8) is 0 (invalid).
                    if (((sl0.Ecx >> 8) & 0xFF) != 0)
                    {
                        for (uint sub = 1; sub < MaxSubleafRead; sub++)
                        {
                            var r = cpuid(leaf, sub);
                            if (((r.Ecx >> 8) & 0xFF) == 0)
                            {
                                break;
                            }

                            yield return (sub, r);
                        }
                    }

                    break;

                case 0xD:
                    // XSAVE: subleaf 1 always; subleaf n (2..63) for every state component the CPU supports,
                    // in XCR0 (subleaf 0 EDX:EAX) or in IA32_XSS (subleaf 1 EDX:ECX).
                    var sl1 = cpuid(leaf, 1);
                    yield return (1, sl1);
                    ulong components = ((ulong)sl0.Edx << 32 | sl0.Eax) | ((ulong)sl1.Edx << 32 | sl1.Ecx);
                    for (uint sub = 2; sub < 64; sub++)
                    {
                        if (((components >> (int)sub) & 1) != 0)
                        {
                            yield return (sub, cpuid(leaf, sub));
                        }
                    }

                    break;

                case 0xF:
                case 0x10:
                case 0x80000020u:
                    // Resource director technology: subleaf n for each resource id bit n set in subleaf 0
                    // (0xF: EDX for monitoring; 0x10 and AMD's 0x80000020: EBX for allocation).
                    uint resources = leaf == 0xF ? sl0.Edx : sl0.Ebx;
                    for (uint sub = 1; sub < 32; sub++)
                    {
                        if (((resources >> (int)sub) & 1) != 0)
                        {
                            yield return (sub, cpuid(leaf, sub));
                        }
                    }

                    break;

                case 0x12:
                    // SGX: subleaf 1 (attributes), then EPC sections from subleaf 2 until the type (EAX 3:0) is 0.
                    yield return (1, cpuid(leaf, 1));
                    for (uint sub = 2; sub < MaxSubleafRead; sub++)
                    {
                        var r = cpuid(leaf, sub);
                        if ((r.Eax & 0xF) == 0)
                        {
                            break;
                        }

                        yield return (sub, r);
                    }

                    break;
            }
        }

        private static Func<int, int, (int, int, int, int)>? FindInstruction()
        {
            var architecture = RuntimeInformation.ProcessArchitecture;
            if (architecture != Architecture.X64 && architecture != Architecture.X86)
            {
                return null;
            }

            var type = typeof(object).Assembly.GetType("System.Runtime.Intrinsics.X86.X86Base", throwOnError: false);
            if (type == null)
            {
                return null;
            }

            var isSupported = type.GetProperty("IsSupported", BindingFlags.Public | BindingFlags.Static);
            if (isSupported == null || !(isSupported.GetValue(null) is bool supported) || !supported)
            {
                return null;
            }

            var method = type.GetMethod("CpuId", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(int), typeof(int) }, null);
            if (method == null || method.ReturnType != typeof((int, int, int, int)))
            {
                return null;
            }

            try
            {
                return (Func<int, int, (int, int, int, int)>)Delegate.CreateDelegate(typeof(Func<int, int, (int, int, int, int)>), method);
            }
            catch (ArgumentException)
            {
                return null;
            }
        }

        private static CpuidMaskException Unavailable()
        {
            string runtime = RuntimeInformation.FrameworkDescription;
            string reason = RuntimeInformation.ProcessArchitecture != Architecture.X64 && RuntimeInformation.ProcessArchitecture != Architecture.X86
                ? $"this is a {RuntimeInformation.ProcessArchitecture} process, and CPUID is an x86 instruction"
                : $"{runtime} does not expose the CPUID instruction (it needs .NET 5 or later: PowerShell 7, not Windows PowerShell 5.1)";
            return new CpuidMaskException(
                UnavailableErrorId,
                ErrorKind.ResourceUnavailable,
                $"The local CPU's CPUID cannot be read: {reason}. Run this in PowerShell 7 on an x64 machine, or read a dump of this machine instead (for example Linux 'cpuid -r' output or an AIDA64/InstLatX64 report).",
                runtime);
        }

        private static string MachineName()
        {
            try
            {
                return Environment.MachineName;
            }
            catch (InvalidOperationException)
            {
                return "localhost";
            }
        }
    }
}
