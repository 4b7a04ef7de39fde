using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using CpuidMask.Engine;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;
using Xunit;

namespace CpuidMask.Engine.Tests.Readers
{
    public class LocalCpuidReaderTests
    {
        private static bool IsX86 =>
            RuntimeInformation.ProcessArchitecture == Architecture.X64 || RuntimeInformation.ProcessArchitecture == Architecture.X86;

        [Fact]
        public void Read_OnThisMachine_GivesALocalProfileWithVendorAndFeatureLeaves()
        {
            if (!IsX86)
            {
                Assert.False(LocalCpuidReader.IsAvailable);
                return;
            }

            Assert.True(LocalCpuidReader.IsAvailable);

            var profile = LocalCpuidReader.Read("this-machine");

            Assert.Equal("this-machine", profile.Name);
            Assert.Equal(ProfileFormat.Local, profile.Format);
            Assert.Contains(profile.Vendor, new[] { "GenuineIntel", "AuthenticAMD", "HygonGenuine", "CentaurHauls", "  Shanghai  " });
            Assert.NotNull(profile.GetLeaf(1));
            Assert.True(profile.MaxStandardLeaf >= 1);
            Assert.All(profile.Leaves.Where(l => !l.Key.IsExtended), l => Assert.True(l.Leaf <= profile.MaxStandardLeaf));
            Assert.All(profile.Leaves.Where(l => l.Key.IsExtended), l => Assert.True(l.Leaf <= profile.MaxExtendedLeaf));
            if (profile.MaxStandardLeaf >= 0xD)
            {
                Assert.NotNull(profile.GetLeaf(0xD, 1));
            }

            // Every x86-64 CPU has SSE2 (leaf 1 EDX 26) and long mode (0x80000001 EDX 29).
            Assert.Equal(FeatureState.Present, profile.GetBit(1, 0, CpuidRegister.Edx, 26));
            if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
            {
                Assert.Equal(FeatureState.Present, profile.GetBit(0x80000001u, 0, CpuidRegister.Edx, 29));
            }
        }

        [Fact]
        public void Read_OnLinux_AgreesWithProcCpuinfo()
        {
            const string cpuinfo = "/proc/cpuinfo";
            if (!IsX86 || !File.Exists(cpuinfo))
            {
                return;
            }

            var lines = File.ReadAllLines(cpuinfo);
            string Field(string name) => lines.First(l => l.StartsWith(name, StringComparison.Ordinal)).Split(new[] { ':' }, 2)[1].Trim();
            var flags = new HashSet<string>(Field("flags").Split(' '), StringComparer.Ordinal);

            var profile = LocalCpuidReader.Read();

            Assert.Equal(Field("vendor_id"), profile.Vendor);
            Assert.Equal(Environment.MachineName, profile.Name);
            // Linux clears flags the kernel will not let user space use; a flag it shows is always in CPUID.
            var catalog = FeatureCatalog.Default;
            foreach (var feature in catalog.Features.Where(f => f.LinuxFlag != null && flags.Contains(f.LinuxFlag) && f.Kind != FeatureKind.OsControlled))
            {
                Assert.True(
                    profile.GetBit(feature.Leaf, feature.Subleaf, feature.Register, feature.Bit) == FeatureState.Present,
                    $"/proc/cpuinfo lists '{feature.LinuxFlag}' but CPUID {feature.Location} is not set");
            }
        }

        [Fact]
        public void Read_RecordedCpu_ReadsEachLeafsSubleavesByItsRule()
        {
            var cpu = new Dictionary<(uint, uint), CpuidRegisters>
            {
                [(0, 0)] = R(0x1F, 0x756E6547, 0x6C65746E, 0x49656E69),
                [(1, 0)] = R(0x000306A9, 0, 0x7FBAE3FF, 0xBFEBFBFF),
                [(4, 0)] = R(0x1C004121, 0, 0, 0),
                [(4, 1)] = R(0x1C004122, 0, 0, 0),
                [(4, 2)] = R(0x1C004143, 0, 0, 0),
                [(7, 0)] = R(2, 0x281, 0, 0),
                [(7, 1)] = R(0, 0, 0, 0),
                [(7, 2)] = R(0, 0, 0, 0x3F),
                [(0xB, 0)] = R(1, 2, 0x100, 0),
                [(0xB, 1)] = R(4, 8, 0x201, 0),
                [(0xD, 0)] = R(0x207, 0, 0, 0), // x87, SSE, AVX and PKRU
                [(0xD, 1)] = R(0xF, 0, 0x100, 0), // PT state in IA32_XSS
                [(0xD, 2)] = R(0x100, 0x240, 0, 0),
                [(0xD, 8)] = R(0x80, 0, 1, 0),
                [(0xD, 9)] = R(8, 0xA80, 0, 0),
                [(0x10, 0)] = R(0, 0x2, 0, 0),
                [(0x10, 1)] = R(0xA, 0, 0, 0xF),
                [(0x1F, 0)] = R(1, 2, 0x100, 0),
                [(0x1F, 1)] = R(4, 8, 0x201, 0),
                [(0x80000000u, 0)] = R(0x80000008u, 0, 0, 0),
                [(0x80000001u, 0)] = R(0, 0, 1, 0x28100800),
            };

            var profile = LocalCpuidReader.Read("recorded", (leaf, sub) => cpu.TryGetValue((leaf, sub), out var r) ? r : default);

            string Keys(uint leaf) => string.Join(",", profile.Leaves.Where(l => l.Leaf == leaf).Select(l => l.Subleaf));
            Assert.Equal("0,1,2", Keys(4));
            Assert.Equal("0,1,2", Keys(7));
            Assert.Equal("0,1", Keys(0xB));
            Assert.Equal("0,1,2,8,9", Keys(0xD));
            Assert.Equal("0,1", Keys(0x10));
            Assert.Equal("0,1", Keys(0x1F));
            Assert.Equal("0,1", Keys(0x12));
            Assert.Equal("0", Keys(0x14));
            Assert.Equal(32 + 12 + 9, profile.Leaves.Count); // leaves 0..0x1F, the extra subleaves above, 0x80000000..8
            Assert.Equal(FeatureState.Present, profile.GetBit(0xD, 0, CpuidRegister.Eax, 9));
            Assert.Equal("GenuineIntel", profile.Vendor);
            Assert.Equal(ProfileFormat.Local, profile.Format);
        }

        [Fact]
        public void Read_AbsurdMaximumLeaf_StopsAtASaneBound()
        {
            var profile = LocalCpuidReader.Read("broken", (leaf, sub) => leaf == 0 ? R(0xFFFFFFFF, 0, 0, 0) : leaf == 0x80000000u ? R(0xFFFFFFFF, 0, 0, 0) : default);

            Assert.All(profile.Leaves, l => Assert.True(l.Leaf <= 0x100));
        }

        private static CpuidRegisters R(uint eax, uint ebx, uint ecx, uint edx) => new CpuidRegisters(eax, ebx, ecx, edx);
    }
}
