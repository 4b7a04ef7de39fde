using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Json;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Export
{
    /// <summary>
    /// One HostFeatureMask entry of a per-VM EVC mode (<c>VirtualMachine.ApplyEvcModeVM_Task</c>):
    /// key and featureName like <c>cpuid.AVX</c>, value like <c>Val:1</c> (the VM sees it) or <c>Val:0</c> (hidden).
    /// </summary>
    public sealed class PerVmEvcEntry : IEquatable<PerVmEvcEntry>
    {
        public PerVmEvcEntry(string key, string featureName, string value)
        {
            Key = key ?? throw new ArgumentNullException(nameof(key));
            FeatureName = featureName ?? throw new ArgumentNullException(nameof(featureName));
            Value = value ?? throw new ArgumentNullException(nameof(value));
        }

        /// <summary>HostFeatureMask.key, e.g. <c>cpuid.AVX</c>.</summary>
        public string Key { get; }

        /// <summary>HostFeatureMask.featureName; vCenter's own modes repeat the key.</summary>
        public string FeatureName { get; }

        /// <summary>HostFeatureMask.value, e.g. <c>Val:1</c>.</summary>
        public string Value { get; }

        /// <summary>The same setting as a .vmx line, as ESXi stores it: <c>featMask.vm.cpuid.AVX = "Val:1"</c>.</summary>
        public string ToVmxLine() =>
            (Key.StartsWith("cpuid.", StringComparison.OrdinalIgnoreCase) ? "featMask.vm." + Key : "featMask.vm.cpuid." + Key) + $" = \"{Value}\"";

        public bool Equals(PerVmEvcEntry? other) =>
            other != null && string.Equals(Key, other.Key, StringComparison.OrdinalIgnoreCase) && string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

        public override bool Equals(object? obj) => Equals(obj as PerVmEvcEntry);

        public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(Key) ^ StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

        public override string ToString() => $"{Key} = {Value}";
    }

    /// <summary>
    /// The HostFeatureMask list that applies a baseline to one VM as a per-VM EVC mode (vSphere 6.7+,
    /// hardware version 14+, VM powered off; <c>ApplyEvcModeVM_Task(mask, completeMasks: true)</c>). Computed
    /// from a baseline, or taken from a vCenter's own <c>EVCMode.featureMask</c> when one is given.
    /// </summary>
    public sealed class PerVmEvcMask
    {
        private PerVmEvcMask(string evcModeKey, string origin, IReadOnlyList<PerVmEvcEntry> entries, IReadOnlyList<FeatureDefinition> withoutVSphereName, IReadOnlyList<string> notes)
        {
            EvcModeKey = evcModeKey;
            Origin = origin;
            Entries = entries;
            WithoutVSphereName = withoutVSphereName;
            Notes = notes;
        }

        /// <summary>The EVC mode key the mask stands for, e.g. <c>intel-westmere</c>.</summary>
        public string EvcModeKey { get; }

        /// <summary>Where the entries come from: "baseline catalog" or the vCenter/file they were read from.</summary>
        public string Origin { get; }

        /// <summary>The entries to send, in a stable order: vendor first, then features in catalog order.</summary>
        public IReadOnlyList<PerVmEvcEntry> Entries { get; }

        /// <summary>Baseline features vSphere has no feature-mask name for (ESXi always provides them: the leaf 1 EDX basics).</summary>
        public IReadOnlyList<FeatureDefinition> WithoutVSphereName { get; }

        /// <summary>What the caller should know before applying it.</summary>
        public IReadOnlyList<string> Notes { get; }

        /// <summary>
        /// The entries for a baseline, to send with <c>completeMasks: true</c> (whatever is not listed is hidden):
        /// the vendor key (<c>cpuid.Intel</c> or <c>cpuid.AMD</c>) and every feature of the baseline with a
        /// vSphere name as <c>Val:1</c>, the way vCenter's own modes list them. Controls the baseline passes
        /// through are <c>Val:1</c> as in vCenter's modes, except, when <paramref name="hosts"/> are given, those
        /// not every host has (a VM could not power on where one is missing): they are <c>Val:0</c>. With
        /// <paramref name="listHidden"/>, every tracked feature the baseline hides is also listed as <c>Val:0</c>
        /// (explicit, for completeMasks false; an older vCenter may not know the newest names).
        /// Identity keys vCenter's modes also carry (FAMILY, MODEL, STEPPING, NUMLEVELS) are left out: their
        /// values are vCenter's own choice per mode; use <see cref="FromEvcMode"/> to send exactly vCenter's mask.
        /// </summary>
        public static PerVmEvcMask FromBaseline(Baseline baseline, BaselineCatalog? catalog = null, IReadOnlyList<CpuidProfile>? hosts = null, bool listHidden = false)
        {
            if (baseline == null)
            {
                throw new ArgumentNullException(nameof(baseline));
            }

            catalog ??= BaselineCatalog.Default;
            var entries = new List<PerVmEvcEntry>
            {
                Entry(baseline.Vendor == BaselineVendor.Intel ? "cpuid.Intel" : "cpuid.AMD", "Val:1"),
            };
            var notes = new List<string>();
            var hidden = new HashSet<string>(catalog.OutsideOf(baseline).Select(f => f.Name), StringComparer.OrdinalIgnoreCase);
            var droppedControls = new List<FeatureDefinition>();
            foreach (var feature in catalog.Features.Features.Where(f => f.Tracked))
            {
                string? value = null;
                if (baseline.Contains(feature))
                {
                    value = "Val:1";
                }
                else if (baseline.IsControl(feature))
                {
                    bool onAll = hosts == null || hosts.Count == 0 || hosts.All(h => FeatureEvaluator.HostState(h, feature) == FeatureState.Present);
                    value = onAll ? "Val:1" : "Val:0";
                    if (!onAll)
                    {
                        droppedControls.Add(feature);
                    }
                }
                else if (listHidden && hidden.Contains(feature.Name))
                {
                    value = "Val:0";
                }

                if (value == null)
                {
                    continue;
                }

                foreach (string key in VSphereKeys(feature))
                {
                    entries.Add(Entry(key, value));
                }
            }

            var unnamed = baseline.Features.Where(f => VSphereKeys(f).Count == 0).ToArray();
            if (hosts == null || hosts.Count == 0)
            {
                notes.Add("Speculation controls (" + string.Join(", ", baseline.Controls.Where(c => VSphereKeys(c).Count > 0).Select(c => c.FeatMaskName)) + ") are Val:1, as in vCenter's own EVC modes: a host whose microcode lacks one cannot power the VM on. Give the hosts to keep only the controls they all have.");
            }
            else if (droppedControls.Count > 0)
            {
                notes.Add("Hidden because not every host has them: " + string.Join(", ", droppedControls.Select(c => c.Name)) + ".");
            }

            notes.Add("Identity keys (FAMILY, MODEL, STEPPING, NUMLEVELS, NUM_EXT_LEVELS) are not set; the VM sees its host's. Pass vCenter's own EVCMode.featureMask to send exactly what vCenter would.");
            if (unnamed.Length > 0)
            {
                notes.Add("Features without a vSphere name, provided by ESXi on every host: " + string.Join(", ", unnamed.Select(f => f.Name)) + ".");
            }

            return new PerVmEvcMask(baseline.Key, "baseline catalog", entries, unnamed, notes);
        }

        /// <summary>
        /// Takes a vCenter's own mode definition: the <c>featureMask</c> of the EVCMode whose key is
        /// <paramref name="evcModeKey"/>, from JSON as the vSphere API returns it. Accepted shapes: an EVCMode
        /// object, an array of them, or an object with <c>supportedEVCMode</c> (ServiceInstance capability,
        /// ClusterEVCManager state), at the top or under <c>capability</c>. Member names in any case.
        /// </summary>
        public static PerVmEvcMask FromEvcMode(string json, string evcModeKey, string sourceName)
        {
            var root = JsonDomNode.Parse(json, sourceName);
            var modes = FindModes(root).ToArray();
            if (modes.Length == 0)
            {
                throw new CpuidMaskException("EvcModeFileMalformed", ErrorKind.InvalidData, $"{sourceName}: no EVCMode object found; expected an EVCMode (with \"key\" and \"featureMask\"), an array of them, or an object with \"supportedEVCMode\".", sourceName);
            }

            var mode = modes.FirstOrDefault(m => string.Equals(Text(m, "key"), evcModeKey, StringComparison.OrdinalIgnoreCase))
                ?? throw new CpuidMaskException("EvcModeNotFound", ErrorKind.ObjectNotFound, $"{sourceName} has no EVC mode '{evcModeKey}'; it has: {string.Join(", ", modes.Select(m => Text(m, "key")))}.", evcModeKey);
            if (!mode.TryGet("featureMask", out var maskNode) || !(maskNode is JsonDomArray array))
            {
                throw new CpuidMaskException("EvcModeFileMalformed", ErrorKind.InvalidData, $"{sourceName}: EVC mode '{evcModeKey}' has no \"featureMask\" array (line {mode.Line}).", sourceName);
            }

            var entries = new List<PerVmEvcEntry>();
            foreach (var item in array)
            {
                if (!(item is JsonDomObject obj) || Text(obj, "key") is not string key || Text(obj, "value") is not string value)
                {
                    throw new CpuidMaskException("EvcModeFileMalformed", ErrorKind.InvalidData, $"{sourceName} line {item.Line}: a featureMask entry needs \"key\" and \"value\" strings.", sourceName);
                }

                entries.Add(new PerVmEvcEntry(key, Text(obj, "featureName") ?? key, value));
            }

            return new PerVmEvcMask(Text(mode, "key")!, sourceName, entries, Array.Empty<FeatureDefinition>(), new[] { $"vCenter's own featureMask of {Text(mode, "key")}, {entries.Count} entries." });
        }

        /// <summary>
        /// Where this mask and another (e.g. ours and vCenter's) disagree on a feature: keys one shows and
        /// the other hides or lacks. Keys that are not features (identity, levels) are compared as text.
        /// </summary>
        public IReadOnlyList<string> Differences(PerVmEvcMask other)
        {
            var mine = Entries.GroupBy(e => e.Key, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.OrdinalIgnoreCase);
            var theirs = other.Entries.GroupBy(e => e.Key, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.OrdinalIgnoreCase);
            var result = new List<string>();
            foreach (string key in mine.Keys.Union(theirs.Keys, StringComparer.OrdinalIgnoreCase).OrderBy(k => k, StringComparer.OrdinalIgnoreCase))
            {
                mine.TryGetValue(key, out var a);
                theirs.TryGetValue(key, out var b);
                bool shownA = Shows(a);
                bool shownB = Shows(b);
                if (shownA != shownB)
                {
                    result.Add($"{key}: {a ?? "(absent)"} in {Origin}, {b ?? "(absent)"} in {other.Origin}");
                }
            }

            return result;
        }

        private static bool Shows(string? value) =>
            value != null && !string.Equals(value.Trim(), "Val:0", StringComparison.OrdinalIgnoreCase) && !string.Equals(value.Trim(), "Max:0", StringComparison.OrdinalIgnoreCase);

        private static PerVmEvcEntry Entry(string key, string value) => new PerVmEvcEntry(key, key, value);

        private static IReadOnlyList<string> VSphereKeys(FeatureDefinition feature)
        {
            var keys = new List<string>();
            if (feature.VSphereKey != null)
            {
                keys.Add(feature.VSphereKey);
            }

            // cpuid.IBRS and cpuid.IBPB are two vSphere names for one Intel bit.
            keys.AddRange(feature.Aliases.Where(a => a.StartsWith("cpuid.", StringComparison.OrdinalIgnoreCase) && !keys.Contains(a, StringComparer.OrdinalIgnoreCase)));

            // On AMD, vSphere builds the same two features from Fn8000_0008 EBX (features.xml's note on
            // IBRS_IBPB/AMD_IBPB/AMD_IBRS); those bits have no name of their own.
            if (keys.Count == 0 && feature.Name == "AMD_IBPB")
            {
                keys.Add("cpuid.IBPB");
            }
            else if (keys.Count == 0 && feature.Name == "AMD_IBRS")
            {
                keys.Add("cpuid.IBRS");
            }

            return keys;
        }

        private static IEnumerable<JsonDomObject> FindModes(JsonDomNode node)
        {
            switch (node)
            {
                case JsonDomArray array:
                    return array.OfType<JsonDomObject>().Where(IsMode);
                case JsonDomObject obj when IsMode(obj):
                    return new[] { obj };
                case JsonDomObject obj:
                    if (obj.TryGet("supportedEVCMode", out var list))
                    {
                        return FindModes(list);
                    }

                    if (obj.TryGet("capability", out var capability))
                    {
                        return FindModes(capability);
                    }

                    return Enumerable.Empty<JsonDomObject>();
                default:
                    return Enumerable.Empty<JsonDomObject>();
            }
        }

        private static bool IsMode(JsonDomObject obj) => obj.TryGet("key", out var key) && key is JsonDomString && obj.TryGet("featureMask", out _);

        private static string? Text(JsonDomObject obj, string name) =>
            obj.TryGet(name, out var node) && node is JsonDomString s ? s.Value : null;

        public override string ToString() => string.Join(Environment.NewLine, Entries.Select(e => e.ToString()));
    }
}
