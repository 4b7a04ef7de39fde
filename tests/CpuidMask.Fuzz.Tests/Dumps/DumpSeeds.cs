using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;
using CpuidMask.Engine.Tests.Readers;

namespace CpuidMask.Fuzz.Tests.Dumps
{
    /// <summary>What a character of a seed is: part of a reported value (and which alphabet it takes), or not.</summary>
    internal enum ValueChar : byte
    {
        None,

        /// <summary>A hex digit of a register (dumps, cpuid -r, vmware.log, boot CD, saved JSON).</summary>
        Hex,

        /// <summary>A 0/1 digit of a vSphere register string.</summary>
        Bit,

        /// <summary>A character of a vSphere capability's key or value.</summary>
        Text,
    }

    /// <summary>One unmutated input: real data in one format, what it reads as, and where its values are.</summary>
    internal sealed class DumpSeed
    {
        public DumpSeed(string name, ProfileFormat format, string text, bool partialSubleaves)
        {
            Name = name;
            Format = format;
            Text = text.Replace("\r\n", "\n");
            Lines = Text.Split('\n');
            Profiles = ProfileReader.Parse(Text, name);
            Values = DumpValues.Map(format, Text);
            ValueLines = Lines.Select(DumpValues.IsCapabilityLine).ToArray();
            PartialSubleaves = partialSubleaves;
        }

        public string Name { get; }

        public ProfileFormat Format { get; }

        public string Text { get; }

        public string[] Lines { get; }

        /// <summary>What the seed reads as; the oracle compares mutations with it.</summary>
        public IReadOnlyList<CpuidProfile> Profiles { get; }

        public ValueChar[] Values { get; }

        /// <summary>Lines that are one whole capability ("cpuid.AVX": "1" in a saved profile): an entry of an open set of names.</summary>
        public bool[] ValueLines { get; }

        /// <summary>
        /// The format reports leaf 7's and 0xD's subleaves only when its version knows them (vmware.log, saved
        /// profiles), so losing such a line is indistinguishable from an older source: those features may become
        /// unknown, never change.
        /// </summary>
        public bool PartialSubleaves { get; }

        public override string ToString() => Name;
    }

    /// <summary>
    /// The seeds: every real dump in tests/data/dumps and docs/samples (the first two logical CPUs, to keep
    /// each case fast), the format fixtures, and the real dumps written in every other format.
    /// </summary>
    internal static class DumpSeeds
    {
        private static readonly Lazy<IReadOnlyList<DumpSeed>> Seeds = new Lazy<IReadOnlyList<DumpSeed>>(Load);

        public static IReadOnlyList<DumpSeed> All => Seeds.Value;

        public static IReadOnlyList<DumpSeed> Of(ProfileFormat format) => All.Where(s => s.Format == format).ToArray();

        public static string DataDir => Path.Combine(AppContext.BaseDirectory, "data");

