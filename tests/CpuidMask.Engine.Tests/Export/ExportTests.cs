using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Export;
using CpuidMask.Engine.Tests.Analysis;
using Xunit;

namespace CpuidMask.Engine.Tests.Export
{
    public class LibvirtCpuTests
    {
        private static readonly BaselineCatalog Baselines = BaselineCatalog.Default;

        [Fact]
        public void FromBaseline_Westmere_IsTheWestmereModelPlusWhatVSphereAddsAndNothingHidden()
        {
            var cpu = LibvirtCpu.FromBaseline(Baselines.Find("intel-westmere"));

            Assert.Equal("Westmere", cpu.Model);
            // libvirt's Westmere lacks PCLMULQDQ, RDTSCP and VME, which the vSphere mode has.
            Assert.Equal(new[] { "pclmuldq", "vme", "rdtscp" }, cpu.Required.Select(f => f.Name));
            Assert.Equal(new[] { "ds", "monitor", "ss" }, cpu.Features.Where(f => f.Policy == LibvirtPolicy.Optional).Select(f => f.Name).OrderBy(n => n, StringComparer.Ordinal));
            Assert.Empty(cpu.Disabled);
        }

        [Fact]
        public void ToXml_Westmere_IsACustomExactCpuWithForbiddenFallback()
        {
            string xml = LibvirtCpu.FromBaseline(Baselines.Find("intel-westmere")).ToXml();

            var cpu = XElement.Parse(xml);
            Assert.Equal("custom", (string?)cpu.Attribute("mode"));
            Assert.Equal("exact", (string?)cpu.Attribute("match"));
            Assert.Equal("forbid", (string?)cpu.Element("model")!.Attribute("fallback"));
            Assert.Equal("Westmere", cpu.Element("model")!.Value);
            Assert.Contains(cpu.Elements("feature"), f => (string?)f.Attribute("policy") == "require" && (string?)f.Attribute("name") == "pclmuldq");
        }

        [Fact]
        public void FromBaseline_Skylake_DisablesMpxWhichTheModelHasAndTheModeDoesNot()
        {
            var cpu = LibvirtCpu.FromBaseline(Baselines.Find("intel-skylake"));

            Assert.Equal("Skylake-Server", cpu.Model);
            Assert.Contains(cpu.Disabled, f => f.Name == "mpx");
            Assert.Contains(cpu.Required, f => f.Name == "clflushopt");
            Assert.Contains(cpu.Required, f => f.Name == "pku");
            Assert.Contains("-mpx", cpu.ToQemuArgument());
            Assert.StartsWith("-cpu Skylake-Server,", cpu.ToQemuArgument());
        }

        [Fact]
        public void ToQemuArgument_UsesQemuSpellings()
        {
            var cpu = LibvirtCpu.FromBaseline(Baselines.Find("intel-westmere"));

            Assert.Equal("-cpu Westmere,+pclmulqdq,+vme,+rdtscp", cpu.ToQemuArgument());
        }

        [Theory]
        [InlineData("intel-merom")]
        [InlineData("intel-haswell")]
        [InlineData("intel-sapphirerapids")]
        [InlineData("amd-rev-e")]
        [InlineData("amd-greyhound-no3dnow")]
        [InlineData("amd-zen")]
        [InlineData("amd-zen4")]
        public void FromBaseline_AnyMode_RequiresNothingItHidesAndDisablesNothingItHas(string key)
        {
            var baseline = Baselines.Find(key);

            var cpu = LibvirtCpu.FromBaseline(baseline);

            Assert.All(cpu.Required, f => Assert.True(baseline.Contains(f.Feature), f.ToString()));
            Assert.All(cpu.Disabled, f => Assert.False(baseline.Contains(f.Feature), f.ToString()));
            Assert.DoesNotContain(cpu.Features, f => f.Name.Contains("xsave_", StringComparison.OrdinalIgnoreCase));
        }

