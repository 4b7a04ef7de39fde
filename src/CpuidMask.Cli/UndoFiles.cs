using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using CpuidMask.Engine;
using CpuidMask.Vim.Masks;

namespace CpuidMask.Cli
{
    /// <summary>
    /// Where 'apply' writes undo files (one JSON file per VM) and how 'undo' reads them. Paths are
    /// settled before anything is written to a VM, so a VM is never changed without a place for its undo.
    /// </summary>
    internal static class UndoFiles
    {
        public const string VmPlaceholder = "{vm}";

        /// <summary>
        /// One path per VM name: <paramref name="option"/> as given for one VM; with {vm} in it, one per VM;
        /// a directory (existing, or ending in a separator) gets the default names; none: the default
        /// names (cpuidmask-undo-&lt;vm&gt;-&lt;UTC time&gt;.json) in the output directory. Existing files
        /// are never overwritten.
        /// </summary>
        public static IReadOnlyDictionary<string, string> Plan(string? option, IReadOnlyList<string> vmNames, CliContext context, DateTime utcNow)
        {
            string stamp = utcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            string? directory = null;
            string? template = null;
            if (option == null)
            {
                directory = context.OutputDirectory ?? Directory.GetCurrentDirectory();
            }
            else if (Directory.Exists(option) || option.EndsWith("/", StringComparison.Ordinal) || option.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal))
            {
                directory = option;
            }
            else if (vmNames.Count > 1 && !option.Contains(VmPlaceholder))
            {
                throw Arguments.Usage($"--undo-file names one file, but {vmNames.Count} VMs match; put {VmPlaceholder} in the name (e.g. undo-{VmPlaceholder}.json) or give a directory.");
            }
            else
            {
                template = option;
            }

            if (directory != null && !Directory.Exists(directory))
            {
                throw new CpuidMaskException("UndoFileDirectoryNotFound", ErrorKind.InvalidArgument, $"The directory for undo files, '{directory}', does not exist; create it or pass another --undo-file. Nothing was written.", directory);
            }

            var paths = new Dictionary<string, string>(StringComparer.Ordinal);
            var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (string vm in vmNames)
            {
                string path;
                if (template != null)
                {
                    path = template.Replace(VmPlaceholder, SafeName(vm));
                    if (File.Exists(path) || !taken.Add(Path.GetFullPath(path)))
                    {
                        throw new CpuidMaskException("UndoFileExists", ErrorKind.InvalidArgument, $"Undo file '{path}' already exists (or is named twice); an undo file is never overwritten. Pass another --undo-file. Nothing was written.", path);
                    }

                    string? parent = Path.GetDirectoryName(Path.GetFullPath(path));
                    if (parent != null && !Directory.Exists(parent))
                    {
                        throw new CpuidMaskException("UndoFileDirectoryNotFound", ErrorKind.InvalidArgument, $"The directory of undo file '{path}' does not exist; create it or pass another --undo-file. Nothing was written.", path);
                    }
                }
                else
                {
                    string stem = Path.Combine(directory!, $"cpuidmask-undo-{SafeName(vm)}-{stamp}");
                    path = stem + ".json";
                    for (int n = 2; File.Exists(path) || !taken.Add(Path.GetFullPath(path)); n++)
                    {
                        path = stem + "-" + n.ToString(CultureInfo.InvariantCulture) + ".json";
                    }
                }

                paths[vm] = path;
            }

            return paths;
        }

        public static VmUndoRecord Read(string path) => UndoFileJournal.Read(path);

        private static string SafeName(string name) => UndoFileJournal.SafeName(name);
    }
}
