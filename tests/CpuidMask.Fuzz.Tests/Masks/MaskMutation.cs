using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace CpuidMask.Fuzz.Tests.Masks
{
    /// <summary>What a mutation of a mask input may do to what it reads as.</summary>
    internal enum MaskDamage
    {
        /// <summary>Changes nothing the rules care about (line endings, white space, a key's spelling, a value's grouping or case): must read as the seed.</summary>
        Neutral,

        /// <summary>Gives one key twice (in the same or another spelling): must be refused.</summary>
        Twin,

        /// <summary>Anything else: refused, or read as the second reader reads the damaged text.</summary>
        Other,
    }

    internal enum MaskMutationKind
    {
        CharFlip,
        BitFlip,
        CharInsert,
        CharDelete,
        ValueFlip,
        KeyFlip,
        LineDrop,
        LineRepeat,
        LineRepeatChanged,
        LineSwap,
        ForeignLine,
        ValueSwap,
        Truncate,
        LineEndings,
        WhiteSpace,
        BlankLines,
        KeySpelling,
        ValueRegroup,
        JsonEscape,
        KeyTwin,
        KeyEdge,
    }

    /// <summary>One fuzz case: a seed and a mutation, its parameters drawn at random and applied modulo the seed's size.</summary>
    internal sealed class MaskCase
    {
        // Characters that break masks in interesting ways besides random ones: mask characters, JSON and .vmx syntax.
        private static readonly char[] Interesting =
            "-XHR0F1Txhrft23456789abcdefABCDEF:;.,=\"'#\\{}[] \t\r\n\0\u00A0\uFEFF\u0085\u2028\u3000\u0130\u0131\u212A\u017F/_".ToCharArray();

        public MaskCase(MaskSeed seed, MaskMutationKind kind, int a, int b, char c, MaskSeed foreign)
        {
            Seed = seed;
            Kind = kind;
            A = a;
            B = b;
            C = c;
            Foreign = foreign;
        }

        public MaskSeed Seed { get; }

        public MaskMutationKind Kind { get; }

        public int A { get; }

        public int B { get; }

        public char C { get; }

        public MaskSeed Foreign { get; }

        public static Arbitrary<MaskCase> Over(IReadOnlyList<MaskSeed> seeds, IReadOnlyList<MaskSeed> foreign)
        {
            var kinds = Gen.Frequency(
                (14, Gen.Constant(MaskMutationKind.CharFlip)),
                (5, Gen.Constant(MaskMutationKind.BitFlip)),
                (5, Gen.Constant(MaskMutationKind.CharInsert)),
                (5, Gen.Constant(MaskMutationKind.CharDelete)),
                (10, Gen.Constant(MaskMutationKind.ValueFlip)),
                (10, Gen.Constant(MaskMutationKind.KeyFlip)),
                (5, Gen.Constant(MaskMutationKind.LineDrop)),
                (5, Gen.Constant(MaskMutationKind.LineRepeat)),
                (6, Gen.Constant(MaskMutationKind.LineRepeatChanged)),
                (3, Gen.Constant(MaskMutationKind.LineSwap)),
                (5, Gen.Constant(MaskMutationKind.ForeignLine)),
                (3, Gen.Constant(MaskMutationKind.ValueSwap)),
                (4, Gen.Constant(MaskMutationKind.Truncate)),
                (4, Gen.Constant(MaskMutationKind.LineEndings)),
                (4, Gen.Constant(MaskMutationKind.WhiteSpace)),
                (2, Gen.Constant(MaskMutationKind.BlankLines)),
                (6, Gen.Constant(MaskMutationKind.KeySpelling)),
                (4, Gen.Constant(MaskMutationKind.ValueRegroup)),
                (3, Gen.Constant(MaskMutationKind.JsonEscape)),
                (6, Gen.Constant(MaskMutationKind.KeyTwin)),
                (5, Gen.Constant(MaskMutationKind.KeyEdge)));
            var chars = Gen.OneOf(Gen.Elements(Interesting), Gen.Choose(0, 255).Select(i => (char)i));
            var cases =
                from seed in Gen.Elements(seeds.ToArray())
                from kind in kinds
                from a in Gen.Choose(0, int.MaxValue)
                from b in Gen.Choose(0, int.MaxValue)
                from c in chars
                from other in Gen.Elements(foreign.ToArray())
                select new MaskCase(seed, kind, a, b, c, other);
            return Arb.From(cases);
        }

        /// <summary>The mutated text, what the mutation may do, and a description naming what was done where.</summary>
        public (string Text, MaskDamage Damage, string What) Apply()
        {
            string text = Seed.Text;
            var lines = Seed.Lines;
            int pos = A % Math.Max(1, text.Length);
            int line = A % lines.Length;
            var entries = Seed.EntrySpans;
            var entry = entries[A % entries.Count];
            switch (Kind)
            {
                case MaskMutationKind.CharFlip:
                    return (Set(text, pos, C), MaskDamage.Other, $"char {pos} (line {LineOf(pos)}) {Show(text[pos])} -> {Show(C)}");
                case MaskMutationKind.BitFlip:
                {
                    char flipped = (char)(text[pos] ^ (1 << (B % 8)));
                    return (Set(text, pos, flipped), MaskDamage.Other, $"bit {B % 8} of char {pos} (line {LineOf(pos)}) {Show(text[pos])} -> {Show(flipped)}");
                }

                case MaskMutationKind.CharInsert:
                    return (text.Insert(pos, C.ToString()), MaskDamage.Other, $"insert {Show(C)} at {pos} (line {LineOf(pos)})");
                case MaskMutationKind.CharDelete:
                    return (text.Remove(pos, 1), MaskDamage.Other, $"delete {Show(text[pos])} at {pos} (line {LineOf(pos)})");
                case MaskMutationKind.ValueFlip:
                {
                    // A value's character replaced in place by one its alphabet has (or a digit of a feature mask value).
                    int at = entry.ValueStart + B % Math.Max(1, entry.ValueLength);
                    char to = entry.IsRegister ? "-XHR0F1Txhr".ToCharArray()[(B / 7) % 11] : (char)('0' + (B / 7) % 10);
                    return (Set(text, at, to), MaskDamage.Other, $"value of {entry.CanonicalKey} char {at - entry.ValueStart} {Show(text[at])} -> {Show(to)}");
                }

                case MaskMutationKind.KeyFlip:
                {
                    int at = entry.KeyStart + B % entry.KeyLength;
                    return (Set(text, at, C), MaskDamage.Other, $"key {entry.CanonicalKey} char {at - entry.KeyStart} {Show(text[at])} -> {Show(C)}");
                }

                case MaskMutationKind.KeyEdge:
                {
                    // A character just before or after a key: white space a reader might trim, or one that makes another key.
                    int at = entry.KeyStart + (B % 2 == 0 ? 0 : entry.KeyLength);
                    return (text.Insert(at, C.ToString()), MaskDamage.Other, $"insert {Show(C)} {(B % 2 == 0 ? "before" : "after")} key {entry.CanonicalKey}");
                }

                case MaskMutationKind.LineDrop:
                    return (Join(lines.Where((_, i) => i != line)), MaskDamage.Other, $"drop line {line + 1} {Show(lines[line])}");
                case MaskMutationKind.LineRepeat:
                {
                    bool isEntry = entries.Any(e => e.Line == line);
                    return (Join(lines.Take(line + 1).Concat(lines.Skip(line))), isEntry && !Seed.IsJson ? MaskDamage.Twin : MaskDamage.Other, $"repeat line {line + 1} {Show(lines[line])}");
                }

                case MaskMutationKind.LineRepeatChanged:
                {
                    string copy = lines[line].Length == 0 ? C.ToString() : Set(lines[line], B % lines[line].Length, C);
                    return (Join(lines.Take(line + 1).Append(copy).Concat(lines.Skip(line + 1))), MaskDamage.Other, $"repeat line {line + 1} as {Show(copy)}");
                }

                case MaskMutationKind.LineSwap:
                {
                    int next = (line + 1) % lines.Length;
                    var swapped = (string[])lines.Clone();
                    (swapped[line], swapped[next]) = (swapped[next], swapped[line]);
                    return (Join(swapped), Seed.IsJson ? MaskDamage.Other : MaskDamage.Neutral, $"swap lines {line + 1} and {next + 1}");
                }

                case MaskMutationKind.ForeignLine:
                {
                    string inserted = Foreign.Lines[B % Foreign.Lines.Length];
                    return (Join(lines.Take(line).Append(inserted).Concat(lines.Skip(line))), MaskDamage.Other, $"insert before line {line + 1} the line {Show(inserted)} of {Foreign.Name}");
                }

                case MaskMutationKind.ValueSwap:
                {
                    // Another entry's value under this key: a register mask moved to another register, or a feature's to another feature.
                    var other = entries[B % entries.Count];
                    string value = text.Substring(other.ValueStart, other.ValueLength);
                    return (text.Substring(0, entry.ValueStart) + value + text.Substring(entry.ValueStart + entry.ValueLength), MaskDamage.Other, $"{entry.CanonicalKey} takes the value of {other.CanonicalKey}");
                }

                case MaskMutationKind.Truncate:
                    return (text.Substring(0, pos), MaskDamage.Other, $"cut at char {pos} (line {LineOf(pos)})");
                case MaskMutationKind.LineEndings:
                {
                    var (changed, how) = LineEndings(B);
                    return (changed, MaskDamage.Neutral, how);
                }

                case MaskMutationKind.WhiteSpace:
                {
                    var (changed, how) = WhiteSpace();
                    return (changed, MaskDamage.Neutral, how);
                }

                case MaskMutationKind.BlankLines:
                {
                    string blank = (B % 4) switch { 0 => string.Empty, 1 => "   ", 2 => "\t", _ => Seed.IsJson ? " " : "# a comment" };
                    int before = Seed.IsJson ? Math.Max(1, line) : line;
                    return (Join(lines.Take(before).Append(blank).Concat(lines.Skip(before))), MaskDamage.Neutral, $"insert {Show(blank)} before line {before + 1}");
                }

                case MaskMutationKind.KeySpelling:
                {
                    var spellings = MaskReference.Spellings(entry.CanonicalKey).ToArray();
                    string spelling = spellings[B % spellings.Length];
                    return (Replace(text, entry.KeyStart, entry.KeyLength, spelling), MaskDamage.Neutral, $"{entry.CanonicalKey} spelt {spelling}");
                }

                case MaskMutationKind.ValueRegroup:
                {
                    if (!entry.IsRegister)
                    {
                        goto case MaskMutationKind.KeySpelling;
                    }

                    string value = MaskReference.NormalizeRegister(text.Substring(entry.ValueStart, entry.ValueLength))!;
                    string regrouped = (B % 4) switch
                    {
                        0 => Group(value, ' '),
                        1 => Group(value, ':'),
                        2 => value.ToLowerInvariant(),
                        _ => " " + Group(value.ToLowerInvariant(), ':') + " ",
                    };
                    return (Replace(text, entry.ValueStart, entry.ValueLength, regrouped), MaskDamage.Neutral, $"{entry.CanonicalKey} value written {regrouped}");
                }

                case MaskMutationKind.JsonEscape:
                {
                    var plain = Enumerable.Range(0, text.Length).Where(i => Seed.StringChars[i]).ToArray();
                    if (plain.Length == 0)
                    {
                        goto case MaskMutationKind.LineEndings;
                    }

                    int at = plain[B % plain.Length];
                    string escape = "\\u" + ((int)text[at]).ToString(B % 2 == 0 ? "x4" : "X4", CultureInfo.InvariantCulture);
                    return (Replace(text, at, 1, escape), MaskDamage.Neutral, $"char {at} (line {LineOf(at)}) {Show(text[at])} written {escape}");
                }

                case MaskMutationKind.KeyTwin:
                {
                    var spellings = MaskReference.Spellings(entry.CanonicalKey).ToArray();
                    string spelling = spellings[B % spellings.Length];
                    string value = B % 3 == 0 ? text.Substring(entry.ValueStart, entry.ValueLength) : text.Substring(entries[B % entries.Count].ValueStart, entries[B % entries.Count].ValueLength);
                    if (Seed.IsJson)
                    {
                        int first = entries[0].Line;
                        string member = $"    \"{spelling}\": \"{value}\",";
                        return (Join(lines.Take(first).Append(member).Concat(lines.Skip(first))), MaskDamage.Twin, $"{entry.CanonicalKey} given again as {member.Trim()}");
                    }

                    string twin = $"{spelling} = \"{value}\"";
                    return (Join(lines.Take(line).Append(twin).Concat(lines.Skip(line))), MaskDamage.Twin, $"{entry.CanonicalKey} given again before line {line + 1} as {twin}");
                }

                default:
                    throw new InvalidOperationException(Kind.ToString());
            }
        }

        public override string ToString()
        {
            var (_, damage, what) = Apply();
            return $"{Seed.Name} ({Seed.Form}): {Kind} [{damage}] {what}";
        }

        /// <summary>Spaces or tabs where the syntax allows them: around a .vmx line and its '=', between JSON tokens.</summary>
        private (string Text, string How) WhiteSpace()
        {
            string text = Seed.Text;
            string space = (B % 3) switch { 0 => " ", 1 => "\t", _ => "  \t " };
            List<int> places;
            if (Seed.IsJson)
            {
                places = Enumerable.Range(0, text.Length).Where(i => !Seed.StringChars[i] && "{}[]:,".IndexOf(text[i]) >= 0).SelectMany(i => new[] { i, i + 1 }).ToList();
            }
            else
            {
                places = new List<int>();
                for (int l = 0; l < Seed.Lines.Length; l++)
                {
                    int start = Seed.LineStart(l);
                    places.Add(start);
                    places.Add(start + Seed.Lines[l].Length);
                    int equals = Seed.Lines[l].IndexOf('=');
                    if (equals > 0 && !Seed.Lines[l].TrimStart().StartsWith("#", StringComparison.Ordinal))
                    {
                        places.Add(start + equals);
                        places.Add(start + equals + 1);
                    }
                }
            }

            int at = places[B % places.Count];
            return (text.Insert(at, space), $"insert {Show(space)} at {at} (line {LineOf(at)})");
        }

        private (string Text, string How) LineEndings(int choice)
        {
            string body = Seed.Text;
            switch (choice % 4)
            {
                case 0:
                    return (body.Replace("\n", "\r\n"), "CRLF line endings");
                case 1:
                    return (body.Replace('\n', '\r'), "CR line endings");
                default:
                {
                    var text = new StringBuilder(body.Length + Seed.Lines.Length);
                    var random = new Random(choice);
                    for (int i = 0; i < Seed.Lines.Length; i++)
                    {
                        text.Append(Seed.Lines[i]);
                        if (i < Seed.Lines.Length - 1)
                        {
                            text.Append(random.Next(3) switch { 0 => "\n", 1 => "\r\n", _ => "\r" });
                        }
                    }

                    return (text.ToString(), "mixed line endings (pattern " + choice.ToString(CultureInfo.InvariantCulture) + ")");
                }
            }
        }

        private static string Group(string value, char separator)
        {
            var text = new StringBuilder();
            for (int i = 0; i < value.Length; i++)
            {
                if (i > 0 && i % 4 == 0)
                {
                    text.Append(separator);
                }

                text.Append(value[i]);
            }

            return text.ToString();
        }

        private int LineOf(int pos) => Seed.Text.Take(Math.Min(pos, Seed.Text.Length)).Count(c => c == '\n') + 1;

        private static string Set(string text, int pos, char c) => text.Substring(0, pos) + c + text.Substring(pos + 1);

        private static string Replace(string text, int start, int length, string with) => text.Substring(0, start) + with + text.Substring(start + length);

        private static string Join(IEnumerable<string> lines) => string.Join("\n", lines);

        internal static string Show(char c) => c >= 0x20 && c < 0x7F ? "'" + c + "'" : $"U+{(int)c:X4}";

        internal static string Show(string s) => "'" + (s.Length > 100 ? s.Substring(0, 100) + "..." : s).Replace("\r", "\\r").Replace("\t", "\\t").Replace("\n", "\\n") + "'";
    }
}
