using System;
using System.IO;
using System.Linq;
using CpuidMask.HelpBuilder;
using Xunit;

namespace CpuidMask.Module.Tests
{
    public class HelpTests
    {
        [Fact]
        public void Maml_IsWellFormedAndHasEveryCmdletOnce()
        {
            var maml = HelpFiles.Maml;

            Assert.Equal(MamlWriter.Msh + "helpItems", maml.Root!.Name);
            Assert.Equal("maml", (string?)maml.Root.Attribute("schema"));
            var names = maml.Root.Elements(MamlWriter.Command + "command")
                .Select(c => (string)c.Element(MamlWriter.Command + "details")!.Element(MamlWriter.Command + "name")!)
                .ToArray();
            Assert.Equal(ModuleMetadata.Load().Cmdlets.Select(c => c.Name).OrderBy(n => n), names.OrderBy(n => n));
            Assert.True(File.Exists(HelpFiles.MamlPath));
        }

        [Fact]
        public void Maml_CommandsCarryVerbNounSynopsisAndDescription()
        {
            foreach (var help in HelpFiles.All)
            {
                var command = HelpFiles.MamlCommand(help.Name);
                var details = command.Element(MamlWriter.Command + "details")!;
                Assert.Equal(help.Verb, (string?)details.Element(MamlWriter.Command + "verb"));
                Assert.Equal(help.Noun, (string?)details.Element(MamlWriter.Command + "noun"));
                Assert.Equal(help.Synopsis, (string?)details.Element(MamlWriter.Maml + "description")!.Element(MamlWriter.Maml + "para"));
                Assert.Equal(help.Description.Count, command.Element(MamlWriter.Maml + "description")!.Elements(MamlWriter.Maml + "para").Count());
            }
        }

        [Fact]
        public void Docs_HaveAPageForEveryCmdletAndNoOther()
        {
            var pages = Directory.GetFiles(RepoFiles.Docs, "*-*.md").Select(Path.GetFileNameWithoutExtension);

            Assert.Equal(ModuleMetadata.Load().Cmdlets.Select(c => c.Name).OrderBy(n => n), pages.OrderBy(n => n));
        }

        [Fact]
        public void ModulePage_ListsEveryCmdletWithItsSynopsis()
        {
            string text = File.ReadAllText(Path.Combine(RepoFiles.Docs, "CpuidMask.md"));

            Assert.True(PlatyMarkdownReader.IsModulePage(text));
            foreach (var help in HelpFiles.All)
            {
                Assert.Contains($"### [{help.Name}]({help.Name}.md)", text, StringComparison.Ordinal);
                Assert.Contains(help.Synopsis.Split(' ').Take(6).Aggregate((a, b) => a + " " + b), text.Replace("\n", " ", StringComparison.Ordinal), StringComparison.Ordinal);
            }
        }

        [Fact]
        public void AboutTopic_ExistsAndNamesEveryCmdlet()
        {
            string text = File.ReadAllText(Path.Combine(RepoFiles.Root, "en-US", "about_CpuidMask.help.txt"));

            Assert.StartsWith("TOPIC", text, StringComparison.Ordinal);
            Assert.Contains("about_CpuidMask", text, StringComparison.Ordinal);
            foreach (var cmdlet in ModuleMetadata.Load().Cmdlets)
            {
                Assert.Contains(cmdlet.Name, text, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void GeneratedMaml_IsIgnoredByGit()
        {
            Assert.Contains("/en-US/CpuidMask.dll-Help.xml", File.ReadAllLines(Path.Combine(RepoFiles.Root, ".gitignore")));
        }

        [Fact]
        public void WorkedCase_IsAnExampleOfNewVmCpuidMaskWithTheFourLines()
        {
            var example = HelpFiles.Command("New-VmCpuidMask").Examples.Single(e => e.Code.Contains("avoton-c2750.txt", StringComparison.Ordinal));

            foreach (string line in InputHelperTests.WorkedCaseLines)
            {
                Assert.Contains(line, example.Code, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void PowerCliWorkflow_IsAnExampleOfSetVmCpuidMask()
        {
            Assert.Contains(
                HelpFiles.Command("Set-VmCpuidMask").Examples,
                e => e.Code.Contains("Get-VMHost h1,h2 | Get-HostCpuid | New-VmCpuidMask | Set-VmCpuidMask -VM vm01 -WhatIf", StringComparison.Ordinal)
                    && e.Code.Contains("Connect-VIServer vc01", StringComparison.Ordinal));
        }

        [Theory]
        [InlineData("# Get-Thing\n\n## SYNOPSIS\nx\n", "missing section")]
        [InlineData("# Get-Thing\n\n## SYNOPSIS\nx\n## SYNTAX\n### A (Default)\n```\nGet-Thing\n```\n## DESCRIPTION\nd\n## EXAMPLES\n### Example 1: x\n```\nGet-Thing\n```\n## PARAMETERS\n### -Name\nn\n```yaml\nType: String\nColour: Blue\n```\n## INPUTS\n## OUTPUTS\n## NOTES\n## RELATED LINKS\n", "'Colour' is not a parameter attribute")]
        [InlineData("# Get-Thing\n\n## SYNOPSIS\nx\n## SYNTAX\n### A (Default)\n```\nGet-Thing\n", "not closed")]
        [InlineData("## SYNOPSIS\nx\n", "'# <Verb>-<Noun>' title")]
        public void Reader_PageBreakingTheSchema_IsRefusedNamingFileAndLine(string text, string problem)
        {
            var ex = Assert.Throws<HelpFormatException>(() => PlatyMarkdownReader.Read(text, "Get-Thing.md"));

            Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
            Assert.StartsWith("Get-Thing.md(", ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void MamlCommand_WritesTheHelpFile()
        {
            string output = Path.Combine(Path.GetTempPath(), $"cpuidmask-help-{Guid.NewGuid():N}", "CpuidMask.dll-Help.xml");
            try
            {
                Assert.Equal(0, Program.Main(new[] { "maml", "--docs", RepoFiles.Docs, "--out", output }));
                Assert.Equal(HelpFiles.All.Count, System.Xml.Linq.XDocument.Load(output).Root!.Elements(MamlWriter.Command + "command").Count());
            }
            finally
            {
                Directory.Delete(Path.GetDirectoryName(output)!, recursive: true);
            }
        }
    }
}
