using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Json;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;
using CpuidMask.Vim.Masks;
using CpuidMask.Vim.Types;

namespace CpuidMask.PowerShell
{
    /// <summary>
    /// The module's objects as the JSON text they are kept as when PowerShell serializes them (Export-Clixml,
    /// jobs, remoting), and the objects rebuilt from it. A profile is the engine's own JSON export
    /// (<see cref="ProfileJson"/>); the other objects hold what they were built from, so the rebuilt object is
    /// the one a cmdlet would have written: a mask keeps its hosts, lines and reasons as computed (its proof is
    /// checked again over those hosts), a VM's masks and a write's changes keep every value as read.
    /// </summary>
    internal static class SerializedForm
    {
        /// <summary>The form's version: a later module that changes the form can still read this one.</summary>
        private const long Version = 1;

        private const string SourceName = "the serialized object";

        /// <summary>The JSON text of an object of one of <see cref="Types"/>; null for anything else.</summary>
        public static string? Write(object value) => value switch
        {
            CpuidProfile profile => ProfileJson.Write(profile, indented: false),
            VmCpuidMask mask => WriteMask(mask).ToJson(false),
            VmCpuidMaskInfo info => WriteInfo(info).ToJson(false),
            VmCpuidMaskChange change => WriteChange(change).ToJson(false),
            VmEvcModeChange evc => WriteEvcChange(evc).ToJson(false),
            _ => null,
        };

        /// <summary>The types that have a serialized form (CpuidMask.Types.ps1xml names each of them).</summary>
        public static IReadOnlyList<Type> Types { get; } = new[]
        {
            typeof(CpuidProfile), typeof(VmCpuidMask), typeof(VmCpuidMaskInfo), typeof(VmCpuidMaskChange), typeof(VmEvcModeChange),
        };

        /// <summary>Rebuilds an object of <paramref name="type"/> from its JSON text; a CpuidMaskException names what is wrong.</summary>
        public static object Read(string text, Type type)
        {
            if (type == typeof(CpuidProfile))
            {
                return ProfileJson.Read(text, SourceName);
            }

            if (!(JsonDomNode.Parse(text, SourceName) is JsonDomObject root))
            {
                throw Invalid("it is not a JSON object");
            }

            if (root.Get("v") is JsonDomNumber number && number.TryGetInt64(out long version) && version > Version)
            {
                throw Invalid($"it was written by a later CpuidMask (form {version}; this one reads form {Version}). Update the module");
            }

            if (type == typeof(VmCpuidMask))
            {
                return ReadMask(root);
            }

            if (type == typeof(VmCpuidMaskInfo))
            {
                return ReadInfo(root);
            }

            if (type == typeof(VmCpuidMaskChange))
            {
                return ReadChange(root);
            }

            if (type == typeof(VmEvcModeChange))
            {
                return ReadEvcChange(root);
            }

            throw new ArgumentException($"{type.FullName} has no serialized form.", nameof(type));
        }

        private static JsonDomObject WriteMask(VmCpuidMask mask)
        {
            var generated = mask.Generated;
            return new JsonDomObject()
                .Add("v", Version)
                .Add("profiles", new JsonDomArray(generated.Profiles.Select(p => (JsonDomNode)ProfileJson.ToJsonObject(p))))
                .Add("baseline", generated.Baseline?.Key)
                .Add("extraConfig", Pairs(generated.Mask.ToExtraConfig()))
                .Add("hidden", new JsonDomArray(generated.Hidden.Select(h => (JsonDomNode)new JsonDomObject()
                    .Add("feature", h.Feature.Name)
                    .Add("reason", h.Reason.ToString())
                    .Add("presentOn", Strings(h.PresentOn))
                    .Add("missingOn", Strings(h.MissingOn))
                    .Add("because", h.Because))));
        }

