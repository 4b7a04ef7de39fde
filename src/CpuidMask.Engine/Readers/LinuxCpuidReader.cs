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
        private const string Expected = "0x<8 hex> 0x<subleaf>: eax=0x<8 hex> ebx=0x<8 hex> ecx=0x<8 hex> edx=0x<8 hex>";

        // The tool prints every value with %08x; a shorter one is a damaged or cut line.
        private static readonly Regex DataLine = new Regex(
            @"^\s*0x([0-9a-fA-F]{8})(?:\s+0x([0-9a-fA-F]{1,8}))?:\s+eax=0x([0-9a-fA-F]{8})\s+ebx=0x([0-9a-fA-F]{8})\s+ecx=0x([0-9a-fA-F]{8})\s+edx=0x([0-9a-fA-F]{8})\s*$",
            RegexOptions.CultureInvariant);

        private static readonly Regex CpuHeader = new Regex(@"^\s*CPU(?:\s+\d+)?\s*:\s*$", RegexOptions.CultureInvariant);

        // Any register name with its '=' left intact marks a line that was meant as data.
        private static readonly Regex RegisterName = new Regex(@"\b[a-d]x=|\be[a-d]x\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        private static readonly Regex Detector = new Regex(
            @"^\s*0x[0-9a-fA-F]{8}(?:\s+0x[0-9a-fA-F]{1,8})?:\s+eax=0x[0-9a-fA-F]",
            RegexOptions.CultureInvariant | RegexOptions.Multiline);

        public static bool Looks(string text) => Detector.IsMatch(text);

        /// <summary>Every line that starts with 0x or names a register must parse; other lines (a prompt, a note) are skipped.</summary>
        public static IReadOnlyList<ParsedProfile> Parse(string text, string sourceName)
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
                if (!trimmed.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && !RegisterName.IsMatch(line))
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
                    current = new LeafBlock(pair.Key, blocks.Count);
                    blocks.Add(current);
                }

                uint leaf = DumpReading.Hex(match.Groups[1].Value);
                if (match.Groups[2].Success)
                {
                    current.SubleafLeaves.Add(leaf);
                }

                current.Add(
                    new CpuidLeaf(
                        leaf,
                        match.Groups[2].Success ? DumpReading.Hex(match.Groups[2].Value) : 0,
                        DumpReading.Hex(match.Groups[3].Value),
                        DumpReading.Hex(match.Groups[4].Value),
                        DumpReading.Hex(match.Groups[5].Value),
                        DumpReading.Hex(match.Groups[6].Value)),
                    pair.Key,
                    sourceName);
            }

            if (blocks.Count == 0)
            {
                throw DumpReading.Empty(sourceName, "no lines like '   0x00000001 0x00: eax=0x000306a9 ebx=0x00100800 ecx=0x7f9ae3bf edx=0xbfebfbff' were found (capture the output of 'cpuid -r').");
            }

            return DumpReading.ToProfiles(blocks, sourceName, ProfileFormat.LinuxCpuid, SourceKind.FullDump);
        }
    }
}
