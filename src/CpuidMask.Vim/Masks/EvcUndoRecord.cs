using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Json;
using CpuidMask.Vim.Types;

namespace CpuidMask.Vim.Masks
{
    /// <summary>
    /// What a per-VM EVC change replaced on one VM: its runtime.featureMask before (empty: it had no per-VM EVC mode)
    /// and the mask applied, so that <see cref="PerVmEvcService.UndoAsync"/> can apply the previous one again. As JSON:
    /// <code>
    /// {"kind": "perVmEvc", "server": "vc01", "vm": "app01", "moref": "VirtualMachine:vm-42", "appliedAt": "...",
    ///  "outcome": "applied", "evcMode": "intel-haswell", "cpuVendor": "GenuineIntel",
    ///  "previous": [{"key": "cpuid.AES", "value": "Val:1"}, ...], "applied": [...]}
    /// </code>
    /// </summary>
    public sealed class EvcUndoRecord : VmUndoRecord
    {
        internal const string KindName = "perVmEvc";

        public EvcUndoRecord(
            string server,
            string vm,
            ManagedObjectReference? moRef,
            DateTimeOffset appliedAt,
            IEnumerable<HostFeatureMask> previous,
            IEnumerable<HostFeatureMask> applied,
            string? evcModeKey,
            string? cpuVendor,
            VmChangeOutcome? outcome = null)
            : base(server, vm, moRef, appliedAt, outcome)
        {
            Previous = (previous ?? throw new ArgumentNullException(nameof(previous))).ToArray();
            Applied = (applied ?? throw new ArgumentNullException(nameof(applied))).ToArray();
            EvcModeKey = evcModeKey;
            CpuVendor = cpuVendor;
        }

        public override string Kind => KindName;

        /// <summary>runtime.featureMask before the change; empty when the VM had no per-VM EVC mode.</summary>
        public IReadOnlyList<HostFeatureMask> Previous { get; }

        /// <summary>The mask the change applied; empty when it cleared per-VM EVC.</summary>
        public IReadOnlyList<HostFeatureMask> Applied { get; }

        /// <summary>The EVC mode applied, e.g. intel-haswell; null when cleared or restored.</summary>
        public string? EvcModeKey { get; }

        /// <summary>The CPU vendor the mode was for, so that an undo is checked against the VM's host as the apply was.</summary>
        public string? CpuVendor { get; }

        public override VmUndoRecord WithOutcome(VmChangeOutcome outcome) =>
            new EvcUndoRecord(Server, Vm, MoRef, AppliedAt, Previous, Applied, EvcModeKey, CpuVendor, outcome);

        public override string ToString() => $"{Vm} on {Server}: per-VM EVC {(EvcModeKey ?? "mask")} ({Applied.Count} entries; {Previous.Count} before)";

        internal static EvcUndoRecord Read(JsonDomObject obj, Header header, string sourceName) =>
            new EvcUndoRecord(
                header.Server,
                header.Vm,
                header.MoRef,
                header.AppliedAt,
                ReadMask(obj, "previous", sourceName),
                ReadMask(obj, "applied", sourceName),
                OptionalString(obj, "evcMode", sourceName),
                OptionalString(obj, "cpuVendor", sourceName),
                header.Outcome);

        private protected override void AddChanges(JsonDomObject obj)
        {
            obj.Add("evcMode", EvcModeKey).Add("cpuVendor", CpuVendor).Add("previous", WriteMask(Previous)).Add("applied", WriteMask(Applied));
        }

        private static JsonDomArray WriteMask(IEnumerable<HostFeatureMask> mask)
        {
            var array = new JsonDomArray();
            foreach (var entry in mask)
            {
                array.Add(new JsonDomObject().Add("key", entry.Key).Add("featureName", entry.FeatureName).Add("value", entry.Value));
            }

            return array;
        }

        private static IReadOnlyList<HostFeatureMask> ReadMask(JsonDomObject obj, string name, string sourceName)
        {
            if (obj.Get(name) is not JsonDomArray list)
            {
                throw Invalid(sourceName, obj.Get(name) ?? obj, $"\"{name}\" must be the list of HostFeatureMask entries (key, value).");
            }

            var entries = new List<HostFeatureMask>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var item in list)
            {
                if (item is not JsonDomObject entry)
                {
                    throw Invalid(sourceName, item, $"each \"{name}\" entry must be an object with key and value.");
                }

                string key = RequiredString(entry, "key", sourceName);
                string value = RequiredString(entry, "value", sourceName);
                if (!IsFeatureKey(key) || !IsFeatureMaskValue(value))
                {
                    throw Invalid(sourceName, entry, $"'{key} = {value}' is not a per-VM EVC feature mask entry (a vSphere feature key such as cpuid.AES or hv.capable = Val:n, Min:n or Max:n).");
                }

                if (!seen.Add(key))
                {
                    throw Invalid(sourceName, entry, $"'{key}' appears twice in \"{name}\".");
                }

                entries.Add(new HostFeatureMask { Key = key, FeatureName = OptionalString(entry, "featureName", sourceName) ?? key, Value = value });
            }

            return entries;
        }

        // vSphere feature keys: cpuid. and a name of ASCII letters, digits and underscores, or one of the vendors' fixed
        // per-VM EVC entries that are no CPUID bits (hv.capable, vt.realmode: baselines.xml <per-vm-evc>), which
        // vCenter's own masks carry and an undo must be able to put back; any other name is no feature mask.
        internal static bool IsFeatureKey(string key)
        {
            const string Prefix = "cpuid.";
            if (!key.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                return new[] { BaselineVendor.Intel, BaselineVendor.Amd }.Any(v => BaselineCatalog.Default.PerVmEvcEntries(v).Contains(key));
            }

            return key.Length > Prefix.Length && key.Skip(Prefix.Length).All(c => (c < 128 && char.IsLetterOrDigit(c)) || c == '_');
        }

        // vCenter's feature mask values: Val:, Min:, Max: and a number (decimal or 0x hex), in ASCII digits only:
        // char.IsDigit also takes other scripts' digits ('\u0661', '\uff11'), which no vCenter value holds.
        private static bool IsFeatureMaskValue(string value)
        {
            int colon = value.IndexOf(':');
            if (colon <= 0)
            {
                return false;
            }

            string kind = value.Substring(0, colon);
            string number = value.Substring(colon + 1);
            return (kind == "Val" || kind == "Min" || kind == "Max") && number.Length > 0 && number.Length <= 18
                && (number.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                    ? number.Length > 2 && number.Substring(2).All(Uri.IsHexDigit)
                    : number.All(c => c >= '0' && c <= '9'));
        }
    }
}