        private static VmCpuidMask ReadMask(JsonDomObject root)
        {
            var profiles = Array(root, "profiles").Select(p => p is JsonDomObject o ? ProfileJson.FromJsonObject(o, SourceName) : throw Invalid("\"profiles\" holds something other than profiles")).ToArray();
            var catalog = FeatureCatalog.Default;
            string? baselineKey = Text(root, "baseline");
            var baseline = baselineKey == null ? null : BaselineCatalog.Default.Find(baselineKey);
            var mask = VmMask.FromExtraConfig(ReadPairs(root, "extraConfig"), SourceName);
            var hidden = Array(root, "hidden").Select(node =>
            {
                var entry = node as JsonDomObject ?? throw Invalid("\"hidden\" holds something other than objects");
                string reasonText = Text(entry, "reason") ?? throw Invalid("a hidden feature has no reason");
                if (!Enum.TryParse(reasonText, ignoreCase: false, out HideReason reason) || !Enum.IsDefined(typeof(HideReason), reason))
                {
                    throw Invalid($"'{reasonText}' is not a reason for hiding a feature");
                }

                return new HiddenFeature(
                    catalog.Find(Text(entry, "feature") ?? throw Invalid("a hidden feature has no name")),
                    reason,
                    Strings(entry, "presentOn"),
                    Strings(entry, "missingOn"),
                    Text(entry, "because"));
            }).ToArray();

            // The proof is evidence about the mask and the hosts, both kept as they were: checked again, not stored.
            return new VmCpuidMask(new GeneratedMask(profiles, mask, hidden, MaskProof.Build(profiles, mask, catalog), baseline));
        }

        private static JsonDomObject WriteInfo(VmCpuidMaskInfo info) => new JsonDomObject()
            .Add("v", Version)
            .Add("name", info.Name)
            .Add("id", info.Id)
            .Add("server", info.Server)
            .Add("powerState", info.PowerState)
            .Add("hardwareVersion", info.HardwareVersion)
            .Add("vmHost", info.VMHost)
            .Add("maskConfig", Pairs(info.MaskConfig))
            .Add("featureRequirement", Strings(info.FeatureRequirement))
            .Add("featureMask", Strings(info.FeatureMask));

        private static VmCpuidMaskInfo ReadInfo(JsonDomObject root) => VmCpuidMaskInfo.Restore(
            Required(root, "name"),
            Required(root, "id"),
            Required(root, "server"),
            Text(root, "powerState"),
            Text(root, "hardwareVersion"),
            Text(root, "vmHost"),
            ReadPairs(root, "maskConfig"),
            Strings(root, "featureRequirement"),
            Strings(root, "featureMask"));

        private static JsonDomObject WriteChange(VmCpuidMaskChange change) => new JsonDomObject()
            .Add("v", Version)
            .Add("vm", change.VM)
            .Add("id", change.Id)
            .Add("server", change.Server)
            .Add("mode", change.Mode)
            .Add("changes", new JsonDomArray(change.Changes.Select(c => (JsonDomNode)new JsonDomObject()
                .Add("key", c.Key)
                .Add("previous", c.PreviousValue)
                .Add("new", c.NewValue))))
            .Add("lines", Strings(change.Lines))
            .Add("problems", Strings(change.Problems))
            .Add("applied", change.Applied)
            .Add("appliedAt", change.AppliedAt.ToString("o", CultureInfo.InvariantCulture))
            .Add("note", change.Note);

