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
    public class BaselineCatalogTests
    {
        private static readonly BaselineCatalog Catalog = BaselineCatalog.Default;

        private static readonly string[] EvcModeKeys =
        {
            "intel-merom", "intel-penryn", "intel-nehalem", "intel-westmere", "intel-sandybridge", "intel-ivybridge",
            "intel-haswell", "intel-broadwell", "intel-skylake", "intel-cascadelake", "intel-icelake", "intel-sapphirerapids",
            "amd-rev-e", "amd-rev-f", "amd-greyhound", "amd-greyhound-no3dnow", "amd-bulldozer", "amd-piledriver",
            "amd-steamroller", "amd-zen", "amd-zen2", "amd-zen3", "amd-zen4",
        };

        [Fact]
        public void Default_Loads_EveryVSphereEvcModeKeyOnce()
        {
            Assert.Equal(EvcModeKeys.OrderBy(k => k, StringComparer.Ordinal), Catalog.Baselines.Select(b => b.Key).OrderBy(k => k, StringComparer.Ordinal));
        }

        [Fact]
        public void Default_EveryBaseline_HasLabelSourceAndLibvirtModel()
        {
            Assert.All(Catalog.Baselines, b =>
            {
                Assert.False(string.IsNullOrWhiteSpace(b.Label));
                Assert.True(b.Source.Length > 40, b.Key + " has a thin <source>");
                Assert.False(string.IsNullOrWhiteSpace(b.LibvirtModel));
            });
            Assert.Equal("Intel® \"Westmere\" Generation", Catalog.Find("intel-westmere").Label);
        }

        [Fact]
        public void Default_EveryTrackedFeature_LiesInAGovernedRegister()
        {
            Assert.All(FeatureCatalog.Default.Features.Where(f => f.Tracked), f => Assert.True(Catalog.Governs(f), f.ToString()));
        }

        [Fact]
        public void Default_IntelModes_FormOneChainEachAboveTheOneBefore()
        {
            var intel = Catalog.Baselines.Where(b => b.Vendor == BaselineVendor.Intel).ToArray();

            for (int i = 1; i < intel.Length; i++)
            {
                Assert.Same(intel[i - 1], intel[i].Parent);
                Assert.True(intel[i].IsAbove(intel[i - 1]), $"{intel[i].Key} is not above {intel[i - 1].Key}");
                Assert.Empty(intel[i].Removed);
            }
        }

        [Theory]
        [InlineData("amd-greyhound", "amd-greyhound-no3dnow", true)]
        [InlineData("amd-bulldozer", "amd-greyhound-no3dnow", true)]
        [InlineData("amd-bulldozer", "amd-rev-e", false)] // 3DNow!: Bulldozer hosts cannot join Generation 1
        [InlineData("amd-bulldozer", "amd-greyhound", false)]
        [InlineData("amd-zen", "amd-steamroller", false)] // Zen dropped XOP, FMA4 and TBM
        [InlineData("amd-zen", "amd-greyhound-no3dnow", true)]
        [InlineData("amd-zen4", "amd-zen", true)]
        [InlineData("amd-steamroller", "amd-bulldozer", true)]
        [InlineData("intel-sapphirerapids", "intel-merom", true)]
        [InlineData("intel-merom", "amd-rev-e", false)]
        public void IsAbove_AmdTreeAndIntelChain_FollowsTheFeatureSets(string upper, string lower, bool expected)
        {
            Assert.Equal(expected, Catalog.Find(upper).IsAbove(Catalog.Find(lower)));
        }

        [Fact]
        public void Default_Westmere_IsVCentersPerVmEvcWestmereFeatureMask()
        {
            // The featMask.vm.cpuid.* = "Val:1" keys of a per-VM EVC Westmere VM (identity and nested-HV keys aside);
            // the leaf 1 EDX basics have no vSphere name and are always there.
            string[] vcenter = { "CMPXCHG16B", "DS", "LAHF64", "LM", "MWAIT", "NX", "SS", "SSE3", "SSSE3", "SSE41", "SSE42", "POPCNT", "RDTSCP", "AES", "PCLMULQDQ" };

            var westmere = Catalog.Find("intel-westmere");

            Assert.Equal(vcenter.OrderBy(n => n, StringComparer.Ordinal), westmere.Features.Where(f => f.FeatMaskName != null).Select(f => f.FeatMaskName!).OrderBy(n => n, StringComparer.Ordinal));
            Assert.All(westmere.Features.Where(f => f.FeatMaskName == null), f => Assert.Equal(0x1u, f.Leaf));
        }

        [Fact]
        public void Default_SandyBridge_IsVCentersPerVmEvcSandyBridgeFeatureMask()
        {
            // The featMask.vm.cpuid.* = "Val:1" keys of a vCenter-generated per-VM EVC Sandy Bridge VM (szmijews/mfd-esxi
            // mfd_esxi/vm_gold.py, a hardware version 17 VM), less identity, nested-HV and the speculation controls.
            string[] vcenter =
            {
                "AES", "AVX", "CMPXCHG16B", "DS", "LAHF64", "LM", "MWAIT", "NX", "PCID", "PCLMULQDQ", "POPCNT", "RDTSCP", "SS",
                "SSE3", "SSE41", "SSE42", "SSSE3", "XCR0_MASTER_SSE", "XCR0_MASTER_YMM_H", "XSAVE",
            };

            var sandyBridge = Catalog.Find("intel-sandybridge");

            Assert.Equal(vcenter.OrderBy(n => n, StringComparer.Ordinal), sandyBridge.Features.Where(f => f.FeatMaskName != null).Select(f => f.FeatMaskName!).OrderBy(n => n, StringComparer.Ordinal));
        }

        [Fact]
        public void Default_Xsaveopt_EntersVMwaresIntelChainAtBroadwell()
        {
            // A VM requiring cpuid.xsaveopt reports minRequiredEVCModeKey intel-broadwell (DOMAIN.md section 8), and ESXi
            // exposes XSAVEOPT only from virtual hardware 11 (ESXi 6.0), newer than the Sandy Bridge to Haswell modes.
            var xsaveopt = FeatureCatalog.Default.Find("XSAVEOPT");

            Assert.Equal("intel-broadwell", Catalog.Baselines.First(b => b.Vendor == BaselineVendor.Intel && b.Contains(xsaveopt)).Key);
            Assert.Equal(11, xsaveopt.MinHardwareVersion);
        }

        [Fact]
        public void Default_EveryBaselineFeature_IsOneVCenter80U1ComparesAndHardwareVersion20Exposes()
        {
            // Every mode here exists in vCenter 8.0 U1 (hardware version 20), and a mode's feature list never grows
            // (intel-sandybridge never got XSAVEOPT): a mode cannot hold a feature vCenter 8.0 U1 has no key for, nor
            // one VMware's table first exposes in a later hardware version (MONITORX, WAITPKG, TSXLDTRK: 21).
            var keys = new HashSet<string>(VmwareData.VSphere801Keys.Value, StringComparer.OrdinalIgnoreCase);
            var wrong = Catalog.Baselines
                .SelectMany(b => b.Added.Select(f => (Baseline: b, Feature: f)))
                .Where(x => (x.Feature.VSphereKey != null && !keys.Contains(x.Feature.VSphereKey)) || !(x.Feature.MinHardwareVersion <= 20))
                .Select(x => $"{x.Baseline.Key}: {x.Feature.Name} ({x.Feature.VSphereKey}, hardware version {x.Feature.MinHardwareVersion})")
                .ToArray();

            Assert.Empty(wrong);
        }

        [Fact]
        public void Default_EveryBaseline_HoldsTheTrackedPrerequisitesOfItsFeatures()
        {
            foreach (var baseline in Catalog.Baselines)
            {
                foreach (var feature in baseline.Features)
                {
                    Assert.All(feature.Requires.Select(FeatureCatalog.Default.Find).Where(r => r.Tracked), r => Assert.True(baseline.Contains(r), $"{baseline.Key}: {feature.Name} needs {r.Name}"));
                }
            }
        }

        [Fact]
        public void Default_Controls_AreNeitherFeaturesNorHidden()
        {
            foreach (var baseline in Catalog.Baselines)
            {
                Assert.NotEmpty(baseline.Controls);
                Assert.DoesNotContain(baseline.Controls, baseline.Contains);
                Assert.DoesNotContain(Catalog.OutsideOf(baseline), baseline.IsControl);
            }

            Assert.Contains(Catalog.Find("intel-skylake").Controls, f => f.Name == "IBRS_IBPB");
            Assert.Contains(Catalog.Find("amd-zen2").Controls, f => f.Name == "AMD_IBPB");
        }

        [Fact]
        public void OutsideOf_Westmere_HidesAvxAndLeaf7ButNotTheBasics()
        {
            var hidden = Catalog.OutsideOf(Catalog.Find("intel-westmere")).Select(f => f.Name).ToArray();

            Assert.Contains("AVX", hidden);
            Assert.Contains("PCID", hidden);
            Assert.Contains("FSGSBASE", hidden);
            Assert.Contains("AVX512F", hidden);
            Assert.Contains("PDPE1GB", hidden);
            Assert.DoesNotContain("SSE42", hidden);
            Assert.DoesNotContain("FPU", hidden);
            Assert.DoesNotContain("OSXSAVE", hidden); // untracked: left to ESXi
            Assert.DoesNotContain("STIBP", hidden);   // a control
        }

        [Theory]
        [InlineData("INTEL-WESTMERE")]
        [InlineData(" intel-westmere ")]
        public void Find_AnyCase_FindsTheBaseline(string key)
        {
            Assert.Equal("intel-westmere", Catalog.Find(key).Key);
        }

        [Fact]
        public void Find_UnknownKey_ThrowsBaselineNotFoundSuggestingKeys()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => Catalog.Find("westmere"));

            Assert.Equal("BaselineNotFound", ex.ErrorId);
            Assert.Contains("intel-westmere", ex.Message);
        }

        [Fact]
        public void ImmediatelyBelow_Zen_IsGeneration3WithoutThreeDNow()
        {
            Assert.Equal(new[] { "amd-greyhound-no3dnow" }, Catalog.ImmediatelyBelow(Catalog.Find("amd-zen")).Select(b => b.Key));
            Assert.Equal(new[] { "intel-nehalem" }, Catalog.ImmediatelyBelow(Catalog.Find("intel-westmere")).Select(b => b.Key));
        }

        [Theory]
        [InlineData("<baseline key='a' vendor='intel' label='A'><source>s</source><feature name='NOSUCH'/></baseline>", "(4)", "<feature name=\"NOSUCH\">", "not a feature in the catalog")]
        [InlineData("<baseline key='a' vendor='intel' label='A'><source>s</source><feature name='FPU'/></baseline>\n<baseline key='a' vendor='intel' label='B'><source>s</source><feature name='SSE'/></baseline>", "(5)", "<baseline key=\"a\">", "repeats key 'a'")]
        [InlineData("<baseline key='a' vendor='intel' label='A' extends='b'><source>s</source><feature name='FPU'/></baseline>\n<baseline key='b' vendor='intel' label='B' extends='a'><source>s</source><feature name='SSE'/></baseline>", "(", "<baseline key=", "extends itself through")]
        [InlineData("<baseline key='a' vendor='intel' label='A'><source>s</source><feature name='FPU'/></baseline>\n<baseline key='b' vendor='intel' label='B' extends='a'><source>s</source><feature name='FPU'/></baseline>", "(5)", "<feature name=\"FPU\">", "adds 'FPU' again: baseline 'a'")]
        [InlineData("<baseline key='a' vendor='intel' label='A'><source>s</source><feature name='FPU'/><feature name='FPU'/></baseline>", "(4)", "<feature name=\"FPU\">", "a second time")]
        [InlineData("<baseline key='a' vendor='intel' label='A'><source>s</source><feature name='FPU'/><remove name='SSE'/></baseline>", "(4)", "<remove name=\"SSE\">", "does not inherit")]
        [InlineData("<baseline key='a' vendor='intel' label='A'><source>s</source><feature name='OSXSAVE'/></baseline>", "(4)", "<feature name=\"OSXSAVE\">", "vCenter does not track")]
        [InlineData("<baseline key='a' vendor='intel' label='A'><source>s</source><feature name='SSE4A'/><feature name='SSE3'/><feature name='SSE2'/><feature name='SSE'/><feature name='FXSR'/><feature name='FPU'/></baseline>", "(4)", "<feature name=\"SSE4A\">", "AMD defines for its own CPUs only")]
        [InlineData("<baseline key='a' vendor='intel' label='A'><source>s</source><feature name='AVX'/></baseline>", "(4)", "<baseline key=\"a\">", "requires")]
        [InlineData("<baseline key='a' vendor='intel' label='A' extends='zzz'><source>s</source><feature name='FPU'/></baseline>", "(4)", "<baseline key=\"a\">", "extends 'zzz'")]
        [InlineData("<baseline key='a' vendor='intel' label='A'><feature name='FPU'/></baseline>", "(4)", "<baseline key=\"a\">", "needs a <source>")]
        [InlineData("<baseline key='a' vendor='intel' label='A'><source>s</source><feature name='cpuid.SSE3'/></baseline>", "(4)", "<feature name=\"cpuid.SSE3\">", "canonical name 'SSE3'")]
        [InlineData("<baseline key='a' vendor='intel' label='A'><source>s</source><feature name='FPU'/></baseline>\n<baseline key='b' vendor='intel' label='B' extends='a'><source>s</source><control name='FPU'/></baseline>", "(5)", "<control name=\"FPU\">", "a control again")]
        [InlineData("<baseline key='a' vendor='intel' label='A'><source>s</source><feature name='FPU'/></baseline>\n<baseline key='b' vendor='intel' label='B' extends='a'><source>s</source></baseline>", "(5)", "<baseline key=\"b\">", "adds and removes nothing")]
        [InlineData("<baseline key='a' vendor='via' label='A'><source>s</source><feature name='FPU'/></baseline>", "(4)", "<baseline key=\"a\">", "vendor=\"intel\" or \"amd\"")]
        public void Load_BrokenBaseline_ThrowsNamingFileLineAndElement(string baselines, string line, string element, string problem)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => LoadText(baselines));

            Assert.Equal("BaselineCatalogInvalid", ex.ErrorId);
            Assert.Contains("test-baselines.xml" + line, ex.Message);
            Assert.Contains(element, ex.Message);
            Assert.Contains(problem, ex.Message);
        }

        [Fact]
        public void Load_GovernsWithoutARegisterOfTrackedFeatures_ThrowsNamingTheFeature()
        {
            string xml = "<baselines>\n<governs><register leaf='0x1' name='ecx'/></governs>\n</baselines>";

            var ex = Assert.Throws<CpuidMaskException>(() => BaselineCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(xml)), "test-baselines.xml"));

            Assert.Equal("BaselineCatalogInvalid", ex.ErrorId);
            Assert.Contains("FPU", ex.Message);
            Assert.Contains("<governs>", ex.Message);
        }

        [Fact]
        public void Load_TwoBaselinesWithTheSameFeatures_ThrowsNamingTheSecond()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => LoadText(
                "<baseline key='a' vendor='intel' label='A'><source>s</source><feature name='FPU'/></baseline>\n" +
                "<baseline key='b' vendor='intel' label='B'><source>s</source><feature name='FPU'/></baseline>"));

            Assert.Contains("<baseline key=\"b\">", ex.Message);
            Assert.Contains("same features as 'a'", ex.Message);
        }

        [Fact]
        public void Load_KeyWithSpacesAround_IsReadTrimmedAsInExtendsAndFind()
        {
            var catalog = LoadText(
                "<baseline key=' a ' vendor='intel' label='A'><source>s</source><feature name='FPU'/></baseline>\n" +
                "<baseline key='b' vendor='intel' label='B' extends='a'><source>s</source><feature name='CX8'/></baseline>");

            Assert.Equal(new[] { "a", "b" }, catalog.Baselines.Select(b => b.Key));
            Assert.Same(catalog.Find("a"), catalog.Find("b").Parent);
        }

        [Fact]
        public void Load_NotXml_ThrowsNamingTheFile()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => BaselineCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes("<baselines>")), "broken.xml"));

            Assert.Equal("BaselineCatalogInvalid", ex.ErrorId);
            Assert.Contains("broken.xml", ex.Message);
        }

        [Fact]
        public void Load_ProblemDeepInTheShippedFile_NamesFileLineAndElement()
        {
            string[] lines = ShippedData.Lines("baselines.xml");
            int index = ShippedData.IndexOf(lines, "<feature name=\"AMD_FSRC\" />");
            lines[index] = lines[index].Replace("<feature name=\"AMD_FSRC\" />", "<remove name=\"AMD_FSRC\" />");

            var ex = Assert.Throws<CpuidMaskException>(() => BaselineCatalog.Load(ShippedData.ToStream(lines), "baselines.xml"));

            Assert.True(index > 200, $"line {index + 1} is not deep in the file");
            Assert.Equal("BaselineCatalogInvalid", ex.ErrorId);
            Assert.Equal($"Baseline catalog baselines.xml({index + 1}): <remove name=\"AMD_FSRC\"> removes 'AMD_FSRC', which baseline 'amd-zen4' does not inherit from 'amd-zen3'.", ex.Message);
            Assert.Equal("baselines.xml", ex.Target);
        }

        private const string Identity = "<identity family='6' model='0x25' stepping='1' numlevels='0xB' num-ext-levels='0x80000008' reference='r'><source>s</source></identity>";

        [Fact]
        public void Default_EveryMode_HasTheIdentityOfAReferenceCpuWithItsSource()
        {
            Assert.All(Catalog.Baselines, b =>
            {
                Assert.NotNull(b.Identity);
                Assert.NotEmpty(b.Identity!.Reference);
                Assert.Contains(b.Identity.Source.StartsWith("Published:", StringComparison.Ordinal) ? "tests/data/pervmevc/" : "tests/data/dumps/", b.Identity.Source);
                Assert.All(b.Features, f => Assert.True(b.Identity.Reaches(f.Leaf), $"{b.Key}: {f.Name} in leaf 0x{f.Leaf:X}"));
            });
        }

        public static IEnumerable<object[]> DerivedIdentities =>
            Catalog.Baselines.Where(b => b.Identity != null && !b.Identity.Source.StartsWith("Published:", StringComparison.Ordinal)).Select(b => new object[] { b.Key });

        [Theory]
        [MemberData(nameof(DerivedIdentities))]
        public void Default_IdentityReadFromADump_IsThatDumpsSignatureAndLeafCounts(string key)
        {
            var identity = Catalog.Find(key).Identity!;
            var match = System.Text.RegularExpressions.Regex.Match(identity.Source, "tests/data/dumps/(?<name>[^ ]+)\\.txt");
            Assert.True(match.Success, identity.Source);

            var dump = Analysis.DumpProfiles.Get(match.Groups["name"].Value);

            Assert.Equal(Catalog.Find(key).VendorString, dump.Vendor);
            Assert.Equal((dump.Family, dump.Model, dump.Stepping), (identity.Family, identity.Model, identity.Stepping));
            Assert.Equal((dump.MaxStandardLeaf, dump.MaxExtendedLeaf), ((uint?)identity.NumLevels, (uint?)identity.NumExtLevels));
        }

        [Theory]
        [InlineData("intel-westmere", 6, 0x25, 1, 0xBu)]
        [InlineData("intel-sandybridge", 6, 0x2D, 2, 0xDu)]
        public void Default_PublishedIdentity_IsVCentersOwn(string key, int family, int model, int stepping, uint numLevels)
        {
            var identity = Catalog.Find(key).Identity!;

            Assert.Equal((family, model, stepping, numLevels, 0x80000008u), (identity.Family, identity.Model, identity.Stepping, identity.NumLevels, identity.NumExtLevels));
            Assert.Equal(new[] { "Val:6", "Val:" + (model == 0x25 ? "0x25" : "0x2d"), "Val:" + stepping, "Val:" + (numLevels == 0xB ? "0xb" : "0xd"), "Val:0x80000008" }, identity.Entries.Select(e => e.Value));
        }

        [Fact]
        public void Default_PerVmEvcEntries_AreVCentersForIntelAndWithoutVtRealmodeForAmd()
        {
            Assert.Equal(new[] { "cpuid.VMX = Val:1", "hv.capable = Val:1", "vt.realmode = Val:1" }, Catalog.PerVmEvcEntries(BaselineVendor.Intel).Entries.Select(e => e.ToString()));
            Assert.Equal(new[] { "cpuid.SVM = Val:1", "hv.capable = Val:1" }, Catalog.PerVmEvcEntries(BaselineVendor.Amd).Entries.Select(e => e.ToString()));
            Assert.Contains("danielewood/misc", Catalog.PerVmEvcEntries(BaselineVendor.Intel).Source);
            Assert.Contains("unverified", Catalog.PerVmEvcEntries(BaselineVendor.Amd).Source);
        }

        [Fact]
        public void Load_BaselineWithoutIdentity_HasNoneAndNoPerVmEvcEntries()
        {
            var catalog = LoadText("<baseline key='a' vendor='intel' label='A'><source>s</source><feature name='FPU'/></baseline>");

            Assert.Null(catalog.Find("a").Identity);
            Assert.Empty(catalog.PerVmEvcEntries(BaselineVendor.Intel).Entries);
        }

        [Theory]
        [InlineData(Identity + Identity, "<identity", "repeats <identity>")]
        [InlineData("<identity family='0' model='1' stepping='1' numlevels='0xB' num-ext-levels='0x80000008' reference='r'><source>s</source></identity>", "<identity", "a display family is 1 to 0x10E")]
        [InlineData("<identity family='6' model='0x100' stepping='1' numlevels='0xB' num-ext-levels='0x80000008' reference='r'><source>s</source></identity>", "<identity", "model above 0xFF")]
        [InlineData("<identity family='6' model='1' stepping='0x10' numlevels='0xB' num-ext-levels='0x80000008' reference='r'><source>s</source></identity>", "<identity", "stepping above 0xF")]
        [InlineData("<identity family='6' model='1' stepping='1' numlevels='0' num-ext-levels='0x80000008' reference='r'><source>s</source></identity>", "<identity", "needs numlevels=")]
        [InlineData("<identity family='6' model='1' stepping='1' numlevels='0xB' num-ext-levels='0x80000000' reference='r'><source>s</source></identity>", "<identity", "needs num-ext-levels=")]
        [InlineData("<identity family='6' model='1' stepping='1' numlevels='0xB' num-ext-levels='0x80000008'><source>s</source></identity>", "<identity", "needs a reference=")]
        [InlineData("<identity family='6' model='1' stepping='1' numlevels='0xB' num-ext-levels='0x80000008' reference='r'/>", "<identity", "needs a <source>")]
        [InlineData("<identity family='6' model='1' stepping='1' num-ext-levels='0x80000008' reference='r'><source>s</source></identity>", "<identity", "needs a numlevels= attribute")]
        [InlineData("<identity family='6' model='1' stepping='1' numlevels='1' num-ext-levels='0x80000008' reference='r'><source>s</source></identity><feature name='SMEP'/>", "<identity", "feature 'SMEP' of baseline 'a' is in leaf 0x7, which a guest with this identity cannot see")]
        public void Load_BrokenIdentity_ThrowsNamingTheProblem(string identity, string element, string problem)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => LoadText($"<baseline key='a' vendor='intel' label='A'><source>s</source>{identity}<feature name='FPU'/></baseline>"));

            Assert.Equal("BaselineCatalogInvalid", ex.ErrorId);
            Assert.Contains("test-baselines.xml(4)", ex.Message);
            Assert.Contains(element, ex.Message);
            Assert.Contains(problem, ex.Message);
        }

        [Theory]
        [InlineData("<per-vm-evc/><per-vm-evc/>", "repeats <per-vm-evc>")]
        [InlineData("<per-vm-evc><list vendor='intel'/></per-vm-evc>", "is not an <entries vendor=> list")]
        [InlineData("<per-vm-evc><entries vendor='intel'><entry key='hv.capable' value='Val:1' description='d'/></entries></per-vm-evc>", "needs a <source>")]
        [InlineData("<per-vm-evc><entries vendor='intel'><source>s</source></entries><entries vendor='intel'><source>s</source></entries></per-vm-evc>", "repeats the intel entries")]
        [InlineData("<per-vm-evc><entries vendor='intel'><source>s</source><entry key='hv.capable' value='Val:1'/></entries></per-vm-evc>", "needs to be an <entry key= value= description=> with all three")]
        [InlineData("<per-vm-evc><entries vendor='intel'><source>s</source><entry key='hv.capable' value='Val:1' description='d'/><entry key='HV.capable' value='Val:0' description='d'/></entries></per-vm-evc>", "repeats key 'HV.capable'")]
        [InlineData("<per-vm-evc><entries vendor='intel'><source>s</source><entry key='cpuid.SSE3' value='Val:1' description='d'/></entries></per-vm-evc>", "which tracked feature 'SSE3' already gives a mask")]
        public void Load_BrokenPerVmEvcEntries_ThrowsNamingTheProblem(string perVmEvc, string problem)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => LoadText(perVmEvc + "\n<baseline key='a' vendor='intel' label='A'><source>s</source><feature name='FPU'/></baseline>"));

            Assert.Equal("BaselineCatalogInvalid", ex.ErrorId);
            Assert.Contains("test-baselines.xml(4)", ex.Message);
            Assert.Contains(problem, ex.Message);
        }

        private static BaselineCatalog LoadText(string baselines)
        {
            // Line 1 root, line 2 governs (one line), line 3 blank, baselines from line 4.
            string governs = "<governs>" + string.Concat(Catalog.Governed.Select(g =>
                $"<register leaf='0x{g.Leaf:X}' subleaf='{g.Subleaf}' name='{g.Register.ToName()}'/>")) + "</governs>";
            string xml = "<baselines>\n" + governs + "\n\n" + baselines + "\n</baselines>";
            return BaselineCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(xml)), "test-baselines.xml");
        }
    }
}
