using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CpuidMask.Engine;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;
using CpuidMask.PowerShell.Input;
using CpuidMask.Vim.Inventory;

namespace CpuidMask.PowerShell.Commands
{
    /// <summary>
    /// Reads CPU profiles: of vSphere hosts (PowerCLI VMHost objects or names), of CPUID dump files, or of
    /// this machine.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "HostCpuid", DefaultParameterSetName = VMHostSet)]
    [OutputType(typeof(CpuidProfile))]
    public sealed class GetHostCpuidCommand : VCenterCmdlet
    {
        private const string VMHostSet = "VMHost";
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string LocalSet = "Local";

        private readonly List<InventoryInput> _hosts = new List<InventoryInput>();

        // Dump files, read in EndProcessing: piped ones (Get-ChildItem | Get-HostCpuid) come one per ProcessRecord,
        // and only once all are in is their number known for the progress bar -Path a,b,... shows.
        private readonly List<(string Resolved, object Given)> _files = new List<(string Resolved, object Given)>();

        /// <summary>PowerCLI VMHost objects (Get-VMHost) or host names; wildcards allowed in names.</summary>
        [Parameter(ParameterSetName = VMHostSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public object[] VMHost { get; set; } = Array.Empty<object>();

        /// <summary>
        /// CPUID dump files (InstLatX64/AIDA64, cpuid -r, vmware.log, boot CD, vSphere or cpuidmask JSON, such as
        /// the profiles Export-CpuidProfile saved).
        /// Named only: a bare first argument is a host name (-VMHost, the default set).
        /// </summary>
        /// <remarks>
        /// No FullName alias: Get-ChildItem output has both FullName and PSPath, so it would bind this set and
        /// -LiteralPath's alike and PowerShell could not choose (AmbiguousParameterSet). As with Get-Content,
        /// files piped in bind -LiteralPath by PSPath, so names with wildcard characters are read as they are.
        /// </remarks>
        [Parameter(ParameterSetName = PathSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>Dump files named exactly, without wildcard expansion.</summary>
        [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = Array.Empty<string>();

        /// <summary>Which logical CPU of a multi-CPU dump to read; 0 is the first. Files of hosts give every host.</summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        [ValidateRange(0, 4095)]
        public int Cpu { get; set; }

        /// <summary>
        /// Reads a file that lacks leaves its kind of source always reports (a dump cut short, a trimmed export),
        /// warning which; leaves 0 and 1 are needed even so.
        /// </summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        public SwitchParameter AllowPartial { get; set; }

        /// <summary>Reads this machine's CPU with the CPUID instruction (PowerShell 7 on x64).</summary>
        [Parameter(ParameterSetName = LocalSet, Mandatory = true)]
        public SwitchParameter Local { get; set; }

        // The connection parameters come from VCenterCmdlet in every set; here they belong to the vCenter set only, so
        // that the binder (and Get-Help's syntax) rejects them beside -Path, -LiteralPath or -Local, where they would
        // mean nothing. PowerShell takes a parameter's attributes from the most derived declaration.

        /// <summary>The vCenter: a PowerCLI connection or a name. Default: the connection the hosts came from, else $global:DefaultVIServer.</summary>
        [Parameter(ParameterSetName = VMHostSet)]
        public override object? Server { get => base.Server; set => base.Server = value; }

        /// <summary>Logs in to -Server with these credentials instead of reusing PowerCLI's session.</summary>
        [Parameter(ParameterSetName = VMHostSet)]
        [Credential]
        public override PSCredential? Credential { get => base.Credential; set => base.Credential = value; }

        /// <summary>SHA-256 thumbprint of the vCenter's certificate, accepted instead of CA validation.</summary>
        [Parameter(ParameterSetName = VMHostSet)]
        [ValidateNotNullOrEmpty]
        public override string? Thumbprint { get => base.Thumbprint; set => base.Thumbprint = value; }

        /// <summary>Accepts any certificate (warns every time). Prefer -Thumbprint.</summary>
        [Parameter(ParameterSetName = VMHostSet)]
        public override SwitchParameter SkipCertificateCheck { get => base.SkipCertificateCheck; set => base.SkipCertificateCheck = value; }

        protected override void ProcessRecord()
        {
            switch (ParameterSetName)
            {
                case LocalSet:
                    ReadLocal();
                    break;
                case PathSet:
                    _files.AddRange(Path.SelectMany(path => ResolvePath(path, literal: false).Select(resolved => (resolved, (object)path))));
                    break;
                case LiteralPathSet:
                    _files.AddRange(LiteralPath.SelectMany(path => ResolvePath(path, literal: true).Select(resolved => (resolved, (object)path))));
                    break;
                default:
                    foreach (var item in VMHost)
                    {
                        CollectHost(item);
                    }

                    break;
            }
        }

        protected override void EndProcessing()
        {
            ReadFiles(_files);

            // One session and a constant number of round trips per vCenter, however many hosts were piped in:
            // PowerCLI objects are read by their reference, names and wildcards by name.
            foreach (var host in ReadHosts(_hosts).GroupBy(h => h.Client).SelectMany(g => g.OrderBy(h => h.Record.Name, StringComparer.OrdinalIgnoreCase)))
            {
                try
                {
                    WriteObject(host.Record.ToProfile());
                }
                catch (CpuidMaskException ex)
                {
                    WriteItemError(ex, host.Input?.Original ?? host.Record.Name);
                }
            }
        }

        private void CollectHost(object item)
        {
            var value = Unwrap(item);
            if (value == null)
            {
                return;
            }

            InventoryInput input;
            try
            {
                input = InventoryInput.ForHost(value, Read);
            }
            catch (CpuidMaskException ex)
            {
                WriteItemError(ex, value);
                return;
            }

            if (input.Kind == InventoryInputKind.File)
            {
                // Get-ChildItem output binds here by value (-VMHost takes any object): read it as a dump.
                _files.Add((input.Text, value));
                return;
            }

            _hosts.Add(input);
        }

        private void ReadLocal()
        {
            try
            {
                WriteObject(LocalCpuidReader.Read());
            }
            catch (CpuidMaskException ex)
            {
                throw Terminate(ex);
            }
        }

        private void ReadFiles(IReadOnlyList<(string Resolved, object Given)> files)
        {
            // A wildcard over a folder of dumps can name hundreds of files, each a few milliseconds to read.
            for (int i = 0; i < files.Count; i++)
            {
                if (files.Count > 1)
                {
                    ReportProgress("Reading CPUID dumps", System.IO.Path.GetFileName(files[i].Resolved), i, files.Count);
                }

                // -Cpu is bound only in the file sets: a file piped in as a host is read at CPU 0.
                ReadFile(files[i].Resolved, Cpu, files[i].Given);
            }

            CompleteProgress();
        }

        private void ReadFile(string path, int cpu, object item)
        {
            try
            {
                // A file of hosts (a vSphere export, or profiles saved by Export-CpuidProfile) gives every host;
                // a dump of one machine its logical CPU -Cpu.
                var options = new ProfileReadOptions { AllowPartial = AllowPartial, Warn = advice => WriteWarning(RemedyWording.Describe(advice)) };
                WriteObject(ProfileReader.ReadHosts(path, cpu, options), enumerateCollection: true);
            }
            catch (CpuidMaskException ex)
            {
                WriteItemError(ex, item);
            }
        }

        private IEnumerable<string> ResolvePath(string path, bool literal)
        {
            try
            {
                ProviderInfo provider;
                IEnumerable<string> paths;
                if (literal)
                {
                    paths = new[] { SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _) };
                }
                else
                {
                    paths = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
                }

                if (provider.Name != "FileSystem")
                {
                    WriteItemError(new CpuidMaskException("ProfilePathNotFileSystem", ErrorKind.InvalidArgument, $"'{path}' is on the {provider.Name} drive; CPUID dumps are read from files.", path), path);
                    return Array.Empty<string>();
                }

                var list = paths.ToArray();
                if (list.Length == 0 && !WildcardPattern.ContainsWildcardCharacters(path))
                {
                    WriteItemError(new CpuidMaskException("ProfileFileNotFound", ErrorKind.ObjectNotFound, $"Profile file '{path}' was not found.", path), path);
                }

                return list;
            }
            catch (ItemNotFoundException ex)
            {
                WriteItemError(new CpuidMaskException("ProfileFileNotFound", ErrorKind.ObjectNotFound, ex.Message + " Check the path and the current location (Get-Location).", path, ex), path);
            }
            catch (DriveNotFoundException ex)
            {
                WriteItemError(new CpuidMaskException("ProfileFileNotFound", ErrorKind.ObjectNotFound, ex.Message, path, ex), path);
            }
            catch (ProviderNotFoundException ex)
            {
                WriteItemError(new CpuidMaskException("ProfileFileNotFound", ErrorKind.ObjectNotFound, ex.Message, path, ex), path);
            }

            return Array.Empty<string>();
        }
    }
}
