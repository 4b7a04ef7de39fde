using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using CpuidMask.Engine.Collections;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Masks
{
    /// <summary>A bit two masks want differently: one forces it on, the other hides it.</summary>
    public sealed class MaskConflict
    {
        public MaskConflict(MaskKey key, int bit, MaskChar left, MaskChar right)
        {
            Key = key;
            Bit = bit;
            Left = left;
            Right = right;
        }

        public MaskKey Key { get; }

        public int Bit { get; }

        public MaskChar Left { get; }

        public MaskChar Right { get; }

        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "{0} bit {1}: '{2}' against '{3}'", Key, Bit, Left.ToChar(), Right.ToChar());
    }

    /// <summary>
    /// A VM's CPUID masks as extraConfig holds them: raw register masks (<c>cpuid.1.ecx</c>) and named
    /// feature masks (<c>featMask.vm.cpuid.AVX = "Val:0"</c>). Immutable; keys kept in leaf order.
    /// </summary>
    public sealed class VmMask
    {
        public const string FeatMaskPrefix = "featMask.vm.cpuid.";

        private static readonly Regex VmxLine = new Regex(@"^\s*(?<key>[A-Za-z0-9_.]+)\s*=\s*""(?<value>[^""]*)""\s*$", RegexOptions.CultureInvariant);

        public VmMask(IEnumerable<KeyValuePair<MaskKey, RegisterMask>>? registers = null, IEnumerable<KeyValuePair<string, string>>? featureMasks = null)
        {
            var regs = new SortedDictionary<MaskKey, RegisterMask>();
            foreach (var pair in registers ?? Enumerable.Empty<KeyValuePair<MaskKey, RegisterMask>>())
            {
                if (!pair.Value.IsEmpty)
                {
                    regs[pair.Key] = pair.Value;
                }
            }

            var feats = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in featureMasks ?? Enumerable.Empty<KeyValuePair<string, string>>())
            {
                feats[pair.Key] = pair.Value;
            }

            Registers = new ItemMap<MaskKey, RegisterMask>(regs);
            FeatureMasks = new ItemMap<string, string>(feats, StringComparer.OrdinalIgnoreCase);
        }

        public static VmMask Empty { get; } = new VmMask();

        /// <summary>Raw register masks by key, in leaf order; all-dash masks are dropped.</summary>
        public IReadOnlyDictionary<MaskKey, RegisterMask> Registers { get; }

        /// <summary>Named feature masks: feature name (the part after featMask.vm.cpuid.) to value, e.g. AVX → Val:0.</summary>
        public IReadOnlyDictionary<string, string> FeatureMasks { get; }

        public bool IsEmpty => Registers.Count == 0 && FeatureMasks.Count == 0;

        public RegisterMask Get(MaskKey key) => Registers.TryGetValue(key, out var mask) ? mask : RegisterMask.Empty;

        public VmMask With(MaskKey key, RegisterMask mask)
        {
            var regs = Registers.ToDictionary(p => p.Key, p => p.Value);
            regs[key] = mask;
            return new VmMask(regs, FeatureMasks);
        }

        public VmMask WithFeatureMask(string featureName, string value)
        {
            var feats = FeatureMasks.ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
            feats[featureName] = value;
            return new VmMask(Registers, feats);
        }

        /// <summary>The character a mask sets for one bit on a CPU of the given vendor (a vendor variant wins).</summary>
        public MaskChar CharFor(uint leaf, uint subleaf, CpuidRegister register, int bit, string cpuVendor)
        {
            foreach (var key in Registers.Keys.Where(k => k.Leaf == leaf && k.Subleaf == subleaf && k.Register == register && k.AppliesTo(cpuVendor)).OrderByDescending(k => k.Vendor != null))
            {
                var c = Registers[key][bit];
                if (c != MaskChar.Inherit)
                {
                    return c;
                }
            }

            return MaskChar.Inherit;
        }

        /// <summary>
        /// Merges two masks. Hiding wins over passing through; a bit one mask forces on and the other
        /// hides is a conflict, reported with its key and bit. Feature masks: <c>Val:0</c> wins.
        /// </summary>
        public VmMask Merge(VmMask other, out IReadOnlyList<MaskConflict> conflicts)
        {
            var clashes = new List<MaskConflict>();
            var regs = new Dictionary<MaskKey, RegisterMask>();
            foreach (var key in Registers.Keys.Union(other.Registers.Keys))
            {
                var a = Get(key);
                var b = other.Get(key);
                regs[key] = RegisterMask.Merge(a, b, out var bits);
                clashes.AddRange(bits.Select(bit => new MaskConflict(key, bit, a[bit], b[bit])));
            }

            var feats = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string name in FeatureMasks.Keys.Union(other.FeatureMasks.Keys, StringComparer.OrdinalIgnoreCase))
            {
                FeatureMasks.TryGetValue(name, out var a);
                other.FeatureMasks.TryGetValue(name, out var b);
                feats[name] = MergeFeatureMask(a, b);
            }

            conflicts = clashes;
            return new VmMask(regs, feats);
        }

        /// <summary>Merges, throwing MaskConflict with every conflicting bit named.</summary>
        public VmMask Merge(VmMask other)
        {
            var merged = Merge(other, out var conflicts);
            if (conflicts.Count > 0)
            {
                throw new CpuidMaskException(
                    "MaskConflict",
                    ErrorKind.InvalidData,
                    "The masks disagree: " + string.Join("; ", conflicts) + ". One forces these bits on and the other hides them; drop one of the two masks for these registers.",
                    conflicts);
            }

            return merged;
        }

        /// <summary>
        /// The warning every shell gives when the mask has subleaf keys (cpuid.7.1.eax, cpuid.d.1.eax): VMware documents
        /// only the cpuid.&lt;leaf&gt;.&lt;reg&gt; form, so whether ESXi honours cpuid.&lt;leaf&gt;.&lt;subleaf&gt;.&lt;reg&gt; is
        /// unverified; named feature masks and per-VM EVC hide the same features by name. Null when there are none.
        /// </summary>
        public Advice? SubleafAdvice()
        {
            var keys = Registers.Keys.Where(k => k.Subleaf != 0).OrderBy(k => k).Select(k => k.ToString()).ToArray();
            return keys.Length == 0
                ? null
                : new Advice(
                    $"{string.Join(", ", keys)} {(keys.Length == 1 ? "uses" : "use")} the cpuid.<leaf>.<subleaf>.<reg> form, which ESXi may not honour (unverified).",
                    new Remedy(RemedyKind.HideByName));
        }

        /// <summary>The .vmx lines, register masks first in leaf order, then feature masks.</summary>
        public IReadOnlyList<string> ToVmxLines() =>
            ToExtraConfig().Select(p => $"{p.Key} = \"{p.Value}\"").ToArray();

        /// <summary>The extraConfig keys and values this mask consists of.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> ToExtraConfig() =>
            Registers.Select(p => new KeyValuePair<string, string>(p.Key.ToString(), p.Value.ToString()))
                .Concat(FeatureMasks.Select(p => new KeyValuePair<string, string>(FeatMaskPrefix + p.Key, p.Value)))
                .ToArray();

        /// <summary>Whether an extraConfig key is one of ours (a raw or named CPUID mask).</summary>
        public static bool IsMaskConfigKey(string key) =>
            MaskKey.IsMaskKey(key) || (key ?? string.Empty).StartsWith(FeatMaskPrefix, StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// Builds a mask from what a VM holds: its extraConfig key/values, keeping only CPUID mask keys. Values must be
        /// masks (MaskMalformed), and one key in two spellings (cpuid.1.ecx and CPUID.1.ECX or cpuid.01.ecx) is
        /// MaskKeyDuplicate, as ESXi would honour only one of them; leaves and feature names are taken as they are,
        /// the VM's own. Errors name <paramref name="sourceName"/> and the key.
        /// </summary>
        public static VmMask FromExtraConfig(IEnumerable<KeyValuePair<string, string>> extraConfig, string sourceName)
        {
            var entries = new MaskEntries(sourceName, options: null);
            foreach (var pair in extraConfig)
            {
                if (IsMaskConfigKey(pair.Key))
                {
                    entries.Add(pair.Key, pair.Value, null);
                }
            }

            return entries.ToMask();
        }

        /// <summary>
        /// Reads a mask given as key/value pairs (a PowerShell hashtable), by the rules of <see cref="ParseVmx(string, string, MaskReadOptions?)"/>:
        /// every key a known mask key, each once in any spelling, every value a mask. A null value is malformed.
        /// </summary>
        public static VmMask ParsePairs(IEnumerable<KeyValuePair<string, string?>> pairs, string sourceName, MaskReadOptions? options = null)
        {
            var entries = new MaskEntries(sourceName, options ?? MaskReadOptions.Default);
            foreach (var pair in pairs ?? throw new ArgumentNullException(nameof(pairs)))
            {
                entries.Add(pair.Key, pair.Value, null);
            }

            return entries.ToMask();
        }

        /// <summary>
        /// Reads .vmx lines (<c>key = "value"</c>, blank lines and # comments allowed), as printed by
        /// <c>cpuidmask mask --format vmx</c> or copied from a .vmx file. Every line must be a CPUID mask with a key
        /// the catalog knows (no vendor-string registers, no leaf without features, featMask names vSphere uses unless
        /// <see cref="MaskReadOptions.AllowUnknownFeatures"/>), each key once in any spelling; errors name the line.
        /// </summary>
        public static VmMask ParseVmx(string text, string sourceName, MaskReadOptions? options = null)
        {
            var entries = new MaskEntries(sourceName, options ?? MaskReadOptions.Default);
            using var reader = new StringReader(text ?? string.Empty);
            int lineNumber = 0;
            string? line;
            while ((line = reader.ReadLine()) != null)
            {
                lineNumber++;
                string trimmed = line.Trim();
                if (trimmed.Length == 0 || trimmed.StartsWith("#", StringComparison.Ordinal))
                {
                    continue;
                }

                string location = string.Format(CultureInfo.InvariantCulture, "line {0}", lineNumber);
                var match = VmxLine.Match(trimmed);
                if (!match.Success)
                {
                    throw new CpuidMaskException("MaskLineMalformed", ErrorKind.InvalidData, $"{sourceName} {location}: '{InputText.Show(trimmed)}' is not a .vmx line of the form cpuid.1.ecx = \"<32 mask characters>\".", sourceName);
                }

                entries.Add(match.Groups["key"].Value, match.Groups["value"].Value, location);
            }

            return entries.ToMask();
        }

        /// <summary>
        /// Holds a mask that did not come from a reader (a VM's masks copied to another, a deserialized object) to
        /// the rules of mask input: known leaves, no vendor-string registers, vSphere feature names the catalog knows
        /// with values 0 or 1. Returns the mask with feature names in the catalog's spelling.
        /// </summary>
        public VmMask Validate(string sourceName, MaskReadOptions? options = null)
        {
            var entries = new MaskEntries(sourceName, options ?? MaskReadOptions.Default);
            foreach (var pair in ToExtraConfig())
            {
                entries.Add(pair.Key, pair.Value, null);
            }

            return entries.ToMask();
        }

        /// <summary>
        /// Whether a value is a mask for that key: 32 mask characters for a cpuid.* key, Val:/Min:/Max: and a number for
        /// a featMask.vm.cpuid.* key. <paramref name="problem"/> says what is wrong. Names and leaves are not judged.
        /// </summary>
        public static bool TryValidateValue(string key, string? value, out string? problem)
        {
            if (MaskKey.IsMaskKey(key))
            {
                if (RegisterMask.TryParse(value, out _, out problem))
                {
                    return true;
                }

                problem = $"{InputText.Show(key)} = \"{InputText.Show(value)}\": the mask {problem}";
                return false;
            }

            if ((key ?? string.Empty).StartsWith(FeatMaskPrefix, StringComparison.OrdinalIgnoreCase))
            {
                if (MaskEntries.TryValidateFeatureValue(value, out _, out problem))
                {
                    return true;
                }

                problem = $"{InputText.Show(key)} = \"{InputText.Show(value)}\": {problem}";
                return false;
            }

            problem = $"'{InputText.Show(key)}' is not a CPUID mask key.";
            return false;
        }

        // Hiding wins; otherwise the two agree, or the ordinally larger value is kept so the merge stays
        // commutative (Min/Max/Val other than 0 do not hide, so no guest loses a feature either way).
        private static string MergeFeatureMask(string? a, string? b)
        {
            if (a == null || b == null)
            {
                return a ?? b!;
            }

            if (IsHide(a) || IsHide(b))
            {
                return IsHide(a) ? a : b;
            }

            return string.CompareOrdinal(a.ToUpperInvariant(), b.ToUpperInvariant()) >= 0 ? a : b;
        }

        /// <summary>Whether a feature-mask value hides the feature ("Val:0" or "Max:0").</summary>
        public static bool IsHide(string value) =>
            string.Equals(value?.Trim(), "Val:0", StringComparison.OrdinalIgnoreCase)
            || string.Equals(value?.Trim(), "Max:0", StringComparison.OrdinalIgnoreCase);

        public override string ToString() => string.Join(Environment.NewLine, ToVmxLines());
    }
}
