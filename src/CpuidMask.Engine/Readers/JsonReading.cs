using System.Globalization;
using CpuidMask.Engine.Json;

namespace CpuidMask.Engine.Readers
{
    /// <summary>Error construction and value coercion shared by the JSON-based readers.</summary>
    internal static class JsonReading
    {
        public static CpuidMaskException Invalid(string errorId, string sourceName, JsonDomNode? at, string message) =>
            new CpuidMaskException(
                errorId,
                ErrorKind.InvalidData,
                at != null && at.Line > 0
                    ? string.Format(CultureInfo.InvariantCulture, "{0} line {1}, column {2}: {3}", sourceName, at.Line, at.Column, message)
                    : sourceName + ": " + message,
                sourceName);

        /// <summary>Text of a scalar: a string's value, a number's text, true/false as 1/0; null for null, objects and arrays.</summary>
        public static string? ScalarText(JsonDomNode? node) => node switch
        {
            JsonDomString s => s.Value,
            JsonDomNumber n => n.Text,
            JsonDomBool b => b.Value ? "1" : "0",
            _ => null,
        };

        public static string Describe(JsonDomNode node) => node switch
        {
            JsonDomString s => "'" + s.Value + "'",
            JsonDomNumber n => n.Text,
            JsonDomBool b => b.Value ? "true" : "false",
            JsonDomNull _ => "null",
            JsonDomArray _ => "an array",
            _ => "an object",
        };
    }
}
