using System;
using System.Collections.Generic;
using System.Globalization;
using CpuidMask.Engine.Json;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Readers
{
    /// <summary>
    /// A HostSystem as PowerCLI's ConvertTo-Json writes it (<c>$vmhost.ExtensionData | ConvertTo-Json -Depth 6</c>),
    /// or a trimmed copy: <c>cpuFeature</c>, <c>featureCapability</c> and <c>cpuPkg</c> at the top level,
    /// or where the API puts them (<c>hardware.cpuFeature</c>, <c>config.featureCapability</c>,
    /// <c>hardware.cpuPkg</c>), optionally under <c>extensionData</c> (a VMHost object itself). An array
    /// gives one profile per host. Member names match in any case, since PowerShell writes .NET
    /// property names (<c>CpuFeature</c>) where the API says <c>cpuFeature</c>.
    /// </summary>
    internal static class VSphereJsonReader
    {
        private const string ErrorId = "VSphereJsonInvalid";

        public static IReadOnlyList<ParsedProfile> Parse(JsonDomNode root, string sourceName)
        {
            var hosts = new List<JsonDomNode>();
            if (root is JsonDomArray array)
            {
                hosts.AddRange(array);
            }
            else if (root is JsonDomObject wrapper && wrapper.Get("value") is JsonDomArray values && wrapper.Get("Count") is JsonDomNumber)
            {
                // Windows PowerShell 5.1 sometimes serialises an array as {"value": [...], "Count": n}.
                hosts.AddRange(values);
            }
            else
            {
                hosts.Add(root);
            }

            if (hosts.Count == 0)
            {
                throw DumpReading.Empty(sourceName, "the JSON array lists no hosts.");
            }

            var profiles = new ParsedProfile[hosts.Count];
            for (int i = 0; i < hosts.Count; i++)
            {
                if (!(hosts[i] is JsonDomObject host))
                {
                    throw JsonReading.Invalid(ErrorId, sourceName, hosts[i], $"host {i} is {JsonReading.Describe(hosts[i])}; expected a HostSystem object with hardware.cpuFeature and config.featureCapability.");
                }

                profiles[i] = ReadHost(host, i, sourceName);
            }

            return profiles;
        }

        private static ParsedProfile ReadHost(JsonDomObject host, int index, string sourceName)
        {
            var extension = host.Get("extensionData") as JsonDomObject;
            var hardware = Object(host, "hardware") ?? Object(extension, "hardware");
            var config = Object(host, "config") ?? Object(extension, "config");
            var cpuPkg = host.Get("cpuPkg") ?? hardware?.Get("cpuPkg");
            var cpuFeature = host.Get("cpuFeature") ?? hardware?.Get("cpuFeature");
            var featureCapability = host.Get("featureCapability") ?? config?.Get("featureCapability");
            string? brand = null;
            if (cpuPkg is JsonDomArray packages && packages.Count > 0 && packages[0] is JsonDomObject firstPackage)
            {
                brand = JsonReading.ScalarText(firstPackage.Get("description"));
                if (cpuFeature == null || cpuFeature is JsonDomNull)
                {
                    // Every package reports its own cpuFeature; the host-wide list is their common part.
                    cpuFeature = firstPackage.Get("cpuFeature");
                }
            }

            string name = JsonReading.ScalarText(host.Get("name"))
                ?? JsonReading.ScalarText(extension?.Get("name"))
                ?? DumpReading.ProfileName(sourceName, index, "host");
            string label = string.Format(CultureInfo.InvariantCulture, "host {0} ('{1}')", index, name);

            bool hasFeatures = cpuFeature != null && !(cpuFeature is JsonDomNull);
            bool hasCapabilities = featureCapability != null && !(featureCapability is JsonDomNull);
            if (!hasFeatures && !hasCapabilities)
            {
                throw JsonReading.Invalid(
                    ErrorId,
                    sourceName,
                    host,
                    $"{label} has neither hardware.cpuFeature nor config.featureCapability. Export the host with: Get-VMHost NAME | Select-Object -ExpandProperty ExtensionData | ConvertTo-Json -Depth 6");
            }

            var records = hasFeatures ? ReadCpuFeature(cpuFeature!, label, sourceName) : new List<HostCpuIdInfoRecord>();
            var capabilities = hasCapabilities ? ReadCapabilities(featureCapability!, label, sourceName) : new List<KeyValuePair<string, string>>();
            RefuseConflictingCapabilities(capabilities, featureCapability, label, sourceName);
            if (records.Count == 0 && capabilities.Count == 0)
            {
                throw DumpReading.Empty(sourceName, $"{label} lists no cpuFeature levels and no featureCapability entries.");
            }

            var profile = VSphereProfileBuilder.Build(
                name,
                DumpReading.ProfileSource(sourceName, index, ProfileFormat.VSphere, "host"),
                records,
                capabilities,
                brand);
            RefuseConflicts(profile, records, label, sourceName);
            return new ParsedProfile(profile, label, SourceKind.VSphere);
        }

        /// <summary>A capability named twice (in any case) must have one value; the profile would keep only the last.</summary>
        private static void RefuseConflictingCapabilities(List<KeyValuePair<string, string>> capabilities, JsonDomNode? node, string label, string sourceName)
        {
            var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in capabilities)
            {
                if (values.TryGetValue(pair.Key, out var earlier) && earlier != pair.Value)
                {
                    throw JsonReading.Invalid(ErrorId, sourceName, node, $"{label} featureCapability has '{pair.Key}' twice, as '{earlier}' and as '{pair.Value}'; vSphere reports each capability once. The file is damaged or was edited; export the host again.");
                }

                values[pair.Key] = pair.Value;
            }
        }

        /// <summary>Two common (vendor-less) records of one level must agree; the builder keeps only the first.</summary>
        private static void RefuseConflicts(CpuidProfile profile, IEnumerable<HostCpuIdInfoRecord> records, string label, string sourceName)
        {
            var seen = new HashSet<uint>();
            foreach (var record in records)
            {
                uint leaf = unchecked((uint)record.Level);
                if (!string.IsNullOrEmpty(record.Vendor) || seen.Add(leaf))
                {
                    continue;
                }

                var kept = profile.GetLeaf(leaf);
                var again = VSphereProfileBuilder.Build("check", sourceName, new[] { record }, null).GetLeaf(leaf);
                if (kept != null && again != null && (!kept.Registers.Equals(again.Registers) || kept.Known != again.Known))
                {
                    throw ProfileChecks.Conflict(sourceName, new LeafKey(leaf), null, null, label);
                }
            }
        }

        private static List<HostCpuIdInfoRecord> ReadCpuFeature(JsonDomNode node, string label, string sourceName)
        {
            var records = new List<HostCpuIdInfoRecord>();
            var items = node is JsonDomArray array ? (IEnumerable<JsonDomNode>)array : new[] { node };
            int i = 0;
            foreach (var item in items)
            {
                string where = $"{label} cpuFeature[{i}]";
                if (!(item is JsonDomObject entry))
                {
                    throw JsonReading.Invalid(ErrorId, sourceName, item, $"{where} is {JsonReading.Describe(item)}; expected an object {{level, vendor, eax, ebx, ecx, edx}}. {DepthHint(item)}");
                }

                var levelNode = entry.Get("level");
                if (levelNode == null || !TryLevel(levelNode, out int level))
                {
                    throw JsonReading.Invalid(ErrorId, sourceName, levelNode ?? entry, $"{where}.level is {(levelNode == null ? "missing" : JsonReading.Describe(levelNode))}; expected an integer such as 1 or -2147483647 (0x80000001).");
                }

                records.Add(new HostCpuIdInfoRecord(
                    level,
                    JsonReading.ScalarText(entry.Get("vendor")),
                    Register(entry, "eax", where, sourceName),
                    Register(entry, "ebx", where, sourceName),
                    Register(entry, "ecx", where, sourceName),
                    Register(entry, "edx", where, sourceName)));
                i++;
            }

            return records;
        }

        private static string? Register(JsonDomObject entry, string name, string where, string sourceName)
        {
            var node = entry.Get(name);
            if (node == null || node is JsonDomNull)
            {
                return null;
            }

            if (node is JsonDomString text)
            {
                return text.Value;
            }

            throw JsonReading.Invalid(ErrorId, sourceName, node, $"{where}.{name} is {JsonReading.Describe(node)}; expected 32 bits as text, e.g. \"0000:0000:0000:0000:0000:0000:0000:1101\".");
        }

        private static List<KeyValuePair<string, string>> ReadCapabilities(JsonDomNode node, string label, string sourceName)
        {
            var result = new List<KeyValuePair<string, string>>();
            if (node is JsonDomObject map)
            {
                // A hand-written {"cpuid.AVX2": "1", ...} map.
                foreach (var member in map)
                {
                    string? value = JsonReading.ScalarText(member.Value);
                    if (value == null)
                    {
                        throw JsonReading.Invalid(ErrorId, sourceName, member.Value, $"{label} featureCapability.{member.Key} is {JsonReading.Describe(member.Value)}; expected a value such as \"1\".");
                    }

                    result.Add(new KeyValuePair<string, string>(member.Key, value));
                }

                return result;
            }

            if (!(node is JsonDomArray array))
            {
                throw JsonReading.Invalid(ErrorId, sourceName, node, $"{label} featureCapability is {JsonReading.Describe(node)}; expected an array of {{key, featureName, value}}.");
            }

            for (int i = 0; i < array.Count; i++)
            {
                if (!(array[i] is JsonDomObject entry))
                {
                    throw JsonReading.Invalid(ErrorId, sourceName, array[i], $"{label} featureCapability[{i}] is {JsonReading.Describe(array[i])}; expected an object {{key, featureName, value}}. {DepthHint(array[i])}");
                }

                string? key = JsonReading.ScalarText(entry.Get("key")) ?? JsonReading.ScalarText(entry.Get("featureName"));
                if (string.IsNullOrWhiteSpace(key))
                {
                    throw JsonReading.Invalid(ErrorId, sourceName, entry, $"{label} featureCapability[{i}] has no key; expected e.g. {{\"key\": \"cpuid.AVX2\", \"featureName\": \"cpuid.AVX2\", \"value\": \"1\"}}.");
                }

                string? value = JsonReading.ScalarText(entry.Get("value"));
                if (value == null)
                {
                    // vSphere gives every capability a value; an entry without one was cut or edited.
                    throw JsonReading.Invalid(ErrorId, sourceName, entry, $"{label} featureCapability[{i}] ('{key}') has no value; expected e.g. {{\"key\": \"cpuid.AVX2\", \"featureName\": \"cpuid.AVX2\", \"value\": \"1\"}}.");
                }

                result.Add(new KeyValuePair<string, string>(key!, value));
            }

            return result;
        }

        private static bool TryLevel(JsonDomNode node, out int level)
        {
            level = 0;
            long value;
            if (node is JsonDomNumber number)
            {
                if (!number.TryGetInt64(out value))
                {
                    return false;
                }
            }
            else if (node is JsonDomString text)
            {
                string s = text.Value.Trim();
                bool ok = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                    ? long.TryParse(s.Substring(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
                    : long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
                if (!ok)
                {
                    return false;
                }
            }
            else
            {
                return false;
            }

            // The API's level is a signed int; accept the unsigned spelling of an extended leaf too.
            if (value >= int.MinValue && value <= uint.MaxValue)
            {
                level = unchecked((int)(uint)(value & 0xFFFFFFFF));
                return true;
            }

            return false;
        }

        private static string DepthHint(JsonDomNode node) =>
            node is JsonDomString s && s.Value.StartsWith("VMware.", StringComparison.Ordinal)
                ? "ConvertTo-Json stopped at its default depth of 2 and wrote the type name instead; run it again with -Depth 6."
                : string.Empty;

        private static JsonDomObject? Object(JsonDomObject? parent, string name) => parent?.Get(name) as JsonDomObject;
    }
}
