using System;

namespace CpuidMask.Engine.Model
{
    /// <summary>
    /// CPU vendor strings (leaf 0's EBX-EDX-ECX) and which of them share a feature layout. A mask hides bits by
    /// position, and outside leaf 1 and 7 the same position means different features on Intel and AMD, so a mask
    /// made for one vendor's CPUs must not be written to a VM running on another's.
    /// </summary>
    public static class CpuVendors
    {
        public const string Intel = "GenuineIntel";
        public const string Amd = "AuthenticAMD";
        public const string Hygon = "HygonGenuine";

        /// <summary>Whether CPUs of the two vendors read CPUID bits the same way (Hygon's are AMD's; unknown vendors match only themselves).</summary>
        public static bool SameLayout(string first, string second) =>
            string.Equals(Family(first), Family(second), StringComparison.Ordinal);

        /// <summary>"Intel", "AMD" (AMD and Hygon), or the vendor string itself: the name users know the layout by.</summary>
        public static string Family(string vendor) => vendor switch
        {
            Intel => "Intel",
            Amd or Hygon => "AMD",
            _ => vendor,
        };
    }
}
