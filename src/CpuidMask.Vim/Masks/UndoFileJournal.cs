using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using CpuidMask.Engine;
using CpuidMask.Engine.IO;

namespace CpuidMask.Vim.Masks
{
    /// <summary>
    /// Undo records kept as files, one JSON file per VM (the undo files of 'cpuidmask apply' and of a PowerShell
    /// -UndoPath folder): each VM's record is written, with outcome pending, before its change is sent, and completed
    /// with how the change ended, so no VM is changed without a file. Paths are planned, and the folders proven
    /// writable, before any VM is changed; an existing file is never overwritten.
    /// </summary>
    public sealed class UndoFileJournal : IChangeJournal
    {
        private readonly IReadOnlyDictionary<string, string> _paths;
        private readonly object _lock = new object();
        private readonly HashSet<string> _written = new HashSet<string>(StringComparer.Ordinal);

        /// <param name="paths">The undo file of each VM (by name) of the run; see <see cref="PlanFolder"/>.</param>
        public UndoFileJournal(IReadOnlyDictionary<string, string> paths)
        {
            _paths = paths ?? throw new ArgumentNullException(nameof(paths));
            EnsureWritable(paths.Values);
        }

        /// <summary>The undo file of a VM of this run, whether or not it has been written yet.</summary>
        public string? PathOf(string vm) => _paths.TryGetValue(vm, out var path) ? path : null;

        /// <summary>The undo file of a VM of this run if its record was written (its change was begun), else null.</summary>
        public string? WrittenPathOf(string vm)
        {
            lock (_lock)
            {
                return _written.Contains(vm) ? PathOf(vm) : null;
            }
        }

        /// <summary>
        /// cpuidmask-undo-&lt;vm&gt;-&lt;UTC time&gt;.json for each VM in <paramref name="folder"/>, numbered (-2, -3...)
        /// where a name is taken. The folder must exist.
        /// </summary>
        public static IReadOnlyDictionary<string, string> PlanFolder(string folder, IEnumerable<string> vmNames, DateTime utcNow)
        {
            if (!Directory.Exists(folder))
            {
                throw new CpuidMaskException("UndoFileDirectoryNotFound", ErrorKind.InvalidArgument, $"The folder for undo files, '{folder}', does not exist; create it or name another. Nothing was written.", folder);
            }

            string stamp = utcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            var paths = new Dictionary<string, string>(StringComparer.Ordinal);
            var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (string vm in vmNames.Distinct(StringComparer.Ordinal))
            {
                string stem = Path.Combine(folder, $"cpuidmask-undo-{SafeName(vm)}-{stamp}");
                string path = stem + ".json";
                for (int n = 2; File.Exists(path) || !taken.Add(Path.GetFullPath(path)); n++)
                {
                    path = stem + "-" + n.ToString(CultureInfo.InvariantCulture) + ".json";
                }

                paths[vm] = path;
            }

            return paths;
        }

        /// <summary>A VM name as a file-name part: characters no file system takes become '_'.</summary>
        public static string SafeName(string name)
        {
            var invalid = new HashSet<char>(Path.GetInvalidFileNameChars().Concat(new[] { '/', '\\', ':', '*', '?', '"', '<', '>', '|', ' ' }));
            var text = new StringBuilder(name.Length);
            foreach (char c in name)
            {
                text.Append(invalid.Contains(c) || char.IsControl(c) ? '_' : c);
            }

            return text.Length == 0 ? "vm" : text.ToString();
        }

        /// <summary>Reads an undo file, of either kind, checked (see <see cref="VmUndoRecord.Parse"/>).</summary>
        public static VmUndoRecord Read(string path)
        {
            if (!File.Exists(path))
            {
                throw new CpuidMaskException("UndoFileNotFound", ErrorKind.ObjectNotFound, $"Undo file '{path}' does not exist.", path);
            }

            return VmUndoRecord.Parse(File.ReadAllText(path), path);
        }

        public void Begin(VmUndoRecord record)
        {
            string path = PathOf(record.Vm) ?? throw new InvalidOperationException($"No undo file was planned for VM '{record.Vm}'.");
            lock (_lock)
            {
                // CreateNew: another run may have made the file since it was planned; it is never overwritten.
                // Flushed to disk before the change is sent: a crash of the machine must not lose it either.
                using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
                {
                    byte[] bytes = new UTF8Encoding(false).GetBytes(record.ToJson());
                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush(flushToDisk: true);
                }

                _written.Add(record.Vm);
            }
        }

        public void End(VmUndoRecord record, VmChangeOutcome outcome)
        {
            string? path = PathOf(record.Vm);
            if (path == null)
            {
                return;
            }

            lock (_lock)
            {
                // Replaced whole (a crash leaves the pending record or the completed one, never half). If it fails, the
                // pending record stays: still an undo record, and the run reports the outcome itself.
                try
                {
                    ReplacedFile.Write(path, writer => writer.Write(record.WithOutcome(outcome).ToJson()));
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                }
            }
        }

        /// <summary>
        /// Proves before any write that undo files can be created where they are planned: a folder that cannot be
        /// written to stops the run here, with nothing written to any VM, rather than after a VM was changed.
        /// </summary>
        private static void EnsureWritable(IEnumerable<string> paths)
        {
            foreach (string folder in paths.Select(p => Path.GetDirectoryName(Path.GetFullPath(p))!).Distinct(StringComparer.Ordinal))
            {
                string probe = Path.Combine(folder, ".cpuidmask-probe-" + Guid.NewGuid().ToString("N"));
                try
                {
                    using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write))
                    {
                    }

                    File.Delete(probe);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    throw new CpuidMaskException("UndoFileDirectoryNotWritable", ErrorKind.WriteError, $"Undo files cannot be written in '{folder}' ({ex.Message}); nothing was written to any VM. Name a writable folder for them.", folder, ex);
                }
            }
        }
    }
}
