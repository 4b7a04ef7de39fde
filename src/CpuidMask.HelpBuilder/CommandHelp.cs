using System;
using System.Collections.Generic;
using System.Linq;

namespace CpuidMask.HelpBuilder
{
    /// <summary>One cmdlet's help as docs/&lt;Verb&gt;-&lt;Noun&gt;.md holds it (PlatyPS markdown schema 2.0.0).</summary>
    public sealed class CommandHelp
    {
        public string SourceName { get; init; } = string.Empty;

        public IReadOnlyDictionary<string, string> FrontMatter { get; init; } = new Dictionary<string, string>();

        public string Name { get; init; } = string.Empty;

        public string Verb => Name.Contains('-', StringComparison.Ordinal) ? Name.Substring(0, Name.IndexOf('-', StringComparison.Ordinal)) : Name;

        public string Noun => Name.Contains('-', StringComparison.Ordinal) ? Name.Substring(Name.IndexOf('-', StringComparison.Ordinal) + 1) : string.Empty;

        public string Synopsis { get; init; } = string.Empty;

        public IReadOnlyList<SyntaxHelp> Syntax { get; init; } = Array.Empty<SyntaxHelp>();

        /// <summary>Paragraphs.</summary>
        public IReadOnlyList<string> Description { get; init; } = Array.Empty<string>();

        public IReadOnlyList<ExampleHelp> Examples { get; init; } = Array.Empty<ExampleHelp>();

        public IReadOnlyList<ParameterHelp> Parameters { get; init; } = Array.Empty<ParameterHelp>();

        public bool HasCommonParameters { get; init; }

        public IReadOnlyList<TypeHelp> Inputs { get; init; } = Array.Empty<TypeHelp>();

        public IReadOnlyList<TypeHelp> Outputs { get; init; } = Array.Empty<TypeHelp>();

        public IReadOnlyList<string> Notes { get; init; } = Array.Empty<string>();

        public IReadOnlyList<LinkHelp> RelatedLinks { get; init; } = Array.Empty<LinkHelp>();

        public override string ToString() => Name;
    }

    /// <summary>One parameter set's syntax block: <c>### SetName (Default)</c> and its code.</summary>
    public sealed class SyntaxHelp
    {
        public string ParameterSetName { get; init; } = string.Empty;

        public bool IsDefault { get; init; }

        public string Code { get; init; } = string.Empty;
    }

    public sealed class ExampleHelp
    {
        /// <summary>"Example 1: Read two hosts through PowerCLI".</summary>
        public string Title { get; init; } = string.Empty;

        public string Code { get; init; } = string.Empty;

        public IReadOnlyList<string> Remarks { get; init; } = Array.Empty<string>();
    }

    /// <summary><c>### -Name</c>: the description and one yaml block per group of parameter sets that share attributes.</summary>
    public sealed class ParameterHelp
    {
        public string Name { get; init; } = string.Empty;

        public IReadOnlyList<string> Description { get; init; } = Array.Empty<string>();

        public IReadOnlyList<ParameterAttributesHelp> Blocks { get; init; } = Array.Empty<ParameterAttributesHelp>();

        public override string ToString() => "-" + Name;
    }

    /// <summary>The yaml block of a parameter.</summary>
    public sealed class ParameterAttributesHelp
    {
        public const string AllParameterSets = "(All)";

        public string Type { get; init; } = string.Empty;

        /// <summary>Set names, or the single entry "(All)".</summary>
        public IReadOnlyList<string> ParameterSets { get; init; } = Array.Empty<string>();

        /// <summary>Empty for "None".</summary>
        public IReadOnlyList<string> Aliases { get; init; } = Array.Empty<string>();

        public bool Required { get; init; }

        /// <summary>"Named" or a number.</summary>
        public string Position { get; init; } = "Named";

        public string DefaultValue { get; init; } = "None";

        /// <summary>"False", "True (ByValue)", "True (ByPropertyName)", "True (ByValue, ByPropertyName)".</summary>
        public string PipelineInput { get; init; } = "False";

        public bool AcceptWildcardCharacters { get; init; }

        /// <summary>PlatyPS's optional "Accepted values:" line (a ValidateSet or an enum); empty when absent.</summary>
        public IReadOnlyList<string> AcceptedValues { get; init; } = Array.Empty<string>();

        public bool AppliesTo(string parameterSetName) =>
            ParameterSets.Contains(AllParameterSets) || ParameterSets.Contains(parameterSetName, StringComparer.Ordinal);
    }

    /// <summary>An INPUTS or OUTPUTS entry: <c>### TypeName</c> and its description.</summary>
    public sealed class TypeHelp
    {
        public string TypeName { get; init; } = string.Empty;

        public IReadOnlyList<string> Description { get; init; } = Array.Empty<string>();
    }

    public sealed class LinkHelp
    {
        public string Text { get; init; } = string.Empty;

        public string Uri { get; init; } = string.Empty;
    }

    /// <summary>A help source that breaks the schema; names the file and line.</summary>
    public sealed class HelpFormatException : Exception
    {
        public HelpFormatException(string sourceName, int line, string problem)
            : base($"{sourceName}({line}): {problem}")
        {
            SourceName = sourceName;
            Line = line;
        }

        public string SourceName { get; }

        public int Line { get; }
    }
}
