using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using CpuidMask.Engine.Json;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Readers
{
    /// <summary>
    /// Reads CPU profiles from files: InstLatX64/AIDA64 dumps, Linux <c>cpuid -r</c> output, vmware.log,
    /// VMware's CPU identification boot CD, vSphere HostSystem JSON and this project's JSON export.
    /// The format is recognised from the content, not the file name.
    /// </summary>
    public static class ProfileReader
    {
        private static readonly Regex ExportShape = new Regex(@"""leaves""\s*:", RegexOptions.CultureInvariant);

        private static readonly Regex VSphereShape = new Regex(
            @"""(cpuFeature|featureCapability)""\s*:",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        /// <summary>
        /// The largest file read (32 MB): real dumps and exports are a few MB at most, and a bound keeps a device or
        /// a wrong file from exhausting memory.
        /// </summary>
        public const long MaxFileBytes = 32L * 1024 * 1024;

        /// <summary>Every logical CPU (dumps, <c>cpuid -r</c>) or host (vSphere JSON) in the file, in file order.</summary>
        public static IReadOnlyList<CpuidProfile> ReadAll(string path, ProfileReadOptions? options = null) =>
            Parse(ProfileFile.ReadText(path, MaxFileBytes), path, ProfileFormat.Unknown, options);

        /// <summary>
        /// The profiles a file stands for: every host of a file of hosts (a vSphere export, or cpuidmask JSON
        /// holding one profile or a list of them), else logical CPU <paramref name="cpuIndex"/> of a dump of
        /// one machine. What the shells read for each FILE or -Path they are given.
        /// </summary>
        public static IReadOnlyList<CpuidProfile> ReadHosts(string path, int cpuIndex = 0, ProfileReadOptions? options = null)
        {
            var (all, format) = ParseDetected(ProfileFile.ReadText(path, MaxFileBytes), path, ProfileFormat.Unknown, options);
            return format == ProfileFormat.Json || format == ProfileFormat.VSphere ? all : new[] { Pick(all, path, cpuIndex) };
        }

        /// <summary>One logical CPU or host of a file; 0 is the first.</summary>
        public static CpuidProfile Read(string path, int cpuIndex = 0, ProfileReadOptions? options = null) => Pick(ReadAll(path, options), path, cpuIndex);

        private static CpuidProfile Pick(IReadOnlyList<CpuidProfile> all, string path, int cpuIndex)
        {
            if (cpuIndex < 0 || cpuIndex >= all.Count)
            {
                throw new CpuidMaskException(
                    "CpuIndexOutOfRange",
                    ErrorKind.InvalidArgument,
                    string.Format(
                        CultureInfo.InvariantCulture,
                        "{0} holds {1} {2} (index 0 to {3}); there is no index {4}.",
                        path,
                        all.Count,
                        all.Count == 1 ? "CPU profile" : "CPU profiles",
                        all.Count - 1,
                        cpuIndex),
                    cpuIndex);
            }

            return all[cpuIndex];
        }

        /// <summary>
        /// Reads profiles from text. <paramref name="sourceName"/> (usually the path) names the profiles
        /// and appears in every error; <see cref="ProfileFormat.Unknown"/> detects the format. Every profile
        /// passes the structural checks (leaves 0 and 1, no conflicting or out-of-range leaves, consistent
        /// base features, and unless <see cref="ProfileReadOptions.AllowPartial"/> every leaf its kind of
        /// source reports).
        /// </summary>
        public static IReadOnlyList<CpuidProfile> Parse(string text, string sourceName, ProfileFormat format = ProfileFormat.Unknown, ProfileReadOptions? options = null) =>
            ParseDetected(text, sourceName, format, options).Profiles;

        private static (IReadOnlyList<CpuidProfile> Profiles, ProfileFormat Format) ParseDetected(string text, string sourceName, ProfileFormat format, ProfileReadOptions? options)
        {
            if (text == null)
            {
                throw new ArgumentNullException(nameof(text));
            }

            options ??= ProfileReadOptions.Strict;
            sourceName = string.IsNullOrWhiteSpace(sourceName) ? "(text)" : sourceName;
            text = DumpReading.NormaliseLineEndings(text);
            if (text.Trim('\uFEFF', ' ', '\t', '\n').Length == 0)
            {
                throw DumpReading.Empty(sourceName, "the file is empty.");
            }

            bool detected = format == ProfileFormat.Unknown;
            if (detected)
            {
                format = Detect(text);
            }

            IReadOnlyList<ParsedProfile> parsed;
            if (format == ProfileFormat.Json || format == ProfileFormat.VSphere)
            {
                var root = JsonDomNode.Parse(text, sourceName);
                if (detected)
                {
                    format = ProfileJson.IsExport(root) ? ProfileFormat.Json : ProfileFormat.VSphere;
                }

                parsed = format == ProfileFormat.Json
                    ? ProfileJson.ReadAll(root, sourceName).Select((p, i) => new ParsedProfile(p, $"profile {i} ('{p.Name}')", KindOfSaved(p.Format))).ToArray()
                    : VSphereJsonReader.Parse(root, sourceName);
            }
            else
            {
                parsed = ParseText(text, sourceName, format);
            }

            ProfileChecks.Check(parsed, sourceName, options);
            return (parsed.Select(p => p.Profile).ToArray(), format);
        }

        private static IReadOnlyList<ParsedProfile> ParseText(string text, string sourceName, ProfileFormat format)
        {
            switch (format)
            {
                case ProfileFormat.InstLatx64:
                    return InstLatx64Reader.Parse(text, sourceName);
                case ProfileFormat.LinuxCpuid:
                    return LinuxCpuidReader.Parse(text, sourceName);
                case ProfileFormat.VmwareLog:
                    return VmwareLogReader.Parse(text, sourceName);
                case ProfileFormat.BootCd:
                    return BootCdReader.Parse(text, sourceName);
                case ProfileFormat.Unknown:
                    throw new CpuidMaskException(
                        "ProfileFormatUnknown",
                        ErrorKind.InvalidData,
                        sourceName + " is not a CPUID source this tool reads. Expected one of: an InstLatX64/AIDA64 dump ('CPUID 00000001: 000306A9-00100800-7F9AE3BF-BFEBFBFF'), "
                        + "Linux 'cpuid -r' output ('   0x00000001 0x00: eax=0x000306a9 ...'), a vmware.log with 'hostCPUID level' lines, "
                        + "VMware CPU identification boot CD output ('ID1ECX 0x...'), a vSphere HostSystem as JSON (hardware.cpuFeature, config.featureCapability), "
                        + "or a profile exported by this tool as JSON.",
                        sourceName);
                default:
                    throw new CpuidMaskException(
                        "ProfileFormatUnknown",
                        ErrorKind.InvalidArgument,
                        string.Format(CultureInfo.InvariantCulture, "{0}: format {1} is not read from text.", sourceName, format),
                        sourceName);
            }
        }

        /// <summary>
        /// A saved profile is checked by what its original source reports. Full dumps keep every leaf but not
        /// the knowledge of whether the dumper told subleaves apart, so subleaves are not demanded.
        /// </summary>
        private static SourceKind KindOfSaved(ProfileFormat original) => original switch
        {
            ProfileFormat.InstLatx64 => SourceKind.FullDump,
            ProfileFormat.LinuxCpuid => SourceKind.FullDump,
            ProfileFormat.Local => SourceKind.FullDump,
            ProfileFormat.BootCd => SourceKind.BootCd,
            ProfileFormat.VSphere => SourceKind.VSphere,
            _ => SourceKind.HostLog,
        };

        /// <summary>The format of a text, judged from its content; Unknown when nothing fits.</summary>
        public static ProfileFormat Detect(string text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return ProfileFormat.Unknown;
            }

            text = DumpReading.NormaliseLineEndings(text);
            foreach (char c in text)
            {
                if (c == '\uFEFF' || char.IsWhiteSpace(c))
                {
                    continue;
                }

                if (c == '{' || c == '[')
                {
                    return ExportShape.IsMatch(text) ? ProfileFormat.Json
                        : VSphereShape.IsMatch(text) ? ProfileFormat.VSphere
                        : ProfileFormat.Unknown;
                }

                break;
            }

            if (InstLatx64Reader.Looks(text))
            {
                return ProfileFormat.InstLatx64;
            }

            if (LinuxCpuidReader.Looks(text))
            {
                return ProfileFormat.LinuxCpuid;
            }

            if (VmwareLogReader.Looks(text))
            {
                return ProfileFormat.VmwareLog;
            }

            if (BootCdReader.Looks(text))
            {
                return ProfileFormat.BootCd;
            }

            return ProfileFormat.Unknown;
        }
    }
}
