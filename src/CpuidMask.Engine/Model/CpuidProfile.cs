using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using CpuidMask.Engine.Collections;

namespace CpuidMask.Engine.Model
{
    /// <summary>
    /// Everything known about one CPU (one host, or one logical CPU of a dump): its raw CPUID leaves,
    /// the named capabilities vSphere reports for the leaves it does not give raw, and where it came from.
    /// Immutable; identity fields are decoded from leaves 0, 1 and 0x80000002-4 unless given explicitly.
    /// </summary>
    public sealed class CpuidProfile
    {
        private readonly Dictionary<LeafKey, CpuidLeaf> _byKey;

        public CpuidProfile(
            string name,
            IEnumerable<CpuidLeaf> leaves,
            ProfileFormat format = ProfileFormat.Unknown,
            string? source = null,
            IEnumerable<KeyValuePair<string, string>>? capabilities = null,
            string? vendor = null,
            string? brand = null)
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException("A profile needs a name.", nameof(name));
            }

            Name = name;
            Format = format;
            Source = source ?? name;
            _byKey = new Dictionary<LeafKey, CpuidLeaf>();
            foreach (var leaf in leaves ?? throw new ArgumentNullException(nameof(leaves)))
            {
                // The first report of a (leaf, subleaf) wins; readers pass one logical CPU at a time.
                if (!_byKey.ContainsKey(leaf.Key))
                {
                    _byKey.Add(leaf.Key, leaf);
                }
            }

            Leaves = _byKey.Values.OrderBy(l => l.Key).ToItemList();
            var caps = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (capabilities != null)
            {
                foreach (var pair in capabilities)
                {
                    caps[pair.Key] = pair.Value;
                }
            }

            Capabilities = new ItemMap<string, string>(caps, StringComparer.OrdinalIgnoreCase);

