using System;
using System.Collections.Generic;
using System.Text;

namespace CpuidMask.PowerShell
{
    /// <summary>
    /// Long text for the default views in CpuidMask.Format.ps1xml, broken at spaces into lines that fit the
    /// view's column at 80 console columns.
    /// </summary>
    /// <remarks>
    /// PowerShell wraps a table cell or list value at spaces only when the current culture's language is
    /// English, French, German, Italian, Portuguese or Spanish; under any other culture (the invariant culture
    /// of LANG=C, Dutch, Japanese...) it cuts the text at the column's last character, inside words. The views
    /// therefore break their text themselves and give PowerShell only lines that already fit.
    /// </remarks>
    public static class ViewText
    {
        /// <summary>
        /// <paramref name="text"/> broken at spaces into lines of at most <paramref name="width"/> characters.
        /// Line breaks already in the text are kept; a word longer than the width keeps a line of its own, whole.
        /// </summary>
        public static string Wrap(string? text, int width)
        {
            if (string.IsNullOrEmpty(text))
            {
                return string.Empty;
            }

            if (width < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(width), width, "The width must be at least one character.");
            }

            var lines = new List<string>();
            foreach (string paragraph in text!.Replace("\r\n", "\n").Split('\n'))
            {
                WrapParagraph(paragraph, width, lines);
            }

            return string.Join(Environment.NewLine, lines);
        }

        /// <summary>
        /// The items joined with ", " and broken like <see cref="Wrap"/>, so that a line ends after a comma:
        /// a list of feature names or keys that a narrow column shows whole.
        /// </summary>
        public static string WrapList(string[]? items, int width) =>
            items == null ? string.Empty : Wrap(string.Join(", ", items), width);

        private static void WrapParagraph(string paragraph, int width, List<string> lines)
        {
            if (paragraph.Length <= width)
            {
                lines.Add(paragraph);
                return;
            }

            var line = new StringBuilder();
            foreach (string word in paragraph.Split(' '))
            {
                // Runs of spaces (a CPU brand's "CPU  C2750  @") leave empty words: kept inside a line, never
                // at its start or end.
                if (line.Length == 0)
                {
                    line.Append(word);
                }
                else if (line.Length + 1 + word.Length <= width)
                {
                    line.Append(' ').Append(word);
                }
                else
                {
                    lines.Add(line.ToString().TrimEnd(' '));
                    line.Clear().Append(word);
                }
            }

            if (line.Length > 0)
            {
                lines.Add(line.ToString().TrimEnd(' '));
            }
        }
    }
}
