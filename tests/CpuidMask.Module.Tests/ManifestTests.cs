using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using CpuidMask.HelpBuilder;
using Xunit;

namespace CpuidMask.Module.Tests
{
    public class ManifestTests
    {
        private static string Manifest => File.ReadAllText(RepoFiles.Manifest);

        /// <summary>The quoted strings of a manifest entry: <c>Key = 'a'</c>, <c>Key = 'a', 'b'</c> or <c>Key = @( 'a' 'b' )</c>.</summary>
        internal static string[] Values(string manifest, string key)
        {
            var match = Regex.Match(manifest, @"^\s*" + key + @"\s*=\s*(?<value>@\((?<list>[^)]*)\)|[^\r\n]*)", RegexOptions.Multiline);
            Assert.True(match.Success, $"CpuidMask.psd1 has no {key}");
            string text = match.Groups["list"].Success ? match.Groups["list"].Value : match.Groups["value"].Value;
            return Regex.Matches(text, @"'([^']*)'").Select(m => m.Groups[1].Value).ToArray();
        }

        [Fact]
        public void Manifest_ExportsExactlyTheCmdletClassesOfTheAssembly()
        {
            var exported = Values(Manifest, "CmdletsToExport");

            Assert.Equal(
                ModuleMetadata.Load().Cmdlets.Select(c => c.Name).OrderBy(n => n, StringComparer.Ordinal),
                exported.OrderBy(n => n, StringComparer.Ordinal));
        }

        [Theory]
        [InlineData("FunctionsToExport")]
        [InlineData("AliasesToExport")]
        [InlineData("VariablesToExport")]
        public void Manifest_ExportsNoFunctionsAliasesOrVariables(string key)
        {
            Assert.Matches(@"(?m)^\s*" + key + @"\s*=\s*@\(\s*\)\s*$", Manifest);
        }

        [Fact]
        public void Manifest_LoadsTheBinaryModuleInBothEditions()
        {
            Assert.Equal(new[] { "CpuidMask.dll" }, Values(Manifest, "RootModule"));
            Assert.Equal(new[] { "Desktop", "Core" }, Values(Manifest, "CompatiblePSEditions"));
            Assert.Equal(new[] { "5.1" }, Values(Manifest, "PowerShellVersion"));
            Assert.Equal(new[] { "CpuidMask.Format.ps1xml" }, Values(Manifest, "FormatsToProcess"));
            Assert.Equal(new[] { "CpuidMask.Types.ps1xml" }, Values(Manifest, "TypesToProcess"));
            Assert.Equal(Path.GetFileName(RepoFiles.ModuleAssembly), Values(Manifest, "RootModule")[0]);
            foreach (string assembly in Values(Manifest, "RequiredAssemblies"))
            {
                Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, assembly)), $"RequiredAssemblies names {assembly}, which the build does not produce");
            }
        }

        [Fact]
        public void Manifest_HasAFixedGuidSharedWithTheModuleHelpPage()
        {
            string guid = Assert.Single(Values(Manifest, "GUID"));

            Assert.True(Guid.TryParse(guid, out var parsed) && parsed != Guid.Empty);
            Assert.Contains("Module Guid: " + guid, File.ReadAllText(Path.Combine(RepoFiles.Docs, "CpuidMask.md")), StringComparison.Ordinal);
        }

        [Fact]
        public void Manifest_HasGalleryTagsIncludingBothEditions()
        {
            var tags = Values(Manifest, "Tags");

            Assert.Contains("PSEdition_Desktop", tags);
            Assert.Contains("PSEdition_Core", tags);
            Assert.Contains("vSphere", tags);
        }

        [Fact]
        public void Stamp_RepositoryManifest_TakesTheVersionOfDirectoryBuildProps()
        {
            string version = ManifestStamper.ReadVersionPrefix(File.ReadAllText(RepoFiles.Props));

            string stamped = ManifestStamper.Stamp(Manifest, version);

            Assert.Equal(version, ManifestStamper.ReadModuleVersion(stamped));
            Assert.Equal(version, Assert.Single(Values(stamped, "ModuleVersion")));
        }

        [Fact]
        public void Stamp_ChangesOnlyTheModuleVersionLine()
        {
            string stamped = ManifestStamper.Stamp(Manifest, "9.8.7");

            var before = Manifest.Split('\n');
            var after = stamped.Split('\n');
            Assert.Equal(before.Length, after.Length);
            var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
            Assert.Single(changed);
            Assert.Matches(@"^\s*ModuleVersion\s*=\s*'9\.8\.7'", after[changed[0]]);
            Assert.Equal(stamped, ManifestStamper.Stamp(stamped, "9.8.7"));
        }

        [Fact]
        public void Stamp_ManifestWithoutModuleVersion_IsRefused()
        {
            Assert.Throws<FormatException>(() => ManifestStamper.Stamp("@{ RootModule = 'CpuidMask.dll' }", "1.0.0"));
            Assert.Throws<FormatException>(() => ManifestStamper.Stamp(Manifest, "not-a-version"));
        }

        [Fact]
        public void ReadVersionPrefix_PropsWithoutVersion_IsRefused()
        {
            Assert.Throws<FormatException>(() => ManifestStamper.ReadVersionPrefix("<Project><PropertyGroup /></Project>"));
            Assert.Equal("2.3.4", ManifestStamper.ReadVersionPrefix("<Project><PropertyGroup><VersionPrefix> 2.3.4 </VersionPrefix></PropertyGroup></Project>"));
        }

        [Fact]
        public void StampManifestCommand_WritesTheStampedManifest()
        {
            string output = Path.Combine(Path.GetTempPath(), $"cpuidmask-{Guid.NewGuid():N}.psd1");
            try
            {
                int exit = Program.Main(new[] { "stamp-manifest", "--manifest", RepoFiles.Manifest, "--props", RepoFiles.Props, "--out", output });

                Assert.Equal(0, exit);
                Assert.Equal(ManifestStamper.ReadVersionPrefix(File.ReadAllText(RepoFiles.Props)), ManifestStamper.ReadModuleVersion(File.ReadAllText(output)));
            }
            finally
            {
                File.Delete(output);
            }
        }

        [Fact]
        public void BuildScript_StagesEveryFileTheManifestNames()
        {
            string script = File.ReadAllText(Path.Combine(RepoFiles.Root, "build.ps1"));

            foreach (string file in Values(Manifest, "FormatsToProcess").Concat(Values(Manifest, "TypesToProcess")))
            {
                Assert.Contains($"'{file}'", script, StringComparison.Ordinal);
            }

            foreach (string assembly in Values(Manifest, "RequiredAssemblies").Concat(Values(Manifest, "RootModule")))
            {
                Assert.Contains($"'{assembly}'", script, StringComparison.Ordinal);
            }

            Assert.Contains("ValidateSet('Build', 'Test', 'Docs', 'Package')", script, StringComparison.Ordinal);
            Assert.Contains("stamp-manifest", script, StringComparison.Ordinal);
        }
    }
}
