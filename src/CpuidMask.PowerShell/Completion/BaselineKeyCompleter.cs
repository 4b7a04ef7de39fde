using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using CpuidMask.Engine.Catalog;

namespace CpuidMask.PowerShell.Completion
{
    /// <summary>
    /// Tab completion of baseline (EVC mode) keys from the catalog: Get-CpuidBaseline -Key (narrowed by a
    /// -Vendor already typed) and New-VmCpuidMask -Baseline.
    /// </summary>
    public sealed class BaselineKeyCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(
            string commandName,
            string parameterName,
            string wordToComplete,
            CommandAst commandAst,
            IDictionary fakeBoundParameters)
        {
            object? vendor = fakeBoundParameters?["Vendor"];
            return BaselineKeys.Results(wordToComplete, BaselineKeys.VendorOf(vendor is PSObject wrapped ? wrapped.BaseObject : vendor), includeNone: false);
        }
    }

    /// <summary>
    /// Tab completion of EVC modes for Set-VmCpuidMask -Baseline: the catalog's keys and "none" (which clears a
    /// per-VM EVC mode). A vCenter may offer modes the catalog lacks; they are accepted when typed.
    /// </summary>
    public sealed class EvcModeCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(
            string commandName,
            string parameterName,
            string wordToComplete,
            CommandAst commandAst,
            IDictionary fakeBoundParameters) =>
            BaselineKeys.Results(wordToComplete, null, includeNone: true);
    }

    /// <summary>The completion logic, free of PowerShell types so it can be tested without a host.</summary>
    internal static class BaselineKeys
    {
        /// <summary>The word Set-VmCpuidMask -Baseline takes to clear a VM's per-VM EVC mode.</summary>
        public const string None = "none";

        /// <summary>
        /// Keys that start with the word (the whole catalog for an empty word), else keys that contain it, in
        /// catalog order (each vendor's modes oldest first); "none" first when asked for and it fits the word.
        /// </summary>
        public static IReadOnlyList<FeatureNames.Candidate> Complete(BaselineCatalog catalog, string? wordToComplete, BaselineVendor? vendor, bool includeNone)
        {
            string word = (wordToComplete ?? string.Empty).Trim('\'', '"', ' ');
            var baselines = catalog.Baselines.Where(b => vendor == null || b.Vendor == vendor).ToArray();
            var found = baselines.Where(b => b.Key.StartsWith(word, StringComparison.OrdinalIgnoreCase)).ToArray();
            if (found.Length == 0)
            {
                found = baselines.Where(b => b.Key.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0).ToArray();
            }

            var result = new List<FeatureNames.Candidate>();
            if (includeNone && None.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            {
                result.Add(new FeatureNames.Candidate(None, None, "none: clears the VM's per-VM EVC mode"));
            }

            result.AddRange(found.Select(b => new FeatureNames.Candidate(
                b.Key,
                b.Key,
                $"{b.Key}: {b.Label}, {b.Features.Count} features" + (b.Parent == null ? string.Empty : $", above {b.Parent.Key}"))));
            return result;
        }

        /// <summary>The -Vendor already on the command line (its value, unwrapped), when it names one.</summary>
        public static BaselineVendor? VendorOf(object? value) =>
            value switch
            {
                BaselineVendor vendor => vendor,
                string text when Enum.TryParse(text.Trim('\'', '"'), ignoreCase: true, out BaselineVendor parsed) => parsed,
                _ => null,
            };

        public static IEnumerable<CompletionResult> Results(string wordToComplete, BaselineVendor? vendor, bool includeNone)
        {
            BaselineCatalog catalog;
            try
            {
                catalog = BaselineCatalog.Default;
            }
            catch (Engine.CpuidMaskException)
            {
                // Completion must never throw at the prompt; the command itself reports a broken catalog.
                return Array.Empty<CompletionResult>();
            }

            return Complete(catalog, wordToComplete, vendor, includeNone)
                .Select(c => new CompletionResult(c.Text, c.Name, CompletionResultType.ParameterValue, c.ToolTip))
                .ToArray();
        }
    }
}
