using System;
using System.Globalization;
using System.Text.RegularExpressions;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Masks
{
    /// <summary>
    /// Which register a mask is for, in the .vmx key form <c>cpuid.&lt;leaf hex&gt;[.&lt;subleaf&gt;].&lt;reg&gt;[.amd|.intel]</c>,
    /// e.g. <c>cpuid.1.ecx</c>, <c>cpuid.80000001.ecx</c>, <c>cpuid.d.eax</c>.
    /// </summary>
    public readonly struct MaskKey : IEquatable<MaskKey>, IComparable<MaskKey>
    {
        // The whole key and nothing else: ESXi matches extraConfig keys exactly (but for case), so " cpuid.1.ecx" or
        // "cpuid.1.ecx\n" is another key, never this register's mask ('$' would let a trailing newline through).
        private static readonly Regex KeyPattern = new Regex(
            @"^cpuid\.(?<leaf>[0-9a-f]{1,8})(\.(?<sub>[0-9a-f]{1,8}))?\.(?<reg>eax|ebx|ecx|edx)(\.(?<vendor>amd|intel))?\z",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        public MaskKey(uint leaf, uint subleaf, CpuidRegister register, string? vendor = null)
        {
            Leaf = leaf;
            Subleaf = subleaf;
            Register = register;
            Vendor = string.IsNullOrEmpty(vendor) ? null : vendor!.ToLowerInvariant();
        }

        public uint Leaf { get; }

        public uint Subleaf { get; }

        public CpuidRegister Register { get; }

        /// <summary>null for masks that apply on every vendor, "amd" or "intel" for vendor variants.</summary>
        public string? Vendor { get; }

        public LeafKey LeafKey => new LeafKey(Leaf, Subleaf);

        /// <summary>Whether an extraConfig key is a raw CPUID mask key.</summary>
        public static bool IsMaskKey(string key) => KeyPattern.IsMatch(key ?? string.Empty);

        public static bool TryParse(string? key, out MaskKey result)
        {
            var match = KeyPattern.Match(key ?? string.Empty);
            if (!match.Success)
            {
                result = default;
                return false;
            }

            uint leaf = uint.Parse(match.Groups["leaf"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            uint sub = match.Groups["sub"].Success ? uint.Parse(match.Groups["sub"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture) : 0;
            CpuidRegisterNames.TryParse(match.Groups["reg"].Value, out var register);
            result = new MaskKey(leaf, sub, register, match.Groups["vendor"].Success ? match.Groups["vendor"].Value : null);
            return true;
        }

        public static MaskKey Parse(string key) =>
            TryParse(key, out var result)
                ? result
                : throw new CpuidMaskException(
                    "MaskKeyMalformed",
                    ErrorKind.InvalidData,
                    $"'{key}' is not a CPUID mask key; expected cpuid.<leaf hex>[.<subleaf>].<eax|ebx|ecx|edx>[.amd|.intel], e.g. cpuid.1.ecx or cpuid.80000001.ecx.",
                    key);

        /// <summary>Whether the mask applies on a CPU of this vendor string.</summary>
        public bool AppliesTo(string cpuVendor) => Vendor switch
        {
            null => true,
            "amd" => cpuVendor == "AuthenticAMD" || cpuVendor == "HygonGenuine",
            _ => cpuVendor == "GenuineIntel",
        };

        /// <summary>
        /// The .vmx key. Subleaf 0 is written without a subleaf, the form vSphere documents; other subleaves
        /// use the <c>cpuid.&lt;leaf&gt;.&lt;subleaf&gt;.&lt;reg&gt;</c> form.
        /// </summary>
        public override string ToString()
        {
            string text = "cpuid." + Leaf.ToString("x", CultureInfo.InvariantCulture);
            if (Subleaf != 0)
            {
                text += "." + Subleaf.ToString("x", CultureInfo.InvariantCulture);
            }

            text += "." + Register.ToName();
            return Vendor == null ? text : text + "." + Vendor;
        }

        public bool Equals(MaskKey other) =>
            Leaf == other.Leaf && Subleaf == other.Subleaf && Register == other.Register && Vendor == other.Vendor;

        public override bool Equals(object? obj) => obj is MaskKey other && Equals(other);

        public override int GetHashCode() => unchecked((int)(Leaf * 31 + Subleaf * 7) ^ ((int)Register << 28) ^ (Vendor?.GetHashCode() ?? 0));

        public int CompareTo(MaskKey other)
        {
            int c = LeafKey.CompareTo(other.LeafKey);
            if (c == 0)
            {
                c = Register.CompareTo(other.Register);
            }

            return c != 0 ? c : string.CompareOrdinal(Vendor, other.Vendor);
        }
    }
}
