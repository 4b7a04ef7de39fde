using System;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace CpuidMask.HelpBuilder
{
    /// <summary>
    /// Keeps the version in one place: reads VersionPrefix from Directory.Build.props and writes it into
    /// the manifest's ModuleVersion, leaving every other byte of the manifest as it is.
    /// </summary>
    public static class ManifestStamper
    {
        private static readonly Regex ModuleVersionLine = new Regex(
            @"^(?<lead>\s*ModuleVersion\s*=\s*)(?<quote>['""])(?<version>[^'""]*)\k<quote>",
            RegexOptions.Multiline | RegexOptions.CultureInvariant);

        /// <summary>The VersionPrefix of an MSBuild props file's text.</summary>
        public static string ReadVersionPrefix(string propsXml)
        {
            var document = XDocument.Parse(propsXml);
            string? version = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "VersionPrefix")?.Value.Trim();
            if (string.IsNullOrEmpty(version) || !Version.TryParse(version, out _))
            {
                throw new FormatException($"Directory.Build.props needs a <VersionPrefix> of the form 1.2.3 (found '{version}').");
            }

            return version;
        }

        /// <summary>The ModuleVersion a manifest's text states.</summary>
        public static string ReadModuleVersion(string manifest)
        {
            var matches = ModuleVersionLine.Matches(manifest);
            if (matches.Count != 1)
            {
                throw new FormatException($"The manifest must have exactly one ModuleVersion = '...' line (found {matches.Count}).");
            }

            return matches[0].Groups["version"].Value;
        }

        /// <summary>The manifest's text with ModuleVersion set to <paramref name="version"/>.</summary>
        public static string Stamp(string manifest, string version)
        {
            if (!Version.TryParse(version, out _))
            {
                throw new FormatException($"'{version}' is not a module version (1.2.3).");
            }

            ReadModuleVersion(manifest);
            return ModuleVersionLine.Replace(manifest, m => m.Groups["lead"].Value + "'" + version + "'");
        }
    }
}
