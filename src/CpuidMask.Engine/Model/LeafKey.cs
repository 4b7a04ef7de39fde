using System;
using System.Globalization;

namespace CpuidMask.Engine.Model
{
    /// <summary>A CPUID input: the leaf (EAX) and subleaf (ECX). Orders standard leaves before extended ones.</summary>
    public readonly struct LeafKey : IEquatable<LeafKey>, IComparable<LeafKey>
    {
        public LeafKey(uint leaf, uint subleaf = 0)
        {
            Leaf = leaf;
            Subleaf = subleaf;
        }

        public uint Leaf { get; }

        public uint Subleaf { get; }

        public bool IsExtended => Leaf >= 0x80000000u;

        public bool Equals(LeafKey other) => Leaf == other.Leaf && Subleaf == other.Subleaf;

        public override bool Equals(object? obj) => obj is LeafKey other && Equals(other);

        public override int GetHashCode() => unchecked((int)(Leaf * 397) ^ (int)Subleaf);

        public int CompareTo(LeafKey other)
        {
            int byLeaf = Leaf.CompareTo(other.Leaf);
            return byLeaf != 0 ? byLeaf : Subleaf.CompareTo(other.Subleaf);
        }

        public static bool operator ==(LeafKey left, LeafKey right) => left.Equals(right);

        public static bool operator !=(LeafKey left, LeafKey right) => !left.Equals(right);

        /// <summary>"0x7" or "0x7.1"; "0x80000001".</summary>
        public override string ToString() =>
            Subleaf == 0 ? FormatLeaf(Leaf) : FormatLeaf(Leaf) + "." + Subleaf.ToString(CultureInfo.InvariantCulture);

        public static string FormatLeaf(uint leaf) => "0x" + leaf.ToString("X", CultureInfo.InvariantCulture);
    }
}
