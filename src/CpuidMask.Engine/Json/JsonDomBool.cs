using System.Text;

namespace CpuidMask.Engine.Json
{
    /// <summary>JSON true or false.</summary>
    public sealed class JsonDomBool : JsonDomNode
    {
        public JsonDomBool(bool value)
        {
            Value = value;
        }

        public override JsonDomKind Kind => JsonDomKind.Bool;

        public bool Value { get; }

        public static JsonDomBool From(bool value) => new JsonDomBool(value);

        internal override void WriteTo(StringBuilder builder, bool indented, int depth) => builder.Append(Value ? "true" : "false");
    }
}
