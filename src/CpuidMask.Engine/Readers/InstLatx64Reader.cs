using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Readers
{
    /// <summary>
    /// InstLatX64 / AIDA64 / EVEREST text reports: <c>CPUID 00000007: EAX-EBX-ECX-EDX [SL 00] ...</c>,
    /// one block per logical CPU, each starting at leaf 0. Everything else in the report (headers,
    /// MSR dumps, cache summaries, clock lines) is skipped.
    /// </summary>
    internal static class InstLatx64Reader
    {
        private const string Expected = "CPUID <8 hex>: <8 hex>-<8 hex>-<8 hex>-<8 hex>";

        // Older dumpers separate the leaf from the registers with " :", " : ", a tab or a single space instead
        // of ": ", and some separate the registers with spaces instead of dashes.
        private static readonly Regex DataLine = new Regex(
            @"^CPUID ([0-9A-Fa-f]{8})(?:\s*:\s*|\s+)([0-9A-Fa-f]{8})(?:-|[ \t]+)([0-9A-Fa-f]{8})(?:-|[ \t]+)([0-9A-Fa-f]{8})(?:-|[ \t]+)([0-9A-Fa-f]{8})(?:\s+(.*))?$",
            RegexOptions.CultureInvariant);

        private static readonly Regex SubleafTag = new Regex(@"\[SL ([0-9A-Fa-f]{1,8})\]", RegexOptions.CultureInvariant);

        private static readonly Regex Detector = new Regex(
            @"^CPUID [0-9A-Fa-f]{8}(?:[ \t]*:[ \t]*|[ \t]+)[0-9A-Fa-f]{8}(?:-|[ \t]+)[0-9A-Fa-f]{8}(?:-|[ \t]+)[0-9A-Fa-f]{8}(?:-|[ \t]+)[0-9A-Fa-f]{8}",
            RegexOptions.CultureInvariant | RegexOptions.Multiline);

        // Four registers in a row: what is left of a data line whose keyword or leaf is damaged.
        private static readonly Regex RegisterRun = new Regex(
            @"[0-9A-Fa-f]{8}(?:-|[ \t]+)[0-9A-Fa-f]{8}(?:-|[ \t]+)[0-9A-Fa-f]{8}(?:-|[ \t]+)[0-9A-Fa-f]{8}",
            RegexOptions.CultureInvariant);

        public static bool Looks(string text) => Detector.IsMatch(text);

        /// <summary>
        /// Every line that is, or was meant to be, a data line must parse: one starting "CPUID " and a leaf
        /// number, or one holding four registers in a row (a data line whose keyword or leaf is damaged).
        /// Report text, MSR lines and brackets after the registers are skipped.
        /// </summary>
        public static IReadOnlyList<ParsedProfile> Parse(string text, string sourceName)
        {
            var blocks = new List<LeafBlock>();
            var untaggedLeaves = new HashSet<uint>();
            LeafBlock? current = null;
            foreach (var pair in DumpReading.Lines(text))
            {
                string line = pair.Value.Trim();
                bool keyword = line.StartsWith("CPUID ", StringComparison.Ordinal) && MeantAsData(line);
                // Four registers and three separators take 35 characters; MSR lines and most report text are shorter.
                if (!keyword && (line.Length < 35 || !RegisterRun.IsMatch(line)))
                {
                    continue;
                }

                var match = DataLine.Match(line);
                if (!match.Success)
                {
                    throw DumpReading.Malformed(sourceName, pair.Key, line, Expected);
                }

                uint leaf = DumpReading.Hex(match.Groups[1].Value);
                if (leaf == 0 || current == null)
                {
                    current = new LeafBlock(pair.Key, blocks.Count);
                    blocks.Add(current);
                    untaggedLeaves.Clear();
                }

                string tail = match.Groups[6].Success ? match.Groups[6].Value : string.Empty;
                var tag = SubleafTag.Match(tail);
                if (!tag.Success && tail.IndexOf("[SL", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    throw DumpReading.Malformed(sourceName, pair.Key, line, Expected + " [SL <hex>]", "The subleaf tag is damaged.");
                }

                // A dumper tags all lines of a leaf or none; a mixture means a tag was damaged or a line came from elsewhere.
                if (tag.Success ? untaggedLeaves.Contains(leaf) : current.SubleafLeaves.Contains(leaf))
                {
                    throw DumpReading.Malformed(
                        sourceName,
                        pair.Key,
                        line,
                        Expected + (tag.Success ? string.Empty : " [SL <hex>]"),
                        $"The lines before it for leaf {LeafKey.FormatLeaf(leaf)} {(tag.Success ? "carry no subleaf tag; this one has one" : "carry a subleaf tag; this one has none")}.");
                }

                uint subleaf;
                if (tag.Success)
                {
                    subleaf = DumpReading.Hex(tag.Groups[1].Value);
                    current.SubleafLeaves.Add(leaf);
                }
                else if (ProfileChecks.HasSubleaves(leaf) && current.TryGetLastSubleaf(leaf, out uint previous))
                {
                    // Untagged leaf 0xD lines come from the older dumper, which skips subleaf 1 (see XsaveSubleafAfter).
                    subleaf = leaf == 0xD ? XsaveSubleafAfter(current, previous, sourceName, pair.Key, line) : previous + 1;
                }
                else
                {
                    // A leaf without subleaves printed twice is the same query twice: same answer, or a conflict.
                    subleaf = 0;
                }

                if (!tag.Success)
                {
                    untaggedLeaves.Add(leaf);
                }

                current.Add(
                    new CpuidLeaf(
                        leaf,
                        subleaf,
                        DumpReading.Hex(match.Groups[2].Value),
                        DumpReading.Hex(match.Groups[3].Value),
                        DumpReading.Hex(match.Groups[4].Value),
                        DumpReading.Hex(match.Groups[5].Value)),
                    pair.Key,
                    sourceName);
            }

            if (blocks.Count == 0)
            {
                throw DumpReading.Empty(sourceName, "no lines like 'CPUID 00000001: 000306A9-00100800-7F9AE3BF-BFEBFBFF' were found.");
            }

            return DumpReading.ToProfiles(blocks, sourceName, ProfileFormat.InstLatx64, SourceKind.FullDump);
        }

        /// <summary>
        /// "CPUID Manufacturer", "CPUID CPU Name", "CPUID Revision" and "CPUID Registers (CPU #1):" are
        /// report headers; a word with a digit after "CPUID " is a leaf number and must be a full data line.
        /// </summary>
        private static bool MeantAsData(string line)
        {
            for (int i = 6; i < line.Length; i++)
            {
                char c = line[i];
                if (c == ':' || char.IsWhiteSpace(c))
                {
                    return false;
                }

                if (c >= '0' && c <= '9')
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// The old dumper printed leaf 0xD subleaf 0 and then one line per XCR0 state component from
        /// bit 2 up (the components 0xD subleaf 0 EDX:EAX reports), without subleaf 1: the line after
        /// subleaf n is the next reported component above n.
        /// </summary>
        private static uint XsaveSubleafAfter(LeafBlock block, uint previous, string sourceName, int lineNumber, string line)
        {
            var first = block.Find(0xD, 0);
            if (first != null)
            {
                ulong components = ((ulong)first.Registers.Edx << 32) | first.Registers.Eax;
                for (uint bit = Math.Max(2u, previous + 1); bit < 64; bit++)
                {
                    if (((components >> (int)bit) & 1) != 0)
                    {
                        return bit;
                    }
                }
            }

            // More lines than components: no subleaf is left for this line, so guessing would misplace it.
            throw new CpuidMaskException(
                ProfileChecks.Inconsistent,
                ErrorKind.InvalidData,
                string.Format(
                    System.Globalization.CultureInfo.InvariantCulture,
                    "{0} line {1}: '{2}' is one leaf 0xD line more than the XSAVE state components that leaf 0xD subleaf 0 lists (this dumper prints one line per component). The file is damaged; take the dump again.",
                    sourceName,
                    lineNumber,
                    line),
                sourceName);
        }
    }
}
