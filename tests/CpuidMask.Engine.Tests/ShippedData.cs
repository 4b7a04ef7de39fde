using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using CpuidMask.Engine.Catalog;

namespace CpuidMask.Engine.Tests
{
    /// <summary>The XML data files embedded in the engine, as lines to break one of and load again.</summary>
    internal static class ShippedData
    {
        public static string[] Lines(string fileName)
        {
            using var stream = typeof(FeatureCatalog).Assembly.GetManifestResourceStream("CpuidMask.Engine.Data." + fileName)
                ?? throw new InvalidOperationException(fileName + " is not embedded in the engine.");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd().Replace("\r\n", "\n").Split('\n');
        }

        /// <summary>The index of the only line that contains the text.</summary>
        public static int IndexOf(string[] lines, string text)
        {
            int index = Array.FindIndex(lines, l => l.Contains(text));
            if (index < 0 || Array.FindIndex(lines, index + 1, l => l.Contains(text)) >= 0)
            {
                throw new InvalidOperationException($"Not exactly one line holds '{text}'.");
            }

            return index;
        }

        public static Stream ToStream(IEnumerable<string> lines) => new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\n", lines)));
    }
}