        private static IReadOnlyList<DumpSeed> Load()
        {
            var seeds = new List<DumpSeed>();
            var dumps = Directory.GetFiles(Path.Combine(DataDir, "dumps"), "*.txt")
                .Concat(Directory.GetFiles(Path.Combine(DataDir, "dump-variants"), "*.txt"))
                .Concat(Directory.GetFiles(Path.Combine(DataDir, "samples"), "*.txt"))
                .OrderBy(p => p, StringComparer.Ordinal)
                .ToArray();
            var cpus = new List<(string Name, IReadOnlyList<CpuidProfile> Cpus, bool Tagged)>();
            foreach (string path in dumps)
            {
                string name = Path.GetFileNameWithoutExtension(path);
                string text = FirstCpus(File.ReadAllText(path), 2);
                // Untagged dumps need not list every subleaf (the older dumper has no leaf 0xD subleaf 1, newer ones stop
                // before the last state component), so a lost subleaf line there reads as unknown, not as damage.
                bool tagged = text.Contains("[SL ", StringComparison.Ordinal);
                var seed = new DumpSeed("dumps/" + name, ProfileFormat.InstLatx64, text, partialSubleaves: !tagged);
                seeds.Add(seed);

                // The variants (dumper quirks, a CPU without extended leaves) are seeds as they are; the other formats
                // are rendered from the ordinary dumps, so their seeds stay the same set.
                if (!path.Contains("dump-variants", StringComparison.Ordinal))
                {
                    cpus.Add((name, seed.Profiles, tagged));
                }
            }

            string formats = Path.Combine(DataDir, "formats");
            seeds.Add(new DumpSeed("formats/ivybridge-cpuid-r", ProfileFormat.LinuxCpuid, File.ReadAllText(Path.Combine(formats, "ivybridge-cpuid-r.txt")), false));
            seeds.Add(new DumpSeed("formats/ivybridge-vmware", ProfileFormat.VmwareLog, File.ReadAllText(Path.Combine(formats, "ivybridge-vmware.log")), true));
            seeds.Add(new DumpSeed("formats/bootcd-ivybridge", ProfileFormat.BootCd, File.ReadAllText(Path.Combine(formats, "bootcd-ivybridge.txt")), false));
            seeds.Add(new DumpSeed("formats/bootcd-avoton-pairs", ProfileFormat.BootCd, File.ReadAllText(Path.Combine(formats, "bootcd-avoton-pairs.txt")), false));
            seeds.Add(new DumpSeed("formats/vsphere-host-ivybridge", ProfileFormat.VSphere, File.ReadAllText(Path.Combine(formats, "vsphere-host-ivybridge.json")), false));
            seeds.Add(new DumpSeed("formats/vsphere-hosts", ProfileFormat.VSphere, File.ReadAllText(Path.Combine(formats, "vsphere-hosts.json")), false));

            for (int i = 0; i < cpus.Count; i++)
            {
                var (name, profiles, tagged) = cpus[i];

                // cpuid -r always prints leaf 0xD subleaf 1; the old untagged dumps lack it, so only the tagged ones render faithfully.
                if (tagged)
                {
                    seeds.Add(new DumpSeed("cpuid-r/" + name, ProfileFormat.LinuxCpuid, DumpText.LinuxCpuid(profiles), false));
                }

                var other = cpus[(i + 7) % cpus.Count].Cpus[0];
                seeds.Add(new DumpSeed("vmware.log/" + name, ProfileFormat.VmwareLog, DumpText.VmwareLog(i % 5 == 0 ? new[] { profiles[0], other } : new[] { profiles[0] }), true));
                seeds.Add(new DumpSeed("bootcd/" + name, ProfileFormat.BootCd, DumpText.BootCd(profiles[0], table: i % 2 == 0), false));
                if (i % 2 == 0)
                {
                    seeds.Add(new DumpSeed("vsphere/" + name, ProfileFormat.VSphere, DumpText.VSphereJson(i % 4 == 0 ? new[] { profiles[0], other } : new[] { profiles[0] }), false));
                }

                if (i % 3 == 0)
                {
                    seeds.Add(new DumpSeed("json/" + name, ProfileFormat.Json, ProfileJson.WriteAll(new[] { profiles[0] }), true));
                }
            }

            var vsphereHost = ProfileReader.Parse(File.ReadAllText(Path.Combine(formats, "vsphere-host-ivybridge.json")), "h.json")[0];
            var bootCd = ProfileReader.Parse(File.ReadAllText(Path.Combine(formats, "bootcd-ivybridge.txt")), "cd.txt")[0];
            seeds.Add(new DumpSeed("json/vsphere-and-bootcd", ProfileFormat.Json, ProfileJson.WriteAll(new[] { vsphereHost, bootCd }), true));
            return seeds;
        }

        /// <summary>The report up to the start of logical CPU <paramref name="count"/>: a real dump of fewer CPUs.</summary>
        private static string FirstCpus(string text, int count)
        {
            var lines = text.Replace("\r\n", "\n").Split('\n');
            int seen = 0;
            for (int i = 0; i < lines.Length; i++)
            {
                if (lines[i].StartsWith("CPUID 00000000", StringComparison.Ordinal) && ++seen > count)
                {
                    // Cut at the header line before the block when there is one.
                    int cut = i > 0 && lines[i - 1].IndexOf("CPUID", StringComparison.Ordinal) >= 0 ? i - 1 : i;
                    while (cut > 0 && lines[cut - 1].StartsWith("------[ CPUID", StringComparison.Ordinal))
                    {
                        cut--;
                    }

                    return string.Join("\n", lines.Take(cut)) + "\n";
                }
            }

            return string.Join("\n", lines);
        }
    }

