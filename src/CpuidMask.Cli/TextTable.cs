using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace CpuidMask.Cli
{
    /// <summary>Left-aligned columns, as PowerShell's Format-Table prints them.</summary>
    internal sealed class TextTable
    {
        private readonly string[] _headers;
        private readonly List<string[]> _rows = new List<string[]>();

        public TextTable(params string[] headers)
        {
            _headers = headers;
        }

        public int Count => _rows.Count;

        public TextTable Add(params string?[] cells)
        {
            _rows.Add(cells.Select(c => c ?? string.Empty).ToArray());
            return this;
        }

        public void Write(TextWriter writer, string indent = "  ")
        {
            int[] widths = _headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
            WriteRow(writer, indent, _headers, widths);
            WriteRow(writer, indent, widths.Select(w => new string('-', w)).ToArray(), widths);
            foreach (var row in _rows)
            {
                WriteRow(writer, indent, row, widths);
            }
        }

        private static void WriteRow(TextWriter writer, string indent, string[] cells, int[] widths)
        {
            string line = string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i])));
            writer.WriteLine(indent + line.TrimEnd());
        }
    }
}
