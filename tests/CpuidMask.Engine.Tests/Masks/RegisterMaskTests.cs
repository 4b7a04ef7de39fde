using System;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Masks;
using Xunit;

namespace CpuidMask.Engine.Tests.Masks
{
    public class RegisterMaskTests
    {
        private const string Alphabet = "-XTF10HR";

        [Theory]
        [InlineData("--00-0---0----0-----------------")]
        [InlineData("RRRR RRRR RRRR RRR0 00XR R0H0 000H 0RRH")]
        [InlineData("----:----:----:----:----:----:----:---0")]
        public void Parse_GroupedOrPlain_RoundTripsToPlainText(string text)
        {
            var mask = RegisterMask.Parse(text);

            Assert.Equal(text.Replace(" ", string.Empty).Replace(":", string.Empty), mask.ToString());
        }

        [Fact]
        public void Parse_LeftmostCharacter_IsBit31()
        {
            var mask = RegisterMask.Parse("0-------------------------------");

            Assert.Equal(MaskChar.Zero, mask[31]);
            Assert.Equal(MaskChar.Inherit, mask[0]);
        }

        [Fact]
        public void Parse_LowerCaseLetters_AreAccepted()
        {
            Assert.Equal("HHHHRRRRXXXXTTTTFFFF000011110000", RegisterMask.Parse("hhhhrrrrxxxxttttffff000011110000").ToString());
        }

        [Theory]
        [InlineData("--00-0---0----0----------------", "has 31 mask characters")]
        [InlineData("--00-0---0----0------------------", "has 33 mask characters")]
        [InlineData("--00-0---0----0-------------Z---", "has 'Z' at position 29")]
        public void Parse_MalformedText_ThrowsMaskMalformedNamingTheProblem(string text, string expected)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => RegisterMask.Parse(text, "cpuid.1.ecx"));

            Assert.Equal("MaskMalformed", ex.ErrorId);
            Assert.Contains(expected, ex.Message);
            Assert.Contains("cpuid.1.ecx", ex.Message);
            Assert.Equal(text, ex.Target);
        }

        [Fact]
        public void Overlay_DomainExample_GivesDocumentedFinalMask()
        {
            var defaultMask = RegisterMask.Parse("RRRR RRRR RRRR RRR0 00XR R0H0 000H 0RRH");
            var overrideMask = RegisterMask.Parse("---- ---- ---- ---- ---- --0- ---- ----");

            var final = RegisterMask.Overlay(defaultMask, overrideMask);

            Assert.Equal("RRRR RRRR RRRR RRR0 00XR R000 000H 0RRH", final.Format(' '));
        }

        [Fact]
        public void Apply_HidesZeroRAndF_ForcesOneAndT_PassesOthers()
        {
            var mask = RegisterMask.Parse("0RF1T-XH" + new string('-', 24));

            uint guest = mask.Apply(0xFFFFFFFFu);
            uint guestFromZero = mask.Apply(0u);

            Assert.Equal(0x1FFFFFFFu | (1u << 28), guest);
            Assert.Equal((1u << 28) | (1u << 27), guestFromZero);
        }

        [Fact]
        public void LegacyCheck_ComparesOnlyHRTF()
        {
            var mask = RegisterMask.Parse(new string('-', 24) + "HRTF10X-");

            // bits 7..0 = H R T F 1 0 X -
            var failing = mask.LegacyCheck(source: 0b1010_0000, destination: 0b0110_0011);

            Assert.Equal(new[] { 6, 7 }, failing.ToArray());
            Assert.Empty(mask.LegacyCheck(0b1110_1111, 0b1110_0000));
            Assert.Equal(new[] { 4 }, mask.LegacyCheck(0b1111_0000, 0b1111_0000).ToArray());
        }

        [Fact]
        public void Merge_HidingWinsOverPassThrough()
        {
            var merged = RegisterMask.Merge(RegisterMask.Parse(new string('H', 32)), RegisterMask.Parse(new string('-', 31) + "0"), out var conflicts);

            Assert.Empty(conflicts);
            Assert.Equal(MaskChar.Zero, merged[0]);
            Assert.Equal(MaskChar.Host, merged[1]);
        }

        [Theory]
        [InlineData('1', '0')]
        [InlineData('T', 'F')]
        [InlineData('1', 'R')]
        [InlineData('T', '0')]
        public void Merge_ForcedAgainstHidden_IsAConflictOnThatBit(char a, char b)
        {
            var left = RegisterMask.Parse(new string('-', 22) + a + new string('-', 9));
            var right = RegisterMask.Parse(new string('-', 22) + b + new string('-', 9));

            RegisterMask.Merge(left, right, out var conflicts);

            Assert.Equal(new[] { 9 }, conflicts.ToArray());
        }

        [Fact]
        public void Property_ParseFormat_RoundTripsForRandomMasks()
        {
            var random = new Random(20261122);
            for (int i = 0; i < 2000; i++)
            {
                string text = RandomText(random);
                var mask = RegisterMask.Parse(text);
                Assert.Equal(text, mask.ToString());
                Assert.Equal(mask, RegisterMask.Parse(mask.Format(':')));
                Assert.Equal(mask, RegisterMask.Parse(mask.Format(' ')));
            }
        }

        [Fact]
        public void Property_Merge_IsCommutativeIdempotentAndAssociative()
        {
            var random = new Random(7);
            for (int i = 0; i < 2000; i++)
            {
                var a = RegisterMask.Parse(RandomText(random));
                var b = RegisterMask.Parse(RandomText(random));
                var c = RegisterMask.Parse(RandomText(random));

                var ab = RegisterMask.Merge(a, b, out var abConflicts);
                var ba = RegisterMask.Merge(b, a, out var baConflicts);
                Assert.Equal(abConflicts, baConflicts);
                if (abConflicts.Count == 0)
                {
                    Assert.Equal(ab, ba);
                }

                Assert.Equal(a, RegisterMask.Merge(a, a, out var selfConflicts));
                Assert.Empty(selfConflicts);

                var abThenC = RegisterMask.Merge(ab, c, out var c1);
                var bc = RegisterMask.Merge(b, c, out var c2);
                var aThenBc = RegisterMask.Merge(a, bc, out var c3);
                if (abConflicts.Count == 0 && c1.Count == 0 && c2.Count == 0 && c3.Count == 0)
                {
                    Assert.Equal(abThenC, aThenBc);
                }
            }
        }

        [Fact]
        public void Property_Merge_NeverShowsABitEitherSideHides()
        {
            var random = new Random(11);
            for (int i = 0; i < 2000; i++)
            {
                var a = RegisterMask.Parse(RandomText(random));
                var b = RegisterMask.Parse(RandomText(random));
                uint host = (uint)random.Next() ^ ((uint)random.Next() << 16);
                var merged = RegisterMask.Merge(a, b, out var conflicts);
                uint guest = merged.Apply(host);
                for (int bit = 0; bit < 32; bit++)
                {
                    if (conflicts.Contains(bit))
                    {
                        continue;
                    }

                    if (a[bit].Hides() || b[bit].Hides())
                    {
                        Assert.Equal(0u, (guest >> bit) & 1);
                    }
                }
            }
        }

        private static string RandomText(Random random) =>
            new string(Enumerable.Range(0, 32).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray());
    }
}
