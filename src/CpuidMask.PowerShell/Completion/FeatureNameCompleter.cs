using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using CpuidMask.Engine.Catalog;

namespace CpuidMask.PowerShell.Completion
{
    /// <summary>Tab completion of CPUID feature names from the catalog (-HideFeature, Get-CpuidFeature -Name).</summary>
    public sealed class FeatureNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(
            string commandName,
            string parameterName,
            string wordToComplete,
            CommandAst commandAst,
            IDictionary fakeBoundParameters) =>
            FeatureNames.FromCatalog(catalog => FeatureNames.Complete(catalog, wordToComplete));
    }

    /// <summary>The completion logic, free of PowerShell types so it can be tested without a host.</summary>
    internal static class FeatureNames
    {
        /// <summary>
        /// Completion results from the feature catalog; none when the catalog cannot be read: completion must never
        /// throw at the prompt, and the command itself reports a broken catalog.
        /// </summary>
        public static IEnumerable<CompletionResult> FromCatalog(Func<FeatureCatalog, IEnumerable<Candidate>> complete)
        {
            FeatureCatalog catalog;
            try
            {
                catalog = FeatureCatalog.Default;
            }
            catch (Engine.CpuidMaskException)
            {
                return Array.Empty<CompletionResult>();
            }

            return complete(catalog)
                .Select(c => new CompletionResult(c.Text, c.Name, CompletionResultType.ParameterValue, c.ToolTip))
                .ToArray();
        }

        internal sealed class Candidate
        {
            public Candidate(string name, string text, string toolTip)
            {
                Name = name;
                Text = text;
                ToolTip = toolTip;
            }

            /// <summary>The canonical feature name shown in the list.</summary>
            public string Name { get; }

            /// <summary>What is inserted: the name, quoted when it needs quotes.</summary>
            public string Text { get; }

            public string ToolTip { get; }
        }

        /// <summary>
        /// Canonical names that start with the word (or, when none do, contain it, or have an alias that
        /// starts with it), in catalog order of the prefix matches first.
        /// </summary>
        public static IReadOnlyList<Candidate> Complete(FeatureCatalog catalog, string? wordToComplete)
        {
            string word = (wordToComplete ?? string.Empty).Trim('\'', '"', ' ');
            var byPrefix = catalog.Features.Where(f => f.Name.StartsWith(word, StringComparison.OrdinalIgnoreCase));
            var byAlias = catalog.Features.Where(f => !f.Name.StartsWith(word, StringComparison.OrdinalIgnoreCase)
                && (f.Aliases.Any(a => a.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                    || (f.LinuxFlag?.StartsWith(word, StringComparison.OrdinalIgnoreCase) ?? false)
                    || (f.VSphereKey?.StartsWith(word, StringComparison.OrdinalIgnoreCase) ?? false)));
            var found = byPrefix.OrderBy(f => f.Name, StringComparer.OrdinalIgnoreCase).Concat(byAlias).ToList();
            if (found.Count == 0 && word.Length > 0)
            {
                found = catalog.Features.Where(f => f.Name.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0).ToList();
            }

            return found
                .Select(f => new Candidate(f.Name, Quote(f.Name), $"{f.Name} ({f.Location}{(f.Tracked ? string.Empty : ", not compared by vCenter")}): {f.Description}"))
                .ToArray();
        }

        private static string Quote(string name) =>
            name.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', '(', ')', ',', ';', '{', '}', '@', '#' }) >= 0 ? "'" + name.Replace("'", "''") + "'" : name;
    }
}
