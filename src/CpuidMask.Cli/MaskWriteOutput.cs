using System.Globalization;
using System.IO;
using CpuidMask.Engine.Masks;
using CpuidMask.Vim.Masks;

namespace CpuidMask.Cli
{
    /// <summary>How apply and undo print what they did to each VM.</summary>
    internal static class MaskWriteOutput
    {
        public static void Write(TextWriter o, MaskApplyResult result)
        {
            string what = result.Status switch
            {
                MaskApplyStatus.Unchanged => result.Operation == MaskOperation.Undo
                    ? "unchanged (already restored)"
                    : "unchanged (it already has this mask; nothing was sent)",
                MaskApplyStatus.WhatIf => $"what if: would change {Count(result.Changes.Count)}; nothing was written",
                _ => (result.Operation == MaskOperation.Undo ? "undone" : "applied") + $", {Count(result.Changes.Count)}, " +
                     (result.Verified ? "verified by reading the VM back" : "NOT verified"),
            };
            o.WriteLine($"{result.VmName} ({result.MoRef} on {result.Server}): {what}");
            foreach (var change in result.Changes)
            {
                o.WriteLine($"  {change.Key}: {Show(change.PreviousValue, "(absent)")} -> {Show(change.NewValue, "(removed)")}");
            }

            foreach (var pair in result.Kept)
            {
                o.WriteLine($"  kept: {pair.Key} = \"{pair.Value}\" (already on the VM" + (result.Mode == MaskWriteMode.Merge ? "; merged, use --replace to drop it)" : ")"));
            }

            foreach (string problem in result.Problems)
            {
                o.WriteLine("  NOT KEPT: " + problem);
            }

            if (result.ChangeVersion != null)
            {
                o.WriteLine($"  change version: {result.ChangeVersion}");
            }

            if (result.Note != null && result.Status != MaskApplyStatus.Unchanged)
            {
                o.WriteLine("  " + (result.AppliesAtNextPowerOn ? "note: " : string.Empty) + result.Note);
            }
        }

        private static string Count(int n) => n == 1 ? "1 key" : n.ToString(CultureInfo.InvariantCulture) + " keys";

        private static string Show(string? value, string absent) => value == null ? absent : "\"" + value + "\"";
    }
}
