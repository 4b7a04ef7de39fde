using System;
using System.Globalization;
using System.Text;

namespace CpuidMask.Engine.Json
{
    /// <summary>
    /// A JSON number. Keeps the text it was written with, so a value round-trips exactly whatever
    /// its size (vSphere levels such as -2147483647, capability values, 64-bit masks).
    /// </summary>
    public sealed class JsonDomNumber : JsonDomNode
    {
        /// <summary>Wraps number text, which must follow the JSON number grammar.</summary>
        public JsonDomNumber(string text)
        {
            if (!IsValid(text))
            {
                throw new ArgumentException($"'{text}' is not a JSON number.", nameof(text));
            }

            Text = text;
        }

        public JsonDomNumber(long value)
        {
            Text = value.ToString(CultureInfo.InvariantCulture);
        }

        public JsonDomNumber(double value)
        {
            if (double.IsNaN(value) || double.IsInfinity(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), "JSON has no NaN or infinity.");
            }

            Text = value.ToString("R", CultureInfo.InvariantCulture);
        }

        public override JsonDomKind Kind => JsonDomKind.Number;

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
}