        [Fact]
        public void FromBaseline_GreyhoundWithoutThreeDNow_LeavesNoThreeDNowToRequire()
        {
            var cpu = LibvirtCpu.FromBaseline(Baselines.Find("amd-greyhound-no3dnow"));

            Assert.Equal("Opteron_G3", cpu.Model);
            Assert.DoesNotContain(cpu.Features, f => f.Name.StartsWith("3dnow", StringComparison.Ordinal) && f.Name != "3dnowprefetch" && f.Policy == LibvirtPolicy.Require);
        }

        [Fact]
        public void FromMask_WorkedCaseHosts_UsesTheirCommonGenerationAndWhatTheVmSeesOnBoth()
        {
            var mask = new MaskGenerator().Generate(new[] { DumpProfiles.Find("Avoton"), DumpProfiles.Find("00306A9_IvyBridge_") });

            var cpu = LibvirtCpu.FromMask(mask);

            Assert.Equal("Westmere", cpu.Model);
            Assert.Contains(cpu.Required, f => f.Name == "rdrand"); // both hosts have it; the minimal mask keeps it
            Assert.DoesNotContain(cpu.Required, f => f.Name == "avx");
        }

        [Fact]
        public void FromMask_BaselineMaskWithHosts_KeepsSharedControlsAndNeverRequiresHiddenOnes()
        {
            var shared = new BaselineMaskGenerator().Generate("intel-cascadelake", new[] { DumpProfiles.Find("CascadeLakeSP"), DumpProfiles.Find("ICX") });
            var mixed = new BaselineMaskGenerator().Generate("intel-skylake", new[] { DumpProfiles.Find("SkylakeXeon"), DumpProfiles.Find("CascadeLakeSP") });

            var sharedCpu = LibvirtCpu.FromMask(shared);
            var mixedCpu = LibvirtCpu.FromMask(mixed);

            Assert.Equal("Cascadelake-Server", sharedCpu.Model);
            Assert.DoesNotContain(sharedCpu.Disabled, f => f.Name == "spec-ctrl"); // the model's own control stays
            Assert.DoesNotContain(mixedCpu.Required, f => f.Name == "spec-ctrl" || f.Name == "ssbd" || f.Name == "stibp");
        }

        [Fact]
        public void FromMask_CentaurHosts_ThrowsLibvirtModelNotFound()
        {
            var centaur = DumpProfiles.Find("CentaurHauls");
            var mask = new MaskGenerator().Generate(new[] { centaur });

            var ex = Assert.Throws<CpuidMaskException>(() => LibvirtCpu.FromMask(mask));

            Assert.Equal("LibvirtModelNotFound", ex.ErrorId);
        }

        [Theory]
        [InlineData("amd-zen", "xsaves clzero")]          // libvirt's EPYC has neither (EPYC-v4 adds both)
        [InlineData("amd-zen2", "xsaves")]                // no EPYC-Rome version has xsaves
        [InlineData("amd-zen3", "vaes vpclmulqdq")]       // EPYC-Milan has neither (EPYC-Milan-v2 adds both)
        public void FromBaseline_ZenModes_NameWhatTheirLibvirtModelLacks(string key, string lacking)
        {
            var baseline = Baselines.Find(key);

            var cpu = LibvirtCpu.FromBaseline(baseline);

            foreach (string name in lacking.Split(' '))
            {
                Assert.DoesNotContain(name, LibvirtCatalog.Default.ModelFeatures(baseline.LibvirtModel!));
                Assert.Contains(cpu.Required, f => f.Name == name);
            }
        }

        [Fact]
        public void LibvirtCatalog_EveryBaselineModel_IsKnown()
        {
            Assert.All(Baselines.Baselines, b => Assert.True(LibvirtCatalog.Default.HasModel(b.LibvirtModel!), b.Key));
        }

        [Theory]
        [InlineData("SSE41", "sse4.1")]
        [InlineData("SSE3", "pni")]
        [InlineData("PCLMULQDQ", "pclmuldq")]
        [InlineData("SHA", "sha-ni")]
        [InlineData("PREFETCHW", "3dnowprefetch")]
        [InlineData("DS", "ds")]
        [InlineData("AVX512_VNNI", "avx512vnni")]
        public void NameOf_Feature_IsLibvirtsSpelling(string feature, string expected)
        {
            Assert.Equal(expected, LibvirtCatalog.Default.NameOf(FeatureCatalog.Default.Find(feature)));
        }

