using System;
using System.Text.RegularExpressions;
using CpuidMask.Engine;
using CpuidMask.PowerShell;
using Xunit;

namespace CpuidMask.Module.Tests
{
    /// <summary>The ways out the layers below name, in the module's cmdlets and parameters.</summary>
    public class RemedyWordingTests
    {
        [Fact]
        public void RemedyWording_PerVmEvcWithoutIdentity_NamesTheModulesWaysOut()
        {
            var ex = new CpuidMaskException("PerVmEvcIdentityMissing", ErrorKind.NotImplemented, "No identity.", "intel-haswell") { Remedy = new Remedy(RemedyKind.VCenterEvcMode, "intel-haswell") };

            string message = RemedyWording.Describe(ex);

            Assert.Contains("Set-VmEvcMode -Baseline intel-haswell", message, StringComparison.Ordinal);
            Assert.Contains("Set-VmCpuidMask -Baseline intel-haswell", message, StringComparison.Ordinal);
            Assert.DoesNotMatch(new Regex(@"\bcpuidmask\b"), message);
            Assert.DoesNotContain("--", message, StringComparison.Ordinal);
        }
    }
}
