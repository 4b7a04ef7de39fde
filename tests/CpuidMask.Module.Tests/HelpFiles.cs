using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using CpuidMask.HelpBuilder;

namespace CpuidMask.Module.Tests
{
    /// <summary>docs/*.md read with the HelpBuilder, and the MAML it generates from them (written next to the tests).</summary>
    internal static class HelpFiles
    {
        private static readonly Lazy<IReadOnlyList<CommandHelp>> Commands = new Lazy<IReadOnlyList<CommandHelp>>(() => Program.ReadDocs(RepoFiles.Docs));

        private static readonly Lazy<XDocument> MamlDocument = new Lazy<XDocument>(() =>
        {
            Directory.CreateDirectory(Path.GetDirectoryName(MamlPath)!);
            Program.WriteMaml(Commands.Value, MamlPath);
            return XDocument.Load(MamlPath);
        });

        public static string MamlPath => Path.Combine(AppContext.BaseDirectory, "en-US", "CpuidMask.dll-Help.xml");

        public static IReadOnlyList<CommandHelp> All => Commands.Value;

        public static XDocument Maml => MamlDocument.Value;

        public static CommandHelp Command(string name)
        {
            string path = Path.Combine(RepoFiles.Docs, name + ".md");
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"docs/{name}.md is missing: every exported cmdlet needs its help page.", path);
            }

            return Commands.Value.Single(c => c.Name == name);
        }

        public static XElement MamlCommand(string name) =>
            Maml.Root!.Elements(MamlWriter.Command + "command")
                .Single(c => (string?)c.Element(MamlWriter.Command + "details")?.Element(MamlWriter.Command + "name") == name);
    }
}
