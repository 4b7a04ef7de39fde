using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CpuidMask.Engine;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;
using CpuidMask.PowerShell.Completion;
using CpuidMask.PowerShell.Input;

namespace CpuidMask.PowerShell.Commands
{
    /// <summary>
    /// Finds the CPU features that block a vMotion between hosts, in each direction: two profiles like
    /// Compare-Object (one row per feature, with a SideIndicator), or any number of hosts (one result per
    /// direction).
    /// </summary>
    [Cmdlet(VerbsData.Compare, "CpuidProfile", DefaultParameterSetName = ProfileSet)]
    [OutputType(typeof(CpuidMigrationCheck), ParameterSetName = new[] { ProfileSet })]
    [OutputType(typeof(CpuidDifference), ParameterSetName = new[] { PairSet })]
    public sealed class CompareCpuidProfileCommand : CpuidMaskCmdlet
    {
        private const string ProfileSet = "Profile";
        private const string PairSet = "Pair";

        private readonly List<CpuidProfile> _profiles = new List<CpuidProfile>();
        private VmMask? _mask;

        /// <summary>Two or more host profiles (Get-HostCpuid output); every ordered pair is checked.</summary>
        [Parameter(ParameterSetName = ProfileSet, Mandatory = true, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public CpuidProfile[] Profile { get; set; } = Array.Empty<CpuidProfile>();

        /// <summary>The host a VM would come from, in the sense of Compare-Object's -ReferenceObject.</summary>
        [Parameter(ParameterSetName = PairSet, Mandatory = true, Position = 0)]
        [ValidateNotNull]
        public CpuidProfile? ReferenceProfile { get; set; }

        /// <summary>The host(s) compared with the reference; each is compared on its own.</summary>
        [Parameter(ParameterSetName = PairSet, Mandatory = true, Position = 1, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public CpuidProfile[] DifferenceProfile { get; set; } = Array.Empty<CpuidProfile>();

        /// <summary>Also lists the differences vCenter does not compare (power management, OSXSAVE, TSC_ADJUST...).</summary>
        [Parameter]
        public SwitchParameter IncludeInformational { get; set; }

        /// <summary>
        /// One result per ordered pair of hosts instead of per pair of classes (hosts that offer the same tracked
        /// features are one class); a thousand hosts make a million results, written one at a time.
        /// </summary>
        [Parameter(ParameterSetName = ProfileSet)]
        public SwitchParameter PerPair { get; set; }

        /// <summary>Compares what a VM running under this mask would carry (New-VmCpuidMask output, .vmx lines or cpuidmask's mask JSON).</summary>
        [Parameter]
        [ValidateNotNull]
        public object? Mask { get; set; }

        /// <summary>Accepts featMask.vm.cpuid.NAME keys in -Mask whose NAME the feature catalog does not know (their values are still checked).</summary>
        [Parameter]
        public SwitchParameter AllowUnknownFeature { get; set; }

        /// <summary>
        /// The virtual hardware version of the VM (14 or vmx-14; default the newest the catalog knows): features ESXi
        /// first exposes in a later version never reach it, so they do not block and come back as OutOfReach.
        /// </summary>
        [Parameter]
        [ArgumentCompleter(typeof(HardwareVersionCompleter))]
        [ValidateNotNullOrEmpty]
        public string? HardwareVersion { get; set; }

        private int? _hardwareVersion;

        protected override void BeginProcessing()
        {
            _hardwareVersion = ParseHardwareVersion(HardwareVersion, Catalog);
            if (Mask != null)
            {
                try
                {
                    _mask = MaskInput.ToVmMask(UnwrapAll(Mask), Read, "-Mask", new MaskReadOptions { AllowUnknownFeatures = AllowUnknownFeature });
                }
                catch (CpuidMaskException ex)
                {
                    throw Terminate(ex, Mask);
                }
            }
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == ProfileSet)
            {
                _profiles.AddRange(Profile.Where(p => p != null));
                return;
            }

            foreach (var difference in DifferenceProfile.Where(p => p != null))
            {
                ComparePair(ReferenceProfile!, difference);
            }
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName != ProfileSet)
            {
                return;
            }

            ComparisonReport report;
            try
            {
                report = new ProfileComparer(Catalog, _hardwareVersion).Compare(_profiles, _mask);
            }
            catch (CpuidMaskException ex)
            {
                throw Terminate(ex, _profiles.Select(p => p.Name).ToArray());
            }

            var maskLines = report.Mask.ToVmxLines();
            if (report.Classes.Count == 1 && !PerPair)
            {
                WriteVerbose($"All {report.Profiles.Count} hosts offer the same tracked features: a VM moves freely between them.");
            }

            foreach (var direction in PerPair ? report.PerPair() : report.Directions)
            {
                IEnumerable<string>? informational = null;
                if (IncludeInformational)
                {
                    // A difference vCenter ignores, present on some host the direction comes from and absent on one it goes to.
                    informational = report.Informational
                        .Where(i => i.PresentOn.Intersect(direction.SourceHosts, StringComparer.OrdinalIgnoreCase).Any() && i.AbsentOn.Intersect(direction.DestinationHosts, StringComparer.OrdinalIgnoreCase).Any())
                        .Select(i => i.Feature.Name);
                }

                WarnVendorMismatch(direction);
                WriteObject(new CpuidMigrationCheck(direction, maskLines, informational, report.HardwareVersion));
            }
        }

        private void ComparePair(CpuidProfile reference, CpuidProfile difference)
        {
            if (string.Equals(reference.Name, difference.Name, StringComparison.OrdinalIgnoreCase))
            {
                // A host against its own saved profile (Export-CpuidProfile, Import-Clixml): the rows must still
                // say which side each is on, and the comparer needs two names.
                reference = reference.WithName(reference.Name + " (reference)");
                difference = difference.WithName(difference.Name + " (difference)");
            }

            ComparisonReport report;
            try
            {
                report = new ProfileComparer(Catalog, _hardwareVersion).Compare(new[] { reference, difference }, _mask);
            }
            catch (CpuidMaskException ex)
            {
                WriteItemError(ex, difference);
                return;
            }

            var pairs = report.PerPair().ToArray();
            var forward = pairs[0];
            var backward = pairs[1];
            WarnVendorMismatch(forward);
            foreach (var row in PairRows(forward, "=>", report.HardwareVersion).Concat(PairRows(backward, "<=", report.HardwareVersion)))
            {
                WriteObject(row);
            }

            if (IncludeInformational)
            {
                foreach (var info in report.Informational)
                {
                    bool onReference = info.PresentOn.Contains(reference.Name, StringComparer.OrdinalIgnoreCase);
                    string source = onReference ? reference.Name : difference.Name;
                    string destination = onReference ? difference.Name : reference.Name;
                    WriteObject(new CpuidDifference(onReference ? "=>" : "<=", info.Feature, source, destination, CpuidDifference.StatusInformational, "vCenter ignores it: " + info.Reason));
                }
            }
        }

        private static IEnumerable<CpuidDifference> PairRows(MigrationCheck check, string side, int hardwareVersion)
        {
            foreach (var blocker in check.Blockers)
            {
                yield return new CpuidDifference(side, blocker.Feature, check.Source, check.Destination, CpuidDifference.StatusBlocker,
                    $"vCenter refuses to move a VM powered on on {check.Source} to {check.Destination}, which lacks it");
            }

            foreach (var unknown in check.Unverified)
            {
                yield return new CpuidDifference(side, unknown.Feature, check.Source, check.Destination, CpuidDifference.StatusUnverified,
                    $"{check.Destination}'s data does not report this bit; read that host's full CPUID to know whether it blocks");
            }

            foreach (var beyond in check.OutOfReach)
            {
                yield return new CpuidDifference(side, beyond.Feature, check.Source, check.Destination, CpuidDifference.StatusOutOfReach,
                    $"{check.Destination} lacks it, but ESXi first exposes it in vmx-{beyond.Feature.MinHardwareVersion}, so a vmx-{hardwareVersion} VM never sees it");
            }
        }

        private void WarnVendorMismatch(MigrationCheck check)
        {
            if (check.VendorMismatch != null)
            {
                WriteWarning(check.VendorMismatch + ".");
            }
        }
    }
}
