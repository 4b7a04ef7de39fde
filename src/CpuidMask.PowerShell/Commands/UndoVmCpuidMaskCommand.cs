using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using CpuidMask.Engine;
using CpuidMask.Vim.Masks;

namespace CpuidMask.PowerShell.Commands
{
    /// <summary>
    /// Puts back what earlier changes replaced: the CPUID mask values (from Set-VmCpuidMask -PassThru, or the undo
    /// files 'cpuidmask apply' writes) or the per-VM EVC mask (from Set-VmEvcMode -PassThru). Refuses a VM changed
    /// again since, unless -Force.
    /// </summary>
    [Cmdlet(VerbsCommon.Undo, "VmCpuidMask", DefaultParameterSetName = ChangeSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(VmCpuidMaskChange), typeof(VmEvcModeChange))]
    public sealed class UndoVmCpuidMaskCommand : VmWriteCmdlet
    {
        private const string ChangeSet = "Change";
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";

        private readonly List<object> _records = new List<object>();

        /// <summary>Results of Set-VmCpuidMask -PassThru or Set-VmEvcMode -PassThru (live, or their Import-Clixml copies).</summary>
        [Parameter(ParameterSetName = ChangeSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public VmCpuidChange[] InputObject { get; set; } = Array.Empty<VmCpuidChange>();

        /// <summary>Undo files written by 'cpuidmask apply' or -UndoPath (JSON, one per VM); wildcards allowed.</summary>
        [Parameter(ParameterSetName = PathSet, Mandatory = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>Undo files named exactly (a VM name may hold [ or ]); Get-ChildItem output binds here by PSPath.</summary>
        [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = Array.Empty<string>();

        /// <summary>Restores even over later changes to the same keys, on a powered-on VM (applies at its next power-on), or on a server known by another name.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Writes a result per VM: what the undo changed (itself undoable).</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ChangeSet)
            {
                _records.AddRange(InputObject.Where(c => c != null).Select(c => c.UndoRecord()));
                return;
            }

            var files = ParameterSetName == LiteralPathSet ? LiteralPath.SelectMany(ResolveLiteral) : Path.SelectMany(Resolve);
            foreach (string file in files)
            {
                try
                {
                    _records.Add(VmUndoRecord.Parse(File.ReadAllText(file), file));
                }
                catch (CpuidMaskException ex)
                {
                    WriteItemError(ex, file);
                }
                catch (IOException ex)
                {
                    WriteItemError(new CpuidMaskException("UndoFileUnreadable", ErrorKind.ResourceUnavailable, $"Cannot read undo file '{file}': {ex.Message}", file, ex), file);
                }
            }
        }

        protected override void EndProcessing() => UndoChanges(_records, Force, PassThru);

        private IEnumerable<string> ResolveLiteral(string path)
        {
            string file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
            if (provider.Name != "FileSystem")
            {
                WriteItemError(new CpuidMaskException("UndoFileNotFound", ErrorKind.InvalidArgument, $"'{path}' is on the {provider.Name} drive; undo files are read from the file system.", path), path);
                return Array.Empty<string>();
            }

            if (!File.Exists(file))
            {
                WriteItemError(new CpuidMaskException("UndoFileNotFound", ErrorKind.ObjectNotFound, $"Undo file '{file}' does not exist.", path), path);
                return Array.Empty<string>();
            }

            return new[] { file };
        }

        private IEnumerable<string> Resolve(string pattern)
        {
            try
            {
                var paths = SessionState.Path.GetResolvedProviderPathFromPSPath(pattern, out var provider);
                if (provider.Name == "FileSystem" && paths.Count > 0)
                {
                    return paths;
                }

                if (provider.Name == "FileSystem")
                {
                    // A wildcard that matches nothing would otherwise undo nothing without a word.
                    WriteItemError(new CpuidMaskException("UndoFileNotFound", ErrorKind.ObjectNotFound, $"No undo file matches '{pattern}'. Give the undo files 'cpuidmask apply' wrote.", pattern), pattern);
                    return Array.Empty<string>();
                }

                WriteItemError(new CpuidMaskException("UndoFileNotFound", ErrorKind.InvalidArgument, $"'{pattern}' is on the {provider.Name} drive; undo files are read from the file system.", pattern), pattern);
            }
            catch (ItemNotFoundException ex)
            {
                WriteItemError(new CpuidMaskException("UndoFileNotFound", ErrorKind.ObjectNotFound, ex.Message + " Give the undo files 'cpuidmask apply' wrote.", pattern, ex), pattern);
            }

            return Array.Empty<string>();
        }
    }
}
