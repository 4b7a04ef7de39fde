using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;
using Xunit;

namespace CpuidMask.Engine.Tests.Readers
{
    /// <summary>
    /// Golden tests over every real dump: tests/data/dumps/expected.xml states each CPU's identity and
    /// a dozen feature bits as documented for that processor, and the reader must agree.
    /// </summary>
    public class DumpGoldenTests
    {
        private static readonly Lazy<XElement[]> Expected = new Lazy<XElement[]>(() =>
            XDocument.Load(Path.Combine(TestFiles.DumpsDir, "expected.xml")).Root!.Elements("dump").ToArray());

        private static readonly Dictionary<string, IReadOnlyList<CpuidProfile>> Cache = new Dictionary<string, IReadOnlyList<CpuidProfile>>();

        public static TheoryData<string> DumpFiles()
        {
            var data = new TheoryData<string>();
            foreach (var dump in Expected.Value)
            {
                data.Add((string)dump.Attribute("file")!);
            }

            return data;
        }

        [Fact]
        public void ExpectedXml_CoversEveryDumpInTheFolder()
        {
            var listed = Expected.Value.Select(d => (string)d.Attribute("file")!).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            var present = Directory.GetFiles(TestFiles.DumpsDir, "*.txt").Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray();

            Assert.Equal(40, present.Length);
            Assert.Equal(present, listed);
        }

        [Theory]
        [MemberData(nameof(DumpFiles))]
        public void ReadAll_EveryDump_MatchesGoldenIdentity(string file)
        {
            var expected = Find(file);
            var profiles = ReadAll(file);
            var cpu0 = profiles[0];

            Assert.Equal(Int(expected, "cpus"), profiles.Count);
            Assert.Equal((string)expected.Attribute("vendor")!, cpu0.Vendor);
            Assert.Equal(Int(expected, "family"), cpu0.Family);
            Assert.Equal(Int(expected, "model"), cpu0.Model);
            Assert.Equal(Int(expected, "stepping"), cpu0.Stepping);
            Assert.Equal((uint)Int(expected, "maxStd"), cpu0.MaxStandardLeaf);
            Assert.Equal((uint)Int(expected, "maxExt"), cpu0.MaxExtendedLeaf);
            Assert.Equal((string)expected.Attribute("brand")!, cpu0.Brand);
            Assert.Equal(ProfileFormat.InstLatx64, cpu0.Format);
            Assert.Equal(Path.GetFileNameWithoutExtension(file), cpu0.Name);
            Assert.Equal(TestFiles.Dump(file) + " (InstLatx64)", cpu0.Source);
            Assert.All(profiles, p => Assert.Equal(cpu0.Vendor, p.Vendor));
        }

        [Theory]
        [MemberData(nameof(DumpFiles))]
        public void Read_EveryDump_DocumentedFeatureBitsHold(string file)
        {
            var profile = ReadAll(file)[0];
            var failures = new List<string>();
            foreach (var bit in Find(file).Elements("bit"))
            {
                uint leaf = (uint)Int(bit, "leaf");
                uint subleaf = (uint)Int(bit, "subleaf");
                Assert.True(CpuidRegisterNames.TryParse((string)bit.Attribute("register")!, out var register));
                int index = Int(bit, "bit");
                var expected = (string)bit.Attribute("expect")! switch
                {
                    "present" => FeatureState.Present,
                    "absent" => FeatureState.Absent,
                    "unknown" => FeatureState.Unknown,
                    var other => throw new InvalidDataException("expect=" + other),
                };

                var actual = profile.GetBit(leaf, subleaf, register, index);
                if (actual != expected)
                {
                    failures.Add($"{bit.Attribute("name")!.Value} ({new LeafKey(leaf, subleaf)} {register.ToName()}[{index}]): expected {expected}, read {actual}");
                }
            }

            Assert.True(failures.Count == 0, file + ": " + string.Join("; ", failures));
        }

