using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;

namespace CpuidMask.HelpBuilder
{
    /// <summary>
    /// cpuidmask-helpbuilder maml --docs DIR --out FILE
    /// cpuidmask-helpbuilder stamp-manifest --manifest FILE --props FILE --out FILE
    /// cpuidmask-helpbuilder version --props FILE
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            try
            {
                if (args.Length == 0)
                {
                    return Usage();
                }

                var options = Options(args.Skip(1).ToArray());
                switch (args[0])
                {
                    case "maml":
                        var commands = ReadDocs(Required(options, "--docs"));
                        WriteMaml(commands, Required(options, "--out"));
                        Console.WriteLine($"Wrote help for {commands.Count} cmdlets to {options["--out"]}");
                        return 0;
                    case "stamp-manifest":
                        string version = ManifestStamper.ReadVersionPrefix(File.ReadAllText(Required(options, "--props")));
                        string stamped = ManifestStamper.Stamp(File.ReadAllText(Required(options, "--manifest")), version);
                        File.WriteAllText(Required(options, "--out"), stamped, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
                        Console.WriteLine($"Stamped ModuleVersion {version} into {options["--out"]}");
                        return 0;
                    case "version":
                        Console.WriteLine(ManifestStamper.ReadVersionPrefix(File.ReadAllText(Required(options, "--props"))));
                        return 0;
                    default:
                        return Usage();
                }
            }
            catch (Exception ex) when (ex is HelpFormatException || ex is FormatException || ex is IOException || ex is ArgumentException || ex is XmlException)
            {
                Console.Error.WriteLine("helpbuilder: " + ex.Message);
                return 2;
            }
        }

        /// <summary>Every cmdlet page of a docs folder (the module page, docs/&lt;Module&gt;.md, is skipped), by name.</summary>
        public static IReadOnlyList<CommandHelp> ReadDocs(string docsFolder)
        {
            return Directory.GetFiles(docsFolder, "*-*.md")
                .OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => (Path: f, Text: File.ReadAllText(f)))
                .Where(f => !PlatyMarkdownReader.IsModulePage(f.Text))
                .Select(f => PlatyMarkdownReader.Read(f.Text, f.Path))
                .ToArray();
        }

        public static void WriteMaml(IEnumerable<CommandHelp> commands, string path)
        {
            string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder != null)
            {
                Directory.CreateDirectory(folder);
            }

            var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true) };
            using var writer = XmlWriter.Create(path, settings);
            MamlWriter.Write(commands).Save(writer);
        }

        private static Dictionary<string, string> Options(string[] args)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                {
                    throw new ArgumentException($"expected '--option value', found '{args[i]}'.");
                }

                result[args[i]] = args[++i];
            }

            return result;
        }

        private static string Required(Dictionary<string, string> options, string name) =>
            options.TryGetValue(name, out var value) ? value : throw new ArgumentException($"{name} is required.");

        private static int Usage()
        {
            Console.Error.WriteLine("usage: helpbuilder maml --docs DIR --out FILE");
            Console.Error.WriteLine("       helpbuilder stamp-manifest --manifest FILE --props FILE --out FILE");
            Console.Error.WriteLine("       helpbuilder version --props FILE");
            return 2;
        }
    }
}
