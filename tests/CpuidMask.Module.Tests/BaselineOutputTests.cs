using System;
using System.IO;
using System.Linq;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Readers;
using CpuidMask.PowerShell;
using CpuidMask.PowerShell.Completion;
using Xunit;

namespace CpuidMask.Module.Tests
{
    /// <summary>Get-CpuidBaseline's rows and the baseline key completion, without a PowerShell host.</summary>
    public class BaselineOutputTests
    {
        private static readonly Engine.Model.CpuidProfile[] WorkedCaseHosts =
            new[] { "avoton-c2750.txt", "ivybridge-i7-3770k.txt" }.Select(f => ProfileReader.Read(Path.Combine(RepoFiles.Samples, f))).ToArray();

        [Fact]
        public void Classification_WorkedCase_EachHostThenBothTogether()
        {
            var result = new BaselineClassifier().Classify(WorkedCaseHosts);
            var avoton = new CpuidBaselineClassification(result.Hosts[0], isCommon: false);
            var ivy = new CpuidBaselineClassification(result.Hosts[1], isCommon: false);
            var common = new CpuidBaselineClassification(result, isCommon: true);

            Assert.Equal("avoton-c2750", avoton.Name);
            Assert.Equal("intel-westmere", avoton.HighestKey);
            Assert.True(avoton.Verified);
            Assert.Equal(new[] { "intel-sandybridge" }, avoton.NextUp);
            Assert.Equal(new[] { "PCID, XSAVE, AVX, XSAVE_SSE, XSAVE_YMM" }, avoton.MissingForNext);

            Assert.Equal("intel-ivybridge", ivy.HighestKey);
            Assert.True(ivy.Verified); // the old dumper left out leaf 0xD subleaf 1, but only Broadwell needs XSAVEOPT
            Assert.Empty(ivy.Unverified);
            Assert.Equal(new[] { "intel-haswell" }, ivy.NextUp);
            Assert.Contains("MOVBE", ivy.MissingForNext.Single(), StringComparison.Ordinal);
            Assert.DoesNotContain("XSAVEOPT", ivy.MissingForNext.Single(), StringComparison.Ordinal);

            Assert.True(common.IsCommon);
            Assert.Equal("(all hosts)", common.Name);
            Assert.Equal(new[] { "avoton-c2750", "ivybridge-i7-3770k" }, common.Hosts);
            Assert.Equal("intel-westmere", common.HighestKey);
            Assert.Equal("Intel® \"Westmere\" Generation", common.Label);
            Assert.Equal(new[] { "intel-merom", "intel-penryn", "intel-nehalem", "intel-westmere" }, common.Supported);
            Assert.Equal(new[] { "avoton-c2750: PCID, XSAVE, AVX, XSAVE_SSE, XSAVE_YMM" }, common.MissingForNext);
            Assert.Equal("(all hosts): intel-westmere", common.ToString());
        }

        [Fact]
        public void Classification_CommonRowOfOneVendorsHosts_CarriesTheNameGiven()
        {
            var row = new CpuidBaselineClassification(new BaselineClassifier().Classify(WorkedCaseHosts), isCommon: true, "(all GenuineIntel hosts)");

            Assert.Equal("(all GenuineIntel hosts)", row.Name);
        }

        [Fact]
        public void Classification_OneHost_IsItsOwnCommonRowNamedAfterIt()
        {
            var row = new CpuidBaselineClassification(new BaselineClassifier().Classify(WorkedCaseHosts[0]), isCommon: true);

            Assert.Equal("avoton-c2750", row.Name);
            Assert.Equal(new[] { "PCID, XSAVE, AVX, XSAVE_SSE, XSAVE_YMM" }, row.MissingForNext);
        }

        [Fact]
        public void Classification_CpuOfAVendorWithoutEvcModes_HasNoBaselineAndSaysWhy()
        {
            var via = ProfileReader.Read(Path.Combine(RepoFiles.Root, "tests", "data", "dumps", "CentaurHauls00507B3_KX40000_01_CPUID.txt"));

            var row = new CpuidBaselineClassification(new BaselineClassifier().Classify(via), isCommon: true);

            Assert.Null(row.HighestKey);
            Assert.Empty(row.NextUp);
            Assert.Contains("Intel and AMD", row.Note, StringComparison.Ordinal);
        }

