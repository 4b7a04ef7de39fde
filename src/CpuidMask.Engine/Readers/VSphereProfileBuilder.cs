using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Readers
{
    /// <summary>One vSphere HostCpuIdInfo: a signed level and four registers as 32 bits grouped by colons.</summary>
    public sealed class HostCpuIdInfoRecord
    {
        public HostCpuIdInfoRecord(int level, string? vendor, string? eax, string? ebx, string? ecx, string? edx)
        {
            Level = level;
            Vendor = vendor;
            Eax = eax;
            Ebx = ebx;
            Ecx = ecx;
            Edx = edx;
        }

        /// <summary>The leaf as the API's signed int: 0x80000001 arrives as -2147483647.</summary>
        public int Level { get; }

        /// <summary>Empty/null for the common definition, "amd" or "intel" for a vendor-specific one.</summary>
        public string? Vendor { get; }

        public string? Eax { get; }

        public string? Ebx { get; }

        public string? Ecx { get; }

        public string? Edx { get; }
    }

    /// <summary>Turns what vSphere reports about a host's CPU into a profile.</summary>
    public static class VSphereProfileBuilder
    {
        /// <summary>
        /// Builds a profile from <c>hardware.cpuFeature</c> (raw leaves; recent ESXi gives only 0, 1,
        /// 0x80000000 and 0x80000001) and <c>config.featureCapability</c> (named bits for the rest).
        /// </summary>
        public static CpuidProfile Build(
            string name,
            string source,
            IEnumerable<HostCpuIdInfoRecord> cpuFeature,
            IEnumerable<KeyValuePair<string, string>>? featureCapability,
            string? brand = null)
        {
            var leaves = new List<CpuidLeaf>();
            foreach (var info in cpuFeature ?? Enumerable.Empty<HostCpuIdInfoRecord>())
            {
                // Vendor-specific records restate a leaf for one vendor; the common record is the one we keep.
                if (!string.IsNullOrEmpty(info.Vendor) && leaves.Any(l => l.Leaf == unchecked((uint)info.Level)))
                {
                    continue;
                }

                uint leaf = unchecked((uint)info.Level);
                var known = RegisterSet.None;
                uint eax = ParseRegister(info.Eax, source, leaf, "eax", RegisterSet.Eax, ref known);
                uint ebx = ParseRegister(info.Ebx, source, leaf, "ebx", RegisterSet.Ebx, ref known);
                uint ecx = ParseRegister(info.Ecx, source, leaf, "ecx", RegisterSet.Ecx, ref known);
                uint edx = ParseRegister(info.Edx, source, leaf, "edx", RegisterSet.Edx, ref known);
                leaves.Add(new CpuidLeaf(new LeafKey(leaf), new CpuidRegisters(eax, ebx, ecx, edx), known));
            }

            return new CpuidProfile(name, leaves, ProfileFormat.VSphere, source, featureCapability, brand: string.IsNullOrWhiteSpace(brand) ? null : brand!.Trim());
        }

        /// <summary>
        /// Parses "0000:0000:0000:0000:0000:0000:0000:1101" (bit 31 first). Returns false for text that
        /// has '-' (unknown) bits, which vSphere uses in masks but not in host data.
        /// </summary>
        public static bool TryParseBits(string? text, out uint value)
        {
            value = 0;
            if (text == null)
            {
                return false;
            }

            int count = 0;
            foreach (char c in text)
            {
                if (c == ':' || c == ' ')
                {
                    continue;
                }

                if (c != '0' && c != '1')
                {
                    return false;
                }

                value = (value << 1) | (c == '1' ? 1u : 0u);
                count++;
            }

            return count == 32;
        }

        /// <summary>Formats a register the way the API does: 8 groups of 4 bits, bit 31 first.</summary>
        public static string FormatBits(uint value)
        {
            var chars = new char[39];
            int pos = 0;
            for (int bit = 31; bit >= 0; bit--)
            {
                chars[pos++] = ((value >> bit) & 1) != 0 ? '1' : '0';
                if (bit % 4 == 0 && bit != 0)
                {
                    chars[pos++] = ':';
                }
            }

            return new string(chars);
        }

        private static uint ParseRegister(string? text, string source, uint leaf, string register, RegisterSet flag, ref RegisterSet known)
        {
            if (string.IsNullOrEmpty(text))
            {
                return 0;
            }

            if (TryParseBits(text, out uint value))
            {
                known |= flag;
                return value;
            }

            if (text!.IndexOf('-') >= 0 && text.Replace(":", string.Empty).Length == 32)
            {
                return 0;
            }

            throw new CpuidMaskException(
                "HostCpuIdInfoMalformed",
                ErrorKind.InvalidData,
                string.Format(CultureInfo.InvariantCulture, "{0}: cpuFeature level {1} {2} is '{3}'; expected 32 bits of 0/1 grouped by colons, e.g. 0000:0000:0000:0000:0000:0000:0000:1101.", source, LeafKey.FormatLeaf(leaf), register, text),
                source);
        }
    }
}
