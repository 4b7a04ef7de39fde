using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CpuidMask.Engine.Collections;

namespace CpuidMask.Engine.Catalog
{
    /// <summary>
    /// The identity an EVC mode gives its VMs: the family, model and stepping and the highest standard and
    /// extended CPUID leaves of the mode's reference CPU (baselines.xml &lt;identity&gt;). vCenter's own per-VM EVC
    /// masks carry them as cpuid.FAMILY, cpuid.MODEL, cpuid.STEPPING, cpuid.NUMLEVELS and cpuid.NUM_EXT_LEVELS:
    /// sent with completeMasks true, a mask without them would leave the guest CPU family 0 and no CPUID leaves.
    /// Family and model are the display values (extended family and model folded in), as vCenter writes MODEL.
    /// </summary>
    public sealed class EvcIdentity
    {
        public EvcIdentity(int family, int model, int stepping, uint numLevels, uint numExtLevels, string reference, string source)
        {
            Family = family;
            Model = model;
            Stepping = stepping;
            NumLevels = numLevels;
            NumExtLevels = numExtLevels;
            Reference = reference ?? throw new ArgumentNullException(nameof(reference));
            Source = source ?? throw new ArgumentNullException(nameof(source));
        }

        /// <summary>Display family: 6 for Intel's Core line, 0x17 for AMD Zen 1 and 2.</summary>
        public int Family { get; }

        /// <summary>Display model: 0x25 for vCenter's Westmere reference.</summary>
        public int Model { get; }

        public int Stepping { get; }

        /// <summary>The highest standard leaf (leaf 0 EAX) the guest sees.</summary>
        public uint NumLevels { get; }

        /// <summary>The highest extended leaf (leaf 0x80000000 EAX) the guest sees.</summary>
        public uint NumExtLevels { get; }

        /// <summary>The CPU the values belong to, e.g. "Xeon L5320 (Clovertown)".</summary>
        public string Reference { get; }

        /// <summary>Where the values come from: vCenter's own mask, or a real dump they were read from.</summary>
        public string Source { get; }

        /// <summary>Whether a guest with this identity can see a leaf at all: it is within NUMLEVELS or NUM_EXT_LEVELS.</summary>
        public bool Reaches(uint leaf) => leaf < 0x80000000u ? leaf <= NumLevels : leaf <= NumExtLevels;

        /// <summary>The five entries as vCenter writes them (key, value): cpuid.FAMILY Val:6 ... cpuid.NUM_EXT_LEVELS Val:0x80000008.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Entries => new[]
        {
            new KeyValuePair<string, string>("cpuid.FAMILY", Value((uint)Family)),
            new KeyValuePair<string, string>("cpuid.MODEL", Value((uint)Model)),
            new KeyValuePair<string, string>("cpuid.STEPPING", Value((uint)Stepping)),
            new KeyValuePair<string, string>("cpuid.NUMLEVELS", Value(NumLevels)),
            new KeyValuePair<string, string>("cpuid.NUM_EXT_LEVELS", Value(NumExtLevels)),
        }.ToItemList(e => $"{e.Key} = {e.Value}");

        /// <summary>
        /// A number the way vCenter's masks write it: single digits plain, anything larger in lower-case hex
        /// (Val:6, Val:1, Val:0xb, Val:0x25, Val:0x80000008 in its Westmere and Sandy Bridge masks).
        /// </summary>
        public static string Value(uint number) =>
            "Val:" + (number < 10 ? number.ToString(CultureInfo.InvariantCulture) : "0x" + number.ToString("x", CultureInfo.InvariantCulture));

        public override string ToString() =>
            $"family 0x{Family:X}, model 0x{Model:X}, stepping 0x{Stepping:X}, leaves to 0x{NumLevels:X} and 0x{NumExtLevels:X} ({Reference})";
    }

    /// <summary>
    /// An entry every per-VM EVC mask of one vendor carries besides its identity and features (baselines.xml
    /// &lt;per-vm-evc&gt;): cpuid.VMX, hv.capable and vt.realmode in vCenter's Intel masks.
    /// </summary>
    public sealed class EvcFixedEntry
    {
        public EvcFixedEntry(string key, string value, string description)
        {
            Key = key ?? throw new ArgumentNullException(nameof(key));
            Value = value ?? throw new ArgumentNullException(nameof(value));
            Description = description ?? throw new ArgumentNullException(nameof(description));
        }

        public string Key { get; }

        public string Value { get; }

        /// <summary>What the entry does, one line.</summary>
        public string Description { get; }

        public override string ToString() => $"{Key} = {Value}";
    }

    /// <summary>The fixed entries of one vendor's per-VM EVC masks, with where they come from.</summary>
    public sealed class EvcFixedEntries
    {
        public EvcFixedEntries(BaselineVendor vendor, IReadOnlyList<EvcFixedEntry> entries, string source)
        {
            Vendor = vendor;
            Entries = entries.ToItemList(e => e.Key);
            Source = source ?? throw new ArgumentNullException(nameof(source));
        }

        public BaselineVendor Vendor { get; }

        public IReadOnlyList<EvcFixedEntry> Entries { get; }

        public string Source { get; }

        public bool Contains(string key) => Entries.Any(e => string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase));
    }
}
