using System;
using System.Globalization;
using System.IO;
using System.Text;

namespace CpuidMask.Engine.Json
{
    /// <summary>
    /// A JSON value. The engine carries its own small DOM because it must not depend on
    /// System.Text.Json or Newtonsoft: a binary module that brings its own copy of either breaks
    /// (or is broken by) the copy PowerCLI already loaded into the session. The types are named JsonDom*
    /// so that a shell using System.Text.Json.Nodes (the cpuidmask program) can import both namespaces.
    /// </summary>
    public abstract class JsonDomNode
    {
        [ThreadStatic]
        private static TextWriter? _sink;

        private protected JsonDomNode()
        {
        }

        public abstract JsonDomKind Kind { get; }

        /// <summary>1-based line where the parser found this value; 0 for values built in code.</summary>
        public int Line { get; internal set; }

        /// <summary>1-based column where the parser found this value; 0 for values built in code.</summary>
        public int Column { get; internal set; }

        /// <summary>
        /// Parses one JSON value (RFC 8259). Throws <see cref="CpuidMaskException"/> with id
        /// <c>JsonMalformed</c> naming <paramref name="sourceName"/>, the line and column and what was expected.
        /// </summary>
        public static JsonDomNode Parse(string text, string sourceName) =>
            JsonParser.Parse(text ?? throw new ArgumentNullException(nameof(text)), sourceName ?? "JSON text");

        /// <summary>Writes valid JSON; indented output uses two spaces, "key": value and LF line ends.</summary>
        public string ToJson(bool indented = true)
        {
            var builder = new StringBuilder();
            WriteTo(builder, indented, 0);
            return builder.ToString();
        }

        /// <summary>
        /// Writes the same text as <see cref="ToJson"/> to <paramref name="writer"/> as it is produced: arrays built
        /// from a sequence (<see cref="JsonDomArray.Streamed"/>) pass their items through without being held.
        /// </summary>
        public void WriteTo(TextWriter writer, bool indented = true)
        {
            var builder = new StringBuilder();
            var outer = _sink;
            _sink = writer ?? throw new ArgumentNullException(nameof(writer));
            try
            {
                WriteTo(builder, indented, 0);
                writer.Write(builder.ToString());
            }
            finally
            {
                _sink = outer;
            }
        }

        /// <summary>Compact JSON.</summary>
        public override string ToString() => ToJson(false);

        internal abstract void WriteTo(StringBuilder builder, bool indented, int depth);

        /// <summary>Passes what is written so far on to the writer of <see cref="WriteTo(TextWriter, bool)"/>, if any, once it is large.</summary>
        internal static void FlushIfLarge(StringBuilder builder)
        {
            if (_sink != null && builder.Length >= 1 << 16)
            {
                _sink.Write(builder.ToString());
                builder.Clear();
            }
        }

        internal static void WriteIndent(StringBuilder builder, int depth)
        {
            builder.Append('\n');
            builder.Append(' ', depth * 2);
        }

        internal static void WriteString(StringBuilder builder, string value)
        {
            builder.Append('"');
            foreach (char c in value)
            {
                switch (c)
                {
                    case '"': builder.Append("\\\""); break;
                    case '\\': builder.Append("\\\\"); break;
                    case '\b': builder.Append("\\b"); break;
                    case '\f': builder.Append("\\f"); break;
                    case '\n': builder.Append("\\n"); break;
                    case '\r': builder.Append("\\r"); break;
                    case '\t': builder.Append("\\t"); break;
                    default:
                        // U+2028/2029 are legal JSON but end a line in JavaScript; escaping them costs nothing.
                        if (c < 0x20 || c == '\u2028' || c == '\u2029')
                        {
                            builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            builder.Append(c);
                        }

                        break;
                }
            }

            builder.Append('"');
        }
    }
}
