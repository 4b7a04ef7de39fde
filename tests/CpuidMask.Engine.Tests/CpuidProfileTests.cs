using CpuidMask.Engine.Model;
using CpuidMask.Engine.Tests.Analysis;
using Xunit;

namespace CpuidMask.Engine.Tests
{
    public class CpuidProfileTests
    {
        [Theory]
        [InlineData("ICX", 17u, 1, FeatureState.Absent)]          // no AMX: XCR0 bit 17 clear, and IA32_XSS's too
        [InlineData("ICX", 11u, 0, FeatureState.Absent)]          // no CET: IA32_XSS bit 11 clear
        [InlineData("SapphireRapids", 18u, 2, FeatureState.Present)] // XTILEDATA supports XFD
        [InlineData("SapphireRapids", 17u, 2, FeatureState.Absent)]  // listed, and clear
        [InlineData("00306A9_IvyBridge_", 11u, 0, FeatureState.Unknown)] // the old dumper left out subleaf 1: IA32_XSS unknown
        [InlineData("00306A9_IvyBridge_", 17u, 1, FeatureState.Absent)]  // XTILECFG is a user state: XCR0 alone says no
        [InlineData("Avoton", 17u, 1, FeatureState.Absent)]       // leaf 0xD is above its highest leaf
        public void GetBit_Leaf0xDSubleafOfAComponentTheCpuLacks_IsAbsent(string dump, uint subleaf, int bit, FeatureState expected)
        {
            Assert.Equal(expected, DumpProfiles.Find(dump).GetBit(0xD, subleaf, CpuidRegister.Ecx, bit));
        }
    }
}
