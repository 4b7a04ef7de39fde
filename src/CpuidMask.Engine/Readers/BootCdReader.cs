using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Readers
{
    /// <summary>
    /// Output of VMware's CPU identification boot CD (and notes copied from it). The tool reports only a
    /// few registers, named like <c>ID1ECX</c> (leaf 1 ECX) and <c>ID81EDX</c> (leaf 0x80000001 EDX),
    /// either as <c>ID1ECX 0x0000641d</c> pairs or as a header row of names over a row of values. A
    /// <c>Vendor: Intel</c> line gives leaf 0's vendor registers and a <c>Family: 06 Model: 3a
    /// Stepping: 9</c> line (hex, as the tool prints it) gives leaf 1 EAX. Only the registers
    /// actually printed are marked known, so every other bit reads as Unknown.
    /// </summary>
    internal static class BootCdReader
    {
        private const string Expected = "ID1ECX 0x<8 hex>";

        // Far longer than anything the CD prints; bounds the work the patterns below do on one line.
        private const int MaxLineLength = 4096;

        private static readonly Regex NameToken = new Regex(
            @"\bID(0|1|80|81)(EAX|EBX|ECX|EDX)\b",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        // The CD prints every register as 0x%08x; a shorter value was cut while copying.
        private static readonly Regex Pair = new Regex(
            @"\bID(0|1|80|81)(EAX|EBX|ECX|EDX)\b\s*[:=]?\s*(?:0x)?([0-9a-fA-F]{8})\b",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        private static readonly Regex ValueToken = new Regex(@"\b(?:0x)?([0-9a-fA-F]{8})\b", RegexOptions.CultureInvariant);

        private static readonly Regex AnyValue = new Regex(@"\b(?:0x)?[0-9a-fA-F]+\b", RegexOptions.CultureInvariant);

        // The three fields in the CD's order and width (%02x, %02x, %x), each value ending at a separator and nothing
        // after the stepping: a damaged field ("Model:E 5b", "Model: 9\t") must not yield a value, so the line is then
        // left out and the signature reported missing.
        private static readonly Regex Signature = new Regex(
            @"^(?:.*?[\s,;:|])?Family\s*[:=]?\s*(?:0x)?([0-9a-fA-F]{2})h?[\s,;]+Model\s*[:=]?\s*(?:0x)?([0-9a-fA-F]{2})h?[\s,;]+Stepping\s*[:=]?\s*(?:0x)?([0-9a-fA-F])h?[\s,;.]*$",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        private static readonly Regex VendorLine = new Regex(@"^\s*Vendor\s*[:=]\s*(\S+)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        private static readonly Regex Detector = new Regex(@"\bID(1|81)(ECX|EDX)\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        public static bool Looks(string text) => Detector.IsMatch(text);

        public static IReadOnlyList<ParsedProfile> Parse(string text, string sourceName)
        {
            var cpus = new List<Cpu>();
            var current = new Cpu();
            List<KeyValuePair<uint, CpuidRegister>>? header = null;
            int headerLine = 0;
            string? machineVendor = null;
            int vendorLine = 0;
            int signatureLine = 0;
            foreach (var pair in DumpReading.Lines(text))
            {
                string line = pair.Value;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                if (line.Length > MaxLineLength)
                {
                    throw DumpReading.Malformed(sourceName, pair.Key, line, Expected, $"The line is {line.Length} characters long; the boot CD prints short lines.");
                }

                if (header != null)
                {
                    // The row under a header of register names holds their values, in the same order.
                    var values = ValueToken.Matches(line);
                    if (values.Count != header.Count || AnyValue.Matches(line).Count != header.Count || NameToken.IsMatch(line))
                    {
                        throw DumpReading.Malformed(
                            sourceName,
                            pair.Key,
                            line,
                            string.Join(" ", header.ConvertAll(h => "0x<hex>").ToArray()),
                            string.Format(CultureInfo.InvariantCulture, "Line {0} names {1} registers; the next line must give their values.", headerLine, header.Count));
                    }

                    for (int i = 0; i < header.Count; i++)
                    {
                        current = Set(cpus, current, header[i].Key, header[i].Value, DumpReading.Hex(values[i].Groups[1].Value));
                    }

                    header = null;
                    continue;
                }

                var names = NameToken.Matches(line);
                if (names.Count > 0)
                {
                    var pairs = Pair.Matches(line);
                    if (pairs.Count == 0 && names.Count >= 2 && IsOnlyNames(line))
                    {
                        header = new List<KeyValuePair<uint, CpuidRegister>>();
                        foreach (Match name in names)
                        {
                            header.Add(new KeyValuePair<uint, CpuidRegister>(Leaf(name.Groups[1].Value), Register(name.Groups[2].Value)));
                        }

                        headerLine = pair.Key;
                        continue;
                    }

                    if (pairs.Count != names.Count)
                    {
                        throw DumpReading.Malformed(sourceName, pair.Key, line, Expected, "Each register name needs its value after it, e.g. 'ID1ECX 0x0000641d ID1EDX 0xbfebfbff'.");
                    }

                    foreach (Match found in pairs)
                    {
                        current = Set(cpus, current, Leaf(found.Groups[1].Value), Register(found.Groups[2].Value), DumpReading.Hex(found.Groups[3].Value));
                    }

                    continue;
                }

                if (IsOnlyValues(line))
                {
                    throw DumpReading.Malformed(sourceName, pair.Key, line, "ID1ECX ID1EDX ... (a row of names) above it", "A row of register values needs the row of register names right above it.");
                }

                var vendor = VendorLine.Match(line);
                if (vendor.Success)
                {
                    string id = VendorId(vendor.Groups[1].Value)
                        ?? throw DumpReading.Malformed(sourceName, pair.Key, line, "Vendor: Intel (or AMD, Hygon, or a CPUID vendor string such as CentaurHauls)", "The vendor is none a CPU reports; the line is damaged.");
                    if (machineVendor != null && id != machineVendor)
                    {
                        throw new CpuidMaskException(
                            ProfileChecks.LeafConflict,
                            ErrorKind.InvalidData,
                            string.Format(CultureInfo.InvariantCulture, "{0} line {1}: the vendor '{2}' contradicts '{3}' on line {4}; the CPUs of one machine have one vendor. The file is damaged or mixes two machines' notes.", sourceName, pair.Key, id, machineVendor, vendorLine),
                            sourceName);
                    }

                    machineVendor = id;
                    vendorLine = pair.Key;
                    current.Vendor ??= id;
                    continue;
                }

                var signature = Signature.Match(line);
                if (signature.Success)
                {
                    uint value = Encode(
                        DumpReading.Hex(signature.Groups[1].Value),
                        DumpReading.Hex(signature.Groups[2].Value),
                        DumpReading.Hex(signature.Groups[3].Value));
                    if (current.Signature is uint earlier && !current.HasRegisters && earlier != value)
                    {
                        throw new CpuidMaskException(
                            ProfileChecks.LeafConflict,
                            ErrorKind.InvalidData,
                            string.Format(CultureInfo.InvariantCulture, "{0} line {1}: a second 'Family: .. Model: .. Stepping: ..' line with other values than line {2}, before any register of that CPU. The file is damaged; copy the CD's screen again.", sourceName, pair.Key, signatureLine),
                            sourceName);
                    }

                    if (current.Signature != null && current.HasRegisters)
                    {
                        // A second identification block: the next CPU's, printed before its registers.
                        cpus.Add(current);
                        current = new Cpu { Vendor = current.Vendor };
                    }

                    current.Signature = value;
                    signatureLine = pair.Key;
                }
            }

            if (header != null)
            {
                throw DumpReading.Malformed(sourceName, headerLine, "(end of file)", string.Join(" ", header.ConvertAll(h => "0x<hex>").ToArray()), "The register names are not followed by a row of values.");
            }

            if (current.HasRegisters)
            {
                cpus.Add(current);
            }

            if (cpus.Count == 0)
            {
                throw DumpReading.Empty(sourceName, "no register values such as 'ID1ECX 0x0000641d' or a row of values under 'ID1ECX ID1EDX ID81ECX ID81EDX' were found.");
            }

            var profiles = new ParsedProfile[cpus.Count];
            for (int i = 0; i < cpus.Count; i++)
            {
                // The CD prints the vendor once, wherever; it is every CPU's.
                cpus[i].Vendor ??= machineVendor;
                var profile = cpus[i].ToProfile(
                    DumpReading.ProfileName(sourceName, i),
                    DumpReading.ProfileSource(sourceName, i, ProfileFormat.BootCd),
                    sourceName,
                    "CPU " + i.ToString(CultureInfo.InvariantCulture));
                profiles[i] = new ParsedProfile(profile, "CPU " + i.ToString(CultureInfo.InvariantCulture), SourceKind.BootCd);
            }

            return profiles;
        }

        /// <summary>A register that was already given starts the next CPU (the tool prints one table per differing CPU).</summary>
        private static Cpu Set(List<Cpu> cpus, Cpu current, uint leaf, CpuidRegister register, uint value)
        {
            if (current.Has(leaf, register))
            {
                cpus.Add(current);
                current = new Cpu { Vendor = current.Vendor };
            }

            current.Set(leaf, register, value);
            return current;
        }

        private static bool IsOnlyValues(string line) =>
            ValueToken.IsMatch(line) && ValueToken.Replace(line, string.Empty).Trim(' ', '\t', '|', ':', '-', ',').Length == 0;

        private static bool IsOnlyNames(string line) => NameToken.Replace(line, string.Empty).Trim(' ', '\t', '|', ':', '-').Length == 0;

        private static uint Leaf(string digits) => digits switch
        {
            "0" => 0u,
            "1" => 1u,
            "80" => 0x80000000u,
            _ => 0x80000001u,
        };

        private static CpuidRegister Register(string name)
        {
            CpuidRegisterNames.TryParse(name, out var register);
            return register;
        }

        /// <summary>Leaf 1 EAX from the display family and model, split back into base and extended fields.</summary>
        private static uint Encode(uint family, uint model, uint stepping)
        {
            uint baseFamily = family >= 0xF ? 0xFu : family;
            uint extFamily = family >= 0xF ? family - 0xF : 0;
            uint baseModel = model & 0xF;
            uint extModel = model >> 4;
            return (extFamily << 20) | (extModel << 16) | (baseFamily << 8) | (baseModel << 4) | (stepping & 0xF);
        }

        private static string? VendorId(string text)
        {
            string word = text.Trim().TrimEnd(',', '.', ';');
            if (word.StartsWith("Intel", StringComparison.OrdinalIgnoreCase) || word.Equals("GenuineIntel", StringComparison.OrdinalIgnoreCase))
            {
                return "GenuineIntel";
            }

            if (word.StartsWith("AMD", StringComparison.OrdinalIgnoreCase) || word.Equals("AuthenticAMD", StringComparison.OrdinalIgnoreCase))
            {
                return "AuthenticAMD";
            }

            if (word.StartsWith("Hygon", StringComparison.OrdinalIgnoreCase))
            {
                return "HygonGenuine";
            }

            // Other vendors are printed as their CPUID vendor string, exactly as the CPU returns it: one of the few x86
            // vendors' strings (those with a space in them cannot be one word here), not any twelve characters.
            return Array.IndexOf(OtherVendorIds, word) >= 0 ? word : null;
        }

        private static readonly string[] OtherVendorIds =
        {
            "CentaurHauls", "CyrixInstead", "NexGenDriven", "GenuineTMx86", "TransmetaCPU", "RiseRiseRise", "AMDisbetter!", "GenuineIotel",
        };

        private sealed class Cpu
        {
            private readonly Dictionary<uint, uint[]> _values = new Dictionary<uint, uint[]>();
            private readonly Dictionary<uint, RegisterSet> _known = new Dictionary<uint, RegisterSet>();

            public string? Vendor { get; set; }

            public uint? Signature { get; set; }

            public bool HasRegisters => _known.Count > 0;

            public bool Has(uint leaf, CpuidRegister register) =>
                _known.TryGetValue(leaf, out var known) && (known & CpuidLeaf.ToFlag(register)) != 0;

            public void Set(uint leaf, CpuidRegister register, uint value)
            {
                if (!_values.TryGetValue(leaf, out var registers))
                {
                    registers = new uint[4];
                    _values[leaf] = registers;
                    _known[leaf] = RegisterSet.None;
                }

                registers[(int)register] = value;
                _known[leaf] |= CpuidLeaf.ToFlag(register);
            }

            public CpuidProfile ToProfile(string name, string source, string sourceName, string where)
            {
                if (Signature is uint signature && !Has(1, CpuidRegister.Eax))
                {
                    Set(1, CpuidRegister.Eax, signature);
                }
                else if (Signature is uint stated && CpuidProfile.DisplaySignature(_values[1][(int)CpuidRegister.Eax]) != CpuidProfile.DisplaySignature(stated))
                {
                    // The 'Family: .. Model: .. Stepping: ..' line is the CD's reading of ID1EAX: the two must agree.
                    var (family, model, stepping) = CpuidProfile.DisplaySignature(_values[1][(int)CpuidRegister.Eax]);
                    var (statedFamily, statedModel, statedStepping) = CpuidProfile.DisplaySignature(stated);
                    throw new CpuidMaskException(
                        ProfileChecks.LeafConflict,
                        ErrorKind.InvalidData,
                        string.Format(
                            CultureInfo.InvariantCulture,
                            "{0}: {1} gives ID1EAX 0x{2:X8} (family {3:X}, model {4:X}, stepping {5:X}), but its 'Family: {6:X2} Model: {7:X2} Stepping: {8:X}' line says otherwise; the line is the CD's reading of that register. The file is damaged; copy the CD's screen again.",
                            sourceName,
                            where,
                            _values[1][(int)CpuidRegister.Eax],
                            family,
                            model,
                            stepping,
                            statedFamily,
                            statedModel,
                            statedStepping),
                        sourceName);
                }

                if (Vendor != null && Vendor.Length == 12 && !_known.ContainsKey(0))
                {
                    // The vendor string is leaf 0 EBX, EDX, ECX in that order, four ASCII bytes each, low byte first.
                    Set(0, CpuidRegister.Ebx, Ascii(Vendor, 0));
                    Set(0, CpuidRegister.Edx, Ascii(Vendor, 4));
                    Set(0, CpuidRegister.Ecx, Ascii(Vendor, 8));
                }

                var leaves = new List<CpuidLeaf>();
                foreach (var entry in _values)
                {
                    var r = entry.Value;
                    leaves.Add(new CpuidLeaf(new LeafKey(entry.Key), new CpuidRegisters(r[0], r[1], r[2], r[3]), _known[entry.Key]));
                }

                return new CpuidProfile(name, leaves, ProfileFormat.BootCd, source, vendor: Vendor);
            }

            private static uint Ascii(string text, int offset) =>
                (uint)(byte)text[offset] | ((uint)(byte)text[offset + 1] << 8) | ((uint)(byte)text[offset + 2] << 16) | ((uint)(byte)text[offset + 3] << 24);
        }
    }
}
