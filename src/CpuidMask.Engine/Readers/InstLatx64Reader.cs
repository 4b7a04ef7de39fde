using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
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
            var untaggedXsave = new List<(CpuidRegisters Registers, int Line)>();
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
                if (current != null && leaf != 0xD)
                {
                    PlaceXsaveLines(current, untaggedXsave, sourceName);
                }

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
                else if (leaf == 0xD && current.Contains(0xD, 0))
                {
                    // Which subleaves the untagged lines after subleaf 0 are, the first of them tells (see PlaceXsaveLines).
                    untaggedXsave.Add((Registers(match), pair.Key));
                    continue;
                }
                else if (ProfileChecks.HasSubleaves(leaf) && current.TryGetLastSubleaf(leaf, out uint previous))
                {
                    subleaf = leaf == 0xF || leaf == 0x10 ? NextResource(current, leaf, previous, sourceName, pair.Key, line) : previous + 1;
                }
                else if ((leaf == 0xF || leaf == 0x10) && !(leaf == 0xF ? IsMonitoringSubleafZero(Registers(match)) : IsAllocationSubleafZero(Registers(match))))
                {
                    throw Unplaceable(sourceName, pair.Key, line, leaf, "has not the shape of subleaf 0 (EAX, ECX" + (leaf == 0x10 ? " and EDX" : string.Empty) + " reserved, zero), so the subleaf 0 line is missing");
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

                current.Add(new CpuidLeaf(new LeafKey(leaf, subleaf), Registers(match)), pair.Key, sourceName);
            }

            if (current != null)
            {
                PlaceXsaveLines(current, untaggedXsave, sourceName);
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

        private static CpuidRegisters Registers(Match match) => new CpuidRegisters(
            DumpReading.Hex(match.Groups[2].Value),
            DumpReading.Hex(match.Groups[3].Value),
            DumpReading.Hex(match.Groups[4].Value),
            DumpReading.Hex(match.Groups[5].Value));

        /// <summary>
        /// Gives the untagged leaf 0xD lines after subleaf 0 their subleaves, once the last of them is read. The dumper
        /// prints one line per state component from bit 2 up, in order, and may stop before the last one: older versions
        /// list components of XCR0 (0xD.0 EDX:EAX) and no subleaf 1, newer ones print subleaf 1 first and then components
        /// of XCR0 and IA32_XSS (0xD.1 EDX:ECX). The first line tells them apart (component 2 is always 256 bytes at
        /// offset 0x240, subleaf 1 EAX holds flags), and every line must have the shape of the component it is taken
        /// for: otherwise a line was lost or added, and placing it would put another subleaf's data under a feature.
        /// </summary>
        private static void PlaceXsaveLines(LeafBlock block, List<(CpuidRegisters Registers, int Line)> lines, string sourceName)
        {
            if (lines.Count == 0)
            {
                return;
            }

            var first = block.Find(0xD, 0)!.Registers;
            var xcr0 = Components(first.Edx, first.Eax);
            var subleaves = new List<uint>();
            ulong xss = 0;
            if (xcr0.Count > 0 && FitsComponent(lines[0].Registers, xcr0[0], supervisor: false, first.Ecx))
            {
                subleaves.AddRange(xcr0);
            }
            else if ((lines[0].Registers.Eax & 0xFFFFFF00u) == 0 && (lines[0].Registers.Ecx & 0xFFu) == 0 && !lines[0].Registers.Equals(first))
            {
                // Subleaf 1 EAX: XSAVEOPT, XSAVEC, XGETBV with ECX 1, XSAVES and XFD (bits 0-4; a few spare bits are
                // allowed); ECX: IA32_XSS, whose bits 0-7 (the XCR0 components) are reserved. A second copy of subleaf 0
                // is a repeated line, not subleaf 1.
                var subleaf1 = lines[0].Registers;
                xss = ((ulong)subleaf1.Edx << 32) | subleaf1.Ecx;
                subleaves.Add(1);
                subleaves.AddRange(xcr0.Union(Components(subleaf1.Edx, subleaf1.Ecx)).OrderBy(c => c));
            }

            bool fits = lines.Count <= subleaves.Count;
            for (int i = 0; fits && i < lines.Count; i++)
            {
                uint subleaf = subleaves[i];
                fits = subleaf == 1 || FitsComponent(lines[i].Registers, subleaf, ((xss >> (int)subleaf) & 1) != 0, first.Ecx);
            }

            if (!fits)
            {
                throw new CpuidMaskException(
                    ProfileChecks.Inconsistent,
                    ErrorKind.InvalidData,
                    string.Format(
                        CultureInfo.InvariantCulture,
                        "{0} line {1}: {2} leaf 0xD line{3} without a subleaf tag follow{4} subleaf 0 (line {5}), which fits none of the ways this dumper lists the XSAVE state components subleaf 0 reports{6} (one line per component in order, some versions subleaf 1 first): a line is missing, added or damaged, and its data cannot be placed. Take the dump again.",
                        sourceName,
                        lines[0].Line,
                        lines.Count,
                        lines.Count == 1 ? string.Empty : "s",
                        lines.Count == 1 ? "s" : string.Empty,
                        block.Lines[new LeafKey(0xD)],
                        xcr0.Count == 0 ? " (none above SSE)" : " (" + string.Join(", ", xcr0.Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray()) + ")"),
                    sourceName);
            }

            for (int i = 0; i < lines.Count; i++)
            {
                block.Add(new CpuidLeaf(new LeafKey(0xD, subleaves[i]), lines[i].Registers), lines[i].Line, sourceName);
            }

            lines.Clear();
        }

        /// <summary>
        /// Whether registers can be leaf 0xD's answer for a state component (Intel SDM vol. 1, 13.4): a user (XCR0)
        /// component has a size and a fixed offset past the legacy area and header (0x240 and up), ends within the size
        /// subleaf 0 ECX gives, and has ECX bit 0 clear; component 2 (the upper YMM halves) is 256 bytes at 0x240. A
        /// supervisor (IA32_XSS) component has a size, no fixed offset and ECX bit 0 set.
        /// </summary>
        private static bool FitsComponent(CpuidRegisters r, uint component, bool supervisor, uint xcr0AreaSize) =>
            supervisor
                ? r.Eax != 0 && r.Ebx == 0 && (r.Ecx & 1) == 1
                : r.Eax != 0 && r.Ebx >= 0x240 && (ulong)r.Ebx + r.Eax <= xcr0AreaSize && (r.Ecx & 1) == 0
                    && (component != 2 || (r.Eax == 0x100 && r.Ebx == 0x240));

        // Leaf 0xF subleaf 0 (resource monitoring): EBX the highest RMID, EDX the resources; leaf 0x10 subleaf 0
        // (allocation): EBX the resources. The other registers are reserved (Intel SDM vol. 2A, CPUID leaves 0FH, 10H).
        private static bool IsMonitoringSubleafZero(CpuidRegisters r) => r.Eax == 0 && r.Ecx == 0;

        private static bool IsAllocationSubleafZero(CpuidRegisters r) => r.Eax == 0 && r.Ecx == 0 && r.Edx == 0 && (r.Ebx & 1) == 0;

        /// <summary>
        /// Untagged leaf 0xF and 0x10 lines after subleaf 0 are one per resource its bit map lists (0xF: EDX, 0x10: EBX),
        /// in order of resource id: the line after subleaf n is the next listed resource above n, not n + 1.
        /// </summary>
        private static uint NextResource(LeafBlock block, uint leaf, uint previous, string sourceName, int lineNumber, string line)
        {
            var first = block.Find(leaf, 0)!.Registers;
            uint resources = leaf == 0xF ? first.Edx : first.Ebx;
            for (uint bit = Math.Max(1u, previous + 1); bit < 32; bit++)
            {
                if (((resources >> (int)bit) & 1) != 0)
                {
                    return bit;
                }
            }

            throw Unplaceable(sourceName, lineNumber, line, leaf, string.Format(CultureInfo.InvariantCulture, "is one line more than the resources that subleaf 0 lists (0x{0:X8}; the dumper prints one line per resource)", resources));
        }

        private static CpuidMaskException Unplaceable(string sourceName, int lineNumber, string line, uint leaf, string what) =>
            new CpuidMaskException(
                ProfileChecks.Inconsistent,
                ErrorKind.InvalidData,
                string.Format(CultureInfo.InvariantCulture, "{0} line {1}: '{2}', a leaf {3} line without a subleaf tag, {4}. The file is damaged; take the dump again.", sourceName, lineNumber, line, LeafKey.FormatLeaf(leaf), what),
                sourceName);

        /// <summary>The state components from bit 2 up that a pair of registers (high:low) lists, in ascending order.</summary>
        private static List<uint> Components(uint high, uint low)
        {
            ulong bits = ((ulong)high << 32) | low;
            var components = new List<uint>();
            for (uint bit = 2; bit < 64; bit++)
            {
                if (((bits >> (int)bit) & 1) != 0)
                {
                    components.Add(bit);
                }
            }

            return components;
        }
    }
}