        private static VmCpuidMaskChange ReadChange(JsonDomObject root)
        {
            var changes = Array(root, "changes").Select(node =>
            {
                var entry = node as JsonDomObject ?? throw Invalid("\"changes\" holds something other than objects");
                return new KeyChange(Required(entry, "key"), Text(entry, "previous"), Text(entry, "new"));
            }).ToArray();
            string appliedAt = Required(root, "appliedAt");
            if (!DateTimeOffset.TryParseExact(appliedAt, "o", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
            {
                throw Invalid($"appliedAt '{appliedAt}' is not a time");
            }

            return new VmCpuidMaskChange(
                Required(root, "vm"),
                Required(root, "id"),
                Required(root, "server"),
                Required(root, "mode"),
                changes,
                Strings(root, "lines"),
                Strings(root, "problems"),
                root.Get("applied") is JsonDomBool applied && applied.Value,
                time,
                Text(root, "note"));
        }

        private static JsonDomObject WriteEvcChange(VmEvcModeChange change)
        {
            var result = change.Result;
            return new JsonDomObject()
                .Add("v", Version)
                .Add("server", result.Server)
                .Add("vm", result.VmName)
                .Add("id", change.Id)
                .Add("status", result.Status.ToString())
                .Add("evcMode", result.Request.EvcModeKey)
                .Add("source", result.Request.Source)
                .Add("mask", FeatureMasks(result.Request.Mask))
                .Add("previous", FeatureMasks(result.Previous))
                .Add("readBack", FeatureMasks(result.ReadBack))
                .Add("verified", result.Verified)
                .Add("changeVersion", result.ChangeVersion);
        }

        private static VmEvcModeChange ReadEvcChange(JsonDomObject root)
        {
            string id = Required(root, "id");
            if (!ManagedObjectReference.TryParse(id, out var moRef))
            {
                throw Invalid($"'{id}' is not a VM reference");
            }

            string statusText = Required(root, "status");
            if (!Enum.TryParse(statusText, ignoreCase: false, out MaskApplyStatus status) || !Enum.IsDefined(typeof(MaskApplyStatus), status))
            {
                throw Invalid($"'{statusText}' is not a per-VM EVC status");
            }

            var request = new PerVmEvcRequest(Text(root, "evcMode"), ReadFeatureMasks(root, "mask"), Required(root, "source"));
            return new VmEvcModeChange(new PerVmEvcResult(Required(root, "server"), Required(root, "vm"), moRef!, status, request, ReadFeatureMasks(root, "previous"))
            {
                ReadBack = ReadFeatureMasks(root, "readBack"),
                Verified = root.Get("verified") is JsonDomBool verified && verified.Value,
                ChangeVersion = Text(root, "changeVersion"),
            });
        }

        private static JsonDomArray Strings(IEnumerable<string> values) => new JsonDomArray(values.Select(v => (JsonDomNode)new JsonDomString(v)));

        private static JsonDomArray Pairs(IEnumerable<KeyValuePair<string, string>> pairs) =>
            new JsonDomArray(pairs.Select(p => (JsonDomNode)new JsonDomObject().Add("key", p.Key).Add("value", p.Value)));

        private static JsonDomArray FeatureMasks(IEnumerable<HostFeatureMask> masks) =>
            new JsonDomArray(masks.Select(m => (JsonDomNode)new JsonDomObject().Add("key", m.Key).Add("featureName", m.FeatureName).Add("value", m.Value)));

        private static IReadOnlyList<JsonDomNode> Array(JsonDomObject owner, string member) =>
            owner.Get(member) as JsonDomArray ?? (IReadOnlyList<JsonDomNode>)System.Array.Empty<JsonDomNode>();

        private static IReadOnlyList<string> Strings(JsonDomObject owner, string member) =>
            Array(owner, member).Select(n => n is JsonDomString s ? s.Value : throw Invalid($"\"{member}\" holds something other than text")).ToArray();

        private static IReadOnlyList<KeyValuePair<string, string>> ReadPairs(JsonDomObject owner, string member) =>
            Array(owner, member).Select(n => n is JsonDomObject pair
                ? new KeyValuePair<string, string>(Required(pair, "key"), Text(pair, "value") ?? string.Empty)
                : throw Invalid($"\"{member}\" holds something other than key/value pairs")).ToArray();

        private static IReadOnlyList<HostFeatureMask> ReadFeatureMasks(JsonDomObject owner, string member) =>
            Array(owner, member).Select(n => n is JsonDomObject entry
                ? new HostFeatureMask { Key = Required(entry, "key"), FeatureName = Text(entry, "featureName"), Value = Text(entry, "value") }
                : throw Invalid($"\"{member}\" holds something other than feature masks")).ToArray();

        private static string? Text(JsonDomObject owner, string member) => owner.Get(member) is JsonDomString s ? s.Value : null;

        private static string Required(JsonDomObject owner, string member) => Text(owner, member) ?? throw Invalid($"it has no \"{member}\"");

        private static CpuidMaskException Invalid(string problem) => new CpuidMaskException(
            "SerializedObjectInvalid",
            ErrorKind.InvalidData,
            $"The CpuidMask object read back (Import-Clixml, a job's or a remote command's output) cannot be rebuilt: {problem}.",
            SourceName);
    }
}
