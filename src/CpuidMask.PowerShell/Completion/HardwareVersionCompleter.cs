using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using CpuidMask.Engine.Catalog;

namespace CpuidMask.PowerShell.Completion
{
    /// <summary>Tab completion of -HardwareVersion: the virtual hardware versions ESXi runs, newest first, with their products.</summary>
    public sealed class HardwareVersionCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(
            string commandName,
            string parameterName,
            string wordToComplete,
            CommandAst commandAst,
            IDictionary fakeBoundParameters) =>
            FeatureNames.FromCatalog(catalog => HardwareVersions.Complete(catalog, wordToComplete));
    }

    /// <summary>The completion logic, free of PowerShell types so it can be tested without a host.</summary>
    internal static class HardwareVersions
    {
        /// <summary>
        /// The catalog's versions, newest first (the one a user most likely means), whose number or vmx-N form starts
        /// with the word: "1" offers 19, 18, 17 ...; "vmx-2" offers vmx-22, vmx-21, vmx-20. The text inserted is the
        /// form the word was typed in.
        /// </summary>
        public static IReadOnlyList<FeatureNames.Candidate> Complete(FeatureCatalog catalog, string? wordToComplete)
        {
            string word = (wordToComplete ?? string.Empty).Trim('\'', '"', ' ');
            bool vmxForm = word.StartsWith("v", StringComparison.OrdinalIgnoreCase);
            return catalog.HardwareVersions
                .Reverse()
                .Select(v => (Version: v, Text: vmxForm ? v.ToString() : v.Number.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                .Where(v => v.Text.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                .Select(v => new FeatureNames.Candidate(v.Text, v.Text, v.Version.Description))
                .ToArray();
        }
    }
}
