using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;

namespace CpuidMask.Fuzz.Tests.Masks
{
    /// <summary>
    /// What a second reader, written from the rules of mask input (issue 10, the readers' documentation) and sharing no
    /// code with the engine's readers, makes of a text: the mask's entries as canonical key to value, or why the text
    /// must be refused. JSON is parsed with System.Text.Json. <see cref="Unknown"/> when the second reader cannot tell
    /// (a string the BCL will not decode), so the property checks only that the engine does not crash.
    /// </summary>
    internal sealed class ReferenceReading
    {
        private ReferenceReading(IReadOnlyDictionary<string, string>? entries, string? refusal, bool unknown)
        {
            Entries = entries;
            Refusal = refusal;
            Unknown = unknown;
        }

        /// <summary>Canonical key (lower case, leaf and subleaf without leading zeros, no subleaf 0) to value; null when refused.</summary>
        public IReadOnlyDictionary<string, string>? Entries { get; }

        public string? Refusal { get; }

        public bool Unknown { get; }

        public static ReferenceReading Of(IReadOnlyDictionary<string, string> entries) => new ReferenceReading(entries, null, false);

        public static ReferenceReading Refused(string why) => new ReferenceReading(null, why, false);

        public static ReferenceReading CannotTell(string why) => new ReferenceReading(null, why, true);
    }

    /// <summary>
    /// The rules of mask input, written out once more for the oracle: a register key is
    /// <c>cpuid.&lt;leaf hex&gt;[.&lt;subleaf hex&gt;].&lt;eax|ebx|ecx|edx&gt;[.amd|.intel]</c> in any case and with any leading
    /// zeros, on a leaf the catalog has features in and never a vendor-string register; its value is 32 characters of
    /// <c>- X H R 0 F 1 T</c> (any case, grouped by spaces or colons), and all dashes is no mask. A named feature mask is
    /// <c>featMask.vm.cpuid.&lt;NAME&gt;</c> with a name vSphere uses (unless unknown names are allowed) and a value
    /// <c>Val:</c>, <c>Min:</c> or <c>Max:</c> and a 64-bit number, 0 or 1 for a known feature. A key given twice in any
    /// spelling is refused.
    /// </summary>
    internal static class MaskReference
    {
        public const string FeatMaskPrefix = "featmask.vm.cpuid.";

        private const string MaskAlphabet = "-XHR0F1T";

        private static readonly Lazy<HashSet<LeafKey>> Leaves = new Lazy<HashSet<LeafKey>>(() =>
            new HashSet<LeafKey>(FeatureCatalog.Default.Features.Select(f => f.LeafKey)));

        private static readonly Lazy<HashSet<string>> FeatureNames = new Lazy<HashSet<string>>(() =>
        {
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var feature in FeatureCatalog.Default.Features)
            {
                foreach (string key in feature.Aliases.Append(feature.VSphereKey ?? string.Empty))
                {
                    if (key.StartsWith("cpuid.", StringComparison.OrdinalIgnoreCase))
                    {
                        names.Add(key.Substring("cpuid.".Length));
                    }
                }
            }

            return names;
        });

        /// <summary>Whether a vSphere feature name is one the catalog knows.</summary>
        public static bool IsKnownFeature(string name) => FeatureNames.Value.Contains(name);

        /// <summary>Whether the catalog has features on this leaf.</summary>
        public static bool IsFeatureLeaf(uint leaf, uint subleaf) => Leaves.Value.Contains(new LeafKey(leaf, subleaf));

        /// <summary>A .vmx text or a mask JSON document, told apart as the documentation says: JSON starts with '{'.</summary>
        public static ReferenceReading Read(string text, bool allowUnknown = false) =>
            StartsLikeJson(text) ? ReadJson(text, allowUnknown) : ReadVmx(text, allowUnknown);

        public static bool StartsLikeJson(string text)
        {
            foreach (char c in text)
            {
                if (!char.IsWhiteSpace(c) && c != '\uFEFF')
                {
                    return c == '{';
                }
            }

            return false;
        }

