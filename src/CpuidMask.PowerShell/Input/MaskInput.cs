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

        /// <summary>
        /// Reads and merges all the inputs; lines given as separate strings are read as one text, .vmx lines or JSON.
        /// Every input but a computed mask (New-VmCpuidMask output) is held to the rules of mask input (<see cref="MaskReadOptions"/>).
        /// </summary>
        public static VmMask ToVmMask(IEnumerable<object?> inputs, PropertyReader read, string sourceName, MaskReadOptions? options = null) =>
            ToMaskForVendor(inputs, read, sourceName, options).Mask;

        public static VmMask ToVmMask(object? input, PropertyReader read, string sourceName, MaskReadOptions? options = null) =>
            ToVmMask(new[] { input }, read, sourceName, options);

        /// <summary>
        /// <see cref="ToVmMask(IEnumerable{object?}, PropertyReader, string, MaskReadOptions?)"/>, with the CPU vendor the
        /// inputs' masks were made for: New-VmCpuidMask output carries its hosts or baseline, and so does the JSON of
        /// 'cpuidmask mask --format json'; null when none says, e.g. for .vmx lines. Inputs for several vendors make no
        /// sense together: the first wins here, and writing such a mask to a VM fails the vendor check for one of them.
        /// </summary>
        public static MaskForVendor ToMaskForVendor(IEnumerable<object?> inputs, PropertyReader read, string sourceName, MaskReadOptions? options = null)
        {
            var masks = new List<MaskForVendor>();
            var text = new StringBuilder();
            foreach (var input in Flatten(inputs))
            {
                if (input is string line)
                {
                    text.AppendLine(line);
                }
                else
                {
                    masks.Add(new MaskForVendor(FromObject(input, read, sourceName, options), CpuVendorOf(input)));
                }
            }

            if (text.Length > 0)
            {
                masks.Insert(0, FromText(text.ToString(), sourceName, options));
            }

            if (masks.Count == 0)
            {
                throw new CpuidMaskException(InvalidErrorId, ErrorKind.InvalidArgument, "No mask was given: pass New-VmCpuidMask output or .vmx lines such as cpuid.1.ecx = \"--00-0---0----0-----------------\".", sourceName);
            }

            var result = masks[0].Mask;
            foreach (var next in masks.Skip(1))
            {
                result = result.Merge(next.Mask);
            }

            return new MaskForVendor(result, masks.Select(m => m.CpuVendor).FirstOrDefault(v => v != null));
        }

        private static string? CpuVendorOf(object input) => input switch
        {
            VmCpuidMask computed => computed.Generated.CpuVendor,
            GeneratedMask generated => generated.CpuVendor,
            _ => null,
        };

        private static VmMask FromObject(object input, PropertyReader read, string sourceName, MaskReadOptions? options)
        {
            switch (input)
            {
                case VmCpuidMask computed:
                    return computed.Mask;
                case GeneratedMask generated:
                    return generated.Mask;
                case VmCpuidMaskInfo stored:
                    // A VM's masks copied to others are input like any other: what that VM may hold, they must not get blindly.
                    return (stored.Mask ?? VmMask.ParseVmx(stored.ToVmx(), $"VM '{stored.Name}'", options)).Validate($"VM '{stored.Name}'", options);
                case VmMask mask:
                    return mask.Validate(sourceName, options);
                case IDictionary dictionary:
                    return FromDictionary(dictionary, sourceName, options);
            }

            // A deserialized VmCpuidMask or VmCpuidMaskInfo (Import-Clixml, remoting) keeps its Lines.
            if (read(input, "Lines") is object lines && !(lines is string))
            {
                var text = string.Join("\n", Flatten(new[] { lines }).Select(l => l?.ToString() ?? string.Empty));
                return VmMask.ParseVmx(text, read.ReadString(input, "Name") ?? sourceName, options);
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
        private static MaskForVendor FromText(string text, string sourceName, MaskReadOptions? options)
        {
            try
            {
                return MaskFile.ReadWithVendor(text, sourceName, options);
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

        /// <summary>@{ 'cpuid.1.ecx' = '...' }: each entry a key and its value, never re-read as text (a value cannot add lines).</summary>
        private static VmMask FromDictionary(IDictionary dictionary, string sourceName, MaskReadOptions? options) =>
            VmMask.ParsePairs(
                dictionary.Cast<DictionaryEntry>().Select(e => new KeyValuePair<string, string?>(Text(e.Key) ?? string.Empty, Text(e.Value))),
                sourceName,
                options);

        // A PSObject around a string or number gives the inner value's text.
        private static string? Text(object? value) => value?.ToString();

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
