using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Model;
using Xunit;

namespace CpuidMask.Engine.Tests
{
    /// <summary>The catalog against the cpuid.* keys vCenter compares (tests/data/catalog/vsphere-8.0u1-keys.txt).</summary>
    public class VSphereKeyTests
    {
        private static readonly FeatureCatalog Catalog = FeatureCatalog.Default;

        /// <summary>vCenter keys that are not one CPUID bit: the vendor, the identity fields of leaves 0, 1 and 0x80000000.</summary>
        private static readonly HashSet<string> NotABit = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "cpuid.intel", "cpuid.amd", "cpuid.via", "cpuid.cyrix",
            "cpuid.family", "cpuid.model", "cpuid.stepping", "cpuid.numlevels", "cpuid.num_ext_levels",
        };

        [Fact]
        public void KeyList_IsVSphere80U1s()
        {
            Assert.Equal(152, VmwareData.VSphere801Keys.Value.Length);
            Assert.Contains("cpuid.svm_npt", VmwareData.VSphere801Keys.Value);
        }

        [Fact]
        public void Default_EveryKeyVCenterCompares_IsTheVsphereKeyOfTheFeatureAtItsBit()
        {
            var byName = VmwareData.Bits.Value.ToLookup(b => "cpuid." + b.Value.Name, b => $"leaf 0x{b.Key.Item1:X}.{b.Key.Item2} {b.Key.Item3.ToName()} bit {b.Key.Item4}", StringComparer.OrdinalIgnoreCase);
            var wrong = new List<string>();
            foreach (string key in VmwareData.VSphere801Keys.Value.Where(k => !NotABit.Contains(k)))
            {
                var features = Catalog.Match(key).Where(f => VSphereKeys(f).Contains(key, StringComparer.OrdinalIgnoreCase)).ToArray();
                if (features.Length == 0)
                {
                    wrong.Add(key + (byName[key].Any() ? $" is x86cpuid.h's bit {byName[key].First()}, which the catalog lacks or names otherwise" : " is no feature's vSphere key"));
                    continue;
                }

                // cpuid.IBRS / cpuid.IBPB have no x86cpuid.h field of that name: vCenter builds them per vendor.
                foreach (var position in byName[key].Where(p => !features.Any(f => $"leaf 0x{f.Leaf:X}.{f.Subleaf} {f.Register.ToName()} bit {f.Bit}" == p)))
                {
                    wrong.Add($"{key} is x86cpuid.h's bit {position}, but the catalog gives it to {string.Join(", ", features.Select(f => f.ToString()))}");
                }
            }

            Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        }

        [Theory]
        [InlineData("cpuid.SVM_NPT", "SVM_NPT", false)]
        [InlineData("cpuid.SVM_GMET", "SVM_GMET", false)]
        [InlineData("cpuid.PQE_L3", "CAT_L3", true)]
        [InlineData("cpuid.XSAVE_XTILEDATA_XFD", "XSAVE_TILEDATA_XFD", true)]
        [InlineData("cpuid.XSAVES_CET_U_SUP_BY_XSS", "XSAVE_CET_U_IN_XSS", true)]
        public void Find_KeyVCenterCompares_IsTrackedAsVCenterTracksIt(string key, string name, bool tracked)
        {
            // The SVM sub-features, like SVM itself, reach a guest only with nested virtualisation.
            var feature = Catalog.Find(key);

            Assert.Equal(name, feature.Name);
            Assert.Equal(tracked, feature.Tracked);
        }

        private static IEnumerable<string> VSphereKeys(FeatureDefinition feature) =>
            new[] { feature.VSphereKey }.Concat(feature.Aliases).Where(k => k != null && k.StartsWith("cpuid.", StringComparison.OrdinalIgnoreCase))!;
    }
}