        /// <summary>.vmx lines: <c>key = "value"</c>, blank lines and lines starting with '#' skipped, anything else refused.</summary>
        public static ReferenceReading ReadVmx(string text, bool allowUnknown = false)
        {
            var entries = new Entries(allowUnknown);
            foreach (string line in SplitLines(text))
            {
                string trimmed = line.Trim();
                if (trimmed.Length == 0 || trimmed[0] == '#')
                {
                    continue;
                }

                int equals = trimmed.IndexOf('=');
                if (equals < 0)
                {
                    return ReferenceReading.Refused($"line '{trimmed}' has no '='");
                }

                string key = trimmed.Substring(0, equals).Trim();
                string rest = trimmed.Substring(equals + 1).Trim();
                if (key.Length == 0 || !key.All(c => (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
                {
                    return ReferenceReading.Refused($"'{key}' is not written as a .vmx key");
                }

                if (rest.Length < 2 || rest[0] != '"' || rest[rest.Length - 1] != '"' || rest.IndexOf('"', 1) != rest.Length - 1)
                {
                    return ReferenceReading.Refused($"the value of '{key}' is not one quoted string");
                }

                if (entries.Add(key, rest.Substring(1, rest.Length - 2)) is string refusal)
                {
                    return ReferenceReading.Refused(refusal);
                }
            }

            return ReferenceReading.Of(entries.Result);
        }

        /// <summary>The mask of a JSON document: the string members of its one "extraConfig" object (name in any case).</summary>
        public static ReferenceReading ReadJson(string text, bool allowUnknown = false)
        {
            string body = text.Length > 0 && text[0] == '\uFEFF' ? text.Substring(1) : text;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 4096 });
            }
            catch (JsonException ex)
            {
                return ReferenceReading.Refused("not JSON: " + ex.Message);
            }

            using (document)
            {
                try
                {
                    if (Depth(document.RootElement) > 257)
                    {
                        return ReferenceReading.Refused("nested deeper than 256 levels");
                    }

                    if (RepeatedName(document.RootElement) is string repeated)
                    {
                        return ReferenceReading.Refused($"an object has the member \"{repeated}\" twice");
                    }

                    if (document.RootElement.ValueKind != JsonValueKind.Object)
                    {
                        return ReferenceReading.Refused("the document is no object");
                    }

                    var members = document.RootElement.EnumerateObject().Where(p => string.Equals(p.Name, "extraConfig", StringComparison.OrdinalIgnoreCase)).ToArray();
                    if (members.Length != 1 || members[0].Value.ValueKind != JsonValueKind.Object)
                    {
                        return ReferenceReading.Refused($"{members.Length} \"extraConfig\" members, or not an object");
                    }

                    if (VendorStatement(document.RootElement) is string vendorRefusal)
                    {
                        return ReferenceReading.Refused(vendorRefusal);
                    }

                    var entries = new Entries(allowUnknown);
                    foreach (var member in members[0].Value.EnumerateObject())
                    {
                        if (member.Value.ValueKind != JsonValueKind.String)
                        {
                            return ReferenceReading.Refused($"the value of '{member.Name}' is {member.Value.ValueKind}");
                        }

                        if (entries.Add(member.Name, member.Value.GetString()) is string refusal)
                        {
                            return ReferenceReading.Refused(refusal);
                        }
                    }

                    return ReferenceReading.Of(entries.Result);
                }
                catch (InvalidOperationException ex)
                {
                    // A lone surrogate escape (\ud800): valid JSON text that System.Text.Json will not decode.
                    return ReferenceReading.CannotTell(ex.Message);
                }
            }
        }

