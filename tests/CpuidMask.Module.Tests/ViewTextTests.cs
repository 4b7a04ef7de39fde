using System;
using CpuidMask.PowerShell;
using Xunit;

namespace CpuidMask.Module.Tests
{
    /// <summary>The line breaking the default views use instead of PowerShell's culture-dependent wrapping.</summary>
    public class ViewTextTests
    {
        private static string Lines(params string[] lines) => string.Join(Environment.NewLine, lines);

        [Fact]
        public void Wrap_LongText_BreaksAtTheLastSpaceThatFits()
        {
            Assert.Equal(
                Lines("missing on avoton-c2750,", "ivybridge-i7-3770k"),
                ViewText.Wrap("missing on avoton-c2750, ivybridge-i7-3770k", 26));
        }

        [Fact]
        public void Wrap_TextThatFits_IsLeftAlone()
        {
            Assert.Equal("not in baseline intel-haswell", ViewText.Wrap("not in baseline intel-haswell", 29));
        }

        [Fact]
        public void Wrap_WordLongerThanTheWidth_KeepsALineOfItsOwnWhole()
        {
            Assert.Equal(
                Lines("set", "cpuid.ALWAYS_SERIALIZING_LFENCE", "now"),
                ViewText.Wrap("set cpuid.ALWAYS_SERIALIZING_LFENCE now", 10));
        }

        [Fact]
        public void Wrap_LineBreaksInTheText_AreKeptAndEachLineIsWrapped()
        {
            Assert.Equal(
                Lines("intel-haswell: FMA,", "MOVBE", "intel-broadwell: RTM"),
                ViewText.Wrap("intel-haswell: FMA, MOVBE\r\nintel-broadwell: RTM", 20));
        }

        [Fact]
        public void Wrap_RunsOfSpaces_NeverStartALine()
        {
            Assert.Equal(
                Lines("Intel(R) Atom(TM) CPU", "C2750  @ 2.40GHz"),
                ViewText.Wrap("Intel(R) Atom(TM) CPU  C2750  @ 2.40GHz", 22));
        }

        [Fact]
        public void Wrap_NothingOrNoWidth_IsEmptyOrRefused()
        {
            Assert.Equal(string.Empty, ViewText.Wrap(null, 10));
            Assert.Equal(string.Empty, ViewText.Wrap(string.Empty, 10));
            Assert.Throws<ArgumentOutOfRangeException>(() => ViewText.Wrap("text", 0));
        }

        [Fact]
        public void WrapList_FeatureNames_BreakAfterAComma()
        {
            Assert.Equal(
                Lines("PCID, XSAVE, AVX, F16C,", "FSGSBASE, XSAVE_SSE, XSAVE_YMM"),
                ViewText.WrapList(new[] { "PCID", "XSAVE", "AVX", "F16C", "FSGSBASE", "XSAVE_SSE", "XSAVE_YMM" }, 30));
            Assert.Equal(string.Empty, ViewText.WrapList(null, 30));
        }
    }
}
