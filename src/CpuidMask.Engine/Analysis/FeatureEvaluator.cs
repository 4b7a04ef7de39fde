using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Compliance;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;

namespace CpuidMask.Engine.Analysis
{
    /// <summary>Answers "does this host have feature F" and "would a VM see F on this host under mask M".</summary>
    public static class FeatureEvaluator
    {
        /// <summary>
        /// The host's own state for a feature: the raw bit where the profile has it, else the vSphere
        /// capability (recent ESXi reports leaf 7 and 0xD only that way), else unknown.
        /// </summary>
        public static FeatureState HostState(CpuidProfile profile, FeatureDefinition feature)
        {
            var raw = profile.GetBit(feature.Leaf, feature.Subleaf, feature.Register, feature.Bit);
            if (raw != FeatureState.Unknown)
            {
                return raw;
            }

            string? key = feature.VSphereKeyOn(profile.Vendor);
            if (key != null && profile.Capabilities.TryGetValue(key, out var value))
            {
                return ParseCapability(value);
            }

            return FeatureState.Unknown;
        }

        /// <summary>
        /// What a VM powered on on this host sees. A hiding mask character (0, R, F) or a featMask
        /// "Val:0" hides it; 1 or T shows it; anything else passes the host's state through.
        /// </summary>
        public static FeatureState GuestState(CpuidProfile profile, FeatureDefinition feature, VmMask mask) =>
            MaskDecision(feature, mask, profile.Vendor) ?? HostState(profile, feature);

        /// <summary>What the mask makes of the feature on a CPU of the vendor: hidden, forced, or null where it passes the host's state through.</summary>
        internal static FeatureState? MaskDecision(FeatureDefinition feature, VmMask mask, string vendor)
        {
            if (feature.FeatMaskName != null && mask.FeatureMasks.TryGetValue(feature.FeatMaskName, out var featValue) && VmMask.IsHide(featValue))
            {
                return FeatureState.Absent;
            }

            var c = mask.CharFor(feature.Leaf, feature.Subleaf, feature.Register, feature.Bit, vendor);
            if (c.Hides())
            {
                return FeatureState.Absent;
            }

            return c.Forces() ? FeatureState.Present : (FeatureState?)null;
        }

        /// <summary>
        /// What a VM of virtual hardware version <paramref name="hardwareVersion"/> powered on on this host sees: nothing
        /// of a feature out of its reach (<see cref="FeatureDefinition.IsOutOfReachAt"/>), else as the mask decides.
        /// </summary>
        public static FeatureState GuestState(CpuidProfile profile, FeatureDefinition feature, VmMask mask, int hardwareVersion) =>
            feature.IsOutOfReachAt(hardwareVersion) ? FeatureState.Absent : GuestState(profile, feature, mask);

        /// <summary>The tracked features a VM powered on on this host sees under the mask.</summary>
        public static IReadOnlyList<FeatureDefinition> GuestFeatures(CpuidProfile profile, VmMask mask, FeatureCatalog catalog) =>
            catalog.Features.Where(f => f.Tracked && GuestState(profile, f, mask) == FeatureState.Present).ToArray();

        /// <summary>The tracked features a VM of the given virtual hardware version powered on on this host sees under the mask.</summary>
        public static IReadOnlyList<FeatureDefinition> GuestFeatures(CpuidProfile profile, VmMask mask, FeatureCatalog catalog, int hardwareVersion) =>
            catalog.Features.Where(f => f.Tracked && GuestState(profile, f, mask, hardwareVersion) == FeatureState.Present).ToArray();

        /// <summary>
        /// Whether the mask hides the feature on a CPU of the given vendor: a hiding character at its bit (0, R, F) or
        /// a featMask "Val:0" of its name. With no vendor, a hiding character for either vendor counts.
        /// </summary>
        public static bool Hides(VmMask mask, FeatureDefinition feature, string? cpuVendor)
        {
            if (feature.FeatMaskName != null && mask.FeatureMasks.TryGetValue(feature.FeatMaskName, out var featValue) && VmMask.IsHide(featValue))
            {
                return true;
            }

            return cpuVendor != null
                ? mask.CharFor(feature.Leaf, feature.Subleaf, feature.Register, feature.Bit, cpuVendor).Hides()
                : new[] { CpuVendors.Intel, CpuVendors.Amd }.Any(v => mask.CharFor(feature.Leaf, feature.Subleaf, feature.Register, feature.Bit, v).Hides());
        }

        /// <summary>
        /// The catalog's features a mask hides that a VM of the given virtual hardware version cannot see anyway:
        /// those entries of the mask change nothing for that VM (they are harmless, and take effect if its hardware is
        /// upgraded). In catalog order.
        /// </summary>
        public static IReadOnlyList<FeatureDefinition> HiddenOutOfReach(VmMask mask, int hardwareVersion, FeatureCatalog catalog, string? cpuVendor) =>
            mask == null || mask.IsEmpty
                ? Array.Empty<FeatureDefinition>()
                : catalog.Features.Where(f => f.IsOutOfReachAt(hardwareVersion) && (cpuVendor == null || f.AppliesTo(cpuVendor)) && Hides(mask, f, cpuVendor)).ToArray();

        /// <summary>Features the host has (any kind), in catalog order.</summary>
        public static IReadOnlyList<FeatureDefinition> HostFeatures(CpuidProfile profile, FeatureCatalog catalog) =>
            catalog.Features.Where(f => HostState(profile, f) == FeatureState.Present).ToArray();

        /// <summary>The features the host has, as the JSON export lists them (<see cref="ProfileJson"/>).</summary>
        public static IReadOnlyList<FeatureInfo> HostFeatureInfo(CpuidProfile profile, FeatureCatalog catalog) =>
            HostFeatures(profile, catalog).Select(f => new FeatureInfo(f.Name, f.Leaf, f.Subleaf, f.Register, f.Bit)).ToArray();

        // EVC and featureRequirement values look like "Bool:Min:1" or "Num:Min:0x3"; the number is last.
        internal static FeatureState ParseCapability(string? value) =>
            FeatureValue.TryParseNumber(value, out long number) ? (number != 0 ? FeatureState.Present : FeatureState.Absent) : FeatureState.Unknown;
    }
}