        /// <summary>
        /// The rule for what a mask document says about its CPU vendor, null when it holds: "hosts" absent, null or an
        /// array of objects whose "vendor" is absent, null or a non-blank string, all of one layout (AMD and Hygon are
        /// one); "baseline" absent, null or a key the baseline catalog knows, for the first stated host's vendor.
        /// </summary>
        private static string? VendorStatement(JsonElement root)
        {
            string? first = null;
            if (Member(root, "hosts") is JsonElement hosts && hosts.ValueKind != JsonValueKind.Null)
            {
                if (hosts.ValueKind != JsonValueKind.Array)
                {
                    return "\"hosts\" is no array";
                }

                foreach (var host in hosts.EnumerateArray())
                {
                    if (host.ValueKind != JsonValueKind.Object)
                    {
                        return "a host is no object";
                    }

                    if (Member(host, "vendor") is JsonElement vendor && vendor.ValueKind != JsonValueKind.Null)
                    {
                        if (vendor.ValueKind != JsonValueKind.String || vendor.GetString()!.Trim().Length == 0)
                        {
                            return "a host's vendor is no vendor string";
                        }

                        first ??= vendor.GetString();
                        if (Layout(first!) != Layout(vendor.GetString()!))
                        {
                            return "hosts of two vendors";
                        }
                    }
                }
            }

            if (Member(root, "baseline") is JsonElement key && key.ValueKind != JsonValueKind.Null)
            {
                if (key.ValueKind != JsonValueKind.String || !CpuidMask.Engine.Catalog.BaselineCatalog.Default.TryFind(key.GetString()!, out var baseline))
                {
                    return "a baseline the catalog does not know";
                }

                if (first != null && !baseline.AppliesTo(first))
                {
                    return "a baseline of another vendor than the hosts";
                }
            }

            return null;
        }

        private static JsonElement? Member(JsonElement element, string name)
        {
            foreach (var member in element.EnumerateObject())
            {
                if (string.Equals(member.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    return member.Value;
                }
            }

            return null;
        }

        private static string Layout(string vendor) => vendor == "AuthenticAMD" || vendor == "HygonGenuine" ? "AMD" : vendor;

        /// <summary>Key/value pairs (a PowerShell hashtable); a null value is refused.</summary>
        public static ReferenceReading ReadPairs(IEnumerable<KeyValuePair<string, string?>> pairs, bool allowUnknown = false)
        {
            var entries = new Entries(allowUnknown);
            foreach (var pair in pairs)
            {
                if (entries.Add(pair.Key, pair.Value) is string refusal)
                {
                    return ReferenceReading.Refused(refusal);
                }
            }

            return ReferenceReading.Of(entries.Result);
        }

        /// <summary>The entries of a mask as the engine holds it, in the same canonical form.</summary>
        public static IReadOnlyDictionary<string, string> EntriesOf(VmMask mask)
        {
            var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in mask.ToExtraConfig())
            {
                string key = CanonicalKey(pair.Key) ?? throw new InvalidOperationException($"The engine's mask holds '{pair.Key}', which is no mask key.");
                result.Add(key, key.StartsWith(FeatMaskPrefix, StringComparison.Ordinal) ? pair.Value : NormalizeRegister(pair.Value) ?? "INVALID:" + pair.Value);
            }

            return result;
        }

        /// <summary>The canonical form of a mask key, or null when the text is none.</summary>
        public static string? CanonicalKey(string key)
        {
            if (TryRegisterKey(key, out string? canonical, out _, out _))
            {
                return canonical;
            }

            if (IsFeatMaskKey(key, out string? name))
            {
                return FeatMaskPrefix + name!.ToLowerInvariant();
            }

            return null;
        }

