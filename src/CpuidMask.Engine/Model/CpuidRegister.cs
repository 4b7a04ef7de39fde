using System;

namespace CpuidMask.Engine.Model
{
    /// <summary>The four output registers of the CPUID instruction.</summary>
    public enum CpuidRegister
    {
        Eax = 0,
        Ebx = 1,
        Ecx = 2,
        Edx = 3,
    }

    public static class CpuidRegisterNames
    {
        /// <summary>Lower-case name as used in .vmx keys: eax, ebx, ecx, edx.</summary>
        public static string ToName(this CpuidRegister register) => register switch
        {
            CpuidRegister.Eax => "eax",
            CpuidRegister.Ebx => "ebx",
            CpuidRegister.Ecx => "ecx",
            CpuidRegister.Edx => "edx",
            _ => throw new ArgumentOutOfRangeException(nameof(register)),
        };

        public static bool TryParse(string? text, out CpuidRegister register)
        {
            switch (text?.Trim().ToLowerInvariant())
            {
                case "eax": register = CpuidRegister.Eax; return true;
                case "ebx": register = CpuidRegister.Ebx; return true;
                case "ecx": register = CpuidRegister.Ecx; return true;
                case "edx": register = CpuidRegister.Edx; return true;
                default: register = default; return false;
            }
        }
    }
}
