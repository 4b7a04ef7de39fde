using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Json;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Readers
{
    /// <summary>
    /// The JSON form of a computed mask (what <c>cpuidmask mask --format json</c> prints), and reading a mask back
    /// from it:
    /// <code>
    /// {"hosts": [{"name", "source", "vendor", "brand"}], "baseline": "intel-westmere" or null,
    ///  "vmx": ["cpuid.1.ecx = \"--00-0---0----0-----------------\""],
    ///  "extraConfig": {"cpuid.1.ecx": "--00-0---0----0-----------------"},
    ///  "featMask": {"featMask.vm.cpuid.AVX": "Val:0"},
    ///  "hidden": [{"name", "label", "leaf", "subleaf", "register", "bit", "vsphereKey", "description",
    ///              "reason", "explanation", "presentOn": [], "missingOn": []}],
    ///  "hardwareVersion": 22,
    ///  "outOfReach": [{"name", ... "firstHardwareVersion", "wouldHide", "presentOn": [], "absentOn": []}],
    ///  "proof": {"passed", "hosts": [{"name", "guestFeatures": []}],
    ///            "directions": [{"source", "destination", "allowed", "vendorMismatch", "blockers": [feature], "unverified": [feature],
    ///                            "outOfReach": [feature]}]}}
    /// </code>
    /// "hardwareVersion" is the virtual hardware version of the VM the mask is for; "outOfReach" lists what the mask
    /// leaves alone because that VM never sees it (empty at the newest version).
    /// A mask of a baseline adds <c>"baselineLabel"</c>, <c>"complete"</c> (no hosts given), <c>"lines"</c> (what each
    /// register line hides) and <c>"passedThrough"</c> (the baseline's speculation controls left visible).
    /// <para>
    /// Reading takes the mask from <c>"extraConfig"</c> alone, the keys and values written to the VM; everything else
    /// is the explanation for people. <c>"featMask"</c> is the same hiding by feature name, the alternative for hardware
    /// version 9 and later (<c>--format featmask</c>), and is not part of the mask read back.
    /// </para>
    /// </summary>
    public static class MaskJson
    {
        private const string MalformedId = "MaskFileMalformed";

        private const string ExtraConfigMember = "extraConfig";

        /// <summary>The document, indented with two spaces and LF line ends.</summary>
        public static string Write(GeneratedMask result, bool indented = true) => ToJsonObject(result).ToJson(indented);

        /// <summary>The same document written as it is produced: the proof's hosts and directions are not held.</summary>
        public static void Write(GeneratedMask result, TextWriter writer, bool indented = true)
        {
            ToJsonObject(result).WriteTo(writer, indented);
            writer.WriteLine();
        }

        /// <summary>The document as a DOM.</summary>
        public static JsonDomObject ToJsonObject(GeneratedMask result)
        {
            if (result == null)
            {
                throw new ArgumentNullException(nameof(result));
            }

            var extraConfig = new JsonDomObject();
            foreach (var pair in result.Mask.ToExtraConfig())
            {
                extraConfig.Add(pair.Key, pair.Value);
            }

            var featMask = new JsonDomObject();
            foreach (var pair in result.FeatMask.ToExtraConfig())
            {
                featMask.Add(pair.Key, pair.Value);
            }

            var hidden = new JsonDomArray();
            foreach (var h in result.Hidden)
            {
                hidden.Add(Feature(h.Feature)
                    .Add("reason", h.Reason.ToString())
                    .Add("explanation", h.Explanation)
                    .Add("presentOn", Strings(h.PresentOn))
                    .Add("missingOn", Strings(h.MissingOn)));
            }

            var proofHosts = JsonDomArray.Streamed(result.Proof.Hosts.Select(view => (JsonDomNode)new JsonDomObject()
                .Add("name", view.HostName)
                .Add("guestFeatures", Strings(view.GuestFeatures.Select(f => f.Name)))));

            var document = new JsonDomObject()
                .Add("hosts", new JsonDomArray(result.Profiles.Select(Host)))
                .Add("baseline", result.Baseline?.Key)
                .Add("vmx", Strings(result.Mask.ToVmxLines()))
                .Add("extraConfig", extraConfig)
                .Add("featMask", featMask)
                .Add("hidden", hidden)
                .Add("hardwareVersion", result.HardwareVersion)
                .Add("outOfReach", new JsonDomArray(result.OutOfReach.Select(o => (JsonDomNode)Feature(o.Feature)
                    .Add("firstHardwareVersion", o.FirstHardwareVersion)
                    .Add("wouldHide", o.WouldHide?.ToString())
                    .Add("presentOn", Strings(o.PresentOn))
                    .Add("absentOn", Strings(o.AbsentOn)))))
                .Add("proof", new JsonDomObject()
                    .Add("passed", result.Proof.Passed)
                    .Add("hosts", proofHosts)
                    .Add("classes", new JsonDomArray(result.Proof.Classes.Where(c => c.Members.Count > 1).Select(Class)))
                    .Add("directions", JsonDomArray.Streamed(result.Proof.Directions.Select(Direction))));
            if (result.Baseline is Baseline baseline)
            {
                var lines = new JsonDomArray();
                foreach (var line in BaselineMaskGenerator.Explain(result))
                {
                    lines.Add(new JsonDomObject()
                        .Add("key", line.Key.ToString())
                        .Add("documentedEvcRegister", line.IsDocumentedEvcRegister)
                        .Add("hides", Strings(line.Hidden.Select(f => f.Name)))
                        .Add("note", line.Note));
                }

                document
                    .Add("baselineLabel", baseline.Label)
                    .Add("complete", result.Profiles.Count == 0)
                    .Add("lines", lines)
                    .Add("passedThrough", Strings(baseline.Controls.Where(c => !result.Hidden.Any(h => h.Feature.Name == c.Name)).Select(c => c.Name)));
            }

            return document;
        }

        /// <summary>
        /// Reads the mask of a mask JSON document: the keys and values of its <c>"extraConfig"</c> object, by the rules of
        /// mask input (<see cref="MaskReadOptions"/>; keys that differ only in case are one key given twice). Every error
        /// names <paramref name="sourceName"/> and the line, and the key where there is one: JsonMalformed for text that
        /// is not JSON, MaskFileMalformed for a document of another shape or a value that is not a string, and the
        /// errors of mask keys and values (MaskKeyDuplicate, MaskMalformed ...).
        /// </summary>
        public static VmMask Read(string text, string sourceName, MaskReadOptions? options = null) =>
            ReadWithVendor(text, sourceName, options).Mask;

        /// <summary>
        /// <see cref="Read"/>, with the CPU vendor the document says the mask is for: its hosts' (<c>"hosts[].vendor"</c>),
        /// else its baseline's, as the baseline catalog knows it; null when it names neither (a hand-written document
        /// of <c>"extraConfig"</c> alone). MaskFileMalformed for hosts of two vendors' layouts, hosts whose vendor the
        /// baseline is not for, a baseline the catalog does not know, or those members in another shape.
        /// </summary>
        public static MaskForVendor ReadWithVendor(string text, string sourceName, MaskReadOptions? options = null)
        {
            var root = JsonDomNode.Parse(text ?? throw new ArgumentNullException(nameof(text)), sourceName);
            if (!(root is JsonDomObject document))
            {
                throw Malformed(sourceName, root, $"the document is {Described(root)}; expected a JSON object with an \"{ExtraConfigMember}\" object, as 'cpuidmask mask --format json' prints.");
            }

            var members = document.Where(m => string.Equals(m.Key, ExtraConfigMember, StringComparison.OrdinalIgnoreCase)).ToArray();
            if (members.Length > 1)
            {
                throw Malformed(sourceName, members[1].Value, $"\"{Shown(members[1].Key)}\" and \"{Shown(members[0].Key)}\" (line {members[0].Value.Line}) are both the \"{ExtraConfigMember}\" object; keep one.");
            }

            if (members.Length == 0 || !(members[0].Value is JsonDomObject extraConfig))
            {
                throw Malformed(
                    sourceName,
                    members.Length == 0 ? root : members[0].Value,
                    $"expected a JSON object with an \"{ExtraConfigMember}\" object, as 'cpuidmask mask --format json' prints" + (members.Length == 0 ? "." : $", but \"{ExtraConfigMember}\" is {Described(members[0].Value)}."));
            }

            var entries = new MaskEntries(sourceName, options ?? MaskReadOptions.Default);
            foreach (var member in extraConfig)
            {
                string location = string.Format(CultureInfo.InvariantCulture, "line {0}", member.Value.Line);
                if (!(member.Value is JsonDomString value))
                {
                    throw Malformed(sourceName, member.Value, $"key '{Shown(member.Key)}' has {Described(member.Value)}; a mask value is a string, e.g. \"--00-0---0----0-----------------\" or \"Val:0\".");
                }

                entries.Add(member.Key, value.Value, location);
            }

            return new MaskForVendor(entries.ToMask(), CpuVendorOf(document, sourceName));
        }

        private static string? CpuVendorOf(JsonDomObject document, string sourceName)
        {
            var hosts = HostVendors(document, sourceName);

            // 'cpuidmask mask' refuses hosts of two vendors (MixedVendors), so a document that names them was edited or
            // made by something else. Its bits cannot be right for both (the same position is another feature on each),
            // and taking either vendor would pass it to the other's VMs or refuse the VMs it may be for: refuse the document.
            // Vendors of one layout (AMD and Hygon) are one vendor here, as for the check when the mask is written.
            var other = hosts.FirstOrDefault(h => !CpuVendors.SameLayout(h.Vendor, hosts[0].Vendor));
            if (other.At != null)
            {
                throw Malformed(
                    sourceName,
                    other.At,
                    $"the hosts have CPUs of different vendors ({hosts[0].Name} is {Shown(hosts[0].Vendor)}, {other.Name} is {Shown(other.Vendor)}): the same mask bit means other features on each, so one mask cannot be for both. Compute one mask per vendor with 'cpuidmask mask'.");
            }

            string? stated = hosts.Count > 0 ? hosts[0].Vendor : null;
            if (!(document.Get("baseline") is JsonDomNode baselineNode) || baselineNode is JsonDomNull)
            {
                return stated;
            }

            if (!(baselineNode is JsonDomString key))
            {
                throw Malformed(sourceName, baselineNode, $"\"baseline\" is {Described(baselineNode)}; expected an EVC mode key such as \"intel-westmere\", or null.");
            }

            if (!BaselineCatalog.Default.TryFind(key.Value, out var baseline))
            {
                throw Malformed(
                    sourceName,
                    key,
                    $"baseline '{Shown(key.Value)}' is not one this version of CpuidMask knows, so the CPU vendor the mask is for is unknown. Compute the mask again with a baseline that 'cpuidmask baselines' or Get-CpuidBaseline lists.");
            }

            if (stated != null && !baseline.AppliesTo(stated))
            {
                throw Malformed(
                    sourceName,
                    key,
                    $"baseline {baseline.Key} is for {baseline.VendorString} CPUs, but host {hosts[0].Name} is {Shown(stated)}; 'cpuidmask mask' never writes both, so the document was edited. Compute the mask again.");
            }

            return stated ?? baseline.VendorString;
        }

        // The vendor of each host that states one ("vendor" null or left out says nothing), with its name for errors.
        private static IReadOnlyList<(string Name, string Vendor, JsonDomNode At)> HostVendors(JsonDomObject document, string sourceName)
        {
            var found = new List<(string, string, JsonDomNode)>();
            var hostsNode = document.Get("hosts");
            if (hostsNode == null || hostsNode is JsonDomNull)
            {
                return found;
            }

            if (!(hostsNode is JsonDomArray hosts))
            {
                throw Malformed(sourceName, hostsNode, $"\"hosts\" is {Described(hostsNode)}; expected an array of the hosts the mask is for, each with its CPU \"vendor\".");
            }

            for (int i = 0; i < hosts.Count; i++)
            {
                if (!(hosts[i] is JsonDomObject host))
                {
                    throw Malformed(sourceName, hosts[i], $"host {i + 1} in \"hosts\" is {Described(hosts[i])}; expected an object with the host's \"name\" and CPU \"vendor\".");
                }

                string name = host.Get("name") is JsonDomString hostName ? "'" + Shown(hostName.Value) + "'" : (i + 1).ToString(CultureInfo.InvariantCulture);
                switch (host.Get("vendor"))
                {
                    case null:
                    case JsonDomNull _:
                        break;
                    case JsonDomString vendor when vendor.Value.Trim().Length > 0:
                        found.Add((name, vendor.Value, vendor));
                        break;
                    case JsonDomNode vendor:
                        throw Malformed(sourceName, vendor, $"host {name} has \"vendor\" {Described(vendor)}; expected a CPUID vendor string such as \"GenuineIntel\" or \"AuthenticAMD\".");
                }
            }

            return found;
        }

        private static JsonDomObject Feature(FeatureDefinition f) => new JsonDomObject()
            .Add("name", f.Name)
            .Add("label", f.DisplayName)
            .Add("leaf", LeafKey.FormatLeaf(f.Leaf))
            .Add("subleaf", (long)f.Subleaf)
            .Add("register", f.Register.ToName())
            .Add("bit", f.Bit)
            .Add("vsphereKey", f.VSphereKey)
            .Add("description", f.Description);

        private static JsonDomNode Host(CpuidProfile p) => new JsonDomObject()
            .Add("name", p.Name)
            .Add("source", p.Source)
            .Add("vendor", p.Vendor)
            .Add("brand", p.Brand);

        private static JsonDomNode Direction(MigrationCheck check) => new JsonDomObject()
            .Add("source", check.Source)
            .Add("destination", check.Destination)
            .Add("allowed", check.Allowed)
            .Add("vendorMismatch", check.VendorMismatch)
            .Add("blockers", new JsonDomArray(check.Blockers.Select(b => (JsonDomNode)Feature(b.Feature))))
            .Add("unverified", new JsonDomArray(check.Unverified.Select(b => (JsonDomNode)Feature(b.Feature))))
            .Add("outOfReach", new JsonDomArray(check.OutOfReach.Select(b => (JsonDomNode)Feature(b.Feature))));

        private static JsonDomNode Class(HostClass hostClass) => new JsonDomObject()
            .Add("name", hostClass.Name)
            .Add("hosts", Strings(hostClass.HostNames));

        private static JsonDomArray Strings(IEnumerable<string> values) => new JsonDomArray(values.Select(v => (JsonDomNode)new JsonDomString(v)));

        private static string Shown(string text) => InputText.Show(text);

        // A number as written (1e999 included), true/false/null, or the kind of a structure; never a long string.
        private static string Described(JsonDomNode node) => node switch
        {
            JsonDomNumber number => Shown(number.Text),
            JsonDomString text => "'" + Shown(text.Value) + "'",
            _ => JsonReading.Describe(node),
        };

        private static string Where(string sourceName, JsonDomNode at) =>
            at.Line > 0 ? string.Format(CultureInfo.InvariantCulture, "{0} line {1}", sourceName, at.Line) : sourceName;

        private static CpuidMaskException Malformed(string sourceName, JsonDomNode at, string message) =>
            new CpuidMaskException(MalformedId, ErrorKind.InvalidData, $"{Where(sourceName, at)}: {message}", sourceName);
    }
}