        /// <summary>Different spellings of one key that the rules say are the same key.</summary>
        public static IEnumerable<string> Spellings(string canonicalKey)
        {
            if (canonicalKey.StartsWith(FeatMaskPrefix, StringComparison.Ordinal))
            {
                string name = canonicalKey.Substring(FeatMaskPrefix.Length);
                yield return "featMask.vm.cpuid." + name.ToUpperInvariant();
                yield return "FEATMASK.VM.CPUID." + name.ToUpperInvariant();
                yield return "featmask.vm.cpuid." + name;
                yield return "featMask.vm.cpuid." + char.ToUpperInvariant(name[0]) + name.Substring(1);
                yield break;
            }

            var parts = canonicalKey.Split('.');
            string leaf = parts[1];
            bool hasSubleaf = parts.Length >= 4 && parts[3] != "amd" && parts[3] != "intel" || parts.Length == 5;
            string sub = hasSubleaf ? parts[2] : "0";
            string rest = string.Join(".", parts.Skip(hasSubleaf ? 3 : 2));
            yield return canonicalKey.ToUpperInvariant();
            yield return "Cpuid." + leaf.ToUpperInvariant() + (hasSubleaf ? "." + sub : string.Empty) + "." + char.ToUpperInvariant(rest[0]) + rest.Substring(1);
            yield return "cpuid." + leaf.PadLeft(Math.Min(8, leaf.Length + 1), '0') + (hasSubleaf ? "." + sub : string.Empty) + "." + rest;
            yield return "cpuid." + leaf.PadLeft(8, '0') + "." + sub.PadLeft(2, '0') + "." + rest;
            yield return "cpuid." + leaf + "." + sub + "." + rest.ToUpperInvariant();
        }

        /// <summary>32 mask characters, upper case, or null when the text is no register mask.</summary>
        public static string? NormalizeRegister(string? value)
        {
            if (value == null)
            {
                return null;
            }

            var chars = new List<char>(32);
            foreach (char c in value)
            {
                if (c == ' ' || c == ':')
                {
                    continue;
                }

                char upper = c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
                if (MaskAlphabet.IndexOf(upper) < 0)
                {
                    return null;
                }

                chars.Add(upper);
            }

            return chars.Count == 32 ? new string(chars.ToArray()) : null;
        }

        /// <summary>A named feature mask value and its number, or null when it is none.</summary>
        public static ulong? FeatureValue(string? value)
        {
            if (value == null || value.Length < 5 || value[3] != ':' || !(value.StartsWith("Val", StringComparison.Ordinal) || value.StartsWith("Min", StringComparison.Ordinal) || value.StartsWith("Max", StringComparison.Ordinal)))
            {
                return null;
            }

            string number = value.Substring(4);
            if (number.Length > 2 && number[0] == '0' && (number[1] == 'x' || number[1] == 'X'))
            {
                string hex = number.Substring(2);
                return hex.Length <= 16 && hex.All(IsAsciiHex) ? ulong.Parse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture) : (ulong?)null;
            }

