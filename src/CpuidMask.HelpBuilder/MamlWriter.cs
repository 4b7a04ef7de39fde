using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml.Linq;

namespace CpuidMask.HelpBuilder
{
    /// <summary>
    /// Writes MAML, the XML help PowerShell reads for binary modules (&lt;module dll&gt;-Help.xml), in the
    /// shape PlatyPS produces: one command:command per cmdlet with details, description, syntax (one
    /// syntaxItem per parameter set), parameters, input and return types, notes, examples and links.
    /// </summary>
    public static class MamlWriter
    {
        public static readonly XNamespace Msh = "http://msh";
        public static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
        public static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        public static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
        public static readonly XNamespace MsHelp = "http://msdn.microsoft.com/mshelp";

        public static XDocument Write(IEnumerable<CommandHelp> commands)
        {
            var root = new XElement(
                Msh + "helpItems",
                new XAttribute("schema", "maml"),
                new XAttribute(XNamespace.Xmlns + "maml", Maml),
                new XAttribute(XNamespace.Xmlns + "command", Command),
                new XAttribute(XNamespace.Xmlns + "dev", Dev),
                new XAttribute(XNamespace.Xmlns + "MSHelp", MsHelp),
                commands.OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase).Select(WriteCommand));
            return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
        }

        /// <summary>The MAML value of a position: "named" or the number, as Get-Help expects.</summary>
        public static string MamlPosition(string position) =>
            string.Equals(position, "Named", StringComparison.OrdinalIgnoreCase) ? "named" : position;

        private static XElement WriteCommand(CommandHelp help)
        {
            var parameters = help.Parameters.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
            return new XElement(
                Command + "command",
                new XElement(
                    Command + "details",
                    new XElement(Command + "name", help.Name),
                    new XElement(Command + "verb", help.Verb),
                    new XElement(Command + "noun", help.Noun),
                    Description(new[] { help.Synopsis })),
                Description(help.Description),
                new XElement(
                    Command + "syntax",
                    help.Syntax.Select(set => new XElement(
                        Command + "syntaxItem",
                        new XElement(Maml + "name", help.Name),
                        help.Parameters
                            .Select(p => (Parameter: p, Block: p.Blocks.FirstOrDefault(b => b.AppliesTo(set.ParameterSetName))))
                            .Where(x => x.Block != null)
                            .OrderBy(x => SortKey(x.Block!))
                            .Select(x => Parameter(x.Parameter, x.Block!))))),
                new XElement(
                    Command + "parameters",
                    help.Parameters.Select(p => Parameter(p, p.Blocks[0], AnySetPipelineInput(p)))),
                new XElement(
                    Command + "inputTypes",
                    help.Inputs.Select(t => new XElement(Command + "inputType", TypeElement(t.TypeName), Description(t.Description)))),
                new XElement(
                    Command + "returnValues",
                    help.Outputs.Select(t => new XElement(Command + "returnValue", TypeElement(t.TypeName), Description(t.Description)))),
                new XElement(
                    Maml + "alertSet",
                    new XElement(Maml + "alert", Paras(help.Notes))),
                new XElement(
                    Command + "examples",
                    help.Examples.Select(e => new XElement(
                        Command + "example",
                        new XElement(Maml + "title", $"-------------------------- {e.Title} --------------------------"),
                        new XElement(Dev + "code", e.Code),
                        new XElement(Dev + "remarks", Paras(e.Remarks))))),
                new XElement(
                    Command + "relatedLinks",
                    OnlineLink(help),
                    help.RelatedLinks.Select(l => new XElement(
                        Maml + "navigationLink",
                        new XElement(Maml + "linkText", l.Text),
                        new XElement(Maml + "uri", l.Uri)))));
        }

        private static IEnumerable<XElement> OnlineLink(CommandHelp help)
        {
            if (help.FrontMatter.TryGetValue("online version", out var online) && online.Length > 0)
            {
                yield return new XElement(
                    Maml + "navigationLink",
                    new XElement(Maml + "linkText", "Online Version:"),
                    new XElement(Maml + "uri", online));
            }
        }

        // Positional parameters first, in position order, then the rest as written (Get-Help's syntax line order).
        private static int SortKey(ParameterAttributesHelp block) =>
            int.TryParse(block.Position, NumberStyles.Integer, CultureInfo.InvariantCulture, out int position) ? position : int.MaxValue;

        /// <summary>
        /// Get-Help -Parameter shows one "Accept pipeline input?" per parameter, read from the parameters section,
        /// so there it must say how the parameter binds in any set: a parameter piped in one set and named in
        /// another does take pipeline input (PowerShell's own help says so for, e.g., Get-Content -Path).
        /// </summary>
        private static string AnySetPipelineInput(ParameterHelp parameter)
        {
            bool byValue = parameter.Blocks.Any(b => b.PipelineInput.Contains("ByValue"));
            bool byPropertyName = parameter.Blocks.Any(b => b.PipelineInput.Contains("ByPropertyName"));
            return (byValue, byPropertyName) switch
            {
                (true, true) => "True (ByValue, ByPropertyName)",
                (true, false) => "True (ByValue)",
                (false, true) => "True (ByPropertyName)",
                _ => "False",
            };
        }

        private static XElement Parameter(ParameterHelp parameter, ParameterAttributesHelp block, string? pipelineInput = null)
        {
            bool isSwitch = block.Type == "SwitchParameter";
            return new XElement(
                Command + "parameter",
                new XAttribute("required", block.Required ? "true" : "false"),
                new XAttribute("variableLength", block.Type.EndsWith("[]", StringComparison.Ordinal) ? "true" : "false"),
                new XAttribute("globbing", block.AcceptWildcardCharacters ? "true" : "false"),
                new XAttribute("pipelineInput", pipelineInput ?? block.PipelineInput),
                new XAttribute("position", MamlPosition(block.Position)),
                new XAttribute("aliases", block.Aliases.Count == 0 ? "none" : string.Join(", ", block.Aliases)),
                new XElement(Maml + "name", parameter.Name),
                Description(parameter.Description),
                block.AcceptedValues.Count == 0 ? null : new XElement(
                    Command + "parameterValueGroup",
                    block.AcceptedValues.Select(v => new XElement(
                        Command + "parameterValue",
                        new XAttribute("required", "false"),
                        new XAttribute(Command + "variableLength", "false"),
                        v))),
                isSwitch ? null : new XElement(
                    Command + "parameterValue",
                    new XAttribute("required", "true"),
                    new XAttribute("variableLength", "false"),
                    block.Type),
                TypeElement(block.Type),
                new XElement(Dev + "defaultValue", block.DefaultValue));
        }

        private static XElement TypeElement(string typeName) =>
            new XElement(Dev + "type", new XElement(Maml + "name", typeName), new XElement(Maml + "uri"));

        private static XElement Description(IEnumerable<string> paragraphs) => new XElement(Maml + "description", Paras(paragraphs));

        private static IEnumerable<XElement> Paras(IEnumerable<string> paragraphs)
        {
            var list = paragraphs.Where(p => p.Length > 0).ToArray();
            return list.Length == 0
                ? new[] { new XElement(Maml + "para") }
                : list.Select(p => new XElement(Maml + "para", p));
        }
    }
}