        [Fact]
        public void Load_ModelWithUnknownFeature_ThrowsNamingLineAndModel()
        {
            string xml = "<libvirt>\n<known>fpu</known>\n<model name='X' vendor='intel'>fpu nosuch</model>\n</libvirt>";

            var ex = Assert.Throws<CpuidMaskException>(() => LibvirtCatalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(xml)), "t.xml"));

            Assert.Equal("LibvirtDataInvalid", ex.ErrorId);
            Assert.Contains("t.xml(3)", ex.Message);
            Assert.Contains("nosuch", ex.Message);
        }

        [Fact]
        public void Load_ProblemDeepInTheShippedFile_NamesFileLineAndElement()
        {
            string[] lines = ShippedData.Lines("libvirt.xml");
            int index = ShippedData.IndexOf(lines, "<model name=\"EPYC-Genoa\"");
            lines[index + 1] = lines[index + 1] + " nosuch-flag";

            var ex = Assert.Throws<CpuidMaskException>(() => LibvirtCatalog.Load(ShippedData.ToStream(lines), "libvirt.xml"));

            Assert.True(index > 150, $"line {index + 1} is not deep in the file");
            Assert.Equal("LibvirtDataInvalid", ex.ErrorId);
            Assert.Equal($"libvirt export data libvirt.xml({index + 1}): <model name=\"EPYC-Genoa\"> lists 'nosuch-flag', which is not in <known>.", ex.Message);
            Assert.Equal("libvirt.xml", ex.Target);
        }
    }

    public class PerVmEvcMaskTests
    {
        private static readonly BaselineCatalog Baselines = BaselineCatalog.Default;

        [Fact]
        public void FromBaseline_Westmere_HasVCentersWestmereKeysAsValOne()
        {
            var mask = PerVmEvcMask.FromBaseline(Baselines.Find("intel-westmere"));

            var shown = mask.Entries.Where(e => e.Value == "Val:1").Select(e => e.Key).ToArray();
            foreach (string key in new[] { "cpuid.Intel", "cpuid.CMPXCHG16B", "cpuid.DS", "cpuid.LAHF64", "cpuid.LM", "cpuid.MWAIT", "cpuid.NX", "cpuid.SS", "cpuid.SSE3", "cpuid.SSSE3", "cpuid.SSE41", "cpuid.SSE42", "cpuid.POPCNT", "cpuid.RDTSCP", "cpuid.AES", "cpuid.PCLMULQDQ", "cpuid.IBRS", "cpuid.IBPB", "cpuid.STIBP", "cpuid.SSBD", "cpuid.FCMD" })
            {
                Assert.Contains(key, shown);
            }

            Assert.DoesNotContain("cpuid.AVX", shown);
            Assert.All(mask.Entries, e => Assert.Equal(e.Key, e.FeatureName));
            Assert.Equal("intel-westmere", mask.EvcModeKey);
        }

        [Fact]
        public void FromBaseline_ListHidden_AddsValZeroForWhatTheModeHides()
        {
            var mask = PerVmEvcMask.FromBaseline(Baselines.Find("intel-westmere"), listHidden: true);

            Assert.Contains(mask.Entries, e => e.Key == "cpuid.AVX" && e.Value == "Val:0");
            Assert.Contains(mask.Entries, e => e.Key == "cpuid.AVX512F" && e.Value == "Val:0");
        }

        [Fact]
        public void FromBaseline_HostsWithoutAControl_SetsItValZero()
        {
            var hosts = new[] { DumpProfiles.Find("SkylakeXeon"), DumpProfiles.Find("CascadeLakeSP") };

            var mask = PerVmEvcMask.FromBaseline(Baselines.Find("intel-skylake"), hosts: hosts);

            Assert.Contains(mask.Entries, e => e.Key == "cpuid.IBRS" && e.Value == "Val:0");
            Assert.Contains(mask.Notes, n => n.Contains("IBRS_IBPB"));
        }

        [Fact]
        public void FromBaseline_AmdMode_NamesTheAmdSpeculationControlsAsVSphereDoes()
        {
            var mask = PerVmEvcMask.FromBaseline(Baselines.Find("amd-zen2"));

            Assert.Contains(mask.Entries, e => e.Key == "cpuid.AMD" && e.Value == "Val:1");
            Assert.Contains(mask.Entries, e => e.Key == "cpuid.IBPB" && e.Value == "Val:1");
            Assert.Contains(mask.Entries, e => e.Key == "cpuid.IBRS" && e.Value == "Val:1");
            Assert.DoesNotContain(mask.Entries, e => e.Key == "cpuid.Intel");
        }

        [Fact]
        public void FromBaseline_EveryMode_IsCompleteWithVendorIdentityAndNestedVirtualizationEntries()
        {
            Assert.All(Baselines.Baselines, baseline =>
            {
                var mask = PerVmEvcMask.FromBaseline(baseline);

                Assert.Empty(PerVmEvcMask.MissingIdentity(mask.Entries));
                Assert.Same(baseline.Identity, mask.Identity);
                Assert.Equal(baseline.Identity!.Entries, mask.Entries.Where(e => e.Kind == PerVmEvcEntryKind.Identity).Select(e => new KeyValuePair<string, string>(e.Key, e.Value)));
                Assert.Equal(Baselines.PerVmEvcEntries(baseline.Vendor).Entries.Select(e => e.Key), mask.Entries.Where(e => e.Kind == PerVmEvcEntryKind.Virtualization).Select(e => e.Key));
                Assert.Equal(mask.Entries.Count, mask.Entries.Select(e => e.Key).Distinct(StringComparer.OrdinalIgnoreCase).Count());
                Assert.DoesNotContain(mask.Entries, e => e.Kind == PerVmEvcEntryKind.Other || e.Description.Length == 0);
            });
        }

        [Fact]
        public void FromBaseline_Westmere_StartsWithVendorAndVCentersIdentity()
        {
            var mask = PerVmEvcMask.FromBaseline(Baselines.Find("intel-westmere"));

            Assert.Equal(
                new[] { "cpuid.Intel = Val:1", "cpuid.FAMILY = Val:6", "cpuid.MODEL = Val:0x25", "cpuid.STEPPING = Val:1", "cpuid.NUMLEVELS = Val:0xb", "cpuid.NUM_EXT_LEVELS = Val:0x80000008", "cpuid.VMX = Val:1", "hv.capable = Val:1", "vt.realmode = Val:1" },
                mask.Entries.Take(9).Select(e => e.ToString()));
            Assert.Contains(mask.Notes, n => n.Contains("danielewood/misc") && n.Contains("completeMasks true"));
        }

        [Fact]
        public void FromBaseline_ModeWithoutIdentity_ThrowsPerVmEvcIdentityMissingRatherThanAnIncompleteMask()
        {
            string[] lines = ShippedData.Lines("baselines.xml");
            int start = ShippedData.IndexOf(lines, "reference=\"Xeon E5-2630 v3 (Haswell-EP)\">") - 1;
            int end = Array.FindIndex(lines, start, l => l.Contains("</identity>"));
            var catalog = BaselineCatalog.Load(ShippedData.ToStream(lines.Take(start).Concat(lines.Skip(end + 1))), "baselines.xml");

            var ex = Assert.Throws<CpuidMaskException>(() => PerVmEvcMask.FromBaseline(catalog.Find("intel-haswell"), catalog));

            Assert.Null(catalog.Find("intel-haswell").Identity);
            Assert.NotNull(catalog.Find("intel-broadwell").Identity);
            Assert.Equal("PerVmEvcIdentityMissing", ex.ErrorId);
            Assert.Equal(ErrorKind.NotImplemented, ex.Kind);
            Assert.Equal("intel-haswell", ex.Target);
            Assert.Contains("no identity for EVC mode 'intel-haswell'", ex.Message);
            Assert.Contains("completeMasks true", ex.Message);

            // The way out is the shells' to word: the message names no option of either.
            Assert.Equal(RemedyKind.VCenterEvcMode, ex.Remedy!.Kind);
            Assert.Equal("intel-haswell", ex.Remedy.Detail);
            Assert.DoesNotContain("--", ex.Message);
        }

        [Fact]
        public void FromBaseline_AmdMode_HasSvmAndHvCapableButNoVtRealmode()
        {
            var mask = PerVmEvcMask.FromBaseline(Baselines.Find("amd-zen3"));

            Assert.Contains(mask.Entries, e => e.Key == "cpuid.SVM" && e.Value == "Val:1" && e.Kind == PerVmEvcEntryKind.Virtualization);
            Assert.Contains(mask.Entries, e => e.Key == "hv.capable" && e.Value == "Val:1");
            Assert.DoesNotContain(mask.Entries, e => e.Key == "vt.realmode" || e.Key == "cpuid.VMX");
            Assert.Contains(mask.Entries, e => e.Key == "cpuid.FAMILY" && e.Value == "Val:0x19");
        }

        [Fact]
        public void FromBaseline_K8Mode_LeavesOutControlsInLeavesItsReferenceCpuLacks()
        {
            var mask = PerVmEvcMask.FromBaseline(Baselines.Find("amd-rev-e"));

            Assert.Contains(mask.Entries, e => e.Key == "cpuid.NUMLEVELS" && e.Value == "Val:1");
            Assert.Contains(mask.Entries, e => e.Key == "cpuid.IBPB" && e.Kind == PerVmEvcEntryKind.Control);
            Assert.DoesNotContain(mask.Entries, e => e.Key == "cpuid.AUTOMATIC_IBRS" || e.Key == "cpuid.FCMD");
            Assert.Contains(mask.Notes, n => n.StartsWith("Left out: ", StringComparison.Ordinal) && n.Contains("AUTOMATIC_IBRS") && n.Contains("L1D_FLUSH"));
        }

        [Fact]
        public void FromEvcMode_MaskWithoutIdentity_SaysWhatTheGuestWouldMiss()
        {
            string json = @"[ { ""key"": ""intel-westmere"", ""featureMask"": [ { ""key"": ""cpuid.Intel"", ""value"": ""Val:1"" }, { ""key"": ""cpuid.FAMILY"", ""value"": ""Val:6"" }, { ""key"": ""cpuid.AES"", ""value"": ""Val:1"" } ] } ]";

            var mask = PerVmEvcMask.FromEvcMode(json, "intel-westmere", "vc.json");

            Assert.Equal(new[] { "cpuid.MODEL", "cpuid.STEPPING", "cpuid.NUMLEVELS", "cpuid.NUM_EXT_LEVELS" }, PerVmEvcMask.MissingIdentity(mask.Entries));
            Assert.Contains(mask.Notes, n => n.Contains("names no cpuid.MODEL, cpuid.STEPPING, cpuid.NUMLEVELS, cpuid.NUM_EXT_LEVELS"));
            Assert.Equal(new[] { PerVmEvcEntryKind.Vendor, PerVmEvcEntryKind.Identity, PerVmEvcEntryKind.Feature }, mask.Entries.Select(e => e.Kind));
        }

        [Theory]
        [InlineData("cpuid.FAMILY", "Val:0")]
        [InlineData("cpuid.NUMLEVELS", "Val:zero")]
        [InlineData("cpuid.Intel", "Val:0")]
        public void MissingIdentity_ZeroOrNoNumberWhereZeroCannotBe_CountsAsMissing(string key, string value)
        {
            var entries = PerVmEvcMask.FromBaseline(Baselines.Find("intel-westmere")).Entries
                .Select(e => e.Key == key ? new PerVmEvcEntry(e.Key, e.FeatureName, value) : e);

            Assert.Single(PerVmEvcMask.MissingIdentity(entries), m => m.Contains(key));
        }

        [Fact]
        public void Differences_IdentityInDecimalAndHex_AreTheSameNumber()
        {
            string json = @"[ { ""key"": ""intel-westmere"", ""featureMask"": [ { ""key"": ""cpuid.MODEL"", ""value"": ""Val:37"" }, { ""key"": ""cpuid.STEPPING"", ""value"": ""Val:0x2"" } ] } ]";
            var theirs = PerVmEvcMask.FromEvcMode(json, "intel-westmere", "vc.json");

            var differences = PerVmEvcMask.FromBaseline(Baselines.Find("intel-westmere")).Differences(theirs);

            Assert.DoesNotContain(differences, d => d.StartsWith("cpuid.MODEL:", StringComparison.Ordinal));
            Assert.Contains("cpuid.STEPPING: Val:1 in baseline catalog, Val:0x2 in vc.json", differences);
        }

        [Fact]
        public void ToVmxLine_VSphereCapabilityKey_KeepsItsOwnPrefix()
        {
            Assert.Equal("featMask.vm.hv.capable = \"Val:1\"", new PerVmEvcEntry("hv.capable", "hv.capable", "Val:1").ToVmxLine());
            Assert.Equal("featMask.vm.cpuid.AES = \"Val:1\"", new PerVmEvcEntry("AES", "AES", "Val:1").ToVmxLine());
        }

        [Fact]
        public void ToVmxLine_Entry_IsTheFeatMaskForm()
        {
            Assert.Equal("featMask.vm.cpuid.AES = \"Val:1\"", new PerVmEvcEntry("cpuid.AES", "cpuid.AES", "Val:1").ToVmxLine());
        }

        [Fact]
        public void FromEvcMode_SupportedEvcModeJson_TakesVCentersOwnMask()
        {
            string json = @"{ ""supportedEVCMode"": [
                { ""key"": ""intel-merom"", ""label"": ""Merom"", ""featureMask"": [ { ""key"": ""cpuid.SSE3"", ""featureName"": ""cpuid.SSE3"", ""value"": ""Val:1"" } ] },
                { ""key"": ""intel-westmere"", ""label"": ""Westmere"", ""featureMask"": [
                    { ""key"": ""cpuid.Intel"", ""featureName"": ""cpuid.Intel"", ""value"": ""Val:1"" },
                    { ""key"": ""cpuid.FAMILY"", ""featureName"": ""cpuid.FAMILY"", ""value"": ""Val:6"" },
                    { ""key"": ""cpuid.AES"", ""featureName"": ""cpuid.AES"", ""value"": ""Val:1"" } ] } ] }";

            var mask = PerVmEvcMask.FromEvcMode(json, "intel-westmere", "vc.json");

            Assert.Equal(3, mask.Entries.Count);
            Assert.Equal("vc.json", mask.Origin);
            var ours = PerVmEvcMask.FromBaseline(Baselines.Find("intel-westmere"));
            var differences = ours.Differences(mask);
            Assert.Contains(differences, d => d.StartsWith("cpuid.SSE42:", StringComparison.Ordinal));
            Assert.DoesNotContain(differences, d => d.StartsWith("cpuid.AES:", StringComparison.Ordinal));
        }

        [Fact]
        public void FromEvcMode_KeyNotInFile_ThrowsEvcModeNotFoundListingKeys()
        {
            string json = @"[ { ""key"": ""intel-merom"", ""featureMask"": [] } ]";

            var ex = Assert.Throws<CpuidMaskException>(() => PerVmEvcMask.FromEvcMode(json, "intel-westmere", "vc.json"));

            Assert.Equal("EvcModeNotFound", ex.ErrorId);
            Assert.Contains("intel-merom", ex.Message);
        }

        [Fact]
        public void FromEvcMode_NoModes_ThrowsEvcModeFileMalformed()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => PerVmEvcMask.FromEvcMode("{ \"hosts\": [] }", "intel-westmere", "vc.json"));

            Assert.Equal("EvcModeFileMalformed", ex.ErrorId);
        }
    }
}
