using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Masks
{
    /// <summary>The leaves and named feature masks a catalog knows: what a mask given as input may name.</summary>
    internal sealed class MaskVocabulary
    {
        private static readonly ConditionalWeakTable<FeatureCatalog, MaskVocabulary> Cache = new ConditionalWeakTable<FeatureCatalog, MaskVocabulary>();

        private readonly HashSet<LeafKey> _leaves;
        private readonly Dictionary<string, string> _featMaskNames = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        private MaskVocabulary(FeatureCatalog catalog)
        {
            _leaves = new HashSet<LeafKey>(catalog.Features.Select(f => f.LeafKey));
            LeafList = string.Join(", ", _leaves.OrderBy(l => l).Select(l => l.ToString()));
            foreach (var feature in catalog.Features)
            {
                if (feature.FeatMaskName is string name && !_featMaskNames.ContainsKey(name))
                {
                    _featMaskNames.Add(name, name);
                }

                // cpuid.IBRS and cpuid.IBPB are two vSphere names for one Intel bit (an alias in the catalog).
                foreach (string alias in feature.Aliases.Where(a => a.StartsWith("cpuid.", StringComparison.OrdinalIgnoreCase)))
                {
                    string aliasName = alias.Substring("cpuid.".Length);
                    if (!_featMaskNames.ContainsKey(aliasName))
                    {
                        _featMaskNames.Add(aliasName, aliasName);
                    }
                }
            }
        }

        /// <summary>The leaves that hold catalog features, e.g. "0x1, 0x6, 0x7, 0x7.1, ...".</summary>
        public string LeafList { get; }

        public static MaskVocabulary For(FeatureCatalog catalog) => Cache.GetValue(catalog, c => new MaskVocabulary(c));

        public bool KnowsLeaf(LeafKey leaf) => _leaves.Contains(leaf);

        /// <summary>Finds a vSphere feature name whatever its case, giving the catalog's spelling.</summary>
        public bool TryFeatMaskName(string name, out string canonical) => _featMaskNames.TryGetValue(name, out canonical!);

        /// <summary>
        /// Leaf 0 EBX, EDX, ECX spell the vendor (GenuineIntel, AuthenticAMD), and AMD repeats it in 0x80000000;
        /// masking them makes a guest misidentify its CPU and never helps a migration.
        /// </summary>
        public static bool IsVendorRegister(MaskKey key) =>
            (key.Leaf == 0 || key.Leaf == 0x80000000u) && key.Subleaf == 0 && key.Register != CpuidRegister.Eax;
    }
}
