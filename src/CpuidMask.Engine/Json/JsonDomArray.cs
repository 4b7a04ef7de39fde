using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace CpuidMask.Engine.Json
{
    /// <summary>A JSON array.</summary>
    public sealed class JsonDomArray : JsonDomNode, IReadOnlyList<JsonDomNode>
    {
        private readonly List<JsonDomNode> _items = new List<JsonDomNode>();

        // Set for an array whose items are produced when it is written or read, and not kept.
        private readonly IEnumerable<JsonDomNode>? _streamed;

        public JsonDomArray()
        {
        }

        public JsonDomArray(IEnumerable<JsonDomNode> items)
            : this(items, streamed: false)
        {
        }

        private JsonDomArray(IEnumerable<JsonDomNode> items, bool streamed)
        {
            if (items == null)
            {
                throw new ArgumentNullException(nameof(items));
            }

            if (streamed)
            {
                _streamed = items;
                return;
            }

            foreach (var item in items)
            {
                Add(item);
            }
        }

        public override JsonDomKind Kind => JsonDomKind.Array;

        public int Count => _streamed?.Count() ?? _items.Count;

        public JsonDomNode this[int index] => _streamed != null ? _streamed.ElementAt(index) : _items[index];

        /// <summary>
        /// An array whose items are produced from <paramref name="items"/> each time it is written or read, and not kept:
        /// written with <see cref="JsonDomNode.WriteTo(System.IO.TextWriter, bool)"/>, a million items cost the memory of one.
        /// </summary>
        public static JsonDomArray Streamed(IEnumerable<JsonDomNode> items) => new JsonDomArray(items, streamed: true);

        public JsonDomArray Add(JsonDomNode item)
        {
            if (_streamed != null)
            {
                throw new InvalidOperationException("A streamed JSON array takes no items after it is made.");
            }

            _items.Add(item ?? throw new ArgumentNullException(nameof(item), "Use JsonDomNull.Instance for a JSON null."));
            return this;
        }

        public JsonDomArray Add(string? value) => Add(value == null ? (JsonDomNode)JsonDomNull.Instance : new JsonDomString(value));

        public IEnumerator<JsonDomNode> GetEnumerator() => (_streamed ?? _items).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        internal override void WriteTo(StringBuilder builder, bool indented, int depth)
        {
            bool any = false;
            foreach (var item in (IEnumerable<JsonDomNode>?)_streamed ?? _items)
            {
                builder.Append(any ? ',' : '[');
                any = true;
                if (indented)
                {
                    WriteIndent(builder, depth + 1);
                }

                item.WriteTo(builder, indented, depth + 1);
                FlushIfLarge(builder);
            }

            if (!any)
            {
                builder.Append("[]");
                return;
            }

            if (indented)
            {
                WriteIndent(builder, depth);
            }

            builder.Append(']');
        }
    }
}
