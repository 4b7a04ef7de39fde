using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Readers
{
    /// <summary>
    /// The <c>hostCPUID level 00000001, 0: 0x000306a9 0x00100800 0x7fbae3ff 0xbfebfbff</c> lines a VM's
    /// vmware.log records at power-on (leaf, subleaf, EAX EBX ECX EDX), after any timestamp/thread
    /// prefix. <c>guestCPUID</c> and per-CPU <c>CPUID[n]</c> lines are ignored. A log that continues on
    /// another host after a vMotion records that host's leaves again, from leaf 0: each set becomes a
    /// profile, the power-on host first.
    /// </summary>
    internal static class VmwareLogReader
    {
        private const string Expected = "hostCPUID level <8 hex>, <subleaf>: 0x<8 hex> 0x<8 hex> 0x<8 hex> 0x<8 hex>";

        private static readonly Regex DataLine = new Regex(
            @"\bhostCPUID level ([0-9a-fA-F]{8}), (0x[0-9a-fA-F]{1,8}|[0-9a-fA-F]{1,8}): 0x([0-9a-fA-F]{8}) 0x([0-9a-fA-F]{8}) 0x([0-9a-fA-F]{8}) 0x([0-9a-fA-F]{8})\s*$",
            RegexOptions.CultureInvariant);

        private static readonly Regex VendorLine = new Regex(@"\bhostCPUID vendor:\s*(\S+)", RegexOptions.CultureInvariant);

        private static readonly Regex NameLine = new Regex(@"\bhostCPUID\s+name:\s*(.*?)\s*$", RegexOptions.CultureInvariant);

        // Three or more 32-bit values in 0x form: a CPUID result, whatever its keyword has become.
        private static readonly Regex RegisterValue = new Regex(@"(?<![0-9A-Za-z])0x[0-9a-f]{8}(?![0-9A-Za-z])", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        // Lines with CPUID results that are not the host's: the guest's view, and each host CPU's differences.
        private static readonly Regex OtherCpuidLine = new Regex(@"\bguestCPUID level |\bCPUID\[\d+\] level ", RegexOptions.CultureInvariant);

        public static bool Looks(string text) => text.IndexOf("hostCPUID level ", StringComparison.Ordinal) >= 0;

        /// <summary>
        /// Every hostCPUID line other than the vendor, family, codename and name lines must parse, and so must
        /// any other line with a CPUID result ("level ...: 0x... 0x... 0x...") unless it is a guest or
        /// per-CPU line: a damaged hostCPUID keyword is reported, not skipped.
        /// </summary>
        public static IReadOnlyList<ParsedProfile> Parse(string text, string sourceName)
        {
            var blocks = new List<LeafBlock>();
            var vendors = new List<string?>();
            var names = new List<string?>();
            string? pendingVendor = null;
            string? pendingName = null;
            LeafBlock? current = null;
            foreach (var pair in DumpReading.Lines(text))
            {
                string line = pair.Value;
                int at = line.IndexOf("hostCPUID", StringComparison.Ordinal);
                if (at < 0)
                {
                    if (line.IndexOf("level", StringComparison.OrdinalIgnoreCase) >= 0 && RegisterValue.Matches(line).Count >= 3 && !OtherCpuidLine.IsMatch(line))
                    {
                        throw DumpReading.Malformed(sourceName, pair.Key, line, Expected, "A CPUID line whose keyword is neither hostCPUID nor guestCPUID is damaged.");
                    }

                    continue;
                }

                var vendor = VendorLine.Match(line);
                if (vendor.Success)
                {
                    pendingVendor = vendor.Groups[1].Value;
                    continue;
                }

                var name = NameLine.Match(line);
                if (name.Success)
                {
                    pendingName = name.Groups[1].Value;
                    continue;
                }

                if (line.IndexOf("hostCPUID level", at, StringComparison.Ordinal) < 0 && RegisterValue.Matches(line).Count < 3)
                {
                    // "hostCPUID family:", "hostCPUID codename:" and the like only restate leaf 1.
                    continue;
                }

                var match = DataLine.Match(line);
                if (!match.Success)
                {
                    throw DumpReading.Malformed(sourceName, pair.Key, line.Substring(at), Expected);
                }

                uint leaf = DumpReading.Hex(match.Groups[1].Value);
                uint subleaf = Subleaf(match.Groups[2].Value);
                if (current == null || (leaf == 0 && subleaf == 0 && current.Contains(0, 0)))
                {
                    current = new LeafBlock(pair.Key, blocks.Count, "host");
                    blocks.Add(current);
                    vendors.Add(pendingVendor);
                    names.Add(pendingName);
                }
                else if (pendingVendor != null && vendors[vendors.Count - 1] == null)
                {
                    vendors[vendors.Count - 1] = pendingVendor;
                }

                if (pendingName != null && names[names.Count - 1] == null)
                {
                    names[names.Count - 1] = pendingName;
                }

                pendingVendor = null;
                pendingName = null;
                current.Add(
                    new CpuidLeaf(
                        leaf,
                        subleaf,
                        DumpReading.Hex(match.Groups[3].Value),
                        DumpReading.Hex(match.Groups[4].Value),
                        DumpReading.Hex(match.Groups[5].Value),
                        DumpReading.Hex(match.Groups[6].Value)),
                    pair.Key,
                    sourceName);
            }

            if (blocks.Count == 0)
            {
                throw DumpReading.Empty(sourceName, "no 'hostCPUID level 00000001, 0: 0x... 0x... 0x... 0x...' lines were found; take the vmware.log of a VM that powered on (not one that only ran tools or snapshots).");
            }

            var profiles = new ParsedProfile[blocks.Count];
            for (int i = 0; i < blocks.Count; i++)
            {
                var leaves = blocks[i].Leaves;
                bool hasVendorLeaf = leaves.Exists(l => l.Leaf == 0);
                bool hasBrandLeaves = leaves.Exists(l => l.Leaf == 0x80000002u);
                var profile = new CpuidProfile(
                    DumpReading.ProfileName(sourceName, i, "host"),
                    leaves,
                    ProfileFormat.VmwareLog,
                    DumpReading.ProfileSource(sourceName, i, ProfileFormat.VmwareLog, "host"),
                    vendor: hasVendorLeaf ? null : vendors[i],
                    brand: hasBrandLeaves || string.IsNullOrWhiteSpace(names[i]) ? null : names[i]);
                profiles[i] = new ParsedProfile(profile, blocks[i].Where, SourceKind.HostLog, lines: blocks[i].Lines);
            }

            return profiles;
        }

        /// <summary>VMware prints the subleaf in decimal; accept hex when it says so (0x prefix or a-f digits).</summary>
        private static uint Subleaf(string text)
        {
            if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            {
                return DumpReading.Hex(text.Substring(2));
            }

            foreach (char c in text)
            {
                if (!char.IsDigit(c))
                {
                    return DumpReading.Hex(text);
                }
            }

            return uint.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        }
    }
}
