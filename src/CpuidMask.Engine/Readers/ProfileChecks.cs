using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Readers
{
    /// <summary>What a kind of source reports by its nature, and so what a profile read from it must hold.</summary>
    internal enum SourceKind
    {
        /// <summary>A dumper that prints every leaf it knows up to the maxima (InstLatx64/AIDA64, cpuid -r, the CPUID instruction).</summary>
        FullDump,

        /// <summary>The hostCPUID lines of a vmware.log (old versions log only subleaf 0), or a saved profile of unknown origin.</summary>
        HostLog,

        /// <summary>The CPU identification boot CD: the vendor, the signature and four feature registers.</summary>
        BootCd,

        /// <summary>vSphere host data: raw leaves 0, 1, 0x80000000 and 0x80000001, the rest as featureCapability.</summary>
        VSphere,
    }

    /// <summary>A profile as a reader built it, with what the checks need to know about where it came from.</summary>
    internal sealed class ParsedProfile
    {
        public ParsedProfile(CpuidProfile profile, string where, SourceKind kind, IReadOnlyCollection<uint>? subleafLeaves = null, IReadOnlyDictionary<LeafKey, int>? lines = null)
        {
            Profile = profile;
            Where = where;
            Kind = kind;
            SubleafLeaves = subleafLeaves ?? Array.Empty<uint>();
            Lines = lines;
        }

        public CpuidProfile Profile { get; }

        /// <summary>Which part of the file: "logical CPU 3 (from line 120)", "host 1 ('esx2')".</summary>
        public string Where { get; }

        public SourceKind Kind { get; }

        /// <summary>
        /// The leaves whose subleaves the source tells apart (a subleaf tag or column): for leaves 7 and 0xD, their
        /// subleaves are then expected.
        /// </summary>
        public IReadOnlyCollection<uint> SubleafLeaves { get; }

        /// <summary>The line each leaf was read from, for messages; null for JSON.</summary>
        public IReadOnlyDictionary<LeafKey, int>? Lines { get; }
    }

    /// <summary>
    /// The structural checks every profile read from a file passes: leaves 0 and 1 present, no leaf beyond the
    /// maxima the CPU itself reports, the XSAVE leaf and the base x86-64 features consistent with the rest, and
    /// (unless the caller allows partial profiles) every leaf the kind of source normally reports. A damaged
    /// file fails one of them instead of turning into a plausible but wrong CPU.
    /// </summary>
    internal static class ProfileChecks
    {
        public const string LeafMissing = "ProfileLeafMissing";
        public const string Incomplete = "ProfileIncomplete";
        public const string LeafConflict = "ProfileLeafConflict";
        public const string LeafOutOfRange = "ProfileLeafOutOfRange";
        public const string Inconsistent = "ProfileInconsistent";
        public const string BaseFeaturesMissing = "ProfileBaseFeaturesMissing";

        // The highest leaves whose layout is known; a dumper's choices above them are not second-guessed.
        private const uint HighestKnownStandardLeaf = 0x24;
        private const uint HighestKnownExtendedLeaf = 0x80000028u;

        // Leaf 7 reports its highest subleaf in 7.0 EAX; no CPU comes near this, a damaged value might.
        private const uint HighestPlausibleLeaf7Subleaf = 8;

        /// <summary>The x86-64 psABI baseline in leaf 1 EDX, which every CPU with long mode has.</summary>
        private static readonly (int Bit, string Name)[] LongModeBaseline =
        {
            (0, "FPU"), (8, "CX8"), (15, "CMOV"), (23, "MMX"), (24, "FXSR"), (25, "SSE"), (26, "SSE2"),
        };

        /// <summary>
        /// Leaves enumerated by subleaf until an empty one, which dumpers leave out entirely when even
        /// subleaf 0 is empty (AMD's leaves 4 and 0xB) and may print several times.
        /// </summary>
        public static bool HasSubleaves(uint leaf)
        {
            switch (leaf)
            {
                case 0x4:
                case 0x7:
                case 0xB:
                case 0xD:
                case 0xF:
                case 0x10:
                case 0x12:
                case 0x14:
                case 0x17:
                case 0x18:
                case 0x1B:
                case 0x1D:
                case 0x1E:
                case 0x1F:
                case 0x20:
                case 0x23:
                case 0x24:
                case 0x8000001Du:
                case 0x80000020u:
                case 0x80000026u:
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>
        /// Runs every check on the profiles of one file. Throws for the first hard failure, and for missing
        /// leaves unless <paramref name="options"/> allow partial profiles; then warns once for the file.
        /// </summary>
        public static void Check(IReadOnlyList<ParsedProfile> parsed, string sourceName, ProfileReadOptions options)
        {
            var partial = new List<string>();
            foreach (var item in parsed)
            {
                var missing = CheckOne(item, sourceName);
                if (missing.Count == 0)
                {
                    continue;
                }

                string list = (item.Kind == SourceKind.BootCd || item.Kind == SourceKind.VSphere ? string.Empty : Plural(missing.Count, "leaf ", "leaves "))
                    + string.Join(", ", missing.ToArray());
                if (!options.AllowPartial)
                {
                    throw new CpuidMaskException(
                        Incomplete,
                        ErrorKind.InvalidData,
                        $"{sourceName}: {item.Where} lacks {list}, which {Describe(item)} always reports. "
                        + "The file looks damaged, cut short or trimmed, and the features there would read as unknown; take the data again.",
                        sourceName)
                    {
                        Remedy = new Remedy(RemedyKind.AllowPartial, "to read it with what it has"),
                    };
                }

                partial.Add($"{item.Where} lacks {list}");
            }

            if (partial.Count > 0 && options.Warn != null)
            {
                string which = partial.Count <= 3
                    ? string.Join("; ", partial.ToArray())
                    : string.Join("; ", partial.Take(2).ToArray()) + $"; and {partial.Count - 2} more";
                options.Warn(new Advice($"{sourceName} is read as a partial profile: {which}. Features in those leaves are unknown."));
            }
        }

        /// <summary>The error for two different reports of one leaf within one CPU's data.</summary>
        public static CpuidMaskException Conflict(string sourceName, LeafKey key, int? line, int? firstLine, string where) =>
            new CpuidMaskException(
                LeafConflict,
                ErrorKind.InvalidData,
                string.Format(
                    CultureInfo.InvariantCulture,
                    "{0}{1}: leaf {2} is reported again with other values than {3}, within {4}. One CPU gives one answer per leaf: the file is damaged or mixes two CPUs; take the data again.",
                    sourceName,
                    line is int l ? " line " + l.ToString(CultureInfo.InvariantCulture) : string.Empty,
                    Describe(key),
                    firstLine is int f ? "on line " + f.ToString(CultureInfo.InvariantCulture) : "before",
                    where),
                sourceName);

        private static List<string> CheckOne(ParsedProfile item, string sourceName)
        {
            var profile = item.Profile;
            RequireIdentity(item, sourceName);
            CheckRanges(item, sourceName);
            CheckXsave(item, sourceName);
            CheckBaseFeatures(item, sourceName);

            var missing = new List<string>();
            foreach (var (key, registers, label) in Expected(item))
            {
                var leaf = profile.GetLeaf(key.Leaf, key.Subleaf);
                if (leaf == null || (leaf.Known & registers) != registers)
                {
                    missing.Add(label);
                }
            }

            if (item.Kind == SourceKind.VSphere && profile.Capabilities.Count == 0)
            {
                missing.Add("config.featureCapability (the features of leaves 7, 0xD and above)");
            }

            return missing;
        }

        private static void RequireIdentity(ParsedProfile item, string sourceName)
        {
            var profile = item.Profile;
            bool bootCd = item.Kind == SourceKind.BootCd;
            var vendorRegisters = RegisterSet.Ebx | RegisterSet.Ecx | RegisterSet.Edx;
            var leaf0 = profile.GetLeaf(0);
            if (leaf0 == null || (leaf0.Known & (bootCd ? vendorRegisters : RegisterSet.All)) != (bootCd ? vendorRegisters : RegisterSet.All))
            {
                throw new CpuidMaskException(
                    LeafMissing,
                    ErrorKind.InvalidData,
                    bootCd
                        ? $"{sourceName}: {item.Where} has no vendor; the boot CD prints it as 'Vendor: Intel' (or AMD), and without it the registers cannot be read. Add that line from the CD's screen."
                        : $"{sourceName}: {item.Where} has no leaf 0x0 (vendor and highest leaf); every CPUID source reports leaves 0 and 1. The file is damaged or cut; take the data again.",
                    sourceName);
            }

            // A saved profile states its vendor besides leaf 0; the two must agree.
            string fromLeaf0 = new CpuidProfile("leaf 0", new[] { leaf0 }).Vendor;
            if (!string.Equals(fromLeaf0, profile.Vendor, StringComparison.Ordinal))
            {
                throw new CpuidMaskException(
                    Inconsistent,
                    ErrorKind.InvalidData,
                    $"{sourceName}{AtLine(item, leaf0.Key)}: {item.Where} names the vendor '{profile.Vendor}', but its leaf 0x0 says '{fromLeaf0}'. The file is damaged or was edited; take the data again.",
                    sourceName);
            }

            var leaf1Registers = bootCd ? RegisterSet.Ecx | RegisterSet.Edx : RegisterSet.All;
            var leaf1 = profile.GetLeaf(1);
            if (leaf1 == null || (leaf1.Known & leaf1Registers) != leaf1Registers)
            {
                throw new CpuidMaskException(
                    LeafMissing,
                    ErrorKind.InvalidData,
                    bootCd
                        ? $"{sourceName}: {item.Where} lacks ID1ECX or ID1EDX (leaf 1, the base features); copy both from the boot CD's screen."
                        : $"{sourceName}: {item.Where} has no leaf 0x1 (signature and base features); every CPUID source reports leaves 0 and 1. The file is damaged or cut; take the data again.",
                    sourceName);
            }
        }

        /// <summary>A leaf beyond the highest one leaf 0 or 0x80000000 reports, or beyond leaf 7's highest subleaf, contradicts the CPU's own answer.</summary>
        private static void CheckRanges(ParsedProfile item, string sourceName)
        {
            var profile = item.Profile;
            uint? maxStd = profile.MaxStandardLeaf;
            uint? maxExt = profile.MaxExtendedLeaf;
            uint? maxLeaf7 = profile.TryGet(7, 0, CpuidRegister.Eax);
            foreach (var leaf in profile.Leaves)
            {
                string? reason = null;
                uint l = leaf.Leaf;
                if (maxStd is uint std && l > std && l < 0x20000000u)
                {
                    reason = $"above the highest standard leaf {LeafKey.FormatLeaf(std)} that leaf 0x0{LineOf(item, new LeafKey(0))} reports";
                }
                else if (maxExt is uint ext && l > 0x80000000u && l < 0x80010000u && (ext < 0x80000000u || l > ext))
                {
                    reason = ext < 0x80000000u
                        ? $"an extended leaf, though leaf 0x80000000{LineOf(item, new LeafKey(0x80000000u))} reports none"
                        : $"above the highest extended leaf {LeafKey.FormatLeaf(ext)} that leaf 0x80000000{LineOf(item, new LeafKey(0x80000000u))} reports";
                }
                else if (l == 7 && leaf.Subleaf > 0 && maxLeaf7 is uint sub7 && leaf.Subleaf > sub7)
                {
                    reason = $"above the highest subleaf {sub7.ToString(CultureInfo.InvariantCulture)} that leaf 0x7 subleaf 0{LineOf(item, new LeafKey(7))} reports";
                }

                if (reason != null)
                {
                    throw new CpuidMaskException(
                        LeafOutOfRange,
                        ErrorKind.InvalidData,
                        $"{sourceName}{AtLine(item, leaf.Key)}: leaf {Describe(leaf.Key)} of {item.Where} is {reason}. The CPU cannot have answered both; the file is damaged. Take the data again.",
                        sourceName);
                }
            }
        }

        /// <summary>
        /// Every CPU with XSAVE lists the x87 and SSE states (bits 0 and 1 of leaf 0xD subleaf 0 EAX); a leaf 0xD
        /// subleaf 0 without them holds another subleaf's data.
        /// </summary>
        private static void CheckXsave(ParsedProfile item, string sourceName)
        {
            var profile = item.Profile;
            if (profile.TryGet(1, 0, CpuidRegister.Ecx) is uint ecx && (ecx & (1u << 26)) != 0
                && profile.TryGet(0xD, 0, CpuidRegister.Eax) is uint states && (states & 0x3) != 0x3)
            {
                throw new CpuidMaskException(
                    Inconsistent,
                    ErrorKind.InvalidData,
                    string.Format(
                        CultureInfo.InvariantCulture,
                        "{0}{1}: leaf 0xD subleaf 0 of {2} lists the XSAVE states 0x{3:X8}, without the x87 and SSE states every CPU with XSAVE has. The line holds another subleaf's data or is damaged; take the data again.",
                        sourceName,
                        AtLine(item, new LeafKey(0xD)),
                        item.Where,
                        states),
                    sourceName);
            }

            // Subleaf 0 ECX is the size of an XSAVE area for every XCR0 component: never less than the legacy region and
            // header (576 bytes), and with the upper YMM halves (256 bytes at 576) at least 832. Less is another subleaf's line.
            if (profile.TryGet(1, 0, CpuidRegister.Ecx) is uint ecx1 && (ecx1 & (1u << 26)) != 0
                && profile.TryGet(0xD, 0, CpuidRegister.Eax) is uint components && profile.TryGet(0xD, 0, CpuidRegister.Ecx) is uint areaSize
                && areaSize < ((components & 0x4) != 0 ? 0x340u : 0x240u))
            {
                throw new CpuidMaskException(
                    Inconsistent,
                    ErrorKind.InvalidData,
                    string.Format(
                        CultureInfo.InvariantCulture,
                        "{0}{1}: leaf 0xD subleaf 0 of {2} gives {3} bytes as the largest XSAVE area for the states 0x{4:X8}, less than those states take (576 bytes of legacy region and header{5}). The line holds another subleaf's data or is damaged; take the data again.",
                        sourceName,
                        AtLine(item, new LeafKey(0xD)),
                        item.Where,
                        areaSize,
                        components,
                        (components & 0x4) != 0 ? ", 256 more for YMM" : string.Empty),
                    sourceName);
            }

            // A state component the CPU supports neither in XCR0 (0xD.0 EDX:EAX) nor in IA32_XSS (0xD.1 EDX:ECX) has
            // an all-zero subleaf (Intel SDM vol. 2A, CPUID leaf 0DH); a subleaf with data for one is another CPU's line.
            if (profile.TryGet(0xD, 0, CpuidRegister.Eax) is uint xcr0Low && profile.TryGet(0xD, 0, CpuidRegister.Edx) is uint xcr0High
                && profile.TryGet(0xD, 1, CpuidRegister.Ecx) is uint xssLow && profile.TryGet(0xD, 1, CpuidRegister.Edx) is uint xssHigh)
            {
                ulong supported = ((ulong)xcr0High << 32) | xcr0Low | ((ulong)xssHigh << 32) | xssLow;
                foreach (var leaf in profile.Leaves.Where(l => l.Leaf == 0xD && l.Subleaf >= 2 && l.Subleaf <= 63))
                {
                    var r = leaf.Registers;
                    if ((supported & (1UL << (int)leaf.Subleaf)) == 0 && (r.Eax | r.Ebx | r.Ecx | r.Edx) != 0)
                    {
                        throw new CpuidMaskException(
                            Inconsistent,
                            ErrorKind.InvalidData,
                            string.Format(
                                CultureInfo.InvariantCulture,
                                "{0}{1}: leaf 0xD subleaf {2} of {3} describes XSAVE state component {2}, which the CPU does not support (it is in neither 0xD subleaf 0 nor 1), so the CPU answers it with zeros. The line is another CPU's or damaged; take the data again.",
                                sourceName,
                                AtLine(item, leaf.Key),
                                leaf.Subleaf,
                                item.Where),
                            sourceName);
                    }
                }
            }
        }

        /// <summary>
        /// Long mode implies the x86-64 baseline (FPU, CX8, CMOV, MMX, FXSR, SSE, SSE2). For 32-bit CPUs only the
        /// chain SSE2 → SSE → FXSR is certain: CPUs with CPUID but without an FPU (486SX, some embedded parts) exist.
        /// </summary>
        private static void CheckBaseFeatures(ParsedProfile item, string sourceName)
        {
            var profile = item.Profile;
            if (!(profile.TryGet(1, 0, CpuidRegister.Edx) is uint edx))
            {
                return;
            }

            bool longMode = profile.TryGet(0x80000001u, 0, CpuidRegister.Edx) is uint extEdx && (extEdx & (1u << 29)) != 0
                && profile.MaxExtendedLeaf is uint maxExt && maxExt >= 0x80000001u;
            var absent = new List<string>();
            if (longMode)
            {
                absent.AddRange(LongModeBaseline.Where(f => (edx & (1u << f.Bit)) == 0).Select(f => f.Name));
            }
            else if (((edx & (1u << 26)) != 0 && (edx & (1u << 25)) == 0) || ((edx & (1u << 25)) != 0 && (edx & (1u << 24)) == 0))
            {
                absent.Add((edx & (1u << 25)) == 0 ? "SSE (SSE2 is present)" : "FXSR (SSE is present)");
            }

            if (absent.Count > 0)
            {
                throw new CpuidMaskException(
                    BaseFeaturesMissing,
                    ErrorKind.InvalidData,
                    string.Format(
                        CultureInfo.InvariantCulture,
                        "{0}{1}: leaf 0x1 EDX (0x{2:X8}) of {3} lacks {4}, which every {5} has. The value is damaged; take the data again.",
                        sourceName,
                        AtLine(item, new LeafKey(1)),
                        edx,
                        item.Where,
                        string.Join(", ", absent.ToArray()),
                        longMode ? "x86-64 CPU (leaf 0x80000001 reports long mode)" : "CPU with those extensions"),
                    sourceName);
            }
        }

        /// <summary>What the kind of source reports by nature: (leaf, registers, how to name it when missing).</summary>
        private static IEnumerable<(LeafKey Key, RegisterSet Registers, string Label)> Expected(ParsedProfile item)
        {
            var profile = item.Profile;
            if (item.Kind == SourceKind.BootCd)
            {
                yield return (new LeafKey(1), RegisterSet.Eax, "the 'Family: .. Model: .. Stepping: ..' line (leaf 0x1 EAX)");
                yield return (new LeafKey(0x80000001u), RegisterSet.Ecx, "ID81ECX");
                yield return (new LeafKey(0x80000001u), RegisterSet.Edx, "ID81EDX");
                yield break;
            }

            if (item.Kind == SourceKind.VSphere)
            {
                foreach (uint level in VSphereHostData.ReportedLevels.Where(l => l > 1))
                {
                    yield return (new LeafKey(level), RegisterSet.All, "cpuFeature level " + LeafKey.FormatLeaf(level));
                }

                yield break;
            }

            uint maxStd = profile.MaxStandardLeaf ?? 0;
            uint maxExt = profile.MaxExtendedLeaf is uint e && e >= 0x80000000u ? e : 0;
            var leaves = new SortedSet<LeafKey>();
            var supervisorSubleaves = new List<LeafKey>();
            // Every CPU since the Pentium 4 and the Athlon 64 (all with SSE2) reports the extended leaves; 486, Pentium,
            // Pentium II/III, K5 and other CPUs of that age have none, and their dumps rightly lack leaf 0x80000000. A dump
            // with other extended leaves has it too: dumpers read it first to know how far to go.
            if (maxExt != 0 || (profile.TryGet(1, 0, CpuidRegister.Edx) is uint features && (features & (1u << 26)) != 0)
                || profile.Leaves.Any(l => l.Leaf > 0x80000000u && l.Leaf < 0x80010000u))
            {
                leaves.Add(new LeafKey(0x80000000u));
            }

            foreach (uint leaf in new uint[] { 6, 7, 0xD, 0x14 })
            {
                if (leaf <= maxStd)
                {
                    leaves.Add(new LeafKey(leaf));
                }
            }

            foreach (uint leaf in new[] { 0x80000001u, 0x80000007u, 0x80000008u, 0x80000021u })
            {
                if (maxExt != 0 && leaf <= maxExt)
                {
                    leaves.Add(new LeafKey(leaf));
                }
            }

            if (item.Kind == SourceKind.FullDump)
            {
                for (uint leaf = 2; leaf <= Math.Min(maxStd, HighestKnownStandardLeaf); leaf++)
                {
                    if (!HasSubleaves(leaf))
                    {
                        leaves.Add(new LeafKey(leaf));
                    }
                }

                if (maxExt != 0)
                {
                    for (uint leaf = 0x80000001u; leaf <= Math.Min(maxExt, HighestKnownExtendedLeaf); leaf++)
                    {
                        if (!HasSubleaves(leaf))
                        {
                            leaves.Add(new LeafKey(leaf));
                        }
                    }
                }
            }

            if (item.SubleafLeaves.Contains(7u) && 7 <= maxStd && profile.TryGet(7, 0, CpuidRegister.Eax) is uint max7)
            {
                for (uint sub = 1; sub <= Math.Min(max7, HighestPlausibleLeaf7Subleaf); sub++)
                {
                    leaves.Add(new LeafKey(7, sub));
                }
            }

            if (item.SubleafLeaves.Contains(0xDu) && 0xD <= maxStd)
            {
                leaves.Add(new LeafKey(0xD, 1));

                // A full dump lists the subleaf of the state components the CPU supports (XCR0's in 0xD.0 EDX:EAX,
                // XSS's in 0xD.1 EDX:ECX); a lost line would turn the features read there unknown. Only the subleaves
                // the catalog reads features from are required: some AIDA64 versions leave out others (PT's, 8).
                if (item.Kind == SourceKind.FullDump)
                {
                    ulong components = ((ulong)(profile.TryGet(0xD, 0, CpuidRegister.Edx) ?? 0) << 32) | (profile.TryGet(0xD, 0, CpuidRegister.Eax) ?? 0)
                        | ((ulong)(profile.TryGet(0xD, 1, CpuidRegister.Edx) ?? 0) << 32) | (profile.TryGet(0xD, 1, CpuidRegister.Ecx) ?? 0);
                    ulong supervisor = ((ulong)(profile.TryGet(0xD, 1, CpuidRegister.Edx) ?? 0) << 32) | (profile.TryGet(0xD, 1, CpuidRegister.Ecx) ?? 0);
                    foreach (uint component in StateSubleavesWithFeatures.Value)
                    {
                        if (component < 64 && (supervisor & (1UL << (int)component)) != 0)
                        {
                            // Only ECX is read there, and the readers derive it from subleaf 1 when the dump leaves it out.
                            supervisorSubleaves.Add(new LeafKey(0xD, component));
                        }
                        else if (component < 64 && (components & (1UL << (int)component)) != 0)
                        {
                            leaves.Add(new LeafKey(0xD, component));
                        }
                    }
                }
            }

            foreach (var key in leaves)
            {
                yield return (key, RegisterSet.All, Describe(key));
            }

            foreach (var key in supervisorSubleaves)
            {
                yield return (key, RegisterSet.Ecx, Describe(key));
            }
        }

        /// <summary>The leaf 0xD subleaves above 1 that the catalog reads features from (CET's, AMX's state components).</summary>
        internal static readonly Lazy<uint[]> StateSubleavesWithFeatures = new Lazy<uint[]>(() =>
            Catalog.FeatureCatalog.Default.Features.Select(f => f.LeafKey).Where(k => k.Leaf == 0xD && k.Subleaf > 1).Select(k => k.Subleaf).Distinct().ToArray());

        private static string Describe(ParsedProfile item) => item.Kind switch
        {
            SourceKind.FullDump => item.Profile.Format == ProfileFormat.Json || item.Profile.Format == ProfileFormat.Unknown ? "a saved full dump" : "a full CPUID dump",
            SourceKind.BootCd => "the boot CD",
            SourceKind.VSphere => "vSphere host data",
            _ => item.Profile.Format == ProfileFormat.VmwareLog ? "a vmware.log's hostCPUID list" : "a saved profile",
        };

        private static string Describe(LeafKey key) =>
            key.Subleaf == 0 ? LeafKey.FormatLeaf(key.Leaf) : LeafKey.FormatLeaf(key.Leaf) + " subleaf " + key.Subleaf.ToString(CultureInfo.InvariantCulture);

        private static string AtLine(ParsedProfile item, LeafKey key) =>
            item.Lines != null && item.Lines.TryGetValue(key, out int line) ? " line " + line.ToString(CultureInfo.InvariantCulture) : string.Empty;

        private static string LineOf(ParsedProfile item, LeafKey key) =>
            item.Lines != null && item.Lines.TryGetValue(key, out int line) ? " (line " + line.ToString(CultureInfo.InvariantCulture) + ")" : string.Empty;

        private static string Plural(int count, string one, string many) => count == 1 ? one : many;
    }
}