    /// <summary>Marks the characters of a seed that are reported values, per format, with patterns independent of the readers'.</summary>
    internal static class DumpValues
    {
        private static readonly Regex InstLatx64 = new Regex(@"^CPUID [0-9A-Fa-f]{8}: ([0-9A-Fa-f]{8})-([0-9A-Fa-f]{8})-([0-9A-Fa-f]{8})-([0-9A-Fa-f]{8})", RegexOptions.Multiline);
        private static readonly Regex LinuxCpuid = new Regex(@"\be[a-d]x=0x([0-9a-fA-F]{8})");
        private static readonly Regex VmwareLog = new Regex(@"hostCPUID level [0-9a-fA-F]{8}, \w+: 0x([0-9a-fA-F]{8}) 0x([0-9a-fA-F]{8}) 0x([0-9a-fA-F]{8}) 0x([0-9a-fA-F]{8})");
        private static readonly Regex BootCdPair = new Regex(@"\bID(?:0|1|80|81)(?:EAX|EBX|ECX|EDX)\s*[:=]?\s*0x([0-9a-fA-F]{8})");
        private static readonly Regex BootCdRow = new Regex(@"^0x([0-9a-fA-F]{8}) 0x([0-9a-fA-F]{8}) 0x([0-9a-fA-F]{8}) 0x([0-9a-fA-F]{8})$", RegexOptions.Multiline);
        private static readonly Regex BootCdVendor = new Regex(@"^Vendor\s*:\s*(\S+)", RegexOptions.Multiline);
        private static readonly Regex BootCdSignature = new Regex(@"Family: ([0-9a-fA-F]+) Model: ([0-9a-fA-F]+) Stepping: ([0-9a-fA-F]+)");
        private static readonly Regex VSphereRegister = new Regex(@"""(?i:eax|ebx|ecx|edx)"":\s*""([01:]{39})""");
        private static readonly Regex VSphereCapability = new Regex(@"""(?i:key)"":\s*""([^""]*)""|""(?i:value)"":\s*""([^""]*)""");
        private static readonly Regex JsonRegister = new Regex(@"""e[a-d]x"":\s*""0x([0-9A-Fa-f]{8})""");
        private static readonly Regex JsonCapability = new Regex(@"""(cpuid\.[^""]*)"":\s*""([^""]*)""");

        private static readonly Regex CapabilityLine = new Regex(@"^\s*""cpuid\.[^""]*"":\s*""[^""]*"",?\s*$");

        public static bool IsCapabilityLine(string line) => CapabilityLine.IsMatch(line);

        public static ValueChar[] Map(ProfileFormat format, string text)
        {
            var map = new ValueChar[text.Length];
            switch (format)
            {
                case ProfileFormat.InstLatx64:
                    Mark(map, InstLatx64, text, ValueChar.Hex);
                    break;
                case ProfileFormat.LinuxCpuid:
                    Mark(map, LinuxCpuid, text, ValueChar.Hex);
                    break;
                case ProfileFormat.VmwareLog:
                    Mark(map, VmwareLog, text, ValueChar.Hex);
                    break;
                case ProfileFormat.BootCd:
                    Mark(map, BootCdPair, text, ValueChar.Hex);
                    Mark(map, BootCdRow, text, ValueChar.Hex);
                    Mark(map, BootCdSignature, text, ValueChar.Hex);

                    // The vendor word is leaf 0 as the CD reports it.
                    Mark(map, BootCdVendor, text, ValueChar.Text);
                    break;
                case ProfileFormat.VSphere:
                    Mark(map, VSphereRegister, text, ValueChar.Bit);
                    Mark(map, VSphereCapability, text, ValueChar.Text);
                    for (int i = 0; i < map.Length; i++)
                    {
                        if (map[i] == ValueChar.Bit && text[i] == ':')
                        {
                            map[i] = ValueChar.None;
                        }
                    }

                    break;
                case ProfileFormat.Json:
                    Mark(map, JsonRegister, text, ValueChar.Hex);
                    Mark(map, JsonCapability, text, ValueChar.Text);
                    break;
            }

            return map;
        }

        /// <summary>Whether <paramref name="c"/> is a value the field at that place could hold.</summary>
        public static bool Fits(ValueChar kind, char c) => kind switch
        {
            ValueChar.Hex => Uri.IsHexDigit(c),
            ValueChar.Bit => c == '0' || c == '1',
            ValueChar.Text => c >= 0x20 && c != '"' && c != '\\',
            _ => false,
        };

        private static void Mark(ValueChar[] map, Regex pattern, string text, ValueChar kind)
        {
            foreach (Match match in pattern.Matches(text))
            {
                for (int g = 1; g < match.Groups.Count; g++)
                {
                    var group = match.Groups[g];
                    for (int i = group.Index; group.Success && i < group.Index + group.Length; i++)
                    {
                        map[i] = kind;
                    }
                }
            }
        }
    }
}
