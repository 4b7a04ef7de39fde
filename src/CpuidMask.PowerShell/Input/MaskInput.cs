using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using CpuidMask.Engine;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Readers;

namespace CpuidMask.PowerShell.Input
{
    /// <summary>
    /// Turns what users pass as a mask into one VmMask: New-VmCpuidMask output, Get-VmCpuidMask output, the
    /// engine's VmMask or GeneratedMask, .vmx lines or the JSON of 'cpuidmask mask --format json' (one string or
    /// many, e.g. from Get-Content, with or without -Raw), a hashtable of key = value, or any of those deserialized
    /// (Import-Clixml keeps their Lines).
    /// </summary>
    internal static class MaskInput
    {
        public const string InvalidErrorId = "MaskInputInvalid";

        /// <summary>Reads and merges all the inputs; lines given as separate strings are read as one text, .vmx lines or JSON.</summary>
        public static VmMask ToVmMask(IEnumerable<object?> inputs, PropertyReader read, string sourceName)
        {
            var masks = new List<VmMask>();
            var text = new StringBuilder();
            foreach (var input in Flatten(inputs))
            {
                if (input is string line)
                {
                    text.AppendLine(line);
                }
                else
                {
                    masks.Add(FromObject(input, read, sourceName));
                }
            }

            if (text.Length > 0)
            {
                masks.Insert(0, FromText(text.ToString(), sourceName));
            }

            if (masks.Count == 0)
            {
                throw new CpuidMaskException(InvalidErrorId, ErrorKind.InvalidArgument, "No mask was given: pass New-VmCpuidMask output or .vmx lines such as cpuid.1.ecx = \"--00-0---0----0-----------------\".", sourceName);
            }

            var result = masks[0];
            foreach (var next in masks.Skip(1))
            {
                result = result.Merge(next);
            }

            return result;
        }

        public static VmMask ToVmMask(object? input, PropertyReader read, string sourceName) => ToVmMask(new[] { input }, read, sourceName);

        /// <summary>
        /// The CPU vendor the inputs' masks were computed for (New-VmCpuidMask output carries its hosts or baseline);
        /// null when none says, e.g. for .vmx lines. Inputs for several vendors make no sense together: the first wins
        /// here, and writing such a mask to a VM fails the vendor check for one of them.
        /// </summary>
        public static string? CpuVendorOf(IEnumerable<object?> inputs) => Flatten(inputs)
            .Select(i => i switch
            {
                VmCpuidMask computed => computed.Generated.CpuVendor,
                GeneratedMask generated => generated.CpuVendor,
                _ => null,
            })
            .FirstOrDefault(v => v != null);

        private static VmMask FromObject(object input, PropertyReader read, string sourceName)
        {
            switch (input)
            {
                case VmCpuidMask computed:
                    return computed.Mask;
                case VmCpuidMaskInfo stored:
                    return stored.Mask ?? VmMask.ParseVmx(stored.ToVmx(), stored.Name);
                case VmMask mask:
                    return mask;
                case GeneratedMask generated:
                    return generated.Mask;
                case IDictionary dictionary:
                    return FromDictionary(dictionary, sourceName);
            }

            // A deserialized VmCpuidMask or VmCpuidMaskInfo (Import-Clixml, remoting) keeps its Lines.
            if (read(input, "Lines") is object lines && !(lines is string))
            {
                var text = string.Join("\n", Flatten(new[] { lines }).Select(l => l?.ToString() ?? string.Empty));
                return VmMask.ParseVmx(text, read.ReadString(input, "Name") ?? sourceName);
            }

            throw new CpuidMaskException(
                InvalidErrorId,
                ErrorKind.InvalidArgument,
                $"A {input.GetType().Name} is not a CPUID mask. Pass New-VmCpuidMask output, Get-VmCpuidMask output, or .vmx lines such as cpuid.1.ecx = \"--00-0---0----0-----------------\".",
                input);
        }

        /// <summary>
        /// A file's content, not its name, is the mask (as -Value of Set-Content or -InputObject of ConvertFrom-Json take
        /// content): a lone string that is no mask line but names a file gets told how to pass the file.
        /// </summary>
        private static VmMask FromText(string text, string sourceName)
        {
            try
            {
                return MaskFile.Read(text, sourceName);
            }
            catch (CpuidMaskException ex) when (ex.ErrorId == "MaskLineMalformed" && LooksLikePath(text))
            {
                string path = text.Trim();
                throw new CpuidMaskException(
                    InvalidErrorId,
                    ErrorKind.InvalidArgument,
                    $"'{path}' is not a mask but looks like a file name; the mask is the file's content: -Mask (Get-Content '{path}' -Raw).",
                    path,
                    ex);
            }
        }

        private static bool LooksLikePath(string text)
        {
            string trimmed = text.Trim();
            return trimmed.Length > 0
                && trimmed.IndexOfAny(new[] { '\n', '=', '"' }) < 0
                && (trimmed.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
                    || trimmed.EndsWith(".vmx", StringComparison.OrdinalIgnoreCase)
                    || trimmed.EndsWith(".txt", StringComparison.OrdinalIgnoreCase)
                    || trimmed.IndexOfAny(new[] { '/', '\\' }) >= 0);
        }

        private static VmMask FromDictionary(IDictionary dictionary, string sourceName)
        {
            var text = new StringBuilder();
            foreach (DictionaryEntry entry in dictionary)
            {
                text.Append(entry.Key).Append(" = \"").Append(entry.Value).AppendLine("\"");
            }

            return VmMask.ParseVmx(text.ToString(), sourceName);
        }

        private static IEnumerable<object> Flatten(IEnumerable<object?> inputs)
        {
            foreach (var input in inputs)
            {
                if (input == null)
                {
                    continue;
                }

                if (input is IEnumerable many && !(input is string) && !(input is IDictionary))
                {
                    foreach (var inner in Flatten(many.Cast<object?>()))
                    {
                        yield return inner;
                    }
                }
                else
                {
                    yield return input;
                }
            }
        }
    }
}
