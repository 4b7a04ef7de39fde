using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Masks;

namespace CpuidMask.PowerShell
{
    /// <summary>The action text -WhatIf and -Confirm show for a mask write, naming every key.</summary>
    internal static class MaskChangeDescription
    {
        /// <summary>"Set CPUID mask cpuid.1.ecx, cpuid.7.ebx; remove cpuid.80000001.edx".</summary>
        public static string Action(IReadOnlyList<KeyChange> changes, string verb)
        {
            var set = changes.Where(c => c.NewValue != null).Select(c => c.Key).ToArray();
            var removed = changes.Where(c => c.NewValue == null).Select(c => c.Key).ToArray();
            var parts = new List<string>();
            if (set.Length > 0)
            {
                parts.Add($"{verb} {string.Join(", ", set)}");
            }

            if (removed.Length > 0)
            {
                parts.Add($"{(set.Length > 0 ? "remove" : "Remove CPUID mask")} {string.Join(", ", removed)}");
            }

            return string.Join("; ", parts);
        }
    }
}
