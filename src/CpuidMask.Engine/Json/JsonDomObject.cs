using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace CpuidMask.Engine.Json
{
    /// <summary>
    /// A JSON object: keys keep their insertion order and are compared case-sensitively, as JSON
    /// defines; <see cref="TryGet"/> also finds a key whatever its case, because PowerShell's
    /// ConvertTo-Json writes .NET property names (<c>CpuFeature</c>) where the API says <c>cpuFeature</c>.
    /// </summary>
    public sealed class JsonDomObject : JsonDomNode, IEnumerable<KeyValuePair<string, JsonDomNode>>
    {
        private readonly List<KeyValuePair<string, JsonDomNode>> _members = new List<KeyValuePair<string, JsonDomNode>>();
        private readonly Dictionary<string, int> _index = new Dictionary<string, int>(StringComparer.Ordinal);

        public override JsonDomKind Kind => JsonDomKind.Object;

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
        public JsonDomNode this[string key]
        {
            get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The JSON object has no member '{key}'.");
            set
            {
                CheckKey(key);
                var node = value ?? throw new ArgumentNullException(nameof(value), "Use JsonDomNull.Instance for a JSON null.");
                if (_index.TryGetValue(key, out int at))
                {
                    _members[at] = new KeyValuePair<string, JsonDomNode>(key, node);
                }
                else
                {
                    Append(key, node);
                }
            }
        }

        /// <summary>Adds a member; a key that is already present is an error.</summary>
        public JsonDomObject Add(string key, JsonDomNode value)
        {
            CheckKey(key);
            if (_index.ContainsKey(key))
            {
                throw new ArgumentException($"The JSON object already has a member '{key}'.", nameof(key));
            }

            Append(key, value ?? throw new ArgumentNullException(nameof(value), "Use JsonDomNull.Instance for a JSON null."));
            return this;
        }

        public JsonDomObject Add(string key, string? value) => Add(key, value == null ? (JsonDomNode)JsonDomNull.Instance : new JsonDomString(value));

        public JsonDomObject Add(string key, long value) => Add(key, new JsonDomNumber(value));

        public JsonDomObject Add(string key, bool value) => Add(key, JsonDomBool.From(value));

        public bool ContainsKey(string key) => key != null && _index.ContainsKey(key);

        /// <summary>Exact (case-sensitive) lookup.</summary>
        public bool TryGetValue(string key, out JsonDomNode value)
        {
            if (key != null && _index.TryGetValue(key, out int at))
            {
                value = _members[at].Value;
                return true;
            }

            value = null!;
            return false;
        }

        /// <summary>The file or text this object was parsed from (for errors); null for objects built in code.</summary>
        internal string? SourceName { get; set; }

        /// <summary>
        /// Lookup whatever the key's case: the exact key, otherwise the member whose key matches ignoring case. An
        /// object parsed from text that holds the name in two cases ("key" and "Key") is refused (JsonMalformed):
        /// which one is meant is unclear, and taking either would let a stray line replace a value.
        /// </summary>
        public bool TryGet(string key, out JsonDomNode value)
        {
            value = null!;
            KeyValuePair<string, JsonDomNode>? found = null;
            foreach (var member in _members)
            {
                if (!string.Equals(member.Key, key, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (found is KeyValuePair<string, JsonDomNode> first)
                {
                    if (SourceName != null)
                    {
                        var (a, b) = first.Value.Line <= member.Value.Line ? (first, member) : (member, first);
                        throw new CpuidMaskException(
                            "JsonMalformed",
                            ErrorKind.InvalidData,
                            string.Format(
                                CultureInfo.InvariantCulture,
                                "{0} line {1}: \"{2}\" repeats \"{3}\" (line {4}) in another case; names are read whatever their case, so which one is meant is unclear. The file is damaged or was edited; keep one.",
                                SourceName,
                                b.Value.Line,
                                b.Key,
                                a.Key,
                                a.Value.Line),
                            SourceName);
                    }

                    // Built in code: the exact key wins.
                    if (member.Key == key)
                    {
                        found = member;
                    }

                    continue;
                }

                found = member;
            }

            if (found is KeyValuePair<string, JsonDomNode> hit)
            {
                value = hit.Value;
                return true;
            }

            return false;
        }

        /// <summary>The member found by <see cref="TryGet"/>, or null.</summary>
        public JsonDomNode? Get(string key) => TryGet(key, out var value) ? value : null;

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

        public IEnumerator<KeyValuePair<string, JsonDomNode>> GetEnumerator() => _members.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        internal bool TryAddParsed(string key, JsonDomNode value)
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

        private void Append(string key, JsonDomNode value)
        {
            _index.Add(key, _members.Count);
            _members.Add(new KeyValuePair<string, JsonDomNode>(key, value));
        }
    }
}
