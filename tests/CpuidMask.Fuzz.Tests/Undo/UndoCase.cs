using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CpuidMask.Fuzz.Tests.Masks;
using FsCheck;
using FsCheck.Fluent;

namespace CpuidMask.Fuzz.Tests.Undo
{
    internal enum UndoMutationKind
    {
        CharFlip,
        BitFlip,
        CharInsert,
        CharDelete,
        Truncate,
        LineDrop,
        LineRepeat,
        LineSwap,
        StringCharFlip,
        ValueReplace,
        WhiteSpace,
        LineEndings,
        JsonEscape,
    }

    /// <summary>One fuzz case over an undo file: a seed and a mutation, its parameters applied modulo the seed's size.</summary>
    internal sealed class UndoCase
    {
        // Inside a string: mask characters, digits of other scripts (char.IsDigit takes them), white space, syntax.
        private static readonly char[] StringChars =
            "-XHR0F1Tx9afAF:.\"\\ \t\u00A0\u0660\u0966\uFF11\u00B2\u0130\u212A\u017F".ToCharArray();

        // What a corrupted file may hold where a string was: other kinds, numbers beyond any range, no text, another
        // VM, another kind of object, values that are no mask.
        private static readonly string[] ForeignValues =
        {
            "0", "-1", "1e999", "99999999999999999999999", "true", "false", "null", "{}", "[]", "[\"x\"]", "{\"key\": \"cpuid.1.ecx\"}",
            "\"\"", "\" \"", "\"\\ud800\"", "\"\\udfff-------------------------------\"", "\"not a mask at all\"",
            "\"VirtualMachine:vm-1\"", "\"VirtualMachine-vm-2\"", "\"HostSystem:host-9\"", "\"VirtualMachine:\"", "\"vm-42\"",
            "\"cpuid.1.ecx\"", "\"cpuid.0.ebx\"", "\"guestinfo.owner\"", "\"featMask.vm.cpuid.\"", "\"featMask.vm.cpuid.AVX\"", "\"cpuid.AVX\"",
            "\"Val:0\"", "\"Val:\\u0661\"", "\"Val:0x\"", "\"Max:99999999999999999999\"", "\"--------------------------------\"",
            "\"-------------------------------0\"", "\"-------------------------------00\"", "\"extraConfig\"", "\"perVmEvc\"", "\"applied\"",
            "\"pending\"", "\"Applied\"", "\"2026-02-30T00:00:00Z\"", "\"yesterday\"",
        };

        public UndoCase(UndoSeed seed, UndoMutationKind kind, int a, int b, char c)
        {
            Seed = seed;
            Kind = kind;
            A = a;
            B = b;
            C = c;
        }

        public UndoSeed Seed { get; }

        public UndoMutationKind Kind { get; }

        public int A { get; }

        public int B { get; }

        public char C { get; }

        /// <summary>Whether the mutation changes nothing the record says (white space, line endings, escapes).</summary>
        public bool Neutral => Kind == UndoMutationKind.WhiteSpace || Kind == UndoMutationKind.LineEndings || Kind == UndoMutationKind.JsonEscape;

        public static Arbitrary<UndoCase> Over(IReadOnlyList<UndoSeed> seeds)
        {
            var kinds = Gen.Frequency(
                (10, Gen.Constant(UndoMutationKind.CharFlip)),
                (4, Gen.Constant(UndoMutationKind.BitFlip)),
                (5, Gen.Constant(UndoMutationKind.CharInsert)),
                (5, Gen.Constant(UndoMutationKind.CharDelete)),
                (4, Gen.Constant(UndoMutationKind.Truncate)),
                (5, Gen.Constant(UndoMutationKind.LineDrop)),
                (5, Gen.Constant(UndoMutationKind.LineRepeat)),
                (3, Gen.Constant(UndoMutationKind.LineSwap)),
                (15, Gen.Constant(UndoMutationKind.StringCharFlip)),
                (20, Gen.Constant(UndoMutationKind.ValueReplace)),
                (3, Gen.Constant(UndoMutationKind.WhiteSpace)),
                (2, Gen.Constant(UndoMutationKind.LineEndings)),
                (3, Gen.Constant(UndoMutationKind.JsonEscape)));
            var chars = Gen.OneOf(Gen.Elements(StringChars), Gen.Choose(0, 255).Select(i => (char)i));
            var cases =
                from seed in Gen.Elements(seeds.ToArray())
                from kind in kinds
                from a in Gen.Choose(0, int.MaxValue)
                from b in Gen.Choose(0, int.MaxValue)
                from c in chars
                select new UndoCase(seed, kind, a, b, c);
            return Arb.From(cases);
        }

