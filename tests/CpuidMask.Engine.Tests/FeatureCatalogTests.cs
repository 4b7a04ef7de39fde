using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Model;
using Xunit;

namespace CpuidMask.Engine.Tests
{
    public class FeatureCatalogTests
    {
        private static readonly FeatureCatalog Catalog = FeatureCatalog.Default;

        [Fact]
        public void Default_Loads_CoversEveryFeatureLeaf()
        {
            var leaves = Catalog.Features.Select(f => (f.Leaf, f.Subleaf, f.Register)).Distinct().ToArray();

            Assert.True(Catalog.Features.Count > 300, $"only {Catalog.Features.Count} features");
            foreach (var expected in new[]
            {
                (0x1u, 0u, CpuidRegister.Ecx), (0x1u, 0u, CpuidRegister.Edx),
                (0x6u, 0u, CpuidRegister.Eax), (0x6u, 0u, CpuidRegister.Ecx),
                (0x7u, 0u, CpuidRegister.Ebx), (0x7u, 0u, CpuidRegister.Ecx), (0x7u, 0u, CpuidRegister.Edx),
                (0x7u, 1u, CpuidRegister.Eax), (0x7u, 1u, CpuidRegister.Edx), (0x7u, 2u, CpuidRegister.Edx),
                (0xDu, 0u, CpuidRegister.Eax), (0xDu, 1u, CpuidRegister.Eax),
                (0x14u, 0u, CpuidRegister.Ebx), (0x14u, 0u, CpuidRegister.Ecx),
                (0x80000001u, 0u, CpuidRegister.Ecx), (0x80000001u, 0u, CpuidRegister.Edx),
                (0x80000007u, 0u, CpuidRegister.Edx), (0x80000008u, 0u, CpuidRegister.Ebx),
                (0x80000021u, 0u, CpuidRegister.Eax),
            })
            {
                Assert.Contains(expected, leaves);
            }
        }

