using System.Collections.Generic;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Readers
{
    /// <summary>Collects the leaves of one logical CPU or host as a reader meets them.</summary>
    internal sealed class LeafBlock
    {
        private readonly Dictionary<uint, uint> _lastSubleaf = new Dictionary<uint, uint>();

        public LeafBlock(int firstLine)
        {
            FirstLine = firstLine;
        }

        public int FirstLine { get; }

        public List<CpuidLeaf> Leaves { get; } = new List<CpuidLeaf>();

        public bool Contains(uint leaf, uint subleaf) => Leaves.Exists(l => l.Leaf == leaf && l.Subleaf == subleaf);

        public bool TryGetLastSubleaf(uint leaf, out uint subleaf) => _lastSubleaf.TryGetValue(leaf, out subleaf);

        public CpuidLeaf? Find(uint leaf, uint subleaf) => Leaves.Find(l => l.Leaf == leaf && l.Subleaf == subleaf);

        public void Add(CpuidLeaf leaf)
        {
            Leaves.Add(leaf);
            _lastSubleaf[leaf.Leaf] = leaf.Subleaf;
        }
    }
}
