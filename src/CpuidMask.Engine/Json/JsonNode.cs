using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace CpuidMask.Engine.Json
{
    /// <summary>The kinds of JSON value.</summary>
    public enum JsonValueKind
    {
        Object,
        Array,
        String,
        Number,
        Bool,
        Null,
    }

    /// <summary>
    /// A JSON value. The engine carries its own small DOM because it must not depend on
    /// System.Text.Json or Newtonsoft: a binary module that brings its own copy of either breaks
    /// (or is broken by) the copy PowerCLI already loaded into the session.
    /// </summary>
    public abstract class JsonNode
    {
        private protected JsonNode()
        {
        }

        public abstract JsonValueKind Kind { get; }

        /// <summary>1-based line where the parser found this value; 0 for values built in code.</summary>
        public int Line { get; internal set; }

        /// <summary>1-based column where the parser found this value; 0 for values built in code.</summary>
        public int Column { get; internal set; }

        /// <summary>
        /// Parses one JSON value (RFC 8259). Throws <see cref="CpuidMaskException"/> with id
        /// <c>JsonMalformed</c> naming <paramref name="sourceName"/>, the line and column and what was expected.
        /// </summary>
        public static JsonNode Parse(string text, string sourceName) =>
            JsonParser.Parse(text ?? throw new ArgumentNullException(nameof(text)), sourceName ?? "JSON text");

        /// <summary>Writes valid JSON; indented output uses two spaces, "key": value and LF line ends.</summary>
        public string ToJson(bool indented = true)
        {
            var builder = new StringBuilder();
            WriteTo(builder, indented, 0);
            return builder.ToString();
        }

        /// <summary>Compact JSON.</summary>
        public override string ToString() => ToJson(false);

        internal abstract void WriteTo(StringBuilder builder, bool indented, int depth);

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

    /// <summary>
    /// A JSON object: keys keep their insertion order and are compared case-sensitively, as JSON
    /// defines; <see cref="TryGet"/> also finds a key whatever its case, because PowerShell's
    /// ConvertTo-Json writes .NET property names (<c>CpuFeature</c>) where the API says <c>cpuFeature</c>.
    /// </summary>
    public sealed class JsonObject : JsonNode, IEnumerable<KeyValuePair<string, JsonNode>>
    {
        private readonly List<KeyValuePair<string, JsonNode>> _members = new List<KeyValuePair<string, JsonNode>>();
        private readonly Dictionary<string, int> _index = new Dictionary<string, int>(StringComparer.Ordinal);

        public override JsonValueKind Kind => JsonValueKind.Object;

        public int Count => _members.Count;

        public IEnumerable<string> Keys
        {
            get
            {
                foreach (var member in _members)
                {
                    yield return member.Key;
                }
            }
        }

        /// <summary>Gets a member by exact key (throws when absent); setting replaces it in place or appends it.</summary>
        public JsonNode this[string key]
        {
            get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The JSON object has no member '{key}'.");
            set
            {
                CheckKey(key);
                var node = value ?? throw new ArgumentNullException(nameof(value), "Use JsonNull.Instance for a JSON null.");
                if (_index.TryGetValue(key, out int at))
                {
                    _members[at] = new KeyValuePair<string, JsonNode>(key, node);
                }
                else
                {
                    Append(key, node);
                }
            }
        }

        /// <summary>Adds a member; a key that is already present is an error.</summary>
        public JsonObject Add(string key, JsonNode value)
        {
            CheckKey(key);
            if (_index.ContainsKey(key))
            {
                throw new ArgumentException($"The JSON object already has a member '{key}'.", nameof(key));
            }

            Append(key, value ?? throw new ArgumentNullException(nameof(value), "Use JsonNull.Instance for a JSON null."));
            return this;
        }

        public JsonObject Add(string key, string? value) => Add(key, value == null ? (JsonNode)JsonNull.Instance : new JsonString(value));

        public JsonObject Add(string key, long value) => Add(key, new JsonNumber(value));

        public JsonObject Add(string key, bool value) => Add(key, JsonBool.From(value));

        public bool ContainsKey(string key) => key != null && _index.ContainsKey(key);

        /// <summary>Exact (case-sensitive) lookup.</summary>
        public bool TryGetValue(string key, out JsonNode value)
        {
            if (key != null && _index.TryGetValue(key, out int at))
            {
                value = _members[at].Value;
                return true;
            }

            value = null!;
            return false;
        }

        /// <summary>
        /// Lookup that prefers the exact key and otherwise takes the first member whose key matches
        /// ignoring case.
        /// </summary>
        public bool TryGet(string key, out JsonNode value)
        {
            if (TryGetValue(key, out value))
            {
                return true;
            }

            foreach (var member in _members)
            {
                if (string.Equals(member.Key, key, StringComparison.OrdinalIgnoreCase))
                {
                    value = member.Value;
                    return true;
                }
            }

            value = null!;
            return false;
        }

        /// <summary>The member found by <see cref="TryGet"/>, or null.</summary>
        public JsonNode? Get(string key) => TryGet(key, out var value) ? value : null;

        public bool Remove(string key)
        {
            if (key == null || !_index.TryGetValue(key, out int at))
            {
                return false;
            }

            _members.RemoveAt(at);
            _index.Clear();
            for (int i = 0; i < _members.Count; i++)
            {
                _index[_members[i].Key] = i;
            }

            return true;
        }

        public IEnumerator<KeyValuePair<string, JsonNode>> GetEnumerator() => _members.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        internal bool TryAddParsed(string key, JsonNode value)
        {
            if (_index.ContainsKey(key))
            {
                return false;
            }

            Append(key, value);
            return true;
        }

        internal override void WriteTo(StringBuilder builder, bool indented, int depth)
        {
            if (_members.Count == 0)
            {
                builder.Append("{}");
                return;
            }

            builder.Append('{');
            for (int i = 0; i < _members.Count; i++)
            {
                if (i > 0)
                {
                    builder.Append(',');
                }

                if (indented)
                {
                    WriteIndent(builder, depth + 1);
                }

                WriteString(builder, _members[i].Key);
                builder.Append(indented ? ": " : ":");
                _members[i].Value.WriteTo(builder, indented, depth + 1);
            }

            if (indented)
            {
                WriteIndent(builder, depth);
            }

            builder.Append('}');
        }

        private static void CheckKey(string key)
        {
            if (key == null)
            {
                throw new ArgumentNullException(nameof(key));
            }
        }

        private void Append(string key, JsonNode value)
        {
            _index.Add(key, _members.Count);
            _members.Add(new KeyValuePair<string, JsonNode>(key, value));
        }
    }

    /// <summary>A JSON array.</summary>
    public sealed class JsonArray : JsonNode, IReadOnlyList<JsonNode>
    {
        private readonly List<JsonNode> _items = new List<JsonNode>();

        public JsonArray()
        {
        }

        public JsonArray(IEnumerable<JsonNode> items)
        {
            foreach (var item in items ?? throw new ArgumentNullException(nameof(items)))
            {
                Add(item);
            }
        }

        public override JsonValueKind Kind => JsonValueKind.Array;

        public int Count => _items.Count;

        public JsonNode this[int index] => _items[index];

        public JsonArray Add(JsonNode item)
        {
            _items.Add(item ?? throw new ArgumentNullException(nameof(item), "Use JsonNull.Instance for a JSON null."));
            return this;
        }

        public JsonArray Add(string? value) => Add(value == null ? (JsonNode)JsonNull.Instance : new JsonString(value));

        public IEnumerator<JsonNode> GetEnumerator() => _items.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        internal override void WriteTo(StringBuilder builder, bool indented, int depth)
        {
            if (_items.Count == 0)
            {
                builder.Append("[]");
                return;
            }

            builder.Append('[');
            for (int i = 0; i < _items.Count; i++)
            {
                if (i > 0)
                {
                    builder.Append(',');
                }

                if (indented)
                {
                    WriteIndent(builder, depth + 1);
                }

                _items[i].WriteTo(builder, indented, depth + 1);
            }

            if (indented)
            {
                WriteIndent(builder, depth);
            }

            builder.Append(']');
        }
    }

    /// <summary>A JSON string.</summary>
    public sealed class JsonString : JsonNode
    {
        public JsonString(string value)
        {
            Value = value ?? throw new ArgumentNullException(nameof(value));
        }

        public override JsonValueKind Kind => JsonValueKind.String;

        public string Value { get; }

        internal override void WriteTo(StringBuilder builder, bool indented, int depth) => WriteString(builder, Value);
    }

    /// <summary>
    /// A JSON number. Keeps the text it was written with, so a value round-trips exactly whatever
    /// its size (vSphere levels such as -2147483647, capability values, 64-bit masks).
    /// </summary>
    public sealed class JsonNumber : JsonNode
    {
        /// <summary>Wraps number text, which must follow the JSON number grammar.</summary>
        public JsonNumber(string text)
        {
            if (!IsValid(text))
            {
                throw new ArgumentException($"'{text}' is not a JSON number.", nameof(text));
            }

            Text = text;
        }

        public JsonNumber(long value)
        {
            Text = value.ToString(CultureInfo.InvariantCulture);
        }

        public JsonNumber(double value)
        {
            if (double.IsNaN(value) || double.IsInfinity(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), "JSON has no NaN or infinity.");
            }

            Text = value.ToString("R", CultureInfo.InvariantCulture);
        }

        public override JsonValueKind Kind => JsonValueKind.Number;

        /// <summary>The number exactly as written.</summary>
        public string Text { get; }

        /// <summary>True when the number is an integer that fits a long (no fraction, no exponent).</summary>
        public bool TryGetInt64(out long value) =>
            long.TryParse(Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

        public bool TryGetInt32(out int value) =>
            int.TryParse(Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

        public long GetInt64() =>
            TryGetInt64(out long value) ? value : throw new FormatException($"JSON number {Text} is not an integer that fits 64 bits.");

        public double GetDouble() => double.Parse(Text, NumberStyles.Float, CultureInfo.InvariantCulture);

        internal static bool IsValid(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return false;
            }

            int i = 0;
            int n = text!.Length;
            if (text[i] == '-')
            {
                i++;
            }

            if (i >= n || !IsDigit(text[i]))
            {
                return false;
            }

            if (text[i] == '0')
            {
                i++;
            }
            else
            {
                while (i < n && IsDigit(text[i]))
                {
                    i++;
                }
            }

            if (i < n && text[i] == '.')
            {
                i++;
                if (i >= n || !IsDigit(text[i]))
                {
                    return false;
                }

                while (i < n && IsDigit(text[i]))
                {
                    i++;
                }
            }

            if (i < n && (text[i] == 'e' || text[i] == 'E'))
            {
                i++;
                if (i < n && (text[i] == '+' || text[i] == '-'))
                {
                    i++;
                }

                if (i >= n || !IsDigit(text[i]))
                {
                    return false;
                }

                while (i < n && IsDigit(text[i]))
                {
                    i++;
                }
            }

            return i == n;
        }

        internal override void WriteTo(StringBuilder builder, bool indented, int depth) => builder.Append(Text);

        private static bool IsDigit(char c) => c >= '0' && c <= '9';
    }

    /// <summary>JSON true or false.</summary>
    public sealed class JsonBool : JsonNode
    {
        public JsonBool(bool value)
        {
            Value = value;
        }

        public override JsonValueKind Kind => JsonValueKind.Bool;

        public bool Value { get; }

        public static JsonBool From(bool value) => new JsonBool(value);

        internal override void WriteTo(StringBuilder builder, bool indented, int depth) => builder.Append(Value ? "true" : "false");
    }

    /// <summary>JSON null.</summary>
    public sealed class JsonNull : JsonNode
    {
        /// <summary>A shared instance for values built in code (parsed nulls get their own, to carry a position).</summary>
        public static readonly JsonNull Instance = new JsonNull();

        public override JsonValueKind Kind => JsonValueKind.Null;

        internal override void WriteTo(StringBuilder builder, bool indented, int depth) => builder.Append("null");
    }
}
