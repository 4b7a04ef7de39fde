using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using CpuidMask.Engine;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Masks;

namespace CpuidMask.Cli
{
    /// <summary>The JSON form of a generated mask, and reading a mask back from it.</summary>
    internal static class MaskJson
    {
        public static JsonObject Write(GeneratedMask result, string? baseline = null)
        {
            var extraConfig = new JsonObject();
            foreach (var pair in result.Mask.ToExtraConfig())
            {
                extraConfig[pair.Key] = pair.Value;
            }

            var featMask = new JsonObject();
            foreach (var pair in result.FeatMask.ToExtraConfig())
            {
                featMask[pair.Key] = pair.Value;
            }

            return new JsonObject
            {
                ["hosts"] = new JsonArray(result.Profiles.Select(p => (JsonNode)Render.Host(p)).ToArray()),
                ["baseline"] = baseline,
                ["vmx"] = new JsonArray(result.Mask.ToVmxLines().Select(l => (JsonNode)JsonValue.Create(l)!).ToArray()),
                ["extraConfig"] = extraConfig,
                ["featMask"] = featMask,
                ["hidden"] = new JsonArray(result.Hidden.Select(h =>
                {
                    var node = Render.Feature(h.Feature);
                    node["reason"] = h.Reason.ToString();
                    node["explanation"] = h.Explanation;
                    node["presentOn"] = new JsonArray(h.PresentOn.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray());
                    node["missingOn"] = new JsonArray(h.MissingOn.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray());
                    return (JsonNode)node;
                }).ToArray()),
                ["proof"] = new JsonObject
                {
                    ["passed"] = result.Proof.Passed,
                    ["hosts"] = new JsonArray(result.Proof.Hosts.Select(h => (JsonNode)new JsonObject
                    {
                        ["name"] = h.HostName,
                        ["guestFeatures"] = new JsonArray(h.GuestFeatures.Select(f => (JsonNode)JsonValue.Create(f.Name)!).ToArray()),
                    }).ToArray()),
                    ["directions"] = new JsonArray(result.Proof.Directions.Select(d => (JsonNode)Render.Direction(d)).ToArray()),
                },
            };
        }

        /// <summary>Reads the "extraConfig" (and "featMask") objects of a mask JSON document.</summary>
        public static VmMask Read(string text, string sourceName)
        {
            JsonNode? root;
            try
            {
                root = JsonNode.Parse(text);
            }
            catch (JsonException ex)
            {
                throw new CpuidMaskException("MaskFileMalformed", ErrorKind.InvalidData, $"{sourceName}: not valid JSON ({ex.Message}).", sourceName);
            }

            if (root is not JsonObject obj || obj["extraConfig"] is not JsonObject extra)
            {
                throw new CpuidMaskException("MaskFileMalformed", ErrorKind.InvalidData, $"{sourceName}: expected a JSON object with an \"extraConfig\" object, as 'cpuidmask mask --format json' prints.", sourceName);
            }

            var pairs = new List<KeyValuePair<string, string>>();
            foreach (var pair in extra)
            {
                if (!VmMask.IsMaskConfigKey(pair.Key))
                {
                    throw new CpuidMaskException("MaskKeyMalformed", ErrorKind.InvalidData, $"{sourceName}: extraConfig key '{pair.Key}' is not a CPUID mask key.", sourceName);
                }

                pairs.Add(new KeyValuePair<string, string>(pair.Key, pair.Value?.GetValue<string>() ?? string.Empty));
            }

            return VmMask.FromExtraConfig(pairs, sourceName);
        }
    }
}