            return number.Length <= 20 && number.All(c => c >= '0' && c <= '9') && ulong.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out ulong n) ? n : (ulong?)null;
        }

        public static IEnumerable<string> SplitLines(string text)
        {
            int start = 0;
            for (int i = 0; i < text.Length; i++)
            {
                if (text[i] == '\r' || text[i] == '\n')
                {
                    yield return text.Substring(start, i - start);
                    if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                    {
                        i++;
                    }

                    start = i + 1;
                }
            }

            if (start < text.Length)
            {
                yield return text.Substring(start);
            }
        }

        private static bool TryRegisterKey(string key, out string? canonical, out uint leaf, out uint subleaf)
        {
            canonical = null;
            leaf = subleaf = 0;
            if (key.Any(c => c > 0x7F))
            {
                return false;
            }

            var parts = key.ToLowerInvariant().Split('.');
            int n = parts.Length;
            string? vendor = null;
            if (n >= 4 && (parts[n - 1] == "amd" || parts[n - 1] == "intel"))
            {
                vendor = parts[n - 1];
                n--;
            }

            if (parts[0] != "cpuid" || (n != 3 && n != 4))
            {
                return false;
            }

            string register = parts[n - 1];
            if (!TryHex(parts[1], out leaf) || (n == 4 && !TryHex(parts[2], out subleaf)) || !(register == "eax" || register == "ebx" || register == "ecx" || register == "edx"))
            {
                return false;
            }

            canonical = "cpuid." + leaf.ToString("x", CultureInfo.InvariantCulture)
                + (subleaf != 0 ? "." + subleaf.ToString("x", CultureInfo.InvariantCulture) : string.Empty)
                + "." + register + (vendor != null ? "." + vendor : string.Empty);
            return true;
        }

        private static bool IsFeatMaskKey(string key, out string? name)
        {
            name = null;
            if (key.Length <= FeatMaskPrefix.Length || !string.Equals(key.Substring(0, FeatMaskPrefix.Length), FeatMaskPrefix, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            name = key.Substring(FeatMaskPrefix.Length);
            return name.All(c => (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
        }

        private static bool TryHex(string text, out uint value)
        {
            value = 0;
            return text.Length >= 1 && text.Length <= 8 && text.All(IsAsciiHex) && uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }

        private static bool IsAsciiHex(char c) => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');

        private static int Depth(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.Object => 1 + element.EnumerateObject().Select(p => Depth(p.Value)).DefaultIfEmpty(0).Max(),
            JsonValueKind.Array => 1 + element.EnumerateArray().Select(Depth).DefaultIfEmpty(0).Max(),
            _ => 1,
        };

        private static string? RepeatedName(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var names = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var property in element.EnumerateObject())
                    {
                        if (!names.Add(property.Name))
                        {
                            return property.Name;
                        }

                        if (RepeatedName(property.Value) is string inner)
                        {
                            return inner;
                        }
                    }

                    return null;
                case JsonValueKind.Array:
                    return element.EnumerateArray().Select(RepeatedName).FirstOrDefault(n => n != null);
                default:
                    return null;
            }
        }

        /// <summary>Entries as they are added, each judged by the rules; the first broken rule refuses the input.</summary>
        private sealed class Entries
        {
            private readonly bool _allowUnknown;
            private readonly HashSet<string> _seen = new HashSet<string>(StringComparer.Ordinal);
            private readonly SortedDictionary<string, string> _result = new SortedDictionary<string, string>(StringComparer.Ordinal);

            public Entries(bool allowUnknown) => _allowUnknown = allowUnknown;

            public IReadOnlyDictionary<string, string> Result => _result;

            public string? Add(string key, string? value)
            {
                if (TryRegisterKey(key, out string? canonical, out uint leaf, out uint subleaf))
                {
                    var register = canonical!.Split('.')[subleaf != 0 ? 3 : 2];
                    if ((leaf == 0 || leaf == 0x80000000u) && subleaf == 0 && register != "eax")
                    {
                        return $"'{key}' is a vendor-string register";
                    }

                    if (!IsFeatureLeaf(leaf, subleaf))
                    {
                        return $"'{key}' is on a leaf without catalog features";
                    }

                    if (!_seen.Add(canonical))
                    {
                        return $"'{key}' is {canonical} again";
                    }

                    string? mask = NormalizeRegister(value);
                    if (mask == null)
                    {
                        return $"'{key}' = '{value}' is no register mask";
                    }

                    if (mask != new string('-', 32))
                    {
                        _result[canonical] = mask;
                    }

                    return null;
                }

                if (IsFeatMaskKey(key, out string? name))
                {
                    bool known = IsKnownFeature(name!);
                    if (!known && !_allowUnknown)
                    {
                        return $"'{key}' names no feature the catalog knows";
                    }

                    string identity = FeatMaskPrefix + name!.ToLowerInvariant();
                    if (!_seen.Add(identity))
                    {
                        return $"'{key}' is {identity} again";
                    }

                    ulong? number = FeatureValue(value);
                    if (number == null || (known && number > 1))
                    {
                        return $"'{key}' = '{value}' is no feature mask value";
                    }

                    _result[identity] = value!;
                    return null;
                }

                return $"'{key}' is no mask key";
            }
        }
    }
}
