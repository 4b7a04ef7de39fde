using System.Collections.Generic;
using System.Globalization;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Readers
{
    /// <summary>
    /// Collects the leaves of one logical CPU or host as a reader meets them, with the line of each. A leaf
    /// reported twice with the same values is kept once; with other values it is an error, since one CPU
    /// gives one answer per (leaf, subleaf).
    /// </summary>
    internal sealed class LeafBlock
    {
        private readonly Dictionary<uint, uint> _lastSubleaf = new Dictionary<uint, uint>();
        private readonly Dictionary<LeafKey, CpuidLeaf> _byKey = new Dictionary<LeafKey, CpuidLeaf>();
        private readonly Dictionary<LeafKey, int> _lines = new Dictionary<LeafKey, int>();

        public LeafBlock(int firstLine, int index, string what = "logical CPU")
        {
            FirstLine = firstLine;
            Where = string.Format(CultureInfo.InvariantCulture, "{0} {1} (from line {2})", what, index, firstLine);
        }

        public int FirstLine { get; }

        /// <summary>"logical CPU 3 (from line 120)", for messages.</summary>
        public string Where { get; }

        public List<CpuidLeaf> Leaves { get; } = new List<CpuidLeaf>();

        public IReadOnlyDictionary<LeafKey, int> Lines => _lines;

        public bool Contains(uint leaf, uint subleaf) => _byKey.ContainsKey(new LeafKey(leaf, subleaf));

        public bool TryGetLastSubleaf(uint leaf, out uint subleaf) => _lastSubleaf.TryGetValue(leaf, out subleaf);

        public CpuidLeaf? Find(uint leaf, uint subleaf) => _byKey.TryGetValue(new LeafKey(leaf, subleaf), out var found) ? found : null;

        public void Add(CpuidLeaf leaf, int line, string sourceName)
        {
            _lastSubleaf[leaf.Leaf] = leaf.Subleaf;
            if (_byKey.TryGetValue(leaf.Key, out var earlier))
            {
                if (earlier.Registers.Equals(leaf.Registers) && earlier.Known == leaf.Known)
                {
                    return;
                }

                throw ProfileChecks.Conflict(sourceName, leaf.Key, line, _lines[leaf.Key], Where);
            }

            _byKey.Add(leaf.Key, leaf);
            _lines.Add(leaf.Key, line);
            Leaves.Add(leaf);
        }
    }
}