        /// <summary>
        /// Every logical CPU of a dump is the same CPU; only topology fields (APIC IDs, core/node IDs) differ.
        /// Two dumps have documented extra differences, see <see cref="AllowedDifference"/>.
        /// </summary>
        [Theory]
        [MemberData(nameof(DumpFiles))]
        public void ReadAll_EveryDump_LogicalCpusDifferOnlyInTopologyFields(string file)
        {
            var profiles = ReadAll(file);
            var first = profiles[0];
            var last = profiles[profiles.Count - 1];
            var unexpected = new List<string>();
            foreach (var other in profiles.Skip(1))
            {
                Assert.Equal(first.Leaves.Select(l => l.Key), other.Leaves.Select(l => l.Key));
                foreach (var leaf in first.Leaves)
                {
                    var theirs = other.GetLeaf(leaf.Leaf, leaf.Subleaf)!;
                    foreach (CpuidRegister register in Enum.GetValues(typeof(CpuidRegister)))
                    {
                        uint diff = leaf.Registers[register] ^ theirs.Registers[register];
                        if ((diff & ~AllowedDifference(file, leaf.Leaf, register)) != 0)
                        {
                            unexpected.Add($"{other.Name} {leaf.Key} {register.ToName()} differs by 0x{diff:X8}");
                        }
                    }
                }
            }

            Assert.True(unexpected.Count == 0, string.Join("; ", unexpected.Take(10)));
            if (profiles.Count > 1)
            {
                // The APIC ID in leaf 1 EBX[31:24] tells the CPUs apart in every dump.
                Assert.NotEqual(first.TryGet(1, 0, CpuidRegister.Ebx) >> 24, last.TryGet(1, 0, CpuidRegister.Ebx) >> 24);
            }
        }

        [Theory]
        [MemberData(nameof(DumpFiles))]
        public void Read_CpuIndex_NamesAndSourcesTheLogicalCpu(string file)
        {
            var all = ReadAll(file);
            int index = all.Count - 1;
            var profile = ProfileReader.Read(TestFiles.Dump(file), index);

            Assert.Equal(all[index].Leaves.Select(l => l.Registers), profile.Leaves.Select(l => l.Registers));
            string suffix = index > 0 ? "#cpu" + index.ToString(CultureInfo.InvariantCulture) : string.Empty;
            Assert.Equal(Path.GetFileNameWithoutExtension(file) + suffix, profile.Name);
            Assert.Equal(TestFiles.Dump(file) + suffix + " (InstLatx64)", profile.Source);
        }

        private static uint AllowedDifference(string file, uint leaf, CpuidRegister register)
        {
            switch (leaf)
            {
                case 1 when register == CpuidRegister.Ebx:
                    return 0xFF000000u; // initial APIC ID
                case 0xB when register == CpuidRegister.Edx:
                case 0x1F when register == CpuidRegister.Edx:
                case 0x80000026u when register == CpuidRegister.Edx:
                    return 0xFFFFFFFFu; // x2APIC ID
                case 0x8000001Eu when register != CpuidRegister.Edx:
                    return 0xFFFFFFFFu; // AMD extended APIC ID, compute unit / core ID, node ID
                case 0x80000001u when register == CpuidRegister.Ecx && file.Contains("AbuDhabi"):
                    // Observed: LWP (bit 15) is set on the odd logical CPUs only, i.e. on one core of each
                    // Piledriver compute unit, in every block of this dump.
                    return 1u << 15;
                case 0xC0000004u when file.StartsWith("CentaurHauls", StringComparison.Ordinal):
                    return 0xFFFFFFFFu; // Centaur/Zhaoxin live performance state and temperature
                default:
                    return 0;
            }
        }

        internal static IReadOnlyList<CpuidProfile> ReadAll(string file)
        {
            lock (Cache)
            {
                if (!Cache.TryGetValue(file, out var profiles))
                {
                    profiles = ProfileReader.ReadAll(TestFiles.Dump(file));
                    Cache[file] = profiles;
                }

                return profiles;
            }
        }

        private static XElement Find(string file) =>
            Expected.Value.Single(d => (string)d.Attribute("file")! == file);

        private static int Int(XElement element, string name)
        {
            string text = (string)element.Attribute(name)!;
            return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? (int)uint.Parse(text.Substring(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
                : int.Parse(text, CultureInfo.InvariantCulture);
        }
    }
}
