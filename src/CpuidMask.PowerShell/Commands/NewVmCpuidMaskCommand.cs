using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CpuidMask.Engine;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Model;
using CpuidMask.PowerShell.Completion;

namespace CpuidMask.PowerShell.Commands
{
    /// <summary>
    /// Computes the smallest per-VM CPUID mask with which a VM can power on on any of the given hosts and
    /// vMotion between all of them. It only computes (nothing outside the session changes), so it has no
    /// -WhatIf: Set-VmCpuidMask writes the mask.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "VmCpuidMask", DefaultParameterSetName = ProfileSet)]
    [OutputType(typeof(VmCpuidMask), typeof(string))]
    public sealed class NewVmCpuidMaskCommand : CpuidMaskCmdlet
    {
        // A -Baseline set (a named baseline CPU instead of, or besides, the hosts) comes in its own parameter set.
        private const string ProfileSet = "Profile";

        private readonly List<CpuidProfile> _profiles = new List<CpuidProfile>();

        /// <summary>The profiles of every host the VM should run on (Get-HostCpuid output).</summary>
        [Parameter(ParameterSetName = ProfileSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public CpuidProfile[] Profile { get; set; } = Array.Empty<CpuidProfile>();

        /// <summary>Features to hide as well, with everything that builds on them (catalog names or aliases).</summary>
        [Parameter]
        [ArgumentCompleter(typeof(FeatureNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[] HideFeature { get; set; } = Array.Empty<string>();

        /// <summary>Writes only the .vmx lines, as strings (for a .vmx file or Set-Content).</summary>
        [Parameter]
        public SwitchParameter AsVmx { get; set; }

        protected override void ProcessRecord()
        {
            _profiles.AddRange(Profile.Where(p => p != null));
        }

        protected override void EndProcessing()
        {
            GeneratedMask generated;
            try
            {
                generated = new MaskGenerator(Catalog).Generate(_profiles, HideFeature);
            }
            catch (CpuidMaskException ex)
            {
                throw Terminate(ex, ex.Target ?? _profiles.Select(p => p.Name).ToArray());
            }

            foreach (var group in generated.Proof.Unverified.GroupBy(u => u.MissingOn))
            {
                WriteWarning(
                    $"The data of {group.Key} does not report {string.Join(", ", group.Select(u => u.Name).Distinct())}; the proof could not check them there. " +
                    "Read that host's full CPUID (a dump, or a vmware.log of a VM on it) to be sure.");
            }

            if (!generated.Proof.Passed)
            {
                WriteWarning("The mask does not make every direction possible: " + string.Join("; ", generated.Proof.Directions.Where(d => !d.Allowed)) + ".");
            }

            WriteVerbose(generated.Hidden.Count == 0
                ? $"No mask needed: {string.Join(", ", generated.Profiles.Select(p => p.Name))} offer the same features vCenter compares."
                : "Hidden: " + string.Join("; ", generated.Hidden.Select(h => $"{h.Feature.Name} ({h.Explanation})")));

            if (AsVmx)
            {
                WriteObject(generated.ToVmxLines(), enumerateCollection: true);
            }
            else
            {
                WriteObject(new VmCpuidMask(generated));
            }
        }
    }
}
