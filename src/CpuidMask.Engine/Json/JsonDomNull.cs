using System.Text;

namespace CpuidMask.Engine.Json
{
    /// <summary>JSON null.</summary>
    public sealed class JsonDomNull : JsonDomNode
    {
        /// <summary>A shared instance for values built in code (parsed nulls get their own, to carry a position).</summary>
        public static readonly JsonDomNull Instance = new JsonDomNull();

        public override JsonDomKind Kind => JsonDomKind.Null;

        internal override void WriteTo(StringBuilder builder, bool indented, int depth) => builder.Append("null");
    }
}
