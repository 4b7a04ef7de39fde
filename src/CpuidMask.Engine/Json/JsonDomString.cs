using System;
using System.Text;

namespace CpuidMask.Engine.Json
{
    /// <summary>A JSON string.</summary>
    public sealed class JsonDomString : JsonDomNode
    {
        public JsonDomString(string value)
        {
            Value = value ?? throw new ArgumentNullException(nameof(value));
        }

        public override JsonDomKind Kind => JsonDomKind.String;

        public string Value { get; }

        internal override void WriteTo(StringBuilder builder, bool indented, int depth) => WriteString(builder, Value);
    }
}
