using System.Globalization;
using System.Text;

namespace CpuidMask.Engine.Masks
{
    /// <summary>Text from an input, made safe to quote in a message.</summary>
    internal static class InputText
    {
        private const int MaxShown = 80;

        /// <summary>
        /// Control characters and lone surrogates (JSON's "\ud800" decodes to one) become \uXXXX, so that a message never
        /// carries what a terminal or an encoder chokes on; over-long text is cut with "...".
        /// </summary>
        public static string Show(string? text)
        {
            if (text == null)
            {
                return string.Empty;
            }

            var builder = new StringBuilder();
            int i = 0;
            for (; i < text.Length && builder.Length < MaxShown; i++)
            {
                char c = text[i];
                bool pair = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
                if (pair)
                {
                    builder.Append(c).Append(text[++i]);
                }
                else if (char.IsControl(c) || char.IsSurrogate(c))
                {
                    builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                }
                else
                {
                    builder.Append(c);
                }
            }

            return i < text.Length ? builder.Append("...").ToString() : builder.ToString();
        }
    }
}
