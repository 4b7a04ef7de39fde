using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Compliance
{
    /// <summary>
    /// Hosts that offer a VM exactly the same features (same vendor, same capabilities once their cluster's EVC mode
    /// is applied). A hundred identical hosts are one class, so a VM is checked once per class, not once per host.
    /// </summary>
    internal sealed class CapabilityClass
    {
        private CapabilityClass(string vendor, FeatureState[] states, Dictionary<string, long> values, string signature, string? evcNote)
        {
            Vendor = vendor;
            States = states;
            Values = values;
            Signature = signature;
            EvcNote = evcNote;
        }

        public string Vendor { get; }

        /// <summary>The tracked features' states as a VM powered on on these hosts would find them (EVC applied).</summary>
        public FeatureState[] States { get; }

        /// <summary>Capability values by vSphere key (EVC applied): what a requirement is compared with.</summary>
        public Dictionary<string, long> Values { get; }

        public string Signature { get; }

        /// <summary>Set when the host's EVC mode is not among the modes known, so it was compared without it.</summary>
        public string? EvcNote { get; }

        /// <summary>
        /// The class a host belongs to. Capability values come from config.featureCapability; a tracked feature the
        /// host reports only as a raw CPUID bit gets the value 1 or 0 under its vSphere key. In an EVC cluster the
        /// mode's featureMask limits them: its masks are complete (ApplyEvcModeVM_Task's completeMasks: a feature
        /// not specified is not exposed), so a catalog feature the mode does not list counts as 0.
        /// </summary>
        public static CapabilityClass Build(ComplianceHost host, FeatureDefinition[] tracked, FeatureCatalog catalog, IReadOnlyDictionary<string, EvcModeDefinition> modes)
        {
            var profile = host.Profile ?? throw new ArgumentException("The host has no profile.", nameof(host));
            string vendor = profile.Vendor;
            var values = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in profile.Capabilities)
            {
                if (FeatureValue.TryParseNumber(pair.Value, out long number))
                {
                    values[pair.Key] = number;
                }
            }

            var raw = new FeatureState[tracked.Length];
            for (int i = 0; i < tracked.Length; i++)
            {
                raw[i] = FeatureEvaluator.HostState(profile, tracked[i]);
                string? key = tracked[i].VSphereKeyOn(vendor);
                if (key != null && raw[i] != FeatureState.Unknown && !values.ContainsKey(key))
                {
                    values[key] = raw[i] == FeatureState.Present ? 1 : 0;
                }
            }

            string? evcNote = null;
            if (!string.IsNullOrEmpty(host.EvcModeKey))
            {
                if (modes.TryGetValue(host.EvcModeKey!, out var mode))
                {
                    ApplyEvcMode(values, mode.FeatureMask, catalog);
                }
                else
                {
                    evcNote = $"its EVC mode {host.EvcModeKey} is not among the modes the vCenter lists, so it was compared without it";
                }
            }

            var states = new FeatureState[tracked.Length];
            for (int i = 0; i < tracked.Length; i++)
            {
                string? key = tracked[i].VSphereKeyOn(vendor);
                states[i] = key != null && values.TryGetValue(key, out long value)
                    ? (value != 0 ? FeatureState.Present : FeatureState.Absent)
                    : raw[i];
            }

            var signature = new StringBuilder(vendor).Append('|');
            foreach (var state in states)
            {
                signature.Append((char)('0' + (int)state));
            }

            foreach (var pair in values.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
            {
                signature.Append('|').Append(pair.Key.ToUpperInvariant()).Append('=').Append(pair.Value);
            }

            return new CapabilityClass(vendor, states, values, signature.ToString(), evcNote);
        }

        /// <summary>Limits capability values by a complete EVC feature mask (cluster EVC, or per-VM EVC).</summary>
        internal static void ApplyEvcMode(Dictionary<string, long> values, IReadOnlyList<VSphereFeature> featureMask, FeatureCatalog catalog)
        {
            var mask = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var entry in featureMask)
            {
                mask[entry.Key] = entry.Value;
            }

            foreach (string key in values.Keys.ToArray())
            {
                if (mask.TryGetValue(key, out string? limit))
                {
                    if (FeatureValue.TryParseNumber(limit, out long number))
                    {
                        values[key] = Math.Min(values[key], number);
                    }
                }
                else if (IsCpuidFeatureKey(key, catalog))
                {
                    values[key] = 0;
                }
            }
        }

        internal static bool IsCpuidFeatureKey(string key, FeatureCatalog catalog) =>
            catalog.TryFind(key, out var feature) && string.Equals(feature.VSphereKey, key, StringComparison.OrdinalIgnoreCase);
    }
}
