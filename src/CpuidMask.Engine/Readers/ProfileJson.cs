using System;
using System.Collections.Generic;
using System.Globalization;
using CpuidMask.Engine.Json;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Readers
{
    /// <summary>
    /// A feature a profile has, for the <c>features</c> list of the JSON export. A plain value so the
    /// export does not depend on the feature catalog; callers map catalog definitions onto it.
    /// </summary>
    public sealed class FeatureInfo
    {
        public FeatureInfo(string name, uint leaf, uint subleaf, CpuidRegister register, int bit)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("A feature needs a name.", nameof(name));
            }

            if (bit < 0 || bit > 31)
            {
                throw new ArgumentOutOfRangeException(nameof(bit), bit, "A register bit is 0-31.");
            }

            Name = name;
            Leaf = leaf;
            Subleaf = subleaf;
            Register = register;
            Bit = bit;
        }

        public string Name { get; }

        public uint Leaf { get; }

        public uint Subleaf { get; }

        public CpuidRegister Register { get; }

        public int Bit { get; }

        public override string ToString() => $"{Name} ({new LeafKey(Leaf, Subleaf)} {Register.ToName()}[{Bit}])";
    }

    /// <summary>
    /// The project's own JSON form of a profile (also what <c>cpuidmask show --json</c> prints):
    /// <code>
    /// {"name", "source", "format", "vendor", "family", "model", "stepping", "brand",
    ///  "leaves": [{"leaf": "0x7", "subleaf": 0, "eax": "0x00000000", "ebx": ..., "ecx": ..., "edx": ...,
    ///              "known": ["ecx", "edx"] (only when some registers are unknown)}],
    ///  "capabilities": {"cpuid.AVX2": "1"},
    ///  "features": [{"name", "leaf", "subleaf", "register", "bit"}]}
    /// </code>
    /// Family, model, stepping and features are written for readers of the file; reading takes the
    /// profile from name, source, format, vendor, brand, leaves and capabilities alone, so a written
    /// profile reads back identical.
    /// <para>
    /// Several profiles (hosts saved together, what <c>Export-CpuidProfile</c> and <c>cpuidmask show FILE...
    /// --json</c> write) are a JSON array of those objects. A file of either form stands for every profile
    /// it holds: <see cref="ProfileReader.ReadHosts"/> returns them all.
    /// </para>
    /// </summary>
    public static class ProfileJson
    {
        private const string ErrorId = "ProfileJsonInvalid";

        private static readonly CpuidRegister[] Registers = { CpuidRegister.Eax, CpuidRegister.Ebx, CpuidRegister.Ecx, CpuidRegister.Edx };

        public static string Write(CpuidProfile profile, IEnumerable<FeatureInfo>? features = null, bool indented = true) =>
            ToJsonObject(profile, features).ToJson(indented);

        /// <summary>
        /// Several profiles as one document: an array of the single-profile objects, in the order given (an
        /// array of one for one profile, so a file written here always has the same shape).
        /// </summary>
        /// <param name="profiles">The profiles; at least one.</param>
        /// <param name="features">The features to list for each profile (informational; not read back), or null for none.</param>
        /// <param name="indented">Two-space indentation and one member per line.</param>
        public static string WriteAll(IEnumerable<CpuidProfile> profiles, Func<CpuidProfile, IEnumerable<FeatureInfo>>? features = null, bool indented = true)
        {
            if (profiles == null)
            {
                throw new ArgumentNullException(nameof(profiles));
            }

            var array = new JsonDomArray();
            foreach (var profile in profiles)
            {
                array.Add(ToJsonObject(profile, features?.Invoke(profile)));
            }

            if (array.Count == 0)
            {
                throw new ArgumentException("There is no profile to write.", nameof(profiles));
            }

            return array.ToJson(indented);
        }

        /// <summary>The export as a DOM, for shells that embed it in larger output.</summary>
        public static JsonDomObject ToJsonObject(CpuidProfile profile, IEnumerable<FeatureInfo>? features = null)
        {
            if (profile == null)
            {
                throw new ArgumentNullException(nameof(profile));
            }

            var leaves = new JsonDomArray();
            foreach (var leaf in profile.Leaves)
            {
                var entry = new JsonDomObject()
                    .Add("leaf", LeafKey.FormatLeaf(leaf.Leaf))
                    .Add("subleaf", (long)leaf.Subleaf);
                foreach (var register in Registers)
                {
                    entry.Add(register.ToName(), Hex(leaf.Registers[register]));
                }

                if (leaf.Known != RegisterSet.All)
                {
                    var known = new JsonDomArray();
                    foreach (var register in Registers)
                    {
                        if (leaf.IsKnown(register))
                        {
                            known.Add(register.ToName());
                        }
                    }

                    entry.Add("known", known);
                }

                leaves.Add(entry);
            }

            var capabilities = new JsonDomObject();
            foreach (var pair in profile.Capabilities)
            {
                capabilities.Add(pair.Key, pair.Value);
            }

            var featureArray = new JsonDomArray();
            foreach (var feature in features ?? Array.Empty<FeatureInfo>())
            {
                featureArray.Add(new JsonDomObject()
                    .Add("name", feature.Name)
                    .Add("leaf", LeafKey.FormatLeaf(feature.Leaf))
                    .Add("subleaf", (long)feature.Subleaf)
                    .Add("register", feature.Register.ToName())
                    .Add("bit", feature.Bit));
            }

            return new JsonDomObject()
                .Add("name", profile.Name)
                .Add("source", profile.Source)
                .Add("format", profile.Format.ToString())
                .Add("vendor", profile.Vendor)
                .Add("family", NumberOrNull(profile.Family))
                .Add("model", NumberOrNull(profile.Model))
                .Add("stepping", NumberOrNull(profile.Stepping))
                .Add("brand", profile.Brand)
                .Add("leaves", leaves)
                .Add("capabilities", capabilities)
                .Add("features", featureArray);
        }

        /// <summary>Reads one exported profile (an object, or an array holding exactly one).</summary>
        public static CpuidProfile Read(string text, string sourceName)
        {
            var all = ReadAll(text, sourceName);
            if (all.Count != 1)
            {
                throw new CpuidMaskException(
                    ErrorId,
                    ErrorKind.InvalidData,
                    string.Format(CultureInfo.InvariantCulture, "{0} holds {1} profiles; expected one. Use ProfileReader.ReadAll to read them all.", sourceName, all.Count),
                    sourceName);
            }

            return all[0];
        }

        /// <summary>Reads an exported profile or an array of them.</summary>
        public static IReadOnlyList<CpuidProfile> ReadAll(string text, string sourceName) =>
            ReadAll(JsonDomNode.Parse(text, sourceName), sourceName);

        internal static IReadOnlyList<CpuidProfile> ReadAll(JsonDomNode root, string sourceName)
        {
            if (root is JsonDomArray array)
            {
                if (array.Count == 0)
                {
                    throw DumpReading.Empty(sourceName, "the JSON array lists no profiles.");
                }

                var result = new CpuidProfile[array.Count];
                for (int i = 0; i < array.Count; i++)
                {
                    result[i] = FromNode(array[i], sourceName, i, inArray: true);
                }

                return result;
            }

            return new[] { FromNode(root, sourceName, 0, inArray: false) };
        }

        /// <summary>True when the value has the export's shape (an object, or array of objects, with "leaves").</summary>
        internal static bool IsExport(JsonDomNode root)
        {
            var first = root is JsonDomArray array && array.Count > 0 ? array[0] : root;
            return first is JsonDomObject obj && obj.ContainsKey("leaves");
        }

        /// <summary>Reads one exported profile object.</summary>
        public static CpuidProfile FromJsonObject(JsonDomObject node, string sourceName) => FromNode(node, sourceName, 0, inArray: false);

        private static CpuidProfile FromNode(JsonDomNode node, string sourceName, int index, bool inArray)
        {
            string at = inArray ? $"profile {index}" : "the profile";
            if (!(node is JsonDomObject obj))
            {
                throw JsonReading.Invalid(ErrorId, sourceName, node, $"{at} is {JsonReading.Describe(node)}; expected an object with \"name\" and \"leaves\".");
            }

            if (!(obj.Get("leaves") is JsonDomArray leafArray))
            {
                throw JsonReading.Invalid(ErrorId, sourceName, obj.Get("leaves") ?? obj, $"{at} has no \"leaves\" array; expected \"leaves\": [{{\"leaf\": \"0x1\", \"subleaf\": 0, \"eax\": \"0x000306A9\", ...}}].");
            }

            var leaves = new List<CpuidLeaf>();
            var byKey = new Dictionary<LeafKey, CpuidLeaf>();
            for (int i = 0; i < leafArray.Count; i++)
            {
                var leaf = ReadLeaf(leafArray[i], inArray ? $"profile {index} leaves[{i}]" : $"leaves[{i}]", sourceName);
                if (byKey.TryGetValue(leaf.Key, out var earlier))
                {
                    if (!earlier.Registers.Equals(leaf.Registers) || earlier.Known != leaf.Known)
                    {
                        throw ProfileChecks.Conflict(sourceName, leaf.Key, leafArray[i].Line > 0 ? leafArray[i].Line : (int?)null, null, at);
                    }

                    continue;
                }

                byKey.Add(leaf.Key, leaf);
                leaves.Add(leaf);
            }

            var capabilities = new List<KeyValuePair<string, string>>();
            var capNode = obj.Get("capabilities");
            if (capNode is JsonDomObject capObject)
            {
                foreach (var member in capObject)
                {
                    string? value = JsonReading.ScalarText(member.Value);
                    if (value == null)
                    {
                        throw JsonReading.Invalid(ErrorId, sourceName, member.Value, $"capabilities.{member.Key} is {JsonReading.Describe(member.Value)}; expected a string such as \"1\".");
                    }

                    capabilities.Add(new KeyValuePair<string, string>(member.Key, value));
                }
            }
            else if (capNode != null && !(capNode is JsonDomNull))
            {
                throw JsonReading.Invalid(ErrorId, sourceName, capNode, $"capabilities is {JsonReading.Describe(capNode)}; expected an object such as {{\"cpuid.AVX2\": \"1\"}}.");
            }

            if (leaves.Count == 0 && capabilities.Count == 0)
            {
                throw DumpReading.Empty(sourceName, $"{at} has no leaves and no capabilities.");
            }

            string name = NonEmpty(obj.Get("name")) ?? DumpReading.ProfileName(sourceName, index);
            string source = NonEmpty(obj.Get("source")) ?? DumpReading.ProfileSource(sourceName, index, ProfileFormat.Json);
            var format = ProfileFormat.Json;
            if (NonEmpty(obj.Get("format")) is string formatText
                && Enum.TryParse(formatText, ignoreCase: true, out ProfileFormat parsed)
                && Enum.IsDefined(typeof(ProfileFormat), parsed))
            {
                format = parsed;
            }

            return new CpuidProfile(
                name,
                leaves,
                format,
                source,
                capabilities,
                vendor: NonEmpty(obj.Get("vendor")),
                brand: JsonReading.ScalarText(obj.Get("brand")));
        }

        private static CpuidLeaf ReadLeaf(JsonDomNode node, string where, string sourceName)
        {
            if (!(node is JsonDomObject entry))
            {
                throw JsonReading.Invalid(ErrorId, sourceName, node, $"{where} is {JsonReading.Describe(node)}; expected {{\"leaf\": \"0x7\", \"subleaf\": 0, \"eax\": \"0x00000000\", ...}}.");
            }

            uint leaf = Number(entry, "leaf", where, sourceName, required: true);
            uint subleaf = Number(entry, "subleaf", where, sourceName, required: false);
            var values = new uint[4];
            var present = RegisterSet.None;
            foreach (var register in Registers)
            {
                var valueNode = entry.Get(register.ToName());
                if (valueNode == null || valueNode is JsonDomNull)
                {
                    continue;
                }

                values[(int)register] = RegisterValue(entry, register.ToName(), where, sourceName);
                present |= CpuidLeaf.ToFlag(register);
            }

            var known = present;
            var knownNode = entry.Get("known");
            if (knownNode != null && !(knownNode is JsonDomNull))
            {
                if (!(knownNode is JsonDomArray knownArray))
                {
                    throw JsonReading.Invalid(ErrorId, sourceName, knownNode, $"{where}.known is {JsonReading.Describe(knownNode)}; expected an array of register names such as [\"ecx\", \"edx\"].");
                }

                known = RegisterSet.None;
                foreach (var item in knownArray)
                {
                    if (!(item is JsonDomString name) || !CpuidRegisterNames.TryParse(name.Value, out var register))
                    {
                        throw JsonReading.Invalid(ErrorId, sourceName, item, $"{where}.known holds {JsonReading.Describe(item)}; expected \"eax\", \"ebx\", \"ecx\" or \"edx\".");
                    }

                    if ((present & CpuidLeaf.ToFlag(register)) == 0)
                    {
                        throw JsonReading.Invalid(ErrorId, sourceName, item, $"{where}.known lists \"{register.ToName()}\", but {where} has no \"{register.ToName()}\" value.");
                    }

                    known |= CpuidLeaf.ToFlag(register);
                }
            }

            return new CpuidLeaf(new LeafKey(leaf, subleaf), new CpuidRegisters(values[0], values[1], values[2], values[3]), known);
        }

        /// <summary>A number, or text in hex ("0x7") or decimal ("7").</summary>
        private static uint Number(JsonDomObject entry, string member, string where, string sourceName, bool required)
        {
            var node = entry.Get(member);
            if (node == null || node is JsonDomNull)
            {
                if (!required)
                {
                    return 0;
                }

                throw JsonReading.Invalid(ErrorId, sourceName, entry, $"{where} has no \"{member}\"; expected e.g. \"{member}\": \"0x1\".");
            }

            if (node is JsonDomNumber number && number.TryGetInt64(out long whole) && whole >= 0 && whole <= uint.MaxValue)
            {
                return (uint)whole;
            }

            if (node is JsonDomString text)
            {
                string s = text.Value.Trim();
                if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                    ? DumpReading.TryParseHex(s, out uint hex)
                    : uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out hex))
                {
                    return hex;
                }
            }

            throw JsonReading.Invalid(ErrorId, sourceName, node, $"{where}.{member} is {JsonReading.Describe(node)}; expected a 32-bit value such as \"0x0000000D\" or 13.");
        }

        /// <summary>
        /// A register: a JSON number, or text of "0x" and eight hex digits, as this format writes it. A shorter or
        /// prefix-less text is refused rather than read: it is how a deleted character shows, and "028100000" read as
        /// decimal or "0x2810000" read as it stands would be another CPU's value.
        /// </summary>
        private static uint RegisterValue(JsonDomObject entry, string member, string where, string sourceName)
        {
            var node = entry.Get(member)!;
            if (node is JsonDomString text)
            {
                string s = text.Value;
                if (s.Length != 10 || !s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || !DumpReading.TryParseHex(s, out uint value))
                {
                    throw JsonReading.Invalid(ErrorId, sourceName, node, $"{where}.{member} is {JsonReading.Describe(node)}; expected \"0x\" and eight hex digits, such as \"0x0000000D\" (or a JSON number). The file is damaged or was edited; export the profile again.");
                }

                return value;
            }

            return Number(entry, member, where, sourceName, required: true);
        }

        private static string Hex(uint value) => "0x" + value.ToString("X8", CultureInfo.InvariantCulture);

        private static JsonDomNode NumberOrNull(int value) => value < 0 ? (JsonDomNode)JsonDomNull.Instance : new JsonDomNumber(value);

        private static string? NonEmpty(JsonDomNode? node)
        {
            string? text = JsonReading.ScalarText(node);
            return string.IsNullOrWhiteSpace(text) ? null : text;
        }
    }
}
