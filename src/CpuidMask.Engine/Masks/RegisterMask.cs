using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace CpuidMask.Engine.Masks
{
    /// <summary>
    /// A 32-character mask for one register. Text form: leftmost character is bit 31, optionally
    /// grouped in fours with spaces or colons. Immutable.
    /// </summary>
    public sealed class RegisterMask : IEquatable<RegisterMask>
    {
        private readonly MaskChar[] _bits; // index = bit number

        private RegisterMask(MaskChar[] bits)
        {
            _bits = bits;
        }

        /// <summary>All <c>-</c>: changes nothing.</summary>
        public static RegisterMask Empty { get; } = Filled(MaskChar.Inherit);

        public static RegisterMask Filled(MaskChar value) => new RegisterMask(Enumerable.Repeat(value, 32).ToArray());

        public MaskChar this[int bit] => _bits[CheckBit(bit)];

        /// <summary>True when every character is <c>-</c>.</summary>
        public bool IsEmpty => _bits.All(b => b == MaskChar.Inherit);

        /// <summary>Bits (0-31) whose character satisfies the predicate, low to high.</summary>
        public IEnumerable<int> Bits(Func<MaskChar, bool> predicate)
        {
            for (int bit = 0; bit < 32; bit++)
            {
                if (predicate(_bits[bit]))
                {
                    yield return bit;
                }
            }
        }

        public RegisterMask With(int bit, MaskChar value)
        {
            var copy = (MaskChar[])_bits.Clone();
            copy[CheckBit(bit)] = value;
            return new RegisterMask(copy);
        }

        public static RegisterMask Parse(string text, string? what = null)
        {
            if (TryParse(text, out var mask, out string? problem))
            {
                return mask;
            }

            string subject = what == null ? "Mask" : $"Mask {what}";
            throw new CpuidMaskException("MaskMalformed", ErrorKind.InvalidData, $"{subject} \"{InputText.Show(text)}\" {problem}", text);
        }

        /// <summary>Parses a mask; <paramref name="problem"/> says what is wrong when it returns false.</summary>
        public static bool TryParse(string? text, out RegisterMask mask, out string? problem)
        {
            mask = Empty;
            if (text == null)
            {
                problem = "is missing.";
                return false;
            }

            var chars = new List<MaskChar>(32);
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c == ' ' || c == ':')
                {
                    continue;
                }

                if (!MaskChars.TryParse(c, out var value))
                {
                    problem = string.Format(CultureInfo.InvariantCulture, "has '{0}' at position {1}; a mask uses only the characters - X T F 1 0 H R (spaces or colons may group them).", InputText.Show(c.ToString()), i + 1);
                    return false;
                }

                chars.Add(value);
            }

            if (chars.Count != 32)
            {
                problem = string.Format(CultureInfo.InvariantCulture, "has {0} mask characters; a register mask has exactly 32 (bit 31 first).", chars.Count);
                return false;
            }

            chars.Reverse();
            mask = new RegisterMask(chars.ToArray());
            problem = null;
            return true;
        }

        /// <summary>32 characters, bit 31 first, no grouping (the form .vmx files use).</summary>
        public override string ToString() => Format(null);

        /// <summary>Optionally groups in fours with the given separator, e.g. ' ' or ':'.</summary>
        public string Format(char? groupSeparator)
        {
            var builder = new StringBuilder(40);
            for (int bit = 31; bit >= 0; bit--)
            {
                builder.Append(_bits[bit].ToChar());
                if (groupSeparator is char sep && bit % 4 == 0 && bit != 0)
                {
                    builder.Append(sep);
                }
            }

            return builder.ToString();
        }

        /// <summary>
        /// The final mask the guest gets: the override's character wherever it is not <c>-</c>, else the default's.
        /// </summary>
        public static RegisterMask Overlay(RegisterMask defaultMask, RegisterMask overrideMask)
        {
            var result = new MaskChar[32];
            for (int bit = 0; bit < 32; bit++)
            {
                result[bit] = overrideMask._bits[bit] == MaskChar.Inherit ? defaultMask._bits[bit] : overrideMask._bits[bit];
            }

            return new RegisterMask(result);
        }

        /// <summary>The register value a guest sees on a host with the given value (<c>-</c>, X, H pass the host bit).</summary>
        public uint Apply(uint hostValue)
        {
            uint result = hostValue;
            for (int bit = 0; bit < 32; bit++)
            {
                if (_bits[bit].Hides())
                {
                    result &= ~(1u << bit);
                }
                else if (_bits[bit].Forces())
                {
                    result |= 1u << bit;
                }
            }

            return result;
        }

        /// <summary>
        /// VirtualCenter 2.x's strict check: every H, R, T, F bit must agree between the two hosts
        /// (T: set on both; F: clear on both). Returns the failing bits, low to high.
        /// </summary>
        public IReadOnlyList<int> LegacyCheck(uint source, uint destination)
        {
            var failing = new List<int>();
            for (int bit = 0; bit < 32; bit++)
            {
                bool s = ((source >> bit) & 1) != 0;
                bool d = ((destination >> bit) & 1) != 0;
                bool ok = _bits[bit] switch
                {
                    MaskChar.Host => s == d,
                    MaskChar.HiddenCompared => s == d,
                    MaskChar.RequireSet => s && d,
                    MaskChar.RequireClear => !s && !d,
                    _ => true,
                };
                if (!ok)
                {
                    failing.Add(bit);
                }
            }

            return failing;
        }

        /// <summary>
        /// Merges two masks bit by bit (<see cref="MaskChars.TryMerge"/>): hiding wins over passing
        /// through, and forcing a bit to 1 against hiding it is a conflict. Returns the conflicting bits.
        /// </summary>
        public static RegisterMask Merge(RegisterMask a, RegisterMask b, out IReadOnlyList<int> conflicts)
        {
            var result = new MaskChar[32];
            var clashes = new List<int>();
            for (int bit = 0; bit < 32; bit++)
            {
                if (MaskChars.TryMerge(a._bits[bit], b._bits[bit], out var merged))
                {
                    result[bit] = merged;
                }
                else
                {
                    result[bit] = a._bits[bit];
                    clashes.Add(bit);
                }
            }

            conflicts = clashes;
            return new RegisterMask(result);
        }

        public bool Equals(RegisterMask? other) => other != null && _bits.SequenceEqual(other._bits);

        public override bool Equals(object? obj) => Equals(obj as RegisterMask);

        public override int GetHashCode() => ToString().GetHashCode();

        private static int CheckBit(int bit) =>
            bit >= 0 && bit <= 31 ? bit : throw new ArgumentOutOfRangeException(nameof(bit), bit, "A register has bits 0 to 31.");
    }
}
