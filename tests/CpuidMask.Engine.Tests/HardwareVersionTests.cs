using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Model;
using Xunit;

namespace CpuidMask.Engine.Tests
{
    /// <summary>
    /// Golden test of features.xml's hwversion= against VMware's own table: tests/data/catalog/x86cpuid-bits.tsv
    /// re-lists every one-bit field of open-vm-tools' x86cpuid.h (tests/tools/Export-X86CpuidBits.ps1 writes it).
    /// </summary>
    public class HardwareVersionTests
    {
        private static readonly FeatureCatalog Catalog = FeatureCatalog.Default;

        private static Dictionary<(uint, uint, CpuidRegister, int), VmwareBit> Table => VmwareData.Bits.Value;

        [Fact]
        public void Table_IsX86cpuidHOfTheCommitFeaturesXmlCites()
        {
            string[] header = File.ReadLines(VmwareData.BitsPath).TakeWhile(l => l.StartsWith("#", StringComparison.Ordinal)).ToArray();

            Assert.True(Table.Count > 700, $"only {Table.Count} fields");
            Assert.Contains(header, l => l.Contains("open-vm-tools/lib/include/x86cpuid.h at commit 6d26baf3fb946cef338cf4dcc8911cdf733cc71c"));
            Assert.Contains("6d26baf3fb946cef338cf4dcc8911cdf733cc71c", string.Join("\n", ShippedData.Lines("features.xml").Take(80)));
            Assert.Equal(new VmwareBit("XSAVEOPT", "YES", "11"), Table[(0xD, 1, CpuidRegister.Eax, 0)]);
        }

        [Fact]
        public void Default_EveryFeature_RecordsTheFirstHardwareVersionOfX86cpuidH()
        {
            var wrong = new List<string>();
            foreach (var feature in Catalog.Features)
            {
                Table.TryGetValue((feature.Leaf, feature.Subleaf, feature.Register, feature.Bit), out var vmware);
                var (exposure, version) = Expected(vmware);
                if (feature.Exposure != exposure || feature.MinHardwareVersion != version)
                {
                    wrong.Add($"{feature.Name} ({feature.Location}): features.xml {feature.Exposure} {feature.MinHardwareVersion}, x86cpuid.h {vmware?.ToString() ?? "no field"}");
                }
            }

            Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        }

        [Fact]
        public void Default_EveryTrackedFeature_HasAFirstHardwareVersionNoNewerThanTheCatalogKnows()
        {
            Assert.All(Catalog.Features.Where(f => f.Tracked), f =>
            {
                Assert.Equal(GuestExposure.FromHardwareVersion, f.Exposure);
                Assert.InRange(f.MinHardwareVersion!.Value, 4, Catalog.NewestHardwareVersion);
            });
            Assert.Equal(22, Catalog.NewestHardwareVersion);
            Assert.Equal(Catalog.NewestHardwareVersion, Catalog.Features.Max(f => f.MinHardwareVersion));
        }

        /// <summary>
        /// vCenter compares what x86cpuid.h marks YES (default mask "H"); the exceptions are deliberate and named here
        /// with their reason, so a new feature cannot drift from VMware's table unnoticed.
        /// </summary>
        [Fact]
        public void Default_Tracked_FollowsX86cpuidHsYesExceptTheDocumentedExceptions()
        {
            var untrackedYes = new HashSet<string>(StringComparer.Ordinal)
            {
                "VMX", "SVM",  // shown only with nested virtualisation, and so are SVM's leaf 0x8000000A features:
                "SVM_NPT", "SVM_NRIP", "SVM_VMCB_CLEAN", "SVM_FLUSH_BY_ASID", "SVM_DECODE_ASSISTS", "SVM_GMET", "SVM_SSS",
                "XSAVE_X87",   // present wherever XSAVE is; vCenter has no key for it
            };
            var trackedAny = new HashSet<string>(StringComparer.Ordinal)
            {
                "MPX",                                 // kept with its BNDREGS/BNDCSR state, which is YES
                "IBRS_IBPB", "AMD_IBPB", "AMD_IBRS",   // vCenter compares cpuid.IBRS / cpuid.IBPB built from them
            };

            var wrong = new List<string>();
            foreach (var feature in Catalog.Features)
            {
                Table.TryGetValue((feature.Leaf, feature.Subleaf, feature.Register, feature.Bit), out var vmware);
                bool yes = vmware != null && vmware.Support == "YES" && feature.MinHardwareVersion != null;
                bool mirror = feature.Leaf == 0x80000001 && feature.Register == CpuidRegister.Edx && vmware?.Name.StartsWith("LEAF81_", StringComparison.Ordinal) == true;
                bool expected = yes ? !untrackedYes.Contains(feature.Name) && !mirror : trackedAny.Contains(feature.Name);
                if (feature.Tracked != expected)
                {
                    wrong.Add($"{feature.Name}: tracked={feature.Tracked}, x86cpuid.h {vmware?.ToString() ?? "no field"}");
                }
            }

            Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        }

        [Theory]
        [InlineData("SSE3", 4)]
        [InlineData("MONITOR", 7)]
        [InlineData("AVX", 8)]
        [InlineData("PCID", 9)]
        [InlineData("XSAVEOPT", 11)]
        [InlineData("AVX512F", 13)]
        [InlineData("AVX512_VNNI", 17)]
        [InlineData("AMX_TILE", 20)]
        [InlineData("WAITPKG", 21)]
        [InlineData("LASS", 22)]
        public void MinHardwareVersion_WellKnownFeature_IsTheVersionThatFirstExposesIt(string name, int version)
        {
            var feature = Catalog.Find(name);

            Assert.Equal(GuestExposure.FromHardwareVersion, feature.Exposure);
            Assert.Equal(version, feature.MinHardwareVersion);
        }

        [Theory]
        [InlineData("SMX", GuestExposure.Future)]
        [InlineData("INTEL_PT", GuestExposure.Never)]
        [InlineData("INVARIANT_TSC", GuestExposure.Unmasked)]
        [InlineData("SRSO_NO", GuestExposure.Unlisted)]
        public void MinHardwareVersion_FeatureNoVersionExposes_IsNullAndSaysWhy(string name, GuestExposure exposure)
        {
            var feature = Catalog.Find(name);

            Assert.Equal(exposure, feature.Exposure);
            Assert.Null(feature.MinHardwareVersion);
        }

        private static (GuestExposure, int?) Expected(VmwareBit? vmware)
        {
            if (vmware == null)
            {
                return (GuestExposure.Unlisted, null);
            }

            return vmware.Support switch
            {
                "YES" or "ANY" when vmware.HwVersion == "FUT" => (GuestExposure.Future, null),
                "YES" or "ANY" => (GuestExposure.FromHardwareVersion, int.Parse(vmware.HwVersion, CultureInfo.InvariantCulture)),
                "NO" => (GuestExposure.Never, null),
                "NA" => (GuestExposure.Unmasked, null),
                var other => throw new InvalidDataException("support " + other),
            };
        }
    }
}
