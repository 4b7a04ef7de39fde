using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;

namespace CpuidMask.Engine.Masks
{
    /// <summary>
    /// Builds one <see cref="VmMask"/> from key = value entries, each with where it came from, and holds every
    /// reader of masks to the same rules: keys are compared in their canonical form (case, leading zeros and an
    /// explicit subleaf 0 do not make another key), so a key given twice in any spelling is an error naming both;
    /// every value must be a mask of its kind. Input (files, lines, hashtables) must also stay within the catalog's
    /// vocabulary (<see cref="MaskVocabulary"/>); what a VM already holds (<see cref="VmMask.FromExtraConfig"/>) need not.
    /// </summary>
    internal sealed class MaskEntries
    {
        private static readonly Regex FeatMaskValue = new Regex(
            @"^(?:Val|Min|Max):(?:0[xX](?<hex>[0-9A-Fa-f]{1,16})|(?<dec>[0-9]{1,20}))\z",
            RegexOptions.CultureInvariant);

        private static readonly Regex FeatMaskName = new Regex(@"^[A-Za-z0-9_]+\z", RegexOptions.CultureInvariant);

        private readonly string _source;
        private readonly MaskReadOptions _options;
        private readonly MaskVocabulary? _vocabulary;
        private readonly Dictionary<MaskKey, RegisterMask> _registers = new Dictionary<MaskKey, RegisterMask>();
        private readonly Dictionary<string, string> _features = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, (string Spelling, string? Location)> _seen = new Dictionary<string, (string, string?)>(StringComparer.Ordinal);

        /// <param name="sourceName">The input as messages name it: a file, "-Mask", "VM 'web01'".</param>
        /// <param name="options">The vocabulary rules for input; null for what a VM holds, which is read as it is.</param>
        public MaskEntries(string sourceName, MaskReadOptions? options)
        {
            _source = sourceName ?? "mask";
            _options = options ?? MaskReadOptions.Default;
            _vocabulary = options == null ? null : MaskVocabulary.For(_options.Catalog);
        }

        /// <param name="key">The key as written.</param>
        /// <param name="value">Its value; null where the input has none.</param>
        /// <param name="location">Where in the input, e.g. "line 3"; null when the input has no lines (a hashtable).</param>
        public void Add(string? key, string? value, string? location)
        {
            string at = location == null ? _source : _source + " " + location;
            string shownKey = InputText.Show(key);
            if (MaskKey.TryParse(key, out var maskKey))
            {
                if (_vocabulary != null)
                {
                    CheckLeaf(maskKey, shownKey, at);
                }

                string canonical = maskKey.ToString();
                See(canonical, canonical, key!, location, at);
                if (!RegisterMask.TryParse(value, out var mask, out string? problem))
                {
                    throw Error("MaskMalformed", at, $"{shownKey} = \"{InputText.Show(value)}\": the mask {problem}");
                }

                _registers[maskKey] = mask;
                return;
            }

            if (key != null && key.StartsWith(VmMask.FeatMaskPrefix, StringComparison.OrdinalIgnoreCase))
            {
                string name = key.Substring(VmMask.FeatMaskPrefix.Length);
                if (!FeatMaskName.IsMatch(name))
                {
                    throw Error("MaskKeyMalformed", at, $"'{shownKey}' is not a named feature mask key; it is featMask.vm.cpuid.<NAME>, NAME in letters, digits and '_', e.g. featMask.vm.cpuid.AVX.");
                }

                // What a VM holds is not judged by the catalog (no vocabulary): its names count as known.
                bool known = _vocabulary == null;
                if (_vocabulary != null && _vocabulary.TryFeatMaskName(name, out string catalogSpelling))
                {
                    name = catalogSpelling;
                    known = true;
                }

                if (!known && !_options.AllowUnknownFeatures)
                {
                    throw new CpuidMaskException(
                        "MaskFeatureUnknown",
                        ErrorKind.InvalidData,
                        $"{at}: '{shownKey}' names '{InputText.Show(name)}', which is not one of vSphere's feature names the catalog knows (as in featMask.vm.cpuid.AVX or featMask.vm.cpuid.PCID); check the spelling.",
                        _source)
                    {
                        Remedy = new Remedy(RemedyKind.AllowUnknownFeatures),
                    };
                }

                See(VmMask.FeatMaskPrefix + name.ToUpperInvariant(), VmMask.FeatMaskPrefix + name, key, location, at);
                if (!TryValidateFeatureValue(value, out ulong number, out string? problem))
                {
                    throw Error("MaskMalformed", at, $"{shownKey} = \"{InputText.Show(value)}\": {problem}");
                }

                // Every feature the catalog names is one bit: a value other than 0 or 1 says nothing ESXi can do.
                if (_vocabulary != null && number > 1 && known)
                {
                    throw Error("MaskMalformed", at, $"{shownKey} = \"{InputText.Show(value)}\": {name} is one bit, so its value is 0 or 1 (\"Val:0\" hides it).");
                }

                _features[name] = value!;
                return;
            }

            throw Error("MaskKeyMalformed", at, $"'{shownKey}' is not a CPUID mask key (cpuid.<leaf hex>[.<subleaf>].<eax|ebx|ecx|edx> or featMask.vm.cpuid.<NAME>).");
        }

        public VmMask ToMask() => new VmMask(_registers, _features);

        /// <summary>The syntax of a named feature mask value: Val:, Min: or Max: and a number of at most 64 bits.</summary>
        internal static bool TryValidateFeatureValue(string? value, out ulong number, out string? problem)
        {
            number = 0;
            var match = FeatMaskValue.Match(value ?? string.Empty);
            bool parsed = match.Success && (match.Groups["hex"].Success
                ? ulong.TryParse(match.Groups["hex"].Value, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out number)
                : ulong.TryParse(match.Groups["dec"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out number));
            problem = parsed ? null : "a feature mask value is Val:, Min: or Max: and a number of at most 64 bits (decimal, or hex with 0x), e.g. \"Val:0\".";
            return parsed;
        }

        private void CheckLeaf(MaskKey key, string shownKey, string at)
        {
            if (MaskVocabulary.IsVendorRegister(key))
            {
                throw Error(
                    "MaskKeyVendorRegister",
                    at,
                    $"'{shownKey}' is part of the CPU vendor string (leaf {Model.LeafKey.FormatLeaf(key.Leaf)} ebx, edx, ecx spell GenuineIntel or AuthenticAMD); masking it makes the guest misidentify its CPU and never helps a vMotion. Remove it.");
            }

            if (!_vocabulary!.KnowsLeaf(key.LeafKey))
            {
                throw Error(
                    "MaskKeyUnknownLeaf",
                    at,
                    $"'{shownKey}' is for leaf {key.LeafKey}, where the catalog knows no feature, so the mask would hide nothing vCenter compares. Leaves are hexadecimal (leaf 13 is cpuid.d); feature leaves are {_vocabulary.LeafList}.");
            }
        }

        private void See(string identity, string canonical, string spelling, string? location, string at)
        {
            if (_seen.TryGetValue(identity, out var first))
            {
                string firstAt = first.Location == null ? string.Empty : $" ({first.Location})";
                throw Error(
                    "MaskKeyDuplicate",
                    at,
                    $"'{InputText.Show(spelling)}' is the same key as '{InputText.Show(first.Spelling)}'{firstAt}: both are {canonical}. Keep one of them.");
            }

            _seen.Add(identity, (spelling, location));
        }

        private CpuidMaskException Error(string errorId, string at, string message) =>
            new CpuidMaskException(errorId, ErrorKind.InvalidData, $"{at}: {message}", _source);
    }
}