        /// <summary>The mutated text and a description of what was done where.</summary>
        public (string Text, string What) Apply()
        {
            string text = Seed.Text;
            var lines = text.Split('\n');
            int pos = A % text.Length;
            int line = A % lines.Length;
            var strings = StringSpans(text);
            var (start, length) = strings[A % strings.Count];
            switch (Kind)
            {
                case UndoMutationKind.CharFlip:
                    return (Set(text, pos, C), $"char {pos} {MaskCase.Show(text[pos])} -> {MaskCase.Show(C)}");
                case UndoMutationKind.BitFlip:
                {
                    char flipped = (char)(text[pos] ^ (1 << (B % 8)));
                    return (Set(text, pos, flipped), $"bit {B % 8} of char {pos} {MaskCase.Show(text[pos])} -> {MaskCase.Show(flipped)}");
                }

                case UndoMutationKind.CharInsert:
                    return (text.Insert(pos, C.ToString()), $"insert {MaskCase.Show(C)} at {pos}");
                case UndoMutationKind.CharDelete:
                    return (text.Remove(pos, 1), $"delete {MaskCase.Show(text[pos])} at {pos}");
                case UndoMutationKind.Truncate:
                    return (text.Substring(0, pos), $"cut at char {pos}");
                case UndoMutationKind.LineDrop:
                    return (string.Join("\n", lines.Where((_, i) => i != line)), $"drop line {line + 1} {MaskCase.Show(lines[line])}");
                case UndoMutationKind.LineRepeat:
                    return (string.Join("\n", lines.Take(line + 1).Concat(lines.Skip(line))), $"repeat line {line + 1} {MaskCase.Show(lines[line])}");
                case UndoMutationKind.LineSwap:
                {
                    int next = (line + 1) % lines.Length;
                    var swapped = (string[])lines.Clone();
                    (swapped[line], swapped[next]) = (swapped[next], swapped[line]);
                    return (string.Join("\n", swapped), $"swap lines {line + 1} and {next + 1}");
                }

                case UndoMutationKind.StringCharFlip:
                {
                    if (length <= 2)
                    {
                        goto case UndoMutationKind.CharInsert;
                    }

                    int at = start + 1 + B % (length - 2);
                    char to = StringChars[(B / 3) % StringChars.Length];
                    return (Set(text, at, to), $"in the string {MaskCase.Show(text.Substring(start, length))} char {at - start} -> {MaskCase.Show(to)}");
                }

                case UndoMutationKind.ValueReplace:
                {
                    // Only values (a string after ':' or in an array), never member names.
                    var values = strings.Where(s => IsValue(text, s.Start)).ToArray();
                    var (vs, vl) = values[A % values.Length];
                    string value = ForeignValues[B % ForeignValues.Length];
                    return (text.Substring(0, vs) + value + text.Substring(vs + vl), $"{MaskCase.Show(text.Substring(vs, vl))} at {vs} replaced by {value}");
                }

                case UndoMutationKind.WhiteSpace:
                {
                    var places = Enumerable.Range(0, text.Length).Where(i => (text[i] == ',' || text[i] == ':' || text[i] == '[' || text[i] == '{') && !strings.Any(s => i > s.Start && i < s.Start + s.Length - 1)).ToArray();
                    int at = places[B % places.Length] + 1;
                    string space = (B % 3) switch { 0 => " ", 1 => "\t", _ => "\n  " };
                    return (text.Insert(at, space), $"insert {MaskCase.Show(space)} at {at}");
                }

                case UndoMutationKind.LineEndings:
                    return (text.Replace("\n", "\r\n"), "CRLF line endings");
                case UndoMutationKind.JsonEscape:
                {
                    if (length <= 2 || text.Substring(start, length).Contains('\\'))
                    {
                        goto case UndoMutationKind.LineEndings;
                    }

                    int at = start + 1 + B % (length - 2);
                    string escape = "\\u" + ((int)text[at]).ToString("x4", CultureInfo.InvariantCulture);
                    return (text.Substring(0, at) + escape + text.Substring(at + 1), $"char {at} {MaskCase.Show(text[at])} written {escape}");
                }

                default:
                    throw new InvalidOperationException(Kind.ToString());
            }
        }

        public override string ToString()
        {
            var (_, what) = Apply();
            return $"{Seed.Name}: {Kind} {what}";
        }

        /// <summary>Where each string literal is, quotes included (the seeds are written by the engine: no escaped quotes but \").</summary>
        private static IReadOnlyList<(int Start, int Length)> StringSpans(string text)
        {
            var spans = new List<(int, int)>();
            for (int i = 0; i < text.Length; i++)
            {
                if (text[i] != '"')
                {
                    continue;
                }

                int end = i + 1;
                while (text[end] != '"')
                {
                    end += text[end] == '\\' ? 2 : 1;
                }

                spans.Add((i, end - i + 1));
                i = end;
            }

            return spans;
        }

        private static bool IsValue(string text, int start)
        {
            int before = start - 1;
            while (before >= 0 && char.IsWhiteSpace(text[before]))
            {
                before--;
            }

            return before >= 0 && (text[before] == ':' || text[before] == '[' || (text[before] == ',' && !IsMemberName(text, start)));
        }

        // A string after ',' in an object is a member name: it is followed by ':'.
        private static bool IsMemberName(string text, int start)
        {
            int end = text.IndexOf('"', start + 1);
            int after = end + 1;
            while (after < text.Length && char.IsWhiteSpace(text[after]))
            {
                after++;
            }

            return after < text.Length && text[after] == ':';
        }

        private static string Set(string text, int pos, char c) => text.Substring(0, pos) + c + text.Substring(pos + 1);
    }
}
