using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Model;
using Xunit;

namespace CpuidMask.Engine.Tests.Analysis
{
    public class CpuVendorsTests
    {
        [Theory]
        [InlineData("GenuineIntel", "GenuineIntel", true)]
        [InlineData("AuthenticAMD", "HygonGenuine", true)]
        [InlineData("HygonGenuine", "AuthenticAMD", true)]
        [InlineData("GenuineIntel", "AuthenticAMD", false)]
        [InlineData("HygonGenuine", "GenuineIntel", false)]
        [InlineData("CentaurHauls", "GenuineIntel", false)]
        [InlineData("CentaurHauls", "CentaurHauls", true)]
        public void SameLayout_HygonReadsAsAmdAndNothingElseMixes(string first, string second, bool same)
        {
            Assert.Equal(same, CpuVendors.SameLayout(first, second));
        }

        [Fact]
        public void CpuVendor_OfAMaskOverHosts_IsTheHostsVendor()
        {
            var mask = new MaskGenerator().Generate(new[] { DumpProfiles.Find("Rome"), DumpProfiles.Find("Milan") });

            Assert.Equal(CpuVendors.Amd, mask.CpuVendor);
        }

        [Theory]
        [InlineData("intel-westmere", "GenuineIntel")]
        [InlineData("amd-zen2", "AuthenticAMD")]
        public void CpuVendor_OfACompleteBaselineMask_IsTheBaselinesVendor(string key, string vendor)
        {
            Assert.Equal(vendor, new BaselineMaskGenerator().Generate(key).CpuVendor);
        }
    }
}
