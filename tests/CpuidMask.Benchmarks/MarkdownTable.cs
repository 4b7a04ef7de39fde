using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace CpuidMask.Benchmarks
{
    /// <summary>A results table printed as Markdown, so README.md can show it as measured.</summary>
    internal sealed class MarkdownTable
    {
        private readonly IReadOnlyList<string> _header;
        private readonly List<IReadOnlyList<string>> _rows = new();

        public MarkdownTable(IReadOnlyList<string> header) => _header = header;

        public void Add(IReadOnlyList<string> row) => _rows.Add(row);

        public void Write(TextWriter output)
        {
            var widths = _header.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
            string Line(IReadOnlyList<string> cells) => "| " + string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))) + " |";
            output.WriteLine(Line(_header));
            output.WriteLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
            foreach (var row in _rows)
            {
                output.WriteLine(Line(row));
            }
        }
    }
}
