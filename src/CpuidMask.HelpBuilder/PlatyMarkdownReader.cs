using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace CpuidMask.HelpBuilder
{
    /// <summary>
    /// Reads cmdlet help written in PlatyPS's markdown schema 2.0.0: front matter, <c># Name</c>, then the
    /// sections SYNOPSIS, SYNTAX, DESCRIPTION, EXAMPLES, PARAMETERS, INPUTS, OUTPUTS, NOTES, RELATED LINKS
    /// in that order. Parsed by hand: the schema is a handful of headings, fences and yaml lines.
    /// </summary>
    public static class PlatyMarkdownReader
    {
        /// <summary>The sections of a cmdlet page, in the order the schema requires.</summary>
        public static IReadOnlyList<string> SectionOrder { get; } = new[]
        {
            "SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS",
        };

        private static readonly Regex LinkLine = new Regex(@"^\[(?<text>[^\]]+)\]\((?<uri>[^)]*)\)\s*$", RegexOptions.CultureInvariant);

        private static readonly string[] YamlKeys =
        {
            "Type", "Parameter Sets", "Aliases", "Required", "Position", "Default value", "Accept pipeline input", "Accept wildcard characters",
        };

        // PlatyPS writes "Accepted values:" (after Aliases) only for parameters with a ValidateSet or an enum type.
        private static readonly string[] OptionalYamlKeys = { "Accepted values" };

        /// <summary>Whether a docs page is the module page (docs/CpuidMask.md) rather than a cmdlet's.</summary>
        public static bool IsModulePage(string text) => ReadFrontMatter(Lines(text), "(page)", out _).ContainsKey("Module Guid");

        public static CommandHelp Read(string text, string sourceName)
        {
            var lines = Lines(text);
            var frontMatter = ReadFrontMatter(lines, sourceName, out int index);
            string? name = null;
            int nameLine = 0;
            var sections = new List<Section>();
            Section? current = null;
            bool inFence = false;
            for (; index < lines.Count; index++)
            {
                string line = lines[index];
                if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    inFence = !inFence;
                }

                if (!inFence && line.StartsWith("# ", StringComparison.Ordinal))
                {
                    if (name != null)
                    {
                        throw new HelpFormatException(sourceName, index + 1, "a second '# ' title; a page documents one cmdlet.");
                    }

                    name = line.Substring(2).Trim();
                    nameLine = index + 1;
                    continue;
                }

                if (!inFence && line.StartsWith("## ", StringComparison.Ordinal))
                {
                    current = new Section(line.Substring(3).Trim(), index + 1);
                    sections.Add(current);
                    continue;
                }

                if (current == null)
                {
                    if (line.Trim().Length > 0)
                    {
                        throw new HelpFormatException(sourceName, index + 1, "text before the first '## ' section; start with '# <Verb>-<Noun>' and '## SYNOPSIS'.");
                    }

                    continue;
                }

                current.Lines.Add((line, index + 1));
            }

            if (inFence)
            {
                throw new HelpFormatException(sourceName, lines.Count, "a ``` code fence is not closed.");
            }

            if (name == null || !Regex.IsMatch(name, @"^[A-Za-z]+-[A-Za-z]+$"))
            {
                throw new HelpFormatException(sourceName, nameLine, "the page needs a '# <Verb>-<Noun>' title.");
            }

            var names = sections.Select(s => s.Name).ToArray();
            if (!names.SequenceEqual(SectionOrder))
            {
                var unknown = sections.FirstOrDefault(s => !SectionOrder.Contains(s.Name));
                if (unknown != null)
                {
                    throw new HelpFormatException(sourceName, unknown.Line, $"'## {unknown.Name}' is not a section of the schema ({string.Join(", ", SectionOrder)}).");
                }

                var missing = SectionOrder.Except(names).ToArray();
                throw new HelpFormatException(
                    sourceName,
                    1,
                    missing.Length > 0
                        ? $"missing section(s): {string.Join(", ", missing.Select(m => "## " + m))}."
                        : $"sections must come in the order {string.Join(", ", SectionOrder)} (found {string.Join(", ", names)}).");
            }

            Section Get(string sectionName) => sections.First(s => s.Name == sectionName);
            return new CommandHelp
            {
                SourceName = sourceName,
                FrontMatter = frontMatter,
                Name = name,
                Synopsis = string.Join(" ", Paragraphs(Get("SYNOPSIS").Lines)),
                Syntax = ReadSyntax(Get("SYNTAX"), sourceName),
                Description = Paragraphs(Get("DESCRIPTION").Lines),
                Examples = ReadExamples(Get("EXAMPLES"), sourceName),
                Parameters = ReadParameters(Get("PARAMETERS"), sourceName, out bool common),
                HasCommonParameters = common,
                Inputs = ReadTypes(Get("INPUTS"), sourceName),
                Outputs = ReadTypes(Get("OUTPUTS"), sourceName),
                Notes = Paragraphs(Get("NOTES").Lines),
                RelatedLinks = ReadLinks(Get("RELATED LINKS"), sourceName),
            };
        }

        private static List<string> Lines(string text) =>
            (text ?? string.Empty).Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n').ToList();

        private static Dictionary<string, string> ReadFrontMatter(IReadOnlyList<string> lines, string sourceName, out int next)
        {
            var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            next = 0;
            if (lines.Count == 0 || lines[0].Trim() != "---")
            {
                return result;
            }

            for (int i = 1; i < lines.Count; i++)
            {
                if (lines[i].Trim() == "---")
                {
                    next = i + 1;
                    return result;
                }

                int colon = lines[i].IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    throw new HelpFormatException(sourceName, i + 1, $"front matter line '{lines[i]}' is not 'key: value'.");
                }

                result[lines[i].Substring(0, colon).Trim()] = lines[i].Substring(colon + 1).Trim();
            }

            throw new HelpFormatException(sourceName, 1, "the front matter (---) is not closed.");
        }

        private static IReadOnlyList<SyntaxHelp> ReadSyntax(Section section, string sourceName)
        {
            var result = new List<SyntaxHelp>();
            foreach (var sub in Subsections(section, sourceName))
            {
                var fences = Fences(sub.Lines, sourceName);
                if (fences.Count != 1)
                {
                    throw new HelpFormatException(sourceName, sub.Line, $"syntax '### {sub.Name}' needs exactly one ``` code block.");
                }

                bool isDefault = sub.Name.EndsWith("(Default)", StringComparison.Ordinal);
                string setName = isDefault ? sub.Name.Substring(0, sub.Name.Length - "(Default)".Length).Trim() : sub.Name;
                result.Add(new SyntaxHelp { ParameterSetName = setName, IsDefault = isDefault, Code = fences[0].Code });
            }

            if (result.Count == 0)
            {
                throw new HelpFormatException(sourceName, section.Line, "## SYNTAX needs one '### <ParameterSet>' block per parameter set.");
            }

            return result;
        }

        private static IReadOnlyList<ExampleHelp> ReadExamples(Section section, string sourceName)
        {
            var result = new List<ExampleHelp>();
            foreach (var sub in Subsections(section, sourceName))
            {
                var fences = Fences(sub.Lines, sourceName);
                if (fences.Count == 0)
                {
                    throw new HelpFormatException(sourceName, sub.Line, $"example '### {sub.Name}' has no code block.");
                }

                result.Add(new ExampleHelp
                {
                    Title = sub.Name,
                    Code = string.Join("\n\n", fences.Select(f => f.Code)),
                    Remarks = Paragraphs(OutsideFences(sub.Lines)),
                });
            }

            return result;
        }

        private static IReadOnlyList<ParameterHelp> ReadParameters(Section section, string sourceName, out bool commonParameters)
        {
            commonParameters = false;
            var result = new List<ParameterHelp>();
            foreach (var sub in Subsections(section, sourceName))
            {
                if (sub.Name == "CommonParameters")
                {
                    commonParameters = true;
                    continue;
                }

                if (!sub.Name.StartsWith("-", StringComparison.Ordinal))
                {
                    throw new HelpFormatException(sourceName, sub.Line, $"'### {sub.Name}' under PARAMETERS must be '### -<Name>' or '### CommonParameters'.");
                }

                var fences = Fences(sub.Lines, sourceName);
                var yaml = fences.Where(f => f.Language == "yaml").ToArray();
                if (yaml.Length == 0)
                {
                    throw new HelpFormatException(sourceName, sub.Line, $"parameter '{sub.Name}' has no ```yaml block.");
                }

                result.Add(new ParameterHelp
                {
                    Name = sub.Name.Substring(1),
                    Description = Paragraphs(OutsideFences(sub.Lines)),
                    Blocks = yaml.Select(y => ReadYaml(y, sub.Name, sourceName)).ToArray(),
                });
            }

            return result;
        }

        private static ParameterAttributesHelp ReadYaml(Fence fence, string parameter, string sourceName)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (line, number) in fence.Lines)
            {
                if (line.Trim().Length == 0)
                {
                    continue;
                }

                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    throw new HelpFormatException(sourceName, number, $"yaml line '{line}' of {parameter} is not 'Key: value'.");
                }

                string key = line.Substring(0, colon).Trim();
                if (!YamlKeys.Contains(key) && !OptionalYamlKeys.Contains(key))
                {
                    throw new HelpFormatException(sourceName, number, $"'{key}' is not a parameter attribute ({string.Join(", ", YamlKeys.Concat(OptionalYamlKeys))}).");
                }

                values[key] = line.Substring(colon + 1).Trim();
            }

            var missingKey = YamlKeys.FirstOrDefault(k => !values.ContainsKey(k));
            if (missingKey != null)
            {
                throw new HelpFormatException(sourceName, fence.Line, $"the yaml block of {parameter} lacks '{missingKey}:'.");
            }

            return new ParameterAttributesHelp
            {
                Type = values["Type"],
                ParameterSets = List(values["Parameter Sets"]),
                Aliases = values["Aliases"] == "None" ? Array.Empty<string>() : List(values["Aliases"]),
                Required = Bool(values["Required"], "Required", parameter, sourceName, fence.Line),
                Position = values["Position"],
                DefaultValue = values["Default value"],
                PipelineInput = values["Accept pipeline input"],
                AcceptWildcardCharacters = Bool(values["Accept wildcard characters"], "Accept wildcard characters", parameter, sourceName, fence.Line),
                AcceptedValues = values.TryGetValue("Accepted values", out var accepted) ? List(accepted) : Array.Empty<string>(),
            };
        }

        private static IReadOnlyList<TypeHelp> ReadTypes(Section section, string sourceName) =>
            Subsections(section, sourceName).Select(s => new TypeHelp { TypeName = s.Name, Description = Paragraphs(s.Lines) }).ToArray();

        private static IReadOnlyList<LinkHelp> ReadLinks(Section section, string sourceName)
        {
            var result = new List<LinkHelp>();
            foreach (var (line, number) in section.Lines)
            {
                if (line.Trim().Length == 0)
                {
                    continue;
                }

                var match = LinkLine.Match(line.Trim());
                if (!match.Success)
                {
                    throw new HelpFormatException(sourceName, number, $"related link '{line.Trim()}' is not '[text](uri)'.");
                }

                result.Add(new LinkHelp { Text = match.Groups["text"].Value, Uri = match.Groups["uri"].Value });
            }

            return result;
        }

        private static IReadOnlyList<string> List(string text) =>
            text.Split(',').Select(s => s.Trim()).Where(s => s.Length > 0).ToArray();

        private static bool Bool(string text, string key, string parameter, string sourceName, int line) => text switch
        {
            "True" => true,
            "False" => false,
            _ => throw new HelpFormatException(sourceName, line, $"'{key}: {text}' of {parameter} must be True or False."),
        };

        private static IEnumerable<Section> Subsections(Section section, string sourceName)
        {
            Section? current = null;
            bool inFence = false;
            foreach (var (line, number) in section.Lines)
            {
                if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    inFence = !inFence;
                }

                if (!inFence && line.StartsWith("### ", StringComparison.Ordinal))
                {
                    if (current != null)
                    {
                        yield return current;
                    }

                    current = new Section(line.Substring(4).Trim(), number);
                    continue;
                }

                if (current == null)
                {
                    if (line.Trim().Length > 0)
                    {
                        throw new HelpFormatException(sourceName, number, $"text under '## {section.Name}' before its first '### ' heading.");
                    }

                    continue;
                }

                current.Lines.Add((line, number));
            }

            if (current != null)
            {
                yield return current;
            }
        }

        private static List<Fence> Fences(IEnumerable<(string Text, int Number)> lines, string sourceName)
        {
            var fences = new List<Fence>();
            Fence? open = null;
            foreach (var (line, number) in lines)
            {
                string trimmed = line.TrimStart();
                if (trimmed.StartsWith("```", StringComparison.Ordinal))
                {
                    if (open == null)
                    {
                        open = new Fence(trimmed.Substring(3).Trim(), number);
                    }
                    else
                    {
                        fences.Add(open);
                        open = null;
                    }

                    continue;
                }

                open?.Lines.Add((line, number));
            }

            if (open != null)
            {
                throw new HelpFormatException(sourceName, open.Line, "a ``` code fence is not closed.");
            }

            return fences;
        }

        private static IEnumerable<(string Text, int Number)> OutsideFences(IEnumerable<(string Text, int Number)> lines)
        {
            bool inFence = false;
            foreach (var entry in lines)
            {
                if (entry.Text.TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    inFence = !inFence;
                    continue;
                }

                if (!inFence)
                {
                    yield return entry;
                }
            }
        }

        /// <summary>Blank-line separated paragraphs; lines of a paragraph are joined with spaces, fenced code kept as it is.</summary>
        private static IReadOnlyList<string> Paragraphs(IEnumerable<(string Text, int Number)> lines)
        {
            var result = new List<string>();
            var paragraph = new StringBuilder();
            bool inFence = false;
            void Flush()
            {
                if (paragraph.Length > 0)
                {
                    result.Add(paragraph.ToString().TrimEnd());
                    paragraph.Clear();
                }
            }

            foreach (var (line, _) in lines)
            {
                if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    if (!inFence)
                    {
                        Flush();
                    }

                    inFence = !inFence;
                    if (!inFence)
                    {
                        Flush();
                    }

                    continue;
                }

                if (inFence)
                {
                    paragraph.Append(line).Append('\n');
                    continue;
                }

                if (line.Trim().Length == 0)
                {
                    Flush();
                    continue;
                }

                string trimmed = line.Trim();
                // A list item starts its own line, so that "- a" items stay readable in Get-Help.
                if (paragraph.Length > 0 && (trimmed.StartsWith("- ", StringComparison.Ordinal) || Regex.IsMatch(trimmed, @"^\d+\. ")))
                {
                    paragraph.Append('\n');
                }
                else if (paragraph.Length > 0)
                {
                    paragraph.Append(' ');
                }

                paragraph.Append(trimmed);
            }

            Flush();
            return result;
        }

        private sealed class Section
        {
            public Section(string name, int line)
            {
                Name = name;
                Line = line;
            }

            public string Name { get; }

            public int Line { get; }

            public List<(string Text, int Number)> Lines { get; } = new List<(string Text, int Number)>();
        }

        private sealed class Fence
        {
            public Fence(string language, int line)
            {
                Language = language;
                Line = line;
            }

            public string Language { get; }

            public int Line { get; }

            public List<(string Text, int Number)> Lines { get; } = new List<(string Text, int Number)>();

            public string Code => string.Join("\n", Lines.Select(l => l.Text)).TrimEnd();
        }
    }
}
