using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Json;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Export
{
    /// <summary>What a per-VM EVC mask entry is: the CPU's identity, a nested-virtualization entry, or a feature.</summary>
    public enum PerVmEvcEntryKind
    {
        /// <summary>A key the catalog cannot place (from a vCenter's own mask).</summary>
        Other,

        /// <summary>The CPU vendor: cpuid.Intel, cpuid.AMD.</summary>
        Vendor,

        /// <summary>cpuid.FAMILY, MODEL, STEPPING, NUMLEVELS, NUM_EXT_LEVELS: which CPU the guest sees and how many leaves.</summary>
        Identity,

        /// <summary>cpuid.VMX / cpuid.SVM, hv.capable, vt.realmode: what nested hardware virtualization needs.</summary>
        Virtualization,

        /// <summary>A CPU feature the mode gives (Val:1) or, listed explicitly, hides (Val:0).</summary>
        Feature,

        /// <summary>A speculation control the mode passes through from the host.</summary>
        Control,
    }

    /// <summary>
    /// One HostFeatureMask entry of a per-VM EVC mode (<c>VirtualMachine.ApplyEvcModeVM_Task</c>):
    /// key and featureName like <c>cpuid.AVX</c>, value like <c>Val:1</c> (the VM sees it), <c>Val:0</c> (hidden)
    /// or, for the identity, the number the guest sees (<c>cpuid.FAMILY</c> <c>Val:6</c>); with what kind of entry
    /// it is and what it does.
    /// </summary>
    public sealed class PerVmEvcEntry : IEquatable<PerVmEvcEntry>
    {
        public PerVmEvcEntry(string key, string featureName, string value)
            : this(key, featureName, value, PerVmEvcEntryKind.Other, string.Empty)
        {
        }

        public PerVmEvcEntry(string key, string featureName, string value, PerVmEvcEntryKind kind, string description)
        {
            Key = key ?? throw new ArgumentNullException(nameof(key));
            FeatureName = featureName ?? throw new ArgumentNullException(nameof(featureName));
            Value = value ?? throw new ArgumentNullException(nameof(value));
            Kind = kind;
            Description = description ?? string.Empty;
        }

        /// <summary>HostFeatureMask.key, e.g. <c>cpuid.AVX</c>.</summary>
        public string Key { get; }

        /// <summary>HostFeatureMask.featureName; vCenter's own modes repeat the key.</summary>
        public string FeatureName { get; }

        /// <summary>HostFeatureMask.value, e.g. <c>Val:1</c>.</summary>
        public string Value { get; }

        /// <summary>Vendor, Identity, Virtualization, Feature or Control (Other for a key the catalog cannot place).</summary>
        public PerVmEvcEntryKind Kind { get; }

        /// <summary>What the entry gives the guest, one line; empty where unknown.</summary>
        public string Description { get; }

        /// <summary>
        /// The same setting as a .vmx line, as ESXi stores it: <c>featMask.vm.cpuid.AVX = "Val:1"</c>,
        /// <c>featMask.vm.hv.capable = "Val:1"</c>; a bare name is a CPUID feature (<c>AVX</c>).
        /// </summary>
        public string ToVmxLine() =>
            (Key.IndexOf('.') >= 0 ? "featMask.vm." + Key : "featMask.vm.cpuid." + Key) + $" = \"{Value}\"";

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
        /// <summary>The keys vCenter names the CPU vendor with (vCenter 8.0 U1's key list).</summary>
        private static readonly string[] VendorKeys = { "cpuid.Intel", "cpuid.AMD", "cpuid.VIA", "cpuid.Cyrix" };

        /// <summary>The identity keys of vCenter's own masks, each with what the guest gets from it.</summary>
        private static readonly KeyValuePair<string, string>[] IdentityKeys =
        {
            new KeyValuePair<string, string>("cpuid.FAMILY", "CPU family the guest sees (display family, leaf 1 EAX)"),
            new KeyValuePair<string, string>("cpuid.MODEL", "CPU model the guest sees (display model, leaf 1 EAX)"),
            new KeyValuePair<string, string>("cpuid.STEPPING", "CPU stepping the guest sees (leaf 1 EAX)"),
            new KeyValuePair<string, string>("cpuid.NUMLEVELS", "highest standard CPUID leaf the guest sees (leaf 0 EAX)"),
            new KeyValuePair<string, string>("cpuid.NUM_EXT_LEVELS", "highest extended CPUID leaf the guest sees (leaf 0x80000000 EAX)"),
        };

        private PerVmEvcMask(string evcModeKey, string origin, IReadOnlyList<PerVmEvcEntry> entries, IReadOnlyList<FeatureDefinition> withoutVSphereName, IReadOnlyList<string> notes, EvcIdentity? identity)
        {
            EvcModeKey = evcModeKey;
            Origin = origin;
            Entries = entries;
            WithoutVSphereName = withoutVSphereName;
            Notes = notes;
            Identity = identity;
        }

        /// <summary>The EVC mode key the mask stands for, e.g. <c>intel-westmere</c>.</summary>
        public string EvcModeKey { get; }

        /// <summary>Where the entries come from: "baseline catalog" or the vCenter/file they were read from.</summary>
        public string Origin { get; }

        /// <summary>
        /// The entries to send, in a stable order: the vendor and the identity (family, model, stepping, leaf counts),
        /// the nested-virtualization entries, then features in catalog order.
        /// </summary>
        public IReadOnlyList<PerVmEvcEntry> Entries { get; }

        /// <summary>Baseline features vSphere has no feature-mask name for (ESXi always provides them: the leaf 1 EDX basics).</summary>
        public IReadOnlyList<FeatureDefinition> WithoutVSphereName { get; }

        /// <summary>What the caller should know before applying it.</summary>
        public IReadOnlyList<string> Notes { get; }

        /// <summary>The mode's reference CPU whose identity the entries carry (computed masks); null for a vCenter's own mask.</summary>
        public EvcIdentity? Identity { get; }

        /// <summary>
        /// The entries for a baseline, to send with <c>completeMasks: true</c> (whatever is not listed is hidden from
        /// the guest), the way vCenter's own masks list them: the vendor key (<c>cpuid.Intel</c> or <c>cpuid.AMD</c>),
        /// the identity of the mode's reference CPU (<c>cpuid.FAMILY</c>, <c>MODEL</c>, <c>STEPPING</c>,
        /// <c>NUMLEVELS</c>, <c>NUM_EXT_LEVELS</c>, from baselines.xml), the vendor's nested-virtualization entries
        /// (<c>cpuid.VMX</c>, <c>hv.capable</c>, <c>vt.realmode</c> for Intel), and every feature of the baseline with a
        /// vSphere name as <c>Val:1</c>. Controls the baseline passes through are <c>Val:1</c> as in vCenter's modes,
        /// except, when <paramref name="hosts"/> are given, those not every host has (a VM could not power on where
        /// one is missing): they are <c>Val:0</c>. Controls in a leaf above the identity's leaf counts are left out
        /// (the guest cannot see that leaf). With <paramref name="listHidden"/>, every tracked feature the baseline
        /// hides is also listed as <c>Val:0</c> (explicit, for completeMasks false; an older vCenter may not know the
        /// newest names). A baseline without identity data gets no mask: PerVmEvcIdentityMissing.
        /// </summary>
        public static PerVmEvcMask FromBaseline(Baseline baseline, BaselineCatalog? catalog = null, IReadOnlyList<CpuidProfile>? hosts = null, bool listHidden = false)
        {
            if (baseline == null)
            {
                throw new ArgumentNullException(nameof(baseline));
            }

            catalog ??= BaselineCatalog.Default;
            var identity = baseline.Identity ?? throw new CpuidMaskException(
                "PerVmEvcIdentityMissing",
                ErrorKind.NotImplemented,
                $"The baseline catalog has no identity for EVC mode '{baseline.Key}' (the family, model, stepping and CPUID leaf counts of the mode's reference CPU), so no per-VM EVC mask is made from it: " +
                "sent with completeMasks true, a mask without them would leave the guest CPU family 0 and no CPUID leaves.",
                baseline.Key)
            {
                Remedy = new Remedy(RemedyKind.VCenterEvcMode, baseline.Key),
            };
            var entries = new List<PerVmEvcEntry>();
            void Add(string key, string value, PerVmEvcEntryKind kind, string description)
            {
                if (!entries.Any(e => string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase)))
                {
                    entries.Add(new PerVmEvcEntry(key, key, value, kind, description));
                }
            }

            Add(baseline.Vendor == BaselineVendor.Intel ? "cpuid.Intel" : "cpuid.AMD", "Val:1", PerVmEvcEntryKind.Vendor, "CPU vendor the guest sees: " + baseline.VendorString);
            foreach (var pair in identity.Entries)
            {
                Add(pair.Key, pair.Value, PerVmEvcEntryKind.Identity, IdentityDescription(pair.Key) + ", as on " + identity.Reference);
            }

            var fixedEntries = catalog.PerVmEvcEntries(baseline.Vendor);
            foreach (var entry in fixedEntries.Entries)
            {
                Add(entry.Key, entry.Value, PerVmEvcEntryKind.Virtualization, entry.Description);
            }

            var notes = new List<string>();
            var hidden = new HashSet<string>(catalog.OutsideOf(baseline).Select(f => f.Name), StringComparer.OrdinalIgnoreCase);
            var droppedControls = new List<FeatureDefinition>();
            var unreachableControls = new List<FeatureDefinition>();
            foreach (var feature in catalog.Features.Features.Where(f => f.Tracked))
            {
                string? value = null;
                var kind = PerVmEvcEntryKind.Feature;
                if (baseline.Contains(feature))
                {
                    value = "Val:1";
                }
                else if (baseline.IsControl(feature))
                {
                    kind = PerVmEvcEntryKind.Control;
                    if (!identity.Reaches(feature.Leaf))
                    {
                        if (VSphereKeys(feature).Count > 0)
                        {
                            unreachableControls.Add(feature);
                        }

                        continue;
                    }

                    bool onAll = hosts == null || hosts.Count == 0 || hosts.All(h => FeatureEvaluator.HostState(h, feature) == FeatureState.Present);
                    value = onAll ? "Val:1" : "Val:0";
                    if (!onAll)
                    {
                        droppedControls.Add(feature);
                    }
                }
                else if (listHidden && hidden.Contains(feature.Name) && identity.Reaches(feature.Leaf))
                {
                    value = "Val:0";
                }

                if (value == null)
                {
                    continue;
                }

                foreach (string key in VSphereKeys(feature))
                {
                    Add(key, value, kind, FeatureDescription(feature, kind));
                }
            }

            var unnamed = baseline.Features.Where(f => VSphereKeys(f).Count == 0).ToArray();
            notes.Add(
                $"Identity of the mode's reference CPU, {identity.Reference}: " + string.Join(", ", identity.Entries.Select(e => e.Key + " " + e.Value)) + ". " +
                "With completeMasks true the guest sees only what the mask names, so these entries give it its CPU family, model and CPUID leaves; without them it would see family 0 and no leaves. " +
                "Source: " + identity.Source);
            if (fixedEntries.Entries.Count > 0)
            {
                notes.Add(string.Join(", ", fixedEntries.Entries.Select(e => e.Key + " " + e.Value)) + ": nested hardware virtualization, for VMs that expose it to their guest; hidden otherwise. Source: " + fixedEntries.Source);
            }

            var namedControls = baseline.Controls.Where(c => VSphereKeys(c).Count > 0 && identity.Reaches(c.Leaf)).ToArray();
            if ((hosts == null || hosts.Count == 0) && namedControls.Length > 0)
            {
                notes.Add("Speculation controls (" + string.Join(", ", namedControls.Select(c => c.FeatMaskName)) + ") are Val:1, as in vCenter's own EVC modes: a host whose microcode lacks one cannot power the VM on. Give the hosts to keep only the controls they all have.");
            }
            else if (droppedControls.Count > 0)
            {
                notes.Add("Hidden because not every host has them: " + string.Join(", ", droppedControls.Select(c => c.Name)) + ".");
            }

            if (unreachableControls.Count > 0)
            {
                notes.Add(
                    "Left out: " + string.Join(", ", unreachableControls.Select(c => c.Name)) + ", in leaves above the reference CPU's (" +
                    $"0x{identity.NumLevels:X}, 0x{identity.NumExtLevels:X}); a guest under this mode cannot see them.");
            }

            if (unnamed.Length > 0)
            {
                notes.Add("Features without a vSphere name, provided by ESXi on every host: " + string.Join(", ", unnamed.Select(f => f.Name)) + ".");
            }

            return new PerVmEvcMask(baseline.Key, "baseline catalog", entries, unnamed, notes, identity);
        }

        /// <summary>
        /// Takes a vCenter's own mode definition: the <c>featureMask</c> of the EVCMode whose key is
        /// <paramref name="evcModeKey"/>, from JSON as the vSphere API returns it, entries as vCenter gives them.
        /// Accepted shapes: an EVCMode object, an array of them, or an object with <c>supportedEVCMode</c>
        /// (ServiceInstance capability, ClusterEVCManager state), at the top or under <c>capability</c>. Member
        /// names in any case.
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

            string modeKey = Text(mode, "key")!;
            var entries = new List<PerVmEvcEntry>();
            foreach (var item in array)
            {
                if (!(item is JsonDomObject obj) || Text(obj, "key") is not string key || Text(obj, "value") is not string value)
                {
                    throw new CpuidMaskException("EvcModeFileMalformed", ErrorKind.InvalidData, $"{sourceName} line {item.Line}: a featureMask entry needs \"key\" and \"value\" strings.", sourceName);
                }

                entries.Add(new PerVmEvcEntry(key, Text(obj, "featureName") ?? key, value));
            }

            var described = Describe(entries, modeKey);
            var missing = MissingIdentity(described);
            var notes = new List<string> { $"vCenter's own featureMask of {modeKey}, {entries.Count} entries, sent as vCenter gives them." };
            if (missing.Count > 0)
            {
                notes.Add("It names no " + string.Join(", ", missing) + ": with completeMasks true a guest would see none of them (CPU family 0, no CPUID leaves); check that the file holds the whole mode.");
            }

            return new PerVmEvcMask(modeKey, sourceName, described, Array.Empty<FeatureDefinition>(), notes, null);
        }

        /// <summary>
        /// Entries as a vCenter gave them (key, featureName, value), each told what it is: the vendor and identity
        /// keys, the nested-virtualization keys, and the catalog's features (controls where the catalog's mode of
        /// <paramref name="evcModeKey"/> passes them through).
        /// </summary>
        public static IReadOnlyList<PerVmEvcEntry> Describe(IEnumerable<PerVmEvcEntry> entries, string? evcModeKey = null, BaselineCatalog? catalog = null)
        {
            catalog ??= BaselineCatalog.Default;
            Baseline? baseline = evcModeKey != null && catalog.TryFind(evcModeKey, out var found) ? found : null;
            var result = new List<PerVmEvcEntry>();
            foreach (var entry in entries)
            {
                var (kind, description) = Classify(entry.Key, catalog, baseline);
                result.Add(new PerVmEvcEntry(entry.Key, entry.FeatureName, entry.Value, kind, description));
            }

            return result;
        }

        /// <summary>
        /// The identity keys (vendor, FAMILY, MODEL, STEPPING, NUMLEVELS, NUM_EXT_LEVELS) a mask does not name, or
        /// names as 0 where 0 cannot be (vendor, family, leaf counts): what a guest would miss under completeMasks true.
        /// </summary>
        public static IReadOnlyList<string> MissingIdentity(IEnumerable<PerVmEvcEntry> entries)
        {
            var byKey = entries.GroupBy(e => e.Key, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.OrdinalIgnoreCase);
            var missing = new List<string>();
            if (!VendorKeys.Any(k => byKey.TryGetValue(k, out var v) && NumberOf(v) is uint n && n != 0))
            {
                missing.Add("vendor (cpuid.Intel or cpuid.AMD)");
            }

            foreach (var pair in IdentityKeys)
            {
                bool zeroAllowed = pair.Key == "cpuid.MODEL" || pair.Key == "cpuid.STEPPING";
                if (!byKey.TryGetValue(pair.Key, out var value) || !(NumberOf(value) is uint n) || (n == 0 && !zeroAllowed))
                {
                    missing.Add(pair.Key);
                }
            }

            return missing;
        }

        /// <summary>
        /// Where this mask and another (e.g. ours and vCenter's) disagree: feature keys one shows and the other hides
        /// or lacks, and identity keys whose numbers differ (<c>Val:6</c> and <c>Val:0x6</c> are the same).
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
                bool differ = IdentityKeys.Any(k => string.Equals(k.Key, key, StringComparison.OrdinalIgnoreCase)) && a != null && b != null
                    ? NumberOf(a) != NumberOf(b)
                    : Shows(a) != Shows(b);
                if (differ)
                {
                    result.Add($"{key}: {a ?? "(absent)"} in {Origin}, {b ?? "(absent)"} in {other.Origin}");
                }
            }

            return result;
        }

        private static bool Shows(string? value) =>
            value != null && !string.Equals(value.Trim(), "Val:0", StringComparison.OrdinalIgnoreCase) && !string.Equals(value.Trim(), "Max:0", StringComparison.OrdinalIgnoreCase);

        /// <summary>The number of a <c>Val:</c> value (decimal, or hex with 0x); null for any other form.</summary>
        private static uint? NumberOf(string? value)
        {
            string text = (value ?? string.Empty).Trim();
            if (!text.StartsWith("Val:", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            text = text.Substring(4).Trim();
            bool ok = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? uint.TryParse(text.Substring(2), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out uint number)
                : uint.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number);
            return ok ? number : (uint?)null;
        }

        private static string IdentityDescription(string key) =>
            IdentityKeys.First(k => string.Equals(k.Key, key, StringComparison.OrdinalIgnoreCase)).Value;

        private static string FeatureDescription(FeatureDefinition feature, PerVmEvcEntryKind kind) =>
            feature.Name + (kind == PerVmEvcEntryKind.Control ? " (speculation control, passed through from the host)" : string.Empty) + ": " + feature.Description;

        private static (PerVmEvcEntryKind Kind, string Description) Classify(string key, BaselineCatalog catalog, Baseline? baseline)
        {
            string? vendorKey = VendorKeys.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
            if (vendorKey != null)
            {
                return (PerVmEvcEntryKind.Vendor, "CPU vendor the guest sees: " + vendorKey.Substring("cpuid.".Length));
            }

            var identity = IdentityKeys.FirstOrDefault(k => string.Equals(k.Key, key, StringComparison.OrdinalIgnoreCase));
            if (identity.Key != null)
            {
                return (PerVmEvcEntryKind.Identity, identity.Value);
            }

            var fixedEntry = new[] { BaselineVendor.Intel, BaselineVendor.Amd }
                .Select(v => catalog.PerVmEvcEntries(v).Entries.FirstOrDefault(e => string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase)))
                .FirstOrDefault(e => e != null);
            if (fixedEntry != null)
            {
                return (PerVmEvcEntryKind.Virtualization, fixedEntry.Description);
            }

            var feature = catalog.Features.Features.FirstOrDefault(f =>
                VSphereKeys(f).Contains(key, StringComparer.OrdinalIgnoreCase)
                && (baseline == null || f.Vendor == FeatureVendor.Any || (f.Vendor == FeatureVendor.Intel) == (baseline.Vendor == BaselineVendor.Intel)));
            if (feature == null)
            {
                return (PerVmEvcEntryKind.Other, string.Empty);
            }

            var kind = baseline != null && baseline.IsControl(feature) ? PerVmEvcEntryKind.Control : PerVmEvcEntryKind.Feature;
            return (kind, FeatureDescription(feature, kind));
        }

        private static IReadOnlyList<string> VSphereKeys(FeatureDefinition feature)
        {
            var keys = new List<string>();
            if (feature.VSphereKey != null)
            {
                keys.Add(feature.VSphereKey);
            }

            // cpuid.IBRS and cpuid.IBPB are two vSphere names for one Intel bit.
            keys.AddRange(feature.Aliases.Where(a => a.StartsWith("cpuid.", StringComparison.OrdinalIgnoreCase) && !keys.Contains(a, StringComparer.OrdinalIgnoreCase)));
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
