using System;

namespace CpuidMask.Engine.Masks
{
    /// <summary>
    /// One character of VMware's CPUID mask language (VMotion and CPU Compatibility guide, appendix B).
    /// </summary>
    public enum MaskChar
    {
        /// <summary><c>-</c>: take the layer below (the default mask). Only meaningful in override masks.</summary>
        Inherit = '-',
        /// <summary><c>X</c>: don't care; not used by guests and not compared.</summary>
        DontCare = 'X',
        /// <summary><c>H</c>: the guest sees the host's bit; source and destination must match.</summary>
        Host = 'H',
        /// <summary><c>0</c>: hidden from the guest; not compared.</summary>
        Zero = '0',
        /// <summary><c>R</c>: hidden from the guest, but the host bits must still match.</summary>
        HiddenCompared = 'R',
        /// <summary><c>F</c>: the guest sees 0 and the host bit must be 0.</summary>
        RequireClear = 'F',
        /// <summary><c>1</c>: the guest sees 1 whatever the host has; not compared.</summary>
        One = '1',
        /// <summary><c>T</c>: the guest sees 1 and the host bit must be 1.</summary>
        RequireSet = 'T',
    }

    /// <summary>How each mask character behaves; the single place its semantics are written down.</summary>
    public static class MaskChars
    {
        public static char ToChar(this MaskChar value) => (char)value;

        public static bool TryParse(char c, out MaskChar value)
        {
            switch (char.ToUpperInvariant(c))
            {
                case '-': value = MaskChar.Inherit; return true;
                case 'X': value = MaskChar.DontCare; return true;
                case 'H': value = MaskChar.Host; return true;
                case '0': value = MaskChar.Zero; return true;
                case 'R': value = MaskChar.HiddenCompared; return true;
                case 'F': value = MaskChar.RequireClear; return true;
                case '1': value = MaskChar.One; return true;
                case 'T': value = MaskChar.RequireSet; return true;
                default: value = default; return false;
            }
        }

        /// <summary>The guest sees 0 whatever the host has.</summary>
        public static bool Hides(this MaskChar value) =>
            value == MaskChar.Zero || value == MaskChar.HiddenCompared || value == MaskChar.RequireClear;

        /// <summary>The guest sees 1 whatever the host has.</summary>
        public static bool Forces(this MaskChar value) => value == MaskChar.One || value == MaskChar.RequireSet;

        /// <summary>The guest sees the host's own bit.</summary>
        public static bool PassesThrough(this MaskChar value) => !value.Hides() && !value.Forces();

        /// <summary>The legacy vMotion check compares this bit between source and destination.</summary>
        public static bool IsCompared(this MaskChar value) =>
            value == MaskChar.Host || value == MaskChar.HiddenCompared || value == MaskChar.RequireSet || value == MaskChar.RequireClear;

        /// <summary>
        /// Combines two wishes for one bit. The characters form a tree: <c>-</c> below <c>X</c> below
        /// <c>H</c>, then a hiding chain <c>0 &lt; R &lt; F</c> and a forcing chain <c>1 &lt; T</c>. The
        /// result is the higher of the two; one from each chain cannot both hold and is a conflict.
        /// That makes merging commutative, associative and idempotent.
        /// </summary>
        public static bool TryMerge(MaskChar a, MaskChar b, out MaskChar merged)
        {
            if (a == b)
            {
                merged = a;
                return true;
            }

            if ((a.Hides() && b.Forces()) || (a.Forces() && b.Hides()))
            {
                merged = default;
                return false;
            }

            merged = Rank(a) >= Rank(b) ? a : b;
            return true;
        }

        private static int Rank(MaskChar value) => value switch
        {
            MaskChar.Inherit => 0,
            MaskChar.DontCare => 1,
            MaskChar.Host => 2,
            MaskChar.Zero => 3,
            MaskChar.One => 3,
            MaskChar.HiddenCompared => 4,
            MaskChar.RequireSet => 4,
            MaskChar.RequireClear => 5,
            _ => throw new ArgumentOutOfRangeException(nameof(value)),
        };
    }
}
