using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Readers
{
    /// <summary>
    /// What a recent ESXi reports for a CPU: raw HostCpuIdInfo for leaves 0, 1, 0x80000000 and
    /// 0x80000001 only, and everything else as named HostFeatureCapability values. Used to export a
    /// profile in vSphere's shape and to build simulated hosts from real dumps.
    /// </summary>
    public sealed class VSphereHostData
    {
        /// <summary>The levels ESXi puts in hardware.cpuFeature.</summary>
        public static readonly IReadOnlyList<uint> ReportedLevels = new[] { 0u, 1u, 0x80000000u, 0x80000001u };

        private VSphereHostData(IReadOnlyList<HostCpuIdInfoRecord> cpuFeature, IReadOnlyList<KeyValuePair<string, string>> featureCapability)
        {
            CpuFeature = cpuFeature;
            FeatureCapability = featureCapability;
        }

        public IReadOnlyList<HostCpuIdInfoRecord> CpuFeature { get; }

        /// <summary>Key (e.g. cpuid.AVX2) to value ("1" or "0"; numbers for FAMILY/MODEL/STEPPING).</summary>
        public IReadOnlyList<KeyValuePair<string, string>> FeatureCapability { get; }

        public static VSphereHostData FromProfile(CpuidProfile profile, FeatureCatalog? catalog = null)
        {
            catalog ??= FeatureCatalog.Default;
            var cpuFeature = new List<HostCpuIdInfoRecord>();
            foreach (uint level in ReportedLevels)
            {
                var leaf = profile.GetLeaf(level);
                if (leaf == null)
                {
                    continue;
                }

                var r = leaf.Registers;
                cpuFeature.Add(new HostCpuIdInfoRecord(
                    unchecked((int)level),
                    null,
                    VSphereProfileBuilder.FormatBits(r.Eax),
                    VSphereProfileBuilder.FormatBits(r.Ebx),
                    VSphereProfileBuilder.FormatBits(r.Ecx),
                    VSphereProfileBuilder.FormatBits(r.Edx)));
            }

            var capabilities = new SortedDictionary<string, string>(System.StringComparer.OrdinalIgnoreCase);
            if (profile.IsIntel)
            {
                capabilities["cpuid.Intel"] = "1";
            }
            else if (profile.IsAmdLike)
            {
                capabilities["cpuid.AMD"] = "1";
            }

            if (profile.Family >= 0)
            {
                capabilities["cpuid.FAMILY"] = profile.Family.ToString(CultureInfo.InvariantCulture);
                capabilities["cpuid.MODEL"] = profile.Model.ToString(CultureInfo.InvariantCulture);
                capabilities["cpuid.STEPPING"] = profile.Stepping.ToString(CultureInfo.InvariantCulture);
            }

            foreach (var feature in catalog.Features.Where(f => f.VSphereKeyOn(profile.Vendor) != null))
            {
                var state = FeatureEvaluator.HostState(profile, feature);
                if (state != FeatureState.Unknown)
                {
                    capabilities[feature.VSphereKeyOn(profile.Vendor)!] = state == FeatureState.Present ? "1" : "0";
                }
            }

            return new VSphereHostData(cpuFeature, capabilities.ToArray());
        }

        /// <summary>The profile vCenter would give for this host: raw leaves for the four levels, capabilities for the rest.</summary>
        public CpuidProfile ToProfile(string name, string source, string? brand) =>
            VSphereProfileBuilder.Build(name, source, CpuFeature, FeatureCapability, brand);
    }
}
