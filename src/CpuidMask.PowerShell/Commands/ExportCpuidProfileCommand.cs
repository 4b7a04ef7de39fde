using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using CpuidMask.Engine;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.IO;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;

namespace CpuidMask.PowerShell.Commands
{
    /// <summary>
    /// Saves CPU profiles to one JSON file, the format <c>cpuidmask show --json</c> prints (a list of them), which
    /// Get-HostCpuid -Path and every cpuidmask command read back as the same profiles: snapshot the hosts today,
    /// compare or compute a mask against them next week, on any machine.
    /// </summary>
    [Cmdlet(VerbsData.Export, "CpuidProfile", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
    [OutputType(typeof(CpuidProfile))]
    public sealed class ExportCpuidProfileCommand : CpuidMaskCmdlet
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";

        private readonly List<CpuidProfile> _profiles = new List<CpuidProfile>();

        /// <summary>The file to write; wildcards may name one existing file.</summary>
        [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <summary>The file to write, named exactly (no wildcard expansion).</summary>
        [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string LiteralPath { get; set; } = string.Empty;

        /// <summary>The profiles to save (Get-HostCpuid output); all of them go into the one file.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public CpuidProfile[] Profile { get; set; } = Array.Empty<CpuidProfile>();

        /// <summary>Overwrites a read-only file.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Refuses to overwrite an existing file.</summary>
        [Parameter]
        [Alias("NoOverwrite")]
        public SwitchParameter NoClobber { get; set; }

        /// <summary>Writes the saved profiles to the pipeline as well.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            _profiles.AddRange(Profile.Where(p => p != null));
        }

        protected override void EndProcessing()
        {
            string given = ParameterSetName == LiteralPathSet ? LiteralPath : Path;
            string file = ResolveFile(given, literal: ParameterSetName == LiteralPathSet);
            if (_profiles.Count == 0)
            {
                // An empty list would not read back; keeping the last good file matters more to a scheduled job.
                throw Terminate("ProfileInputMissing", ErrorKind.InvalidArgument, $"No CPU profile reached Export-CpuidProfile, so '{file}' was not written. Pipe Get-HostCpuid output to it, or pass -Profile.", given);
            }

            if (NoClobber && File.Exists(file))
            {
                throw Terminate("ProfileFileExists", ErrorKind.ResourceUnavailable, $"'{file}' already exists and -NoClobber is set; nothing was written. Name another file, or leave out -NoClobber to replace it.", given);
            }

            string names = string.Join(", ", _profiles.Select(p => p.Name));
            if (!ShouldProcess(file, $"Save {_profiles.Count} CPU {(_profiles.Count == 1 ? "profile" : "profiles")} ({names})"))
            {
                return;
            }

            string json;
            try
            {
                json = ProfileJson.WriteAll(_profiles, p => FeatureEvaluator.HostFeatureInfo(p, Catalog)) + "\n";
            }
            catch (CpuidMaskException ex)
            {
                throw Terminate(ex, given);
            }

            Write(file, json, given);
            WriteVerbose($"Saved {names} to {file}.");
            if (PassThru)
            {
                WriteObject(_profiles, enumerateCollection: true);
            }
        }

        /// <summary>
        /// As Export-Csv does: -Path may use wildcards to name one existing file, else it is the new file's name;
        /// -LiteralPath is taken as it is. Only file system paths.
        /// </summary>
        private string ResolveFile(string path, bool literal)
        {
            string? resolved = null;
            ProviderInfo? provider = null;
            if (!literal && WildcardPattern.ContainsWildcardCharacters(path))
            {
                try
                {
                    var matches = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
                    if (matches.Count > 1)
                    {
                        throw Terminate("ProfilePathAmbiguous", ErrorKind.InvalidArgument, $"'{path}' names {matches.Count} files ({string.Join(", ", matches.Take(3))}...); give one file, or use -LiteralPath for a name with wildcard characters.", path);
                    }

                    resolved = matches.Count == 1 ? matches[0] : null;
                }
                catch (ItemNotFoundException)
                {
                    // Nothing matches: the name is the new file's, as Export-Csv takes it.
                }
            }

            if (resolved == null)
            {
                try
                {
                    resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
                }
                catch (Exception ex) when (ex is System.Management.Automation.DriveNotFoundException || ex is ProviderNotFoundException || ex is NotSupportedException || ex is ArgumentException)
                {
                    throw Terminate(new CpuidMaskException("ProfileFileUnwritable", ErrorKind.InvalidArgument, $"'{path}' is not a path a file can be written to: {ex.Message}", path, ex), path);
                }
            }

            if (provider?.Name != "FileSystem")
            {
                throw Terminate("ProfilePathNotFileSystem", ErrorKind.InvalidArgument, $"'{path}' is on the {provider?.Name} drive; profiles are saved to files.", path);
            }

            if (Directory.Exists(resolved))
            {
                throw Terminate("ProfileFileUnwritable", ErrorKind.InvalidArgument, $"'{resolved}' is a folder; name the file to write in it, e.g. '{System.IO.Path.Combine(resolved, "hosts.json")}'.", path);
            }

            return resolved;
        }

        /// <summary>Writes next to the file, then puts it in place: a failed write leaves the previous file whole.</summary>
        private void Write(string file, string json, string given)
        {
            try
            {
                var existing = new FileInfo(file);
                if (existing.Exists && existing.IsReadOnly)
                {
                    if (!Force)
                    {
                        throw new UnauthorizedAccessException($"'{file}' is read-only. Use -Force to replace it.");
                    }

                    existing.IsReadOnly = false;
                }

                ReplacedFile.Write(file, writer => writer.Write(json));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is NotSupportedException)
            {
                throw Terminate(new CpuidMaskException("ProfileFileUnwritable", ErrorKind.WriteError, $"Could not write '{file}': {ex.Message}", given, ex), given);
            }
        }
    }
}