        [Theory]
        [InlineData("SSE3", 0x1u, 0u, CpuidRegister.Ecx, 0)]
        [InlineData("PCLMULQDQ", 0x1u, 0u, CpuidRegister.Ecx, 1)]
        [InlineData("SSSE3", 0x1u, 0u, CpuidRegister.Ecx, 9)]
        [InlineData("FMA", 0x1u, 0u, CpuidRegister.Ecx, 12)]
        [InlineData("CX16", 0x1u, 0u, CpuidRegister.Ecx, 13)]
        [InlineData("PCID", 0x1u, 0u, CpuidRegister.Ecx, 17)]
        [InlineData("SSE41", 0x1u, 0u, CpuidRegister.Ecx, 19)]
        [InlineData("SSE42", 0x1u, 0u, CpuidRegister.Ecx, 20)]
        [InlineData("X2APIC", 0x1u, 0u, CpuidRegister.Ecx, 21)]
        [InlineData("MOVBE", 0x1u, 0u, CpuidRegister.Ecx, 22)]
        [InlineData("POPCNT", 0x1u, 0u, CpuidRegister.Ecx, 23)]
        [InlineData("AES", 0x1u, 0u, CpuidRegister.Ecx, 25)]
        [InlineData("XSAVE", 0x1u, 0u, CpuidRegister.Ecx, 26)]
        [InlineData("OSXSAVE", 0x1u, 0u, CpuidRegister.Ecx, 27)]
        [InlineData("AVX", 0x1u, 0u, CpuidRegister.Ecx, 28)]
        [InlineData("F16C", 0x1u, 0u, CpuidRegister.Ecx, 29)]
        [InlineData("RDRAND", 0x1u, 0u, CpuidRegister.Ecx, 30)]
        [InlineData("HYPERVISOR", 0x1u, 0u, CpuidRegister.Ecx, 31)]
        [InlineData("CX8", 0x1u, 0u, CpuidRegister.Edx, 8)]
        [InlineData("CMOV", 0x1u, 0u, CpuidRegister.Edx, 15)]
        [InlineData("CLFLUSH", 0x1u, 0u, CpuidRegister.Edx, 19)]
        [InlineData("MMX", 0x1u, 0u, CpuidRegister.Edx, 23)]
        [InlineData("FXSR", 0x1u, 0u, CpuidRegister.Edx, 24)]
        [InlineData("SSE", 0x1u, 0u, CpuidRegister.Edx, 25)]
        [InlineData("SSE2", 0x1u, 0u, CpuidRegister.Edx, 26)]
        [InlineData("FSGSBASE", 0x7u, 0u, CpuidRegister.Ebx, 0)]
        [InlineData("TSC_ADJUST", 0x7u, 0u, CpuidRegister.Ebx, 1)]
        [InlineData("BMI1", 0x7u, 0u, CpuidRegister.Ebx, 3)]
        [InlineData("HLE", 0x7u, 0u, CpuidRegister.Ebx, 4)]
        [InlineData("AVX2", 0x7u, 0u, CpuidRegister.Ebx, 5)]
        [InlineData("SMEP", 0x7u, 0u, CpuidRegister.Ebx, 7)]
        [InlineData("BMI2", 0x7u, 0u, CpuidRegister.Ebx, 8)]
        [InlineData("ERMS", 0x7u, 0u, CpuidRegister.Ebx, 9)]
        [InlineData("INVPCID", 0x7u, 0u, CpuidRegister.Ebx, 10)]
        [InlineData("RTM", 0x7u, 0u, CpuidRegister.Ebx, 11)]
        [InlineData("FDP_DEPRECATED", 0x7u, 0u, CpuidRegister.Ebx, 13)]
        [InlineData("AVX512F", 0x7u, 0u, CpuidRegister.Ebx, 16)]
        [InlineData("AVX512DQ", 0x7u, 0u, CpuidRegister.Ebx, 17)]
        [InlineData("RDSEED", 0x7u, 0u, CpuidRegister.Ebx, 18)]
        [InlineData("ADX", 0x7u, 0u, CpuidRegister.Ebx, 19)]
        [InlineData("SMAP", 0x7u, 0u, CpuidRegister.Ebx, 20)]
        [InlineData("CLFLUSHOPT", 0x7u, 0u, CpuidRegister.Ebx, 23)]
        [InlineData("CLWB", 0x7u, 0u, CpuidRegister.Ebx, 24)]
        [InlineData("AVX512CD", 0x7u, 0u, CpuidRegister.Ebx, 28)]
        [InlineData("SHA", 0x7u, 0u, CpuidRegister.Ebx, 29)]
        [InlineData("AVX512BW", 0x7u, 0u, CpuidRegister.Ebx, 30)]
        [InlineData("AVX512VL", 0x7u, 0u, CpuidRegister.Ebx, 31)]
        [InlineData("UMIP", 0x7u, 0u, CpuidRegister.Ecx, 2)]
        [InlineData("PKU", 0x7u, 0u, CpuidRegister.Ecx, 3)]
        [InlineData("GFNI", 0x7u, 0u, CpuidRegister.Ecx, 8)]
        [InlineData("VAES", 0x7u, 0u, CpuidRegister.Ecx, 9)]
        [InlineData("VPCLMULQDQ", 0x7u, 0u, CpuidRegister.Ecx, 10)]
        [InlineData("AVX512_VNNI", 0x7u, 0u, CpuidRegister.Ecx, 11)]
        [InlineData("RDPID", 0x7u, 0u, CpuidRegister.Ecx, 22)]
        [InlineData("MD_CLEAR", 0x7u, 0u, CpuidRegister.Edx, 10)]
        [InlineData("AMX_TILE", 0x7u, 0u, CpuidRegister.Edx, 24)]
        [InlineData("AMX_INT8", 0x7u, 0u, CpuidRegister.Edx, 25)]
        [InlineData("AMX_BF16", 0x7u, 0u, CpuidRegister.Edx, 22)]
        [InlineData("AVX_VNNI", 0x7u, 1u, CpuidRegister.Eax, 4)]
        [InlineData("AVX512_BF16", 0x7u, 1u, CpuidRegister.Eax, 5)]
        [InlineData("XSAVE_X87", 0xDu, 0u, CpuidRegister.Eax, 0)]
        [InlineData("XSAVE_SSE", 0xDu, 0u, CpuidRegister.Eax, 1)]
        [InlineData("XSAVE_YMM", 0xDu, 0u, CpuidRegister.Eax, 2)]
        [InlineData("XSAVE_OPMASK", 0xDu, 0u, CpuidRegister.Eax, 5)]
        [InlineData("XSAVE_PKRU", 0xDu, 0u, CpuidRegister.Eax, 9)]
        [InlineData("XSAVE_TILEDATA", 0xDu, 0u, CpuidRegister.Eax, 18)]
        [InlineData("XSAVEOPT", 0xDu, 1u, CpuidRegister.Eax, 0)]
        [InlineData("XSAVEC", 0xDu, 1u, CpuidRegister.Eax, 1)]
        [InlineData("XSAVES", 0xDu, 1u, CpuidRegister.Eax, 3)]
        [InlineData("XSAVE_CET_U", 0xDu, 1u, CpuidRegister.Ecx, 11)]
        [InlineData("LAHF_LM", 0x80000001u, 0u, CpuidRegister.Ecx, 0)]
        [InlineData("SVM", 0x80000001u, 0u, CpuidRegister.Ecx, 2)]
        [InlineData("ABM", 0x80000001u, 0u, CpuidRegister.Ecx, 5)]
        [InlineData("SSE4A", 0x80000001u, 0u, CpuidRegister.Ecx, 6)]
        [InlineData("PREFETCHW", 0x80000001u, 0u, CpuidRegister.Ecx, 8)]
        [InlineData("XOP", 0x80000001u, 0u, CpuidRegister.Ecx, 11)]
        [InlineData("FMA4", 0x80000001u, 0u, CpuidRegister.Ecx, 16)]
        [InlineData("TBM", 0x80000001u, 0u, CpuidRegister.Ecx, 21)]
        [InlineData("NX", 0x80000001u, 0u, CpuidRegister.Edx, 20)]
        [InlineData("MMXEXT", 0x80000001u, 0u, CpuidRegister.Edx, 22)]
        [InlineData("PDPE1GB", 0x80000001u, 0u, CpuidRegister.Edx, 26)]
        [InlineData("RDTSCP", 0x80000001u, 0u, CpuidRegister.Edx, 27)]
        [InlineData("LM", 0x80000001u, 0u, CpuidRegister.Edx, 29)]
        [InlineData("3DNOWEXT", 0x80000001u, 0u, CpuidRegister.Edx, 30)]
        [InlineData("3DNOW", 0x80000001u, 0u, CpuidRegister.Edx, 31)]
        [InlineData("INVARIANT_TSC", 0x80000007u, 0u, CpuidRegister.Edx, 8)]
        [InlineData("CLZERO", 0x80000008u, 0u, CpuidRegister.Ebx, 0)]
        [InlineData("WBNOINVD", 0x80000008u, 0u, CpuidRegister.Ebx, 9)]
        [InlineData("AMD_IBRS", 0x80000008u, 0u, CpuidRegister.Ebx, 14)]
        [InlineData("AUTOMATIC_IBRS", 0x80000021u, 0u, CpuidRegister.Eax, 8)]
        public void Find_WellKnownFeature_SitsAtItsDocumentedBit(string name, uint leaf, uint subleaf, CpuidRegister register, int bit)
        {
            var feature = Catalog.Find(name);

            Assert.Equal(name, feature.Name);
            Assert.Equal((leaf, subleaf, register, bit), (feature.Leaf, feature.Subleaf, feature.Register, feature.Bit));
            Assert.Same(feature, Catalog.At(leaf, subleaf, register, bit));
        }

