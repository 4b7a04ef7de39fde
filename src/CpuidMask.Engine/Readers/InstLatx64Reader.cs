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

        public static bool Looks(string text) => Detector.IsMatch(text);

        public static IReadOnlyList<CpuidProfile> Parse(string text, string sourceName)
        {
            // Dumpers that tag subleaves tag every repeated leaf; an untagged file comes from the older
            // dumper whose leaf 0xD lines skip subleaf 1 (see XsaveSubleafAfter).
            bool tagged = text.IndexOf("[SL ", StringComparison.Ordinal) >= 0;
            var blocks = new List<LeafBlock>();
            LeafBlock? current = null;
            foreach (var pair in DumpReading.Lines(text))
            {
                string line = pair.Value.TrimEnd();
                if (!line.StartsWith("CPUID ", StringComparison.Ordinal) || !MeantAsData(line))
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
                    current = new LeafBlock(pair.Key);
                    blocks.Add(current);
                }

                uint subleaf;
                var tag = match.Groups[6].Success ? SubleafTag.Match(match.Groups[6].Value) : Match.Empty;
                if (tag.Success)
                {
                    subleaf = DumpReading.Hex(tag.Groups[1].Value);
                }
                else if (current.TryGetLastSubleaf(leaf, out uint previous))
                {
                    subleaf = !tagged && leaf == 0xD ? XsaveSubleafAfter(current, previous) : previous + 1;
                }
                else
                {
                    subleaf = 0;
                }

                current.Add(new CpuidLeaf(
                    leaf,
                    subleaf,
                    DumpReading.Hex(match.Groups[2].Value),
                    DumpReading.Hex(match.Groups[3].Value),
                    DumpReading.Hex(match.Groups[4].Value),
                    DumpReading.Hex(match.Groups[5].Value)));
            }

            if (blocks.Count == 0)
            {
                throw DumpReading.Empty(sourceName, "no lines like 'CPUID 00000001: 000306A9-00100800-7F9AE3BF-BFEBFBFF' were found.");
            }

            return DumpReading.ToProfiles(blocks, sourceName, ProfileFormat.InstLatx64);
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
        private static uint XsaveSubleafAfter(LeafBlock block, uint previous)
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

            // More lines than reported components: nothing better to go on than the order.
            return previous + 1;
        }
    }
}
