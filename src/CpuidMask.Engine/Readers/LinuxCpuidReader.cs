using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Readers
{
    /// <summary>
    /// Raw output of the Linux <c>cpuid</c> tool (<c>cpuid -r</c>): a <c>CPU n:</c> header per logical
    /// CPU (<c>CPU:</c> with <c>-1</c>) and lines <c>   0x00000007 0x00: eax=0x... ebx=0x... ecx=0x... edx=0x...</c>.
    /// Very old versions of the tool print no subleaf column; such lines are subleaf 0.
    /// </summary>
    internal static class LinuxCpuidReader
    {
        private const string Expected = "0x<leaf> 0x<subleaf>: eax=0x<hex> ebx=0x<hex> ecx=0x<hex> edx=0x<hex>";

        private static readonly Regex DataLine = new Regex(
            @"^\s*0x([0-9a-fA-F]{1,8})(?:\s+0x([0-9a-fA-F]{1,8}))?:\s+eax=0x([0-9a-fA-F]{1,8})\s+ebx=0x([0-9a-fA-F]{1,8})\s+ecx=0x([0-9a-fA-F]{1,8})\s+edx=0x([0-9a-fA-F]{1,8})\s*$",
            RegexOptions.CultureInvariant);

        private static readonly Regex CpuHeader = new Regex(@"^\s*CPU(?:\s+\d+)?\s*:\s*$", RegexOptions.CultureInvariant);

        private static readonly Regex Detector = new Regex(
            @"^\s*0x[0-9a-fA-F]{8}(?:\s+0x[0-9a-fA-F]{1,8})?:\s+eax=0x[0-9a-fA-F]",
            RegexOptions.CultureInvariant | RegexOptions.Multiline);

        public static bool Looks(string text) => Detector.IsMatch(text);

        public static IReadOnlyList<CpuidProfile> Parse(string text, string sourceName)
        {
            var blocks = new List<LeafBlock>();
            LeafBlock? current = null;
            foreach (var pair in DumpReading.Lines(text))
            {
                string line = pair.Value;
                if (CpuHeader.IsMatch(line))
                {
                    current = null;
                    continue;
                }

                string trimmed = line.TrimStart();
                if (!trimmed.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || trimmed.IndexOf("eax=", StringComparison.OrdinalIgnoreCase) < 0)
                {
                    continue;
                }

                var match = DataLine.Match(line);
                if (!match.Success)
                {
                    throw DumpReading.Malformed(sourceName, pair.Key, line, Expected);
                }

                if (current == null)
                {
                    current = new LeafBlock(pair.Key);
                    blocks.Add(current);
                }

                current.Add(new CpuidLeaf(
                    DumpReading.Hex(match.Groups[1].Value),
                    match.Groups[2].Success ? DumpReading.Hex(match.Groups[2].Value) : 0,
                    DumpReading.Hex(match.Groups[3].Value),
                    DumpReading.Hex(match.Groups[4].Value),
                    DumpReading.Hex(match.Groups[5].Value),
                    DumpReading.Hex(match.Groups[6].Value)));
            }

            if (blocks.Count == 0)
            {
                throw DumpReading.Empty(sourceName, "no lines like '   0x00000001 0x00: eax=0x000306a9 ebx=0x00100800 ecx=0x7f9ae3bf edx=0xbfebfbff' were found (capture the output of 'cpuid -r').");
            }

            return DumpReading.ToProfiles(blocks, sourceName, ProfileFormat.LinuxCpuid);
        }
    }
}
