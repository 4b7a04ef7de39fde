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
        /// Builds a mask from extraConfig key/values, keeping only CPUID mask keys. Malformed values are
        /// errors naming the key.
        /// </summary>
        public static VmMask FromExtraConfig(IEnumerable<KeyValuePair<string, string>> extraConfig, string sourceName)
        {
            var regs = new Dictionary<MaskKey, RegisterMask>();
            var feats = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in extraConfig)
            {
                if (MaskKey.TryParse(pair.Key, out var key))
                {
                    regs[key] = RegisterMask.Parse(pair.Value, $"{pair.Key} in {sourceName}");
                }
                else if (pair.Key.StartsWith(FeatMaskPrefix, StringComparison.OrdinalIgnoreCase))
                {
                    feats[pair.Key.Substring(FeatMaskPrefix.Length)] = pair.Value;
                }
            }

            return new VmMask(regs, feats);
        }

        /// <summary>
        /// Reads .vmx lines (<c>key = "value"</c>, blank lines and # comments allowed), as printed by
        /// <c>cpuidmask mask --format vmx</c> or copied from a .vmx file. Every line must be a CPUID mask.
        /// </summary>
        public static VmMask ParseVmx(string text, string sourceName)
        {
            var regs = new Dictionary<MaskKey, RegisterMask>();
            var feats = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
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

                string where = string.Format(CultureInfo.InvariantCulture, "{0} line {1}", sourceName, lineNumber);
                var match = VmxLine.Match(trimmed);
                if (!match.Success)
                {
                    throw new CpuidMaskException("MaskLineMalformed", ErrorKind.InvalidData, $"{where}: '{trimmed}' is not a .vmx line of the form cpuid.1.ecx = \"<32 mask characters>\".", sourceName);
                }

                string key = match.Groups["key"].Value;
                string value = match.Groups["value"].Value;
                if (!seen.Add(key))
                {
                    throw new CpuidMaskException("MaskKeyDuplicate", ErrorKind.InvalidData, $"{where}: '{key}' appears twice; keep one line per key.", sourceName);
                }

                if (MaskKey.TryParse(key, out var maskKey))
                {
                    regs[maskKey] = RegisterMask.Parse(value, $"{key} ({where})");
                }
                else if (key.StartsWith(FeatMaskPrefix, StringComparison.OrdinalIgnoreCase) && key.Length > FeatMaskPrefix.Length)
                {
                    if (!Regex.IsMatch(value, "^(Val|Min|Max):[0-9A-Fa-fx]+$"))
                    {
                        throw new CpuidMaskException("MaskLineMalformed", ErrorKind.InvalidData, $"{where}: '{key}' has value \"{value}\"; a feature mask is Val:<n>, Min:<n> or Max:<n>, e.g. \"Val:0\".", sourceName);
                    }

                    feats[key.Substring(FeatMaskPrefix.Length)] = value;
                }
                else
                {
                    throw new CpuidMaskException("MaskKeyMalformed", ErrorKind.InvalidData, $"{where}: '{key}' is not a CPUID mask key (cpuid.<leaf>.<reg> or featMask.vm.cpuid.<NAME>).", sourceName);
                }
            }

            return new VmMask(regs, feats);
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