            MaxStandardLeaf = TryGet(0, 0, CpuidRegister.Eax);
            MaxExtendedLeaf = TryGet(0x80000000u, 0, CpuidRegister.Eax);
            Vendor = vendor ?? DecodeVendor() ?? CapabilityVendor() ?? "Unknown";
            Brand = brand ?? DecodeBrand() ?? string.Empty;
            Signature = TryGet(1, 0, CpuidRegister.Eax);
            if (Signature is uint sig)
            {
                (Family, Model, Stepping) = DisplaySignature(sig);
            }
            else
            {
                Family = CapabilityNumber("cpuid.FAMILY");
                Model = CapabilityNumber("cpuid.MODEL");
                Stepping = CapabilityNumber("cpuid.STEPPING");
            }
        }

        /// <summary>A short display name: the host name, or the dump's file name.</summary>
        public string Name { get; }

        /// <summary>Where the data came from, e.g. a path and logical CPU, or a vCenter URL and host.</summary>
        public string Source { get; }

        public ProfileFormat Format { get; }

        /// <summary>GenuineIntel, AuthenticAMD, HygonGenuine, CentaurHauls ...</summary>
        public string Vendor { get; }

        public string Brand { get; }

        /// <summary>Leaf 1 EAX, when the source reported it.</summary>
        public uint? Signature { get; }

        /// <summary>Display family (base + extended when base is 0xF), or -1 when unknown.</summary>
        /// <summary>The display family, model and stepping that a leaf 1 EAX encodes.</summary>
        public static (int Family, int Model, int Stepping) DisplaySignature(uint eax)
        {
            uint baseFamily = (eax >> 8) & 0xF;
            uint baseModel = (eax >> 4) & 0xF;
            // Extended model counts from base family 6 up (Linux's rule): Intel's 6/0xF and AMD's 0xF agree
            // with it, and Centaur/Zhaoxin family 7 parts (KH-40000 = model 0x5B) need it.
            return (
                (int)(baseFamily == 0xF ? baseFamily + ((eax >> 20) & 0xFF) : baseFamily),
                (int)(baseFamily >= 0x6 ? (((eax >> 16) & 0xF) << 4) | baseModel : baseModel),
                (int)(eax & 0xF));
        }

        public int Family { get; }

        public int Model { get; }

        public int Stepping { get; }

        public uint? MaxStandardLeaf { get; }

        public uint? MaxExtendedLeaf { get; }

        /// <summary>Raw leaves in (leaf, subleaf) order.</summary>
        public IReadOnlyList<CpuidLeaf> Leaves { get; }

        /// <summary>vSphere HostFeatureCapability key to value, e.g. <c>cpuid.AVX2 = 1</c>; case-insensitive keys.</summary>
        public IReadOnlyDictionary<string, string> Capabilities { get; }

        public bool IsIntel => Vendor == "GenuineIntel";

        /// <summary>AMD and Hygon, which follow AMD's definitions of the extended leaves.</summary>
        public bool IsAmdLike => Vendor == "AuthenticAMD" || Vendor == "HygonGenuine";

        public CpuidLeaf? GetLeaf(uint leaf, uint subleaf = 0) =>
            _byKey.TryGetValue(new LeafKey(leaf, subleaf), out var found) ? found : null;

        /// <summary>The value of a register, or null when the source did not report it.</summary>
        public uint? TryGet(uint leaf, uint subleaf, CpuidRegister register)
        {
            var found = GetLeaf(leaf, subleaf);
            return found != null && found.IsKnown(register) ? found.Registers[register] : (uint?)null;
        }

        /// <summary>
        /// Whether a bit is set. Absent (rather than unknown) when the leaf is above the highest leaf the
        /// CPU reports, a leaf 7 subleaf is above the highest subleaf leaf 7 reports, or a leaf 0xD subleaf
        /// describes a state component the CPU does not support.
        /// </summary>
        public FeatureState GetBit(uint leaf, uint subleaf, CpuidRegister register, int bit)
        {
            if (bit < 0 || bit > 31)
            {
                throw new ArgumentOutOfRangeException(nameof(bit));
            }

            uint? value = TryGet(leaf, subleaf, register);
            if (value is uint v)
            {
                return ((v >> bit) & 1) != 0 ? FeatureState.Present : FeatureState.Absent;
            }

            uint? max = leaf >= 0x80000000u ? MaxExtendedLeaf : MaxStandardLeaf;
            if (max is uint m && (leaf > m || (leaf >= 0x80000000u) != (m >= 0x80000000u)))
            {
                return FeatureState.Absent;
            }

            if (leaf == 7 && subleaf > 0 && TryGet(7, 0, CpuidRegister.Eax) is uint maxSub && subleaf > maxSub)
            {
                return FeatureState.Absent;
            }

            if (leaf == 0xD && IsUnsupportedStateComponent(subleaf))
            {
                return FeatureState.Absent;
            }

            return FeatureState.Unknown;
        }

        /// <summary>
        /// Whether leaf 0xD subleaf n (n = 2..63, state component n) is invalid, so all zero: the CPU supports the
        /// component neither in XCR0 (0xD.0 EAX/EDX) nor in IA32_XSS (0xD.1 ECX/EDX) (Intel SDM vol. 2A, CPUID leaf
        /// 0DH). Dumps list only the subleaves of supported components. A user state component (AVX, AMX...) is
        /// never in IA32_XSS and a supervisor one (PT, CET, ...) never in XCR0 (SDM vol. 1, table 13-1), so for
        /// those one register decides even where the old dumper left out subleaf 1.
        /// </summary>
        private bool IsUnsupportedStateComponent(uint subleaf)
        {
            if (subleaf < 2 || subleaf > 63)
            {
                return false;
            }

            var (xcr0, xss) = subleaf < 32 ? (CpuidRegister.Eax, CpuidRegister.Ecx) : (CpuidRegister.Edx, CpuidRegister.Edx);
            uint bit = 1u << (int)(subleaf % 32);
            bool? inXcr0 = TryGet(0xD, 0, xcr0) is uint user ? (user & bit) != 0 : (bool?)null;
            bool? inXss = TryGet(0xD, 1, xss) is uint supervisor ? (supervisor & bit) != 0 : (bool?)null;
            bool supervisorState = subleaf == 8 || (subleaf >= 10 && subleaf <= 16);
            bool userState = !supervisorState && subleaf <= 19;
            return (supervisorState && inXss == false)
                || (userState && inXcr0 == false)
                || (inXcr0 == false && inXss == false);
        }

        /// <summary>A copy with another name and source (e.g. a dump named after the host it stands for).</summary>
        public CpuidProfile WithName(string name, string? source = null) =>
            new CpuidProfile(name, Leaves, Format, source ?? Source, Capabilities, Vendor, Brand);

        public override string ToString() =>
            string.IsNullOrEmpty(Brand) ? $"{Name} ({Vendor})" : $"{Name} ({Brand.Trim()})";

        private string? DecodeVendor()
        {
            var leaf0 = GetLeaf(0);
            if (leaf0 == null || (leaf0.Known & (RegisterSet.Ebx | RegisterSet.Ecx | RegisterSet.Edx)) != (RegisterSet.Ebx | RegisterSet.Ecx | RegisterSet.Edx))
            {
                return null;
            }

            var r = leaf0.Registers;
            string text = Ascii(r.Ebx) + Ascii(r.Edx) + Ascii(r.Ecx);
            return text.Trim('\0', ' ').Length == 0 ? null : text.TrimEnd('\0');
        }

        private string? CapabilityVendor()
        {
            if (Capabilities.TryGetValue("cpuid.Intel", out var intel) && intel == "1")
            {
                return "GenuineIntel";
            }

            if (Capabilities.TryGetValue("cpuid.AMD", out var amd) && amd == "1")
            {
                return "AuthenticAMD";
            }

            return null;
        }

        private string? DecodeBrand()
        {
            var builder = new StringBuilder();
            for (uint leaf = 0x80000002u; leaf <= 0x80000004u; leaf++)
            {
                var found = GetLeaf(leaf);
                if (found == null || found.Known != RegisterSet.All)
                {
                    return null;
                }

                var r = found.Registers;
                builder.Append(Ascii(r.Eax)).Append(Ascii(r.Ebx)).Append(Ascii(r.Ecx)).Append(Ascii(r.Edx));
            }

            string brand = builder.ToString().Replace("\0", string.Empty).Trim();
            return brand.Length == 0 ? null : brand;
        }

        private int CapabilityNumber(string key)
        {
            if (Capabilities.TryGetValue(key, out var text))
            {
                text = text.Trim();
                if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                    && int.TryParse(text.Substring(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int hex))
                {
                    return hex;
                }

                if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
                {
                    return value;
                }
            }

            return -1;
        }

        private static string Ascii(uint value)
        {
            var chars = new char[4];
            for (int i = 0; i < 4; i++)
            {
                uint c = (value >> (8 * i)) & 0xFF;
                chars[i] = c >= 0x20 && c < 0x7F ? (char)c : '\0';
            }

            return new string(chars);
        }
    }
}
