using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace CpuidMask.Fuzz.Tests.Dumps
{
    /// <summary>How a mutation relates to what the input says, which decides what the oracle may demand.</summary>
    internal enum MutationClass
    {
        /// <summary>Changes nothing a reader may care about (line endings): must read, and read identically.</summary>
        Neutral,

        /// <summary>
        /// Changes one reported value in place (a register's digit, a capability): undetectable in principle, so
        /// only that leaf (or capability) may read differently.
        /// </summary>
        Value,

        /// <summary>Anything else (a damaged keyword, leaf or tag, a line lost, repeated, swapped or inserted): refused, or the same CPU.</summary>
        Structural,

        /// <summary>The file cut at some point: refused, or the CPUs before the cut, unchanged.</summary>
        Truncation,
    }

    internal enum MutationKind
    {
        CharFlip,
        BitFlip,
        CharInsert,
        CharDelete,
        LineDrop,
        LineRepeat,
        LineRepeatChanged,
        LineSwap,
        ForeignLine,
        BlankLines,
        FieldDamage,
        Truncate,
        LineEndings,
    }

    /// <summary>One fuzz case: a seed and a mutation, its parameters drawn at random and applied modulo the seed's size.</summary>
    internal sealed class DumpCase
    {
        // Characters that break formats in interesting ways, besides random bytes.
        private static readonly char[] Interesting =
            "0123456789ABCDEFabcdefGQXxz:;-_ .,=[](){}\"'\\\t\r\n\0\u00A0\uFEFF\u00E9/#*".ToCharArray();

        public DumpCase(DumpSeed seed, MutationKind kind, int a, int b, char c, DumpSeed foreign)
        {
            Seed = seed;
            Kind = kind;
            A = a;
            B = b;
            C = c;
            Foreign = foreign;
        }

        public DumpSeed Seed { get; }

        public MutationKind Kind { get; }

        public int A { get; }

        public int B { get; }

        public char C { get; }

        public DumpSeed Foreign { get; }

        /// <summary>Cases over the given seeds, every kind of mutation weighted towards the damage real files suffer.</summary>
        public static Arbitrary<DumpCase> Over(IReadOnlyList<DumpSeed> seeds, IReadOnlyList<DumpSeed> foreign)
        {
            var kinds = Gen.Frequency(
                (20, Gen.Constant(MutationKind.CharFlip)),
                (8, Gen.Constant(MutationKind.BitFlip)),
                (5, Gen.Constant(MutationKind.CharInsert)),
                (5, Gen.Constant(MutationKind.CharDelete)),
                (10, Gen.Constant(MutationKind.LineDrop)),
                (6, Gen.Constant(MutationKind.LineRepeat)),
                (8, Gen.Constant(MutationKind.LineRepeatChanged)),
                (6, Gen.Constant(MutationKind.LineSwap)),
                (5, Gen.Constant(MutationKind.ForeignLine)),
                (3, Gen.Constant(MutationKind.BlankLines)),
                (10, Gen.Constant(MutationKind.FieldDamage)),
                (6, Gen.Constant(MutationKind.Truncate)),
                (6, Gen.Constant(MutationKind.LineEndings)));
            var chars = Gen.OneOf(Gen.Elements(Interesting), Gen.Choose(0, 255).Select(i => (char)i));
            var cases =
                from seed in Gen.Elements(seeds.ToArray())
                from kind in kinds
                from a in Gen.Choose(0, int.MaxValue)
                from b in Gen.Choose(0, int.MaxValue)
                from c in chars
                from other in Gen.Elements(foreign.ToArray())
                select new DumpCase(seed, kind, a, b, c, other);
            return Arb.From(cases);
        }

        /// <summary>The mutated text, the class of the mutation, and a description naming what was done where.</summary>
        public (string Text, MutationClass Class, string What) Apply()
        {
            string text = Seed.Text;
            var lines = Seed.Lines;
            int pos = A % Math.Max(1, text.Length);
            int line = A % lines.Length;
            switch (Kind)
            {
                case MutationKind.CharFlip:
                    return (Set(text, pos, C), ClassOfChange(pos, C), $"char {pos} (line {LineOf(pos)}) {Show(text[pos])} -> {Show(C)}");
                case MutationKind.BitFlip:
                {
                    char flipped = (char)(text[pos] ^ (1 << (B % 8)));
                    return (Set(text, pos, flipped), ClassOfChange(pos, flipped), $"bit {B % 8} of char {pos} (line {LineOf(pos)}) {Show(text[pos])} -> {Show(flipped)}");
                }

                case MutationKind.CharInsert:
                    return (text.Insert(pos, C.ToString()), InsideValue(pos) ? MutationClass.Value : MutationClass.Structural, $"insert {Show(C)} at {pos} (line {LineOf(pos)})");
                case MutationKind.CharDelete:
                    return (text.Remove(pos, 1), Seed.Values[pos] != ValueChar.None ? MutationClass.Value : MutationClass.Structural, $"delete {Show(text[pos])} at {pos} (line {LineOf(pos)})");
                case MutationKind.LineDrop:
                    return (Join(lines.Where((_, i) => i != line)), ClassOfLine(line), $"drop line {line + 1} {Show(lines[line])}");
                case MutationKind.LineRepeat:
                    return (Join(lines.Take(line + 1).Concat(lines.Skip(line))), MutationClass.Structural, $"repeat line {line + 1} {Show(lines[line])}");
                case MutationKind.LineRepeatChanged:
                {
                    string copy = lines[line].Length == 0 ? C.ToString() : Set(lines[line], B % lines[line].Length, C);
                    return (Join(lines.Take(line + 1).Append(copy).Concat(lines.Skip(line + 1))), MutationClass.Structural, $"repeat line {line + 1} as {Show(copy)}");
                }

                case MutationKind.LineSwap:
                {
                    int next = (line + 1) % lines.Length;
                    var swapped = (string[])lines.Clone();
                    (swapped[line], swapped[next]) = (swapped[next], swapped[line]);
                    return (Join(swapped), MutationClass.Structural, $"swap lines {line + 1} and {next + 1}");
                }

                case MutationKind.ForeignLine:
                {
                    string inserted = Foreign.Lines[B % Foreign.Lines.Length];
                    return (Join(lines.Take(line).Append(inserted).Concat(lines.Skip(line))), MutationClass.Structural, $"insert before line {line + 1} the line {Show(inserted)} of {Foreign.Name}");
                }

                case MutationKind.BlankLines:
                {
                    string blank = (B % 3) switch { 0 => string.Empty, 1 => "   ", _ => "\t" };
                    return (Join(lines.Take(line).Append(blank).Concat(lines.Skip(line))), MutationClass.Structural, $"insert {Show(blank)} before line {line + 1}");
                }

                case MutationKind.FieldDamage:
                {
                    var (damaged, how, token) = DamageField(lines[line], B);
                    var copy = (string[])lines.Clone();
                    copy[line] = damaged;
                    int start = LineStart(line) + token.Start;
                    bool value = Enumerable.Range(start, Math.Max(1, token.Length)).Any(i => i < Seed.Values.Length && Seed.Values[i] != ValueChar.None);
                    return (Join(copy), value ? MutationClass.Value : MutationClass.Structural, $"line {line + 1} {how}: {Show(damaged)}");
                }

                case MutationKind.Truncate:
                    return (text.Substring(0, pos), MutationClass.Truncation, $"cut at char {pos} (line {LineOf(pos)})");
                case MutationKind.LineEndings:
                {
                    var (changed, how) = LineEndings(B);
                    return (changed, MutationClass.Neutral, how);
                }

                default:
                    throw new InvalidOperationException(Kind.ToString());
            }
        }

        public override string ToString()
        {
            var (_, cls, what) = Apply();
            return $"{Seed.Name} ({Seed.Format}): {Kind} [{cls}] {what}";
        }

        /// <summary>A character replaced inside a value by one the value could hold changes that value; anything else is structure.</summary>
        private MutationClass ClassOfChange(int pos, char to) =>
            Seed.Values[pos] != ValueChar.None && DumpValues.Fits(Seed.Values[pos], to) ? MutationClass.Value : MutationClass.Structural;

        /// <summary>An insertion within or at either end of a value lengthens that value.</summary>
        private bool InsideValue(int pos) =>
            (pos < Seed.Values.Length && Seed.Values[pos] != ValueChar.None) || (pos > 0 && Seed.Values[pos - 1] != ValueChar.None);

        /// <summary>Losing, repeating or moving a whole line that is one capability of an open set changes that capability only.</summary>
        private MutationClass ClassOfLine(int line) => Seed.ValueLines[line] ? MutationClass.Value : MutationClass.Structural;

        /// <summary>Damage that keeps the line's shape recognisable: a token made longer, shorter, doubled, split or dropped.</summary>
        private static (string Line, string How, (int Start, int Length) Token) DamageField(string line, int choice)
        {
            var tokens = line.Split(' ');
            int t = choice % Math.Max(1, tokens.Length);
            string token = tokens[t];
            var at = (tokens.Take(t).Sum(x => x.Length + 1), token.Length);
            switch ((choice / 7) % 6)
            {
                case 0:
                    tokens[t] = token + (token.Length > 0 && Uri.IsHexDigit(token[token.Length - 1]) ? "0" : "00000000");
                    return (string.Join(" ", tokens), "token made longer", at);
                case 1:
                    tokens[t] = token.Length > 1 ? token.Substring(0, token.Length - 1) : string.Empty;
                    return (string.Join(" ", tokens), "token cut", at);
                case 2:
                    return (string.Join(" ", tokens.Take(t + 1).Append(token).Concat(tokens.Skip(t + 1))), "token doubled", at);
                case 3:
                    return (string.Join(" ", tokens.Where((_, i) => i != t)), "token dropped", at);
                case 4:
                    tokens[t] = token.Length > 2 ? token.Substring(0, token.Length / 2) + " " + token.Substring(token.Length / 2) : token + " ";
                    return (string.Join(" ", tokens), "token split", at);
                default:
                    // Every character of the line changes case: values included.
                    return (line.ToUpperInvariant() == line ? line.ToLowerInvariant() : line.ToUpperInvariant(), "case changed", (0, line.Length));
            }
        }

        private int LineStart(int line) => Seed.Lines.Take(line).Sum(l => l.Length + 1);

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

        private int LineOf(int pos) => Seed.Text.Take(Math.Min(pos, Seed.Text.Length)).Count(c => c == '\n') + 1;

        private static string Set(string text, int pos, char c) => text.Substring(0, pos) + c + text.Substring(pos + 1);

        private static string Join(IEnumerable<string> lines) => string.Join("\n", lines);

        private static string Show(char c) => c >= 0x20 && c < 0x7F ? "'" + c + "'" : $"U+{(int)c:X4}";

        private static string Show(string s) => "'" + (s.Length > 100 ? s.Substring(0, 100) + "..." : s).Replace("\r", "\\r").Replace("\t", "\\t") + "'";
    }
}
