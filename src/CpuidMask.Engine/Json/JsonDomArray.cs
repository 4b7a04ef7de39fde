using System;
using System.Collections;
using System.Collections.Generic;
using System.Text;

namespace CpuidMask.Engine.Json
{
    /// <summary>A JSON array.</summary>
    public sealed class JsonDomArray : JsonDomNode, IReadOnlyList<JsonDomNode>
    {
        private readonly List<JsonDomNode> _items = new List<JsonDomNode>();

        public JsonDomArray()
        {
        }

        public JsonDomArray(IEnumerable<JsonDomNode> items)
        {
            foreach (var item in items ?? throw new ArgumentNullException(nameof(items)))
            {
                Add(item);
            }
        }

        public override JsonDomKind Kind => JsonDomKind.Array;

        public int Count => _items.Count;

        public JsonDomNode this[int index] => _items[index];

        public JsonDomArray Add(JsonDomNode item)
        {
            _items.Add(item ?? throw new ArgumentNullException(nameof(item), "Use JsonDomNull.Instance for a JSON null."));
            return this;
        }

        public JsonDomArray Add(string? value) => Add(value == null ? (JsonDomNode)JsonDomNull.Instance : new JsonDomString(value));

        public IEnumerator<JsonDomNode> GetEnumerator() => _items.GetEnumerator();

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
}
