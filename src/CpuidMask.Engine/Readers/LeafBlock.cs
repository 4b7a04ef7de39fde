using System.Collections.Generic;
using System.Globalization;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Readers
{
    /// <summary>
    /// Collects the leaves of one logical CPU or host as a reader meets them, with the line of each. A leaf
    /// reported twice with the same values is kept once; with other values it is an error, since one CPU
    /// gives one answer per (leaf, subleaf); so is a leaf below one already listed in its range.
    /// </summary>
    internal sealed class LeafBlock
    {
        private static string Describe(LeafKey key) =>
            key.Subleaf == 0 ? LeafKey.FormatLeaf(key.Leaf) : LeafKey.FormatLeaf(key.Leaf) + " subleaf " + key.Subleaf.ToString(CultureInfo.InvariantCulture);

        private readonly Dictionary<uint, uint> _lastSubleaf = new Dictionary<uint, uint>();
        private readonly Dictionary<LeafKey, CpuidLeaf> _byKey = new Dictionary<LeafKey, CpuidLeaf>();
        private readonly Dictionary<LeafKey, int> _lines = new Dictionary<LeafKey, int>();
        private readonly Dictionary<uint, LeafKey> _lastInRange = new Dictionary<uint, LeafKey>();

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

        /// <summary>The leaves whose lines name their subleaf (a tag, a column).</summary>
        public HashSet<uint> SubleafLeaves { get; } = new HashSet<uint>();

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

            // Every dumper lists a range's leaves (0x0000xxxx, 0x8000xxxx ...) in ascending order; a line out of
            // order was moved or comes from another dump.
            uint range = leaf.Leaf >> 16;
            if (_lastInRange.TryGetValue(range, out var last) && leaf.Key.CompareTo(last) < 0)
            {
                throw new CpuidMaskException(
                    ProfileChecks.Inconsistent,
                    ErrorKind.InvalidData,
                    string.Format(
                        CultureInfo.InvariantCulture,
                        "{0} line {1}: leaf {2} comes after leaf {3} (line {4}) within {5}; the leaves of a CPU are listed in ascending order, so the line is misplaced or comes from another dump. Take the dump again.",
                        sourceName,
                        line,
                        Describe(leaf.Key),
                        Describe(last),
                        _lines[last],
                        Where),
                    sourceName);
            }

            _lastInRange[range] = leaf.Key;
            _byKey.Add(leaf.Key, leaf);
            _lines.Add(leaf.Key, line);
            Leaves.Add(leaf);
        }
    }
}