        [Theory]
        [InlineData("LZCNT", "ABM")]
        [InlineData("lzcnt", "ABM")]
        [InlineData("Advanced Vector Extensions (AVX)", "AVX")]
        [InlineData("cpuid.AVX2", "AVX2")]
        [InlineData("cpuid.avx2", "AVX2")]
        [InlineData("pni", "SSE3")]
        [InlineData("3dnowprefetch", "PREFETCHW")]
        [InlineData("cpuid.3DNPREFETCH", "PREFETCHW")]
        [InlineData("3DNow! PREFETCH/PREFETCHW", "PREFETCHW")]
        [InlineData("ENFSTRG", "ERMS")]
        [InlineData("cpuid.ENFSTRG", "ERMS")]
        [InlineData("cpuid.LAHF64", "LAHF_LM")]
        [InlineData("cpuid.XCR0_MASTER_SSE", "XSAVE_SSE")]
        [InlineData("XSAVE YMM state", "XSAVE_YMM")]
        [InlineData("cpuid.MDCLEAR", "MD_CLEAR")]
        [InlineData("cpuid.FCMD", "L1D_FLUSH")]
        [InlineData("sse4_1", "SSE41")]
        [InlineData("  cpuid.CMPXCHG16B ", "CX16")]
        public void Find_AliasLinuxFlagOrVsphereKey_ResolvesToCanonicalFeature(string lookup, string expected)
        {
            Assert.Equal(expected, Catalog.Find(lookup).Name);
        }

        [Fact]
        public void TryFind_LibvirtsCvt16_IsNotF16C()
        {
            // libvirt's cpu_map defines cvt16 as CPUID 0x80000001 ECX bit 18 (x86_features.xml), a bit AMD later
            // reserved; F16C is leaf 1 ECX bit 29. Naming F16C cvt16 would turn an imported libvirt CPU into the wrong bit.
            Assert.False(Catalog.TryFind("cvt16", out var found), found?.ToString());
        }

        [Fact]
        public void Find_UnknownName_ThrowsFeatureNotFound()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => Catalog.Find("NOT_A_FEATURE"));

