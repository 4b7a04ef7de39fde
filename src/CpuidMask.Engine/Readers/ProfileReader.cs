using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
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

        /// <summary>Every logical CPU (dumps, <c>cpuid -r</c>) or host (vSphere JSON) in the file, in file order.</summary>
        public static IReadOnlyList<CpuidProfile> ReadAll(string path) => Parse(ReadText(path), path);

        /// <summary>
        /// The profiles a file stands for: every host of a file of hosts (a vSphere export, or cpuidmask JSON
        /// holding one profile or a list of them), else logical CPU <paramref name="cpuIndex"/> of a dump of
        /// one machine. What the shells read for each FILE or -Path they are given.
        /// </summary>
        public static IReadOnlyList<CpuidProfile> ReadHosts(string path, int cpuIndex = 0)
        {
            string text = ReadText(path);
            var all = Parse(text, path);
            var format = Detect(text);
            return format == ProfileFormat.Json || format == ProfileFormat.VSphere ? all : new[] { Pick(all, path, cpuIndex) };
        }

        /// <summary>One logical CPU or host of a file; 0 is the first.</summary>
        public static CpuidProfile Read(string path, int cpuIndex = 0) => Pick(ReadAll(path), path, cpuIndex);

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
        /// and appears in every error; <see cref="ProfileFormat.Unknown"/> detects the format.
        /// </summary>
        public static IReadOnlyList<CpuidProfile> Parse(string text, string sourceName, ProfileFormat format = ProfileFormat.Unknown)
        {
            if (text == null)
            {
                throw new ArgumentNullException(nameof(text));
            }

            sourceName = string.IsNullOrWhiteSpace(sourceName) ? "(text)" : sourceName;
            if (text.Trim('\uFEFF', ' ', '\t', '\r', '\n').Length == 0)
            {
                throw DumpReading.Empty(sourceName, "the file is empty.");
            }

            bool detected = format == ProfileFormat.Unknown;
            if (detected)
            {
                format = Detect(text);
            }

            if (format == ProfileFormat.Json || format == ProfileFormat.VSphere)
            {
                var root = JsonDomNode.Parse(text, sourceName);
                if (detected)
                {
                    format = ProfileJson.IsExport(root) ? ProfileFormat.Json : ProfileFormat.VSphere;
                }

                return format == ProfileFormat.Json
                    ? ProfileJson.ReadAll(root, sourceName)
                    : VSphereJsonReader.Parse(root, sourceName);
            }

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

        /// <summary>The format of a text, judged from its content; Unknown when nothing fits.</summary>
        public static ProfileFormat Detect(string text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return ProfileFormat.Unknown;
            }

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

        private static string ReadText(string path)
        {
            if (path == null)
            {
                throw new ArgumentNullException(nameof(path));
            }

            if (string.IsNullOrWhiteSpace(path))
            {
                throw new CpuidMaskException("ProfileFileNotFound", ErrorKind.ObjectNotFound, "No profile file was named; give the path of a dump, vmware.log, cpuid -r output or JSON file.", path);
            }

            if (Directory.Exists(path))
            {
                throw new CpuidMaskException(
                    "ProfileFileNotFound",
                    ErrorKind.ObjectNotFound,
                    $"'{path}' is a folder, not a profile file; name one of the files in it.",
                    path);
            }

            try
            {
                // Detects UTF-8/UTF-16 byte order marks, so files written by Windows PowerShell 5.1 (UTF-16) read too.
                return File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is FileNotFoundException || ex is DirectoryNotFoundException)
            {
                throw new CpuidMaskException(
                    "ProfileFileNotFound",
                    ErrorKind.ObjectNotFound,
                    $"Profile file '{path}' was not found (looked for '{FullPath(path)}'). Check the path and the current directory.",
                    path,
                    ex);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is NotSupportedException || ex is ArgumentException)
            {
                throw new CpuidMaskException(
                    "ProfileFileUnreadable",
                    ErrorKind.ResourceUnavailable,
                    $"Profile file '{path}' could not be read: {ex.Message}",
                    path,
                    ex);
            }
        }

        private static string FullPath(string path)
        {
            try
            {
                return Path.GetFullPath(path);
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException)
            {
                return path;
            }
        }
    }
}
