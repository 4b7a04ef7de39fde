using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Collections;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Analysis
{
    /// <summary>
    /// Hosts of one vendor that report every tracked feature in the same state. A VM moves between two hosts exactly
    /// as it moves between their classes, and a vCenter of a thousand hosts has a handful of CPU models, so
    /// comparisons, masks and proofs work on classes and stay linear in the number of hosts.
    /// </summary>
    public sealed class HostClass
    {
        internal HostClass(int index, IReadOnlyList<CpuidProfile> members)
        {
            Index = index;
            Members = members.ToItemList(m => m.Name);
            HostNames = members.Select(m => m.Name).ToItemList();
        }

        /// <summary>Position among the classes, in the order their first hosts were given.</summary>
        public int Index { get; }

        /// <summary>The hosts of the class, in the order they were given.</summary>
        public IReadOnlyList<CpuidProfile> Members { get; }

        public IReadOnlyList<string> HostNames { get; }

        public CpuidProfile Representative => Members[0];

        public string Vendor => Representative.Vendor;

        /// <summary>The host's name for a class of one; else its first host's name and how many more are alike.</summary>
        public string Name => Members.Count == 1 ? Members[0].Name : $"{Members[0].Name} (+{Members.Count - 1} alike)";

        public override string ToString() => Members.Count == 1 ? Name : $"{Name}: {string.Join(", ", HostNames)}";
    }
}