        [Fact]
        public void BaselineKeys_Completion_PrefixThenContainsInCatalogOrder()
        {
            var catalog = BaselineCatalog.Default;

            Assert.Equal(
                new[] { "intel-sandybridge", "intel-skylake", "intel-sapphirerapids" },
                BaselineKeys.Complete(catalog, "intel-s", null, includeNone: false).Select(c => c.Text));
            Assert.Equal(new[] { "intel-haswell" }, BaselineKeys.Complete(catalog, "haswell", null, includeNone: false).Select(c => c.Text));
            Assert.Equal(catalog.Baselines.Count, BaselineKeys.Complete(catalog, string.Empty, null, includeNone: false).Count);
            Assert.Contains("Westmere", BaselineKeys.Complete(catalog, "'intel-west", null, includeNone: false).Single().ToolTip, StringComparison.Ordinal);
        }

        [Fact]
        public void HardwareVersions_Completion_NewestFirstInTheFormTypedWithTheProduct()
        {
            var catalog = FeatureCatalog.Default;

            Assert.Equal(new[] { "19", "18", "17", "15", "14", "13", "11", "10" }, HardwareVersions.Complete(catalog, "1").Select(c => c.Text));
            Assert.Equal(new[] { "vmx-22", "vmx-21", "vmx-20" }, HardwareVersions.Complete(catalog, "'vmx-2").Select(c => c.Text));
            Assert.Equal("vmx-14 (ESXi 6.7)", HardwareVersions.Complete(catalog, "14").Single().ToolTip);
            Assert.Equal(catalog.HardwareVersions.Count, HardwareVersions.Complete(catalog, string.Empty).Count);
            Assert.Empty(HardwareVersions.Complete(catalog, "12"));
        }

        [Fact]
        public void Classification_CascadeLakeForAVmx14Vm_IsSkylakeWithCascadeLakeEquivalent()
        {
            var cascade = ProfileReader.Read(Path.Combine(RepoFiles.Root, "tests", "data", "dumps", "GenuineIntel0050656_CascadeLakeSP_CPUID.txt"));

            var row = new CpuidBaselineClassification(new BaselineClassifier(hardwareVersion: 14).Classify(cascade), isCommon: true);

            Assert.Equal(14, row.HardwareVersion);
            Assert.Equal("intel-skylake", row.HighestKey);
            Assert.Equal(new[] { "intel-cascadelake" }, row.EquivalentAbove);
        }

        [Fact]
        public void BaselineKeys_Completion_NarrowedByVendorAndOfferingNoneForPerVmEvc()
        {
            var catalog = BaselineCatalog.Default;

            Assert.All(BaselineKeys.Complete(catalog, string.Empty, BaselineVendor.Amd, includeNone: false), c => Assert.StartsWith("amd-", c.Text, StringComparison.Ordinal));
            Assert.Equal("none", BaselineKeys.Complete(catalog, "n", null, includeNone: true).First().Text);
            Assert.DoesNotContain(BaselineKeys.Complete(catalog, "n", null, includeNone: false), c => c.Text == "none");
            Assert.DoesNotContain(BaselineKeys.Complete(catalog, "intel", null, includeNone: true), c => c.Text == "none");
        }

        [Fact]
        public void BaselineKeys_VendorOf_ReadsWhatIsTypedOrBound()
        {
            Assert.Equal(BaselineVendor.Amd, BaselineKeys.VendorOf("amd"));
            Assert.Equal(BaselineVendor.Amd, BaselineKeys.VendorOf("'AMD'"));
            Assert.Equal(BaselineVendor.Intel, BaselineKeys.VendorOf(BaselineVendor.Intel));
            Assert.Null(BaselineKeys.VendorOf("via"));
            Assert.Null(BaselineKeys.VendorOf(null));
        }
    }
}