            Assert.Equal("FeatureNotFound", ex.ErrorId);
        }

        [Fact]
        public void Find_UnknownNameWithNothingClose_NamesTheFeatureListAsTheRemedyForTheShellToWord()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => Catalog.Find("QQZZXXQQ"));

            Assert.DoesNotContain("Did you mean", ex.Message);
            Assert.Equal(RemedyKind.ListFeatures, ex.Remedy!.Kind);
            Assert.DoesNotContain("cpuidmask features", ex.Message);
            Assert.DoesNotContain("Get-CpuidFeature", ex.Message);
        }

        [Theory]
        [InlineData("PCID", true)]
        [InlineData("MOVBE", true)]
        [InlineData("XSAVE", true)]
        [InlineData("OSXSAVE", false)]
        [InlineData("AVX", true)]
        [InlineData("F16C", true)]
        [InlineData("FSGSBASE", true)]
        [InlineData("TSC_ADJUST", false)]
        [InlineData("FDP_DEPRECATED", false)]
        [InlineData("XSAVE_X87", false)]
        [InlineData("XSAVE_SSE", true)]
        [InlineData("XSAVE_YMM", true)]
        [InlineData("PREFETCHW", true)]
        [InlineData("HYPERVISOR", false)]
        [InlineData("VMX", false)]
        [InlineData("SVM", false)]
        [InlineData("MD_CLEAR", true)]
        [InlineData("IBRS_IBPB", true)]
        [InlineData("STIBP", true)]
        [InlineData("SSBD", true)]
        public void Tracked_KeyFeature_MatchesWhatVcenterCompares(string name, bool tracked)
        {
            Assert.Equal(tracked, Catalog.Find(name).Tracked);
        }

        [Fact]
        public void Tracked_PowerManagementTraceAndOsBits_AreNeverTracked()
        {
            var wrong = Catalog.Features
                .Where(f => f.Tracked && (f.Leaf == 0x6 || f.Leaf == 0x14 || f.Leaf == 0x80000007 || f.Kind == FeatureKind.OsControlled || f.Kind == FeatureKind.Informational))
                .Select(f => f.Name)
                .ToArray();

            Assert.Empty(wrong);
        }

        [Fact]
        public void AmdMirrorsOfLeaf1Edx_AreUntrackedAmdBitsAtTheSamePosition()
        {
            var mirrors = Catalog.Features.Where(f => f.Leaf == 0x80000001 && f.Register == CpuidRegister.Edx && f.Name.StartsWith("AMD_", StringComparison.Ordinal)).ToArray();

            Assert.Equal(18, mirrors.Length);
            foreach (var mirror in mirrors)
            {
                var original = Catalog.Find(mirror.Name.Substring("AMD_".Length));
                Assert.Equal((0x1u, CpuidRegister.Edx, original.Bit), (original.Leaf, original.Register, mirror.Bit));
                Assert.False(mirror.Tracked, mirror.Name);
                Assert.Equal(FeatureVendor.Amd, mirror.Vendor);
            }
        }

        [Fact]
        public void Avx512Features_EachRequiresAvx512FAndThroughItAvx()
        {
            var avx512 = Catalog.Features.Where(f => f.Name.StartsWith("AVX512", StringComparison.Ordinal) && f.Name != "AVX512F").ToArray();

            Assert.True(avx512.Length >= 15, $"only {avx512.Length} AVX-512 features");
            foreach (var feature in avx512)
            {
                var needs = RequiredClosure(feature);
                Assert.True(needs.Contains("AVX512F"), $"{feature.Name} does not require AVX512F");
                Assert.True(needs.Contains("AVX"), $"{feature.Name} does not require AVX");
                Assert.True(needs.Contains("XSAVE_ZMM_HI256"), $"{feature.Name} does not require the ZMM state");
            }
        }

        [Fact]
        public void Default_StateComponents_RequireOnlyXsaveAndOtherStates()
        {
            // A feature requires its state component (AVX needs the YMM state), never the reverse: a CPU may
            // report a state component without the feature (the Rome dump has the PKRU state but no PKU).
            var wrong = Catalog.Features
                .Where(f => f.Kind == FeatureKind.StateComponent)
                .SelectMany(f => f.Requires.Select(Catalog.Find).Where(r => r.Kind != FeatureKind.StateComponent && r.Name != "XSAVE" && r.Name != "XSAVES").Select(r => f.Name + " requires " + r.Name))
                .ToArray();

            Assert.Empty(wrong);
        }

        [Theory]
        [InlineData("AVX", "XSAVE_YMM")]
        [InlineData("AVX512F", "XSAVE_OPMASK")]
        [InlineData("PKU", "XSAVE_PKRU")]
        [InlineData("AMX_TILE", "XSAVE_TILEDATA")]
        [InlineData("CET_SS", "XSAVE_CET_U")]
        public void Requires_Feature_NeedsItsXsaveStateComponent(string feature, string state)
        {
            Assert.Contains(state, Catalog.Find(feature).Requires);
            Assert.DoesNotContain(feature, RequiredClosure(Catalog.Find(state)));
        }

        [Fact]
        public void AllDependents_OfXsave_IncludeTheAvxFamilyAndTheYmmState()
        {
            var names = Catalog.AllDependents(Catalog.Find("XSAVE")).Select(f => f.Name).ToArray();

            foreach (string expected in new[] { "AVX", "F16C", "AVX2", "FMA", "AVX512F", "AVX512BW", "XSAVE_YMM", "XSAVE_SSE", "XSAVEOPT", "AMX_TILE", "OSXSAVE" })
            {
                Assert.Contains(expected, names);
            }

            Assert.DoesNotContain("XSAVE", names);
            Assert.DoesNotContain("PCID", names);
        }

        [Theory]
        [InlineData("XFD", "XSAVES")]       // Linux cpuid-deps.c: XFD's state is managed with XSAVES and XGETBV(1)
        [InlineData("XFD", "XGETBV_ECX1")]
        [InlineData("AMX_TILE", "XFD")]     // Linux cpuid-deps.c: AMX is enabled only with XFD (its 8 KB tile state is allocated on first use)
        [InlineData("SSBD", "IBRS_IBPB")]   // newer Linux cpuid-deps.c: SSBD is a bit of IA32_SPEC_CTRL
        public void Requires_LinuxDependency_IsInTheCatalog(string feature, string prerequisite)
        {
            Assert.Contains(prerequisite, Catalog.Find(feature).Requires);
        }

        [Fact]
        public void AllDependents_OfXfd_IncludeEveryAmxInstructionSet()
        {
            var names = Catalog.AllDependents(Catalog.Find("XFD")).Select(f => f.Name).ToArray();

            Assert.Contains("AMX_TILE", names);
            Assert.Contains("AMX_INT8", names);
            Assert.Contains("AMX_COMPLEX", names);
        }

        [Fact]
        public void AllDependents_OfAmxTile_AreTheAmxInstructionSets()
        {
            var names = Catalog.AllDependents(Catalog.Find("AMX_TILE")).Select(f => f.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();

            Assert.Equal(new[] { "AMX_BF16", "AMX_COMPLEX", "AMX_FP16", "AMX_INT8" }, names);
        }

        [Theory]
        [InlineData("AMD_IBRS", "cpuid.IBRS")]
        [InlineData("AMD_IBPB", "cpuid.IBPB")]
        [InlineData("IBRS_IBPB", "cpuid.IBRS")]
        public void VSphereKey_SpeculationControls_AreTheKeysVCenterCompares(string name, string key)
        {
            Assert.Equal(key, Catalog.Find(name).VSphereKey);
        }

        [Theory]
        [InlineData("IBRS_IBPB", "GenuineIntel", "cpuid.IBRS")]
        [InlineData("IBRS_IBPB", "AuthenticAMD", null)]
        [InlineData("AMD_IBRS", "AuthenticAMD", "cpuid.IBRS")]
        [InlineData("AMD_IBRS", "HygonGenuine", "cpuid.IBRS")]
        [InlineData("AMD_IBRS", "GenuineIntel", null)]
        [InlineData("AMD_IBPB", "AuthenticAMD", "cpuid.IBPB")]
        [InlineData("CLZERO", "GenuineIntel", "cpuid.CLZERO")] // a key only one vendor's bit has names it everywhere
        [InlineData("AVX", "AuthenticAMD", "cpuid.AVX")]
        public void VSphereKeyOn_KeyEachVendorBuildsFromItsOwnBit_NamesThatVendorsFeature(string name, string vendor, string? key)
        {
            var feature = Catalog.Find(name);

            Assert.Equal(key, feature.VSphereKeyOn(vendor));
            Assert.Equal(key?.Substring("cpuid.".Length), feature.FeatMaskNameOn(vendor));
        }

        [Fact]
        public void Match_KeyBothVendorsUse_FindsEachVendorsFeature_FindTakesTheFirst()
        {
            Assert.Equal(new[] { "IBRS_IBPB", "AMD_IBRS" }, Catalog.Match("cpuid.IBRS").Select(f => f.Name));
            Assert.Equal(new[] { "IBRS_IBPB", "AMD_IBPB" }, Catalog.Match("cpuid.ibpb").Select(f => f.Name));
            Assert.Equal("IBRS_IBPB", Catalog.Find("cpuid.IBRS").Name);
            Assert.True(Catalog.Find("AMD_IBRS").SharesVSphereKey);
            Assert.False(Catalog.Find("CLZERO").SharesVSphereKey);
        }

        [Fact]
        public void Load_IntelAndAmdFeatureWithOneVsphereKey_IsOneKeyPerVendor()
        {
            var catalog = Load(
                Register("0x7", "edx", Feature("INTEL_BIT", 26, attributes: " vsphere=\"cpuid.SHARED\"").Replace("vendor=\"any\"", "vendor=\"intel\"")) +
                Register("0x80000008", "ebx", Feature("AMD_BIT", 14, attributes: " vsphere=\"cpuid.SHARED\"").Replace("vendor=\"any\"", "vendor=\"amd\"")));

            Assert.Equal("AMD_BIT", catalog.Find("AMD_BIT").Name);
            Assert.Null(catalog.Find("INTEL_BIT").VSphereKeyOn("AuthenticAMD"));
            Assert.Equal("cpuid.SHARED", catalog.Find("AMD_BIT").VSphereKeyOn("AuthenticAMD"));
        }

        [Theory]
        [InlineData("intel", "intel")]
        [InlineData("any", "amd")]
        public void Load_VsphereKeyOfTwoFeaturesNotOnePerVendor_ThrowsCatalogInvalid(string first, string second)
        {
            var ex = LoadInvalid(
                Register("0x7", "edx", Feature("FIRST_BIT", 26, attributes: " vsphere=\"cpuid.SHARED\"").Replace("vendor=\"any\"", $"vendor=\"{first}\"")) +
                Register("0x80000008", "ebx", Feature("SECOND_BIT", 14, attributes: " vsphere=\"cpuid.SHARED\"").Replace("vendor=\"any\"", $"vendor=\"{second}\"")));

            Assert.Contains("name or alias 'cpuid.SHARED' of feature 'SECOND_BIT' is already used by 'FIRST_BIT'", ex.Message);
        }

        [Fact]
        public void Default_EveryVsphereKey_UsesTheCpuidPrefix()
        {
            var bad = Catalog.Features.Where(f => f.VSphereKey != null && !f.VSphereKey.StartsWith("cpuid.", StringComparison.Ordinal)).Select(f => f.Name).ToArray();

            Assert.Empty(bad);
            Assert.Equal("XCR0_MASTER_YMM_H", Catalog.Find("XSAVE_YMM").FeatMaskName);
        }

        [Fact]
        public void Default_EveryFeature_HasAOneLineDescription()
        {
            var bad = Catalog.Features.Where(f => f.Description.Contains('\n') || f.Description.Length > 160).Select(f => f.Name).ToArray();

            Assert.Empty(bad);
        }

        [Fact]
        public void Load_DuplicateName_ThrowsCatalogInvalidNamingTheFeature()
        {
            var ex = LoadInvalid(Register("0x1", "ecx", Feature("DUP", 1), Feature("dup", 2)));

            Assert.Contains("'dup'", ex.Message);
            Assert.Contains("already used by 'DUP'", ex.Message);
        }

        [Fact]
        public void Load_DuplicateAlias_ThrowsCatalogInvalidNamingTheAlias()
        {
            var ex = LoadInvalid(Register("0x1", "ecx", Feature("ONE", 1, "<alias>SHARED</alias>"), Feature("TWO", 2, "<alias>shared</alias>")));

            Assert.Contains("'shared'", ex.Message);
            Assert.Contains("feature 'TWO'", ex.Message);
            Assert.Contains("<feature name=\"TWO\">", ex.Message);
        }

        [Fact]
        public void Load_AliasEqualToAnotherFeaturesLinuxFlag_ThrowsCatalogInvalid()
        {
            var ex = LoadInvalid(Register("0x1", "ecx", Feature("ONE", 1, attributes: " linux=\"flag\""), Feature("TWO", 2, "<alias>FLAG</alias>")));

            Assert.Contains("already used by 'ONE'", ex.Message);
        }

        [Fact]
        public void Load_TwoFeaturesOnOneBit_ThrowsCatalogInvalidNamingBoth()
        {
            var ex = LoadInvalid(
                Register("0x7", "ebx", Feature("FIRST", 3)) +
                Register("0x7", "ebx", Feature("SECOND", 3)));

            Assert.Contains("'SECOND' overlaps 'FIRST'", ex.Message);
            Assert.Contains("bit 3", ex.Message);
        }

        [Fact]
        public void Load_SameBitOnAnotherSubleaf_IsNoOverlap()
        {
            var catalog = Load(
                "<register leaf=\"0x7\" subleaf=\"0\" name=\"edx\">" + Feature("SUB0", 4) + "</register>" +
                "<register leaf=\"0x7\" subleaf=\"1\" name=\"edx\">" + Feature("SUB1", 4) + "</register>");

            Assert.Equal("SUB1", catalog.At(7, 1, CpuidRegister.Edx, 4)!.Name);
        }

        [Fact]
        public void Load_RequiresUnknownFeature_ThrowsCatalogInvalidNamingBoth()
        {
            var ex = LoadInvalid(Register("0x1", "ecx", Feature("NEEDY", 1, "<requires>NOWHERE</requires>")));

            Assert.Contains("'NEEDY' requires 'NOWHERE'", ex.Message);
        }

        [Fact]
        public void Load_RequiresAnAliasInsteadOfAName_ThrowsCatalogInvalid()
        {
            var ex = LoadInvalid(Register("0x1", "ecx", Feature("BASE", 1, "<alias>NICKNAME</alias>"), Feature("NEEDY", 2, "<requires>NICKNAME</requires>")));

            Assert.Contains("'NEEDY' requires 'NICKNAME'", ex.Message);
        }

        [Fact]
        public void Load_RequirementCycle_ThrowsCatalogInvalidListingTheCycle()
        {
            var ex = LoadInvalid(Register("0x1", "ecx",
                Feature("ALPHA", 1, "<requires>BETA</requires>"),
                Feature("BETA", 2, "<requires>GAMMA</requires>"),
                Feature("GAMMA", 3, "<requires>ALPHA</requires>")));

            Assert.Contains("cycle", ex.Message);
            Assert.Contains("ALPHA", ex.Message);
            Assert.Contains("BETA", ex.Message);
            Assert.Contains("GAMMA", ex.Message);
        }

        [Fact]
        public void Load_FeatureRequiringItself_ThrowsCatalogInvalid()
        {
            var ex = LoadInvalid(Register("0x1", "ecx", Feature("SELFISH", 1, "<requires>SELFISH</requires>")));

            Assert.Contains("SELFISH -> SELFISH", ex.Message);
        }

        [Theory]
        [InlineData("32", "bit=32")]
        [InlineData("x", "bit=\"x\"")]
        [InlineData("-1", "bit=\"-1\"")]
        public void Load_BadBit_ThrowsCatalogInvalidNamingTheFeature(string bit, string expected)
        {
            var ex = LoadInvalid(Register("0x1", "ecx", $"<feature name=\"WIDE\" bit=\"{bit}\" vendor=\"any\" kind=\"informational\" tracked=\"false\" hwversion=\"never\"><description>d</description></feature>"));

            Assert.Contains("<feature name=\"WIDE\">", ex.Message);
            Assert.Contains(expected, ex.Message);
        }

        [Fact]
        public void Load_MissingDescription_ThrowsCatalogInvalidNamingTheFeature()
        {
            var ex = LoadInvalid(Register("0x1", "ecx", "<feature name=\"MUTE\" bit=\"1\" vendor=\"any\" kind=\"informational\" tracked=\"false\" hwversion=\"never\"><description>  </description></feature>"));

            Assert.Contains("feature 'MUTE' needs a <description>", ex.Message);
        }

        [Fact]
        public void Load_BadTrackedValue_ThrowsCatalogInvalid()
        {
            var ex = LoadInvalid(Register("0x1", "ecx", "<feature name=\"MAYBE\" bit=\"1\" vendor=\"any\" kind=\"informational\" tracked=\"yes\" hwversion=\"never\"><description>d</description></feature>"));

            Assert.Contains("feature 'MAYBE' needs tracked=", ex.Message);
        }

        [Fact]
        public void Load_HardwareVersions_AreReadAsVersionOrReason()
        {
            var catalog = Load(Register("0x1", "ecx",
                Feature("OLD", 1, hwversion: "4"),
                Feature("NEWER", 2, hwversion: "22"),
                Feature("LATER", 3, hwversion: "future").Replace("tracked=\"true\"", "tracked=\"false\""),
                Feature("HIDDEN", 4, hwversion: "never").Replace("tracked=\"true\"", "tracked=\"false\"")));

            Assert.Equal((GuestExposure.FromHardwareVersion, (int?)4), (catalog.Find("OLD").Exposure, catalog.Find("OLD").MinHardwareVersion));
            Assert.Equal(22, catalog.Find("NEWER").MinHardwareVersion);
            Assert.Equal((GuestExposure.Future, (int?)null), (catalog.Find("LATER").Exposure, catalog.Find("LATER").MinHardwareVersion));
            Assert.Equal(GuestExposure.Never, catalog.Find("HIDDEN").Exposure);
            Assert.Equal(22, catalog.NewestHardwareVersion);
        }

        [Theory]
        [InlineData(null, "needs hwversion= the first virtual hardware version that exposes it, or future, never, unmasked or unlisted (found '')")]
        [InlineData("eight", "needs hwversion= the first virtual hardware version that exposes it, or future, never, unmasked or unlisted (found 'eight')")]
        [InlineData("3", "has hwversion=\"3\"; virtual hardware versions this catalog knows run from 4 to newest-hwversion 22")]
        [InlineData("23", "has hwversion=\"23\"; virtual hardware versions this catalog knows run from 4 to newest-hwversion 22")]
        [InlineData("future", "is tracked but has hwversion=\"future\"; vCenter compares only bits a released virtual hardware version exposes, so give that version")]
        [InlineData("unlisted", "is tracked but has hwversion=\"unlisted\"")]
        public void Load_BadHardwareVersion_ThrowsCatalogInvalidNamingTheFeature(string? hwversion, string expected)
        {
            string feature = Feature("AGED", 1, hwversion: hwversion ?? "REMOVE").Replace(" hwversion=\"REMOVE\"", string.Empty);

            var ex = LoadInvalid(Register("0x1", "ecx", feature));

            Assert.Contains("<feature name=\"AGED\">", ex.Message);
            Assert.Contains("feature 'AGED' " + expected, ex.Message);
        }

        [Fact]
        public void Load_RootWithoutNewestHardwareVersion_ThrowsCatalogInvalid()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => FeatureCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes("<features>" + Register("0x1", "ecx", Feature("ONE", 1)) + "</features>")), "test.xml"));

            Assert.Equal("CatalogInvalid", ex.ErrorId);
            Assert.Contains("test.xml(1): <features> needs a newest-hwversion= attribute", ex.Message);
        }

        [Fact]
        public void Load_MalformedXml_ThrowsCatalogInvalidNamingTheSource()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => FeatureCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes("<features><register")), "broken.xml"));

            Assert.Equal("CatalogInvalid", ex.ErrorId);
            Assert.Contains("broken.xml", ex.Message);
        }

        [Fact]
        public void Load_ProblemDeepInTheShippedFile_NamesFileLineAndElement()
        {
            string[] lines = ShippedData.Lines("features.xml");
            int index = ShippedData.IndexOf(lines, "<feature name=\"AUTOMATIC_IBRS\" bit=\"8\"");
            lines[index] = lines[index].Replace("bit=\"8\"", "bit=\"eight\"");

            var ex = Assert.Throws<CpuidMaskException>(() => FeatureCatalog.Load(ShippedData.ToStream(lines), "features.xml"));

            Assert.True(index > 1000, $"line {index + 1} is not deep in the file");
            Assert.Equal("CatalogInvalid", ex.ErrorId);
            Assert.Equal($"Feature catalog features.xml({index + 1}): <feature name=\"AUTOMATIC_IBRS\"> has bit=\"eight\", which is not a number.", ex.Message);
            Assert.Equal("features.xml", ex.Target);
        }

        [Fact]
        public void Load_ValidSmallCatalog_OrdersFeaturesByLeafRegisterAndBit()
        {
            var catalog = Load(
                Register("0x80000001", "ecx", Feature("EXT", 0)) +
                Register("0x1", "edx", Feature("EDX0", 0)) +
                Register("0x1", "ecx", Feature("ECX5", 5), Feature("ECX2", 2, "<requires>ECX5</requires>")));

            Assert.Equal(new[] { "ECX2", "ECX5", "EDX0", "EXT" }, catalog.Features.Select(f => f.Name));
            Assert.Equal(new[] { "ECX2" }, catalog.DirectDependents(catalog.Find("ECX5")).Select(f => f.Name));
        }

        private static HashSet<string> RequiredClosure(FeatureDefinition feature)
        {
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var queue = new Queue<string>(feature.Requires);
            while (queue.Count > 0)
            {
                string next = queue.Dequeue();
                if (seen.Add(next))
                {
                    foreach (string more in Catalog.Find(next).Requires)
                    {
                        queue.Enqueue(more);
                    }
                }
            }

            return seen;
        }

        private static string Feature(string name, int bit, string children = "", string attributes = "", string hwversion = "8") =>
            $"<feature name=\"{name}\" bit=\"{bit}\" vendor=\"any\" kind=\"instruction-set\" tracked=\"true\" hwversion=\"{hwversion}\"{attributes}><description>{name} for a test.</description>{children}</feature>";

        private static string Register(string leaf, string register, params string[] features) =>
            $"<register leaf=\"{leaf}\" name=\"{register}\">{string.Concat(features)}</register>";

        private static FeatureCatalog Load(string registers) =>
            FeatureCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes("<features newest-hwversion=\"22\">" + registers + "</features>")), "test.xml");

        private static CpuidMaskException LoadInvalid(string registers)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => Load(registers));
            Assert.Equal("CatalogInvalid", ex.ErrorId);
            Assert.Equal(ErrorKind.InvalidData, ex.Kind);
            Assert.Contains("test.xml", ex.Message);
            return ex;
        }
    }
}
