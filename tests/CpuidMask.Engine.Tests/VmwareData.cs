using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using CpuidMask.Engine.Model;
using Xunit;

namespace CpuidMask.Engine.Tests
{
    /// <summary>VMware's own data, re-listed under tests/data/catalog: x86cpuid.h's one-bit fields and vCenter's key list.</summary>
    internal static class VmwareData
    {
        public static readonly Lazy<Dictionary<(uint, uint, CpuidRegister, int), VmwareBit>> Bits = new Lazy<Dictionary<(uint, uint, CpuidRegister, int), VmwareBit>>(ReadBits);

        /// <summary>The cpuid.* keys vCenter 8.0 U1 compares, lower case as vCenter writes them.</summary>
        public static readonly Lazy<string[]> VSphere801Keys = new Lazy<string[]>(() => Lines("vsphere-8.0u1-keys.txt").ToArray());

        public static string BitsPath => Path.Combine(AppContext.BaseDirectory, "data", "catalog", "x86cpuid-bits.tsv");

        private static IEnumerable<string> Lines(string file) =>
            File.ReadLines(Path.Combine(AppContext.BaseDirectory, "data", "catalog", file)).Where(l => l.Length > 0 && !l.StartsWith("#", StringComparison.Ordinal));

        private static Dictionary<(uint, uint, CpuidRegister, int), VmwareBit> ReadBits()
        {
            var table = new Dictionary<(uint, uint, CpuidRegister, int), VmwareBit>();
            foreach (string line in Lines("x86cpuid-bits.tsv").Skip(1))
            {
                string[] f = line.Split('\t');
                Assert.True(CpuidRegisterNames.TryParse(f[2], out var register), line);
                uint leaf = uint.Parse(f[0].Substring(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                table.Add((leaf, uint.Parse(f[1], CultureInfo.InvariantCulture), register, int.Parse(f[3], CultureInfo.InvariantCulture)), new VmwareBit(f[4], f[5], f[6]));
            }

            return table;
        }
    }

    /// <summary>One one-bit field of x86cpuid.h: its name, the monitor's support and its first hardware version.</summary>
    internal sealed record VmwareBit(string Name, string Support, string HwVersion)
    {
        public override string ToString() => $"{Name} {Support} {HwVersion}";
    }
}
