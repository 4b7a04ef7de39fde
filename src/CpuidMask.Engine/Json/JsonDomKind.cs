namespace CpuidMask.Engine.Json
{
    /// <summary>The kinds of JSON value.</summary>
    public enum JsonDomKind
    {
        Object,
        Array,
        String,
        Number,
        Bool,
        Null,
    }
}
