using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Readers
{
    /// <summary>
    /// What the CPUID dump readers share: hex parsing, line splitting, one profile per block of leaves named
    /// and sourced by its position in the file (names and sources the JSON readers use too), and the
    /// malformed-line and empty-file errors.
    /// </summary>
    internal static class DumpReading
    {
        public const string LineMalformed = "DumpLineMalformed";

        /// <summary>Profile name: the file name without extension, plus <c>#cpuN</c> (or another tag) past the first.</summary>
        public static string ProfileName(string sourceName, int index, string tag = "cpu")
        {
            string baseName = BaseName(sourceName);
            return index > 0 ? baseName + "#" + tag + index.ToString(CultureInfo.InvariantCulture) : baseName;
        }

        public static string BaseName(string sourceName)
        {
            string name = string.Empty;
            try
            {
                name = Path.GetFileNameWithoutExtension(sourceName) ?? string.Empty;
            }
            catch (ArgumentException)
            {
                // A source name that is not a valid path (e.g. "<stdin>") is still a fine name.
                name = sourceName;
            }

            return string.IsNullOrWhiteSpace(name) ? (string.IsNullOrWhiteSpace(sourceName) ? "profile" : sourceName.Trim()) : name;
        }

        /// <summary>Profile source: the path, <c>#cpuN</c> past the first, and the format in parentheses.</summary>
        public static string ProfileSource(string sourceName, int index, ProfileFormat format, string tag = "cpu") =>
            (index > 0 ? sourceName + "#" + tag + index.ToString(CultureInfo.InvariantCulture) : sourceName) + " (" + format + ")";

        /// <summary>Lines with 1-based numbers; CR, LF and CRLF all end a line.</summary>
        public static IEnumerable<KeyValuePair<int, string>> Lines(string text)
        {
            int number = 0;
            int start = 0;
            for (int i = 0; i <= text.Length; i++)
            {
                if (i == text.Length || text[i] == '\n' || text[i] == '\r')
                {
                    if (i == text.Length && start == i && number > 0)
                    {
                        yield break;
                    }

                    number++;
                    yield return new KeyValuePair<int, string>(number, text.Substring(start, i - start));
                    if (i < text.Length && text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                    {
                        i++;
                    }

                    start = i + 1;
                }
            }
        }

        public static CpuidMaskException Malformed(string sourceName, int lineNumber, string line, string expected, string? hint = null)
        {
            string shown = line.Trim();
            if (shown.Length > 120)
            {
                shown = shown.Substring(0, 117) + "...";
            }

            string message = string.Format(
                CultureInfo.InvariantCulture,
                "{0} line {1}: '{2}' is not '{3}'.{4}",
                sourceName,
                lineNumber,
                shown,
                expected,
                hint == null ? string.Empty : " " + hint);
            return new CpuidMaskException(LineMalformed, ErrorKind.InvalidData, message, sourceName);
        }

        public static CpuidMaskException Empty(string sourceName, string what) =>
            new CpuidMaskException(
                "ProfileEmpty",
                ErrorKind.InvalidData,
                string.Format(CultureInfo.InvariantCulture, "{0} holds no CPUID data: {1}", sourceName, what),
                sourceName);

        /// <summary>Parses hex digits a reader's pattern has already matched (no 0x prefix).</summary>
        public static uint Hex(string text) => uint.Parse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

        /// <summary>One profile per block of leaves, named and sourced by its position in the file.</summary>
        public static IReadOnlyList<ParsedProfile> ToProfiles(IReadOnlyList<LeafBlock> blocks, string sourceName, ProfileFormat format, SourceKind kind)
        {
            var profiles = new ParsedProfile[blocks.Count];
            for (int i = 0; i < blocks.Count; i++)
            {
                var profile = new CpuidProfile(
                    ProfileName(sourceName, i),
                    WithDerivedSupervisorStateSubleaves(WithoutUnsupportedStateSubleaves(blocks[i].Leaves)),
                    format,
                    ProfileSource(sourceName, i, format));
                profiles[i] = new ParsedProfile(profile, blocks[i].Where, kind, blocks[i].SubleafLeaves, blocks[i].Lines);
            }

            return profiles;
        }

        /// <summary>
        /// Leaf 0xD subleaves of state components the CPU enables neither in XCR0 (0xD.0 EDX:EAX) nor in IA32_XSS
        /// (0xD.1 EDX:ECX) describe state no OS, and so no guest, can use. Intel's CPUs answer them with zeros, but not
        /// every CPU does: a Centaur CNS reports CET's component 11 with an IA32_XSS of zero. Left in, such a line would
        /// read as that component's features present; it is read as the CPU's own 0xD.0 and 0xD.1 say, without it
        /// (all-zero answers, the usual ones, stay).
        /// Without subleaf 1 the IA32_XSS components are not known, and nothing is left out.
        /// </summary>
        private static IReadOnlyList<CpuidLeaf> WithoutUnsupportedStateSubleaves(List<CpuidLeaf> leaves)
        {
            var xcr0 = leaves.Find(l => l.Leaf == 0xD && l.Subleaf == 0);
            var xss = leaves.Find(l => l.Leaf == 0xD && l.Subleaf == 1);
            if (xcr0 == null || xss == null)
            {
                return leaves;
            }

            ulong supported = ((ulong)xcr0.Registers.Edx << 32) | xcr0.Registers.Eax | ((ulong)xss.Registers.Edx << 32) | xss.Registers.Ecx;
            return leaves.FindAll(l => !(l.Leaf == 0xD && l.Subleaf >= 2 && l.Subleaf <= 63 && ((supported >> (int)l.Subleaf) & 1) == 0
                && !l.Registers.Equals(default(CpuidRegisters))));
        }

        /// <summary>
        /// Leaf 0xD subleaf n ECX bit 0 is set exactly when state component n is saved through IA32_XSS, that is when
        /// bit n of 0xD.1 EDX:ECX is (Intel SDM vol. 2A, CPUID leaf 0DH). Some AIDA64 versions list subleaves only up to
        /// 9, leaving out CET's 11 and 12; for an IA32_XSS component whose subleaf the catalog reads features from, that
        /// one register is filled in from subleaf 1 (bit 0 set, the alignment bit and the size are not known), so
        /// the dump reads as complete instead of damaged.
        /// </summary>
        private static IReadOnlyList<CpuidLeaf> WithDerivedSupervisorStateSubleaves(IReadOnlyList<CpuidLeaf> leaves)
        {
            var xss = leaves.FirstOrDefault(l => l.Leaf == 0xD && l.Subleaf == 1);
            if (xss == null)
            {
                return leaves;
            }

            ulong supervisor = ((ulong)xss.Registers.Edx << 32) | xss.Registers.Ecx;
            List<CpuidLeaf>? completed = null;
            foreach (uint component in ProfileChecks.StateSubleavesWithFeatures.Value)
            {
                var key = new LeafKey(0xD, component);
                if (component < 64 && ((supervisor >> (int)component) & 1) != 0 && !leaves.Any(l => l.Key.Equals(key)))
                {
                    completed ??= leaves.ToList();
                    int at = completed.FindIndex(l => l.Key.CompareTo(key) > 0);
                    completed.Insert(at < 0 ? completed.Count : at, new CpuidLeaf(key, new CpuidRegisters(0, 0, 1, 0), RegisterSet.Ecx));
                }
            }

            return completed ?? leaves;
        }

        /// <summary>
        /// CR LF and a lone CR both become LF, so the line-anchored patterns that recognise a format see the lines
        /// of files saved on any system (old Mac tools write CR alone). Line numbers stay those of <see cref="Lines"/>.
        /// </summary>
        public static string NormaliseLineEndings(string text) =>
            text.IndexOf('\r') < 0 ? text : text.Replace("\r\n", "\n").Replace('\r', '\n');

        public static bool TryParseHex(string text, out uint value)
        {
            if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            {
                text = text.Substring(2);
            }

            value = 0;
            return text.Length > 0 && text.Length <= 8
                && uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }
    }
}
