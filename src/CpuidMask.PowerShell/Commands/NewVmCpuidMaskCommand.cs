using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CpuidMask.Engine;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Export;
using CpuidMask.Engine.Model;
using CpuidMask.PowerShell.Completion;

namespace CpuidMask.PowerShell.Commands
{
    /// <summary>
    /// Computes the smallest per-VM CPUID mask with which a VM can power on on any of the given hosts and
    /// vMotion between all of them, or the mask that brings a VM down to a named baseline (an EVC mode). It
    /// only computes (nothing outside the session changes), so it has no -WhatIf: Set-VmCpuidMask writes the
    /// mask. The mask object is the default output; -AsVmx, -AsLibvirt, -AsQemu and -AsPerVmEvc give one of
    /// its forms instead.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "VmCpuidMask", DefaultParameterSetName = ProfileSet)]
    [OutputType(typeof(VmCpuidMask), typeof(string))]
    [OutputType(typeof(PerVmEvcEntry), ParameterSetName = new[] { BaselineSet })]
    public sealed class NewVmCpuidMaskCommand : CpuidMaskCmdlet
    {
        private const string ProfileSet = "Profile";
        private const string BaselineSet = "Baseline";

        private readonly List<CpuidProfile> _profiles = new List<CpuidProfile>();

        /// <summary>The profiles of every host the VM should run on (Get-HostCpuid output); optional with -Baseline.</summary>
        [Parameter(ParameterSetName = ProfileSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [Parameter(ParameterSetName = BaselineSet, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public CpuidProfile[] Profile { get; set; } = Array.Empty<CpuidProfile>();

        /// <summary>The baseline (EVC mode key, e.g. intel-westmere) to bring the VM down to.</summary>
        [Parameter(ParameterSetName = BaselineSet, Mandatory = true)]
        [ArgumentCompleter(typeof(BaselineKeyCompleter))]
        [ValidateNotNullOrEmpty]
        public string Baseline { get; set; } = string.Empty;

        /// <summary>Features to hide as well, with everything that builds on them (catalog names or aliases).</summary>
        [Parameter(ParameterSetName = ProfileSet)]
        [ArgumentCompleter(typeof(FeatureNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[] HideFeature { get; set; } = Array.Empty<string>();

        /// <summary>
        /// The virtual hardware version of the VM the mask is for (14 or vmx-14; default the newest the catalog knows):
        /// features ESXi first exposes in a later version never reach it, so the mask leaves them alone (OutOfReach).
        /// </summary>
        [Parameter]
        [ArgumentCompleter(typeof(HardwareVersionCompleter))]
        [ValidateNotNullOrEmpty]
        public string? HardwareVersion { get; set; }

        /// <summary>Writes only the .vmx lines, as strings (for a .vmx file or Set-Content).</summary>
        [Parameter]
        public SwitchParameter AsVmx { get; set; }

        /// <summary>Writes the mask's feature set as a libvirt &lt;cpu&gt; element (one string of XML).</summary>
        [Parameter]
        public SwitchParameter AsLibvirt { get; set; }

        /// <summary>Writes the mask's feature set as the value of QEMU's -cpu option, e.g. Westmere,+pclmulqdq.</summary>
        [Parameter]
        public SwitchParameter AsQemu { get; set; }

        /// <summary>Writes the baseline as per-VM EVC HostFeatureMask entries (key, featureName, value).</summary>
        [Parameter(ParameterSetName = BaselineSet)]
        public SwitchParameter AsPerVmEvc { get; set; }

        protected override void BeginProcessing()
        {
            var chosen = new[] { (AsVmx, "-AsVmx"), (AsLibvirt, "-AsLibvirt"), (AsQemu, "-AsQemu"), (AsPerVmEvc, "-AsPerVmEvc") }
                .Where(f => f.Item1.IsPresent)
                .Select(f => f.Item2)
                .ToArray();
            if (chosen.Length > 1)
            {
                throw Terminate(
                    "OutputFormatConflict",
                    ErrorKind.InvalidArgument,
                    $"{string.Join(" and ", chosen)} each choose what is written; give one of them (or none, for the mask object, which has them all).",
                    chosen);
            }

            if (HardwareVersion != null && (AsLibvirt || AsQemu || AsPerVmEvc))
            {
                string format = AsLibvirt ? "-AsLibvirt" : AsQemu ? "-AsQemu" : "-AsPerVmEvc";
                throw Terminate(
                    "HardwareVersionNotApplicable",
                    ErrorKind.InvalidArgument,
                    $"-HardwareVersion does not combine with {format}: " + (AsPerVmEvc
                        ? "per-VM EVC is for VMs of vmx-14 and later, and vSphere applies the mode's masks as they are."
                        : "it is about ESXi VMs, and a KVM guest has no virtual hardware version.") + " Leave one of them out.",
                    HardwareVersion);
            }

            _hardwareVersion = ParseHardwareVersion(HardwareVersion, Catalog);
        }

        private int? _hardwareVersion;

        protected override void ProcessRecord()
        {
            _profiles.AddRange(Profile.Where(p => p != null));
        }

        protected override void EndProcessing()
        {
            Baseline? baseline = null;
            BaselineCatalog? baselines = null;
            GeneratedMask generated;
            try
            {
                if (ParameterSetName == BaselineSet)
                {
                    baselines = BaselineCatalog.Default;
                    baseline = baselines.Find(Baseline);
                    generated = new BaselineMaskGenerator(baselines, _hardwareVersion).Generate(baseline, _profiles.Count == 0 ? null : _profiles);
                }
                else
                {
                    generated = new MaskGenerator(Catalog, _hardwareVersion).Generate(_profiles, HideFeature);
                }
            }
            catch (CpuidMaskException ex)
            {
                throw Terminate(ex, ex.Target ?? (object)_profiles.Select(p => p.Name).ToArray());
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

            WriteVerbose(Summary(generated, baseline));
            if (generated.OutOfReach.Count > 0)
            {
                WriteVerbose(
                    $"Left alone: a vmx-{generated.HardwareVersion} VM never sees {string.Join(", ", generated.OutOfReach.Select(o => $"{o.Name} (vmx-{o.FirstHardwareVersion})"))}; " +
                    "compute the mask again after upgrading its hardware.");
            }

            try
            {
                Write(generated, baseline, baselines);
            }
            catch (CpuidMaskException ex)
            {
                throw Terminate(ex, ex.Target ?? (object?)baseline?.Key ?? _profiles.Select(p => p.Name).ToArray());
            }
        }

        private void Write(GeneratedMask generated, Baseline? baseline, BaselineCatalog? baselines)
        {
            if (AsLibvirt)
            {
                WriteObject(LibvirtCpu.FromMask(generated, baselines).ToXml().TrimEnd('\n'));
                return;
            }

            if (AsQemu)
            {
                WriteObject(LibvirtCpu.FromMask(generated, baselines).ToQemuCpuOption());
                return;
            }

            if (AsPerVmEvc)
            {
                var perVmEvc = PerVmEvcMask.FromBaseline(baseline!, baselines, _profiles.Count == 0 ? null : _profiles);
                foreach (string note in perVmEvc.Notes)
                {
                    WriteVerbose(note);
                }

                WriteObject(perVmEvc.Entries, enumerateCollection: true);
                return;
            }

            if (generated.Mask.SubleafAdvice() is Advice subleaf)
            {
                WriteWarning(RemedyWording.Describe(subleaf));
            }

            if (AsVmx)
            {
                WriteObject(generated.ToVmxLines(), enumerateCollection: true);
            }
            else
            {
                WriteObject(new VmCpuidMask(generated));
            }
        }

        private static string Summary(GeneratedMask generated, Baseline? baseline)
        {
            string hosts = string.Join(", ", generated.Profiles.Select(p => p.Name));
            if (generated.Hidden.Count == 0)
            {
                return baseline == null
                    ? $"No mask needed: {hosts} offer the same features vCenter compares."
                    : $"No mask needed: {hosts} have nothing that {baseline.Key} does not include.";
            }

            if (baseline != null && generated.Profiles.Count == 0)
            {
                return $"Complete mask for {baseline.Key}: it hides all {generated.Hidden.Count} tracked features the mode does not include, so it holds on any host of the mode.";
            }

            return "Hidden: " + string.Join("; ", generated.Hidden.Select(h => $"{h.Feature.Name} ({h.Explanation})"));
        }
    }
}
