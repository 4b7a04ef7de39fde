using CpuidMask.Engine;

namespace CpuidMask.PowerShell
{
    /// <summary>The ways out the layers below name (<see cref="RemedyKind"/>), in the module's own parameters and cmdlets.</summary>
    internal static class RemedyWording
    {
        /// <summary>The error's message followed by its remedy, if it has one.</summary>
        public static string Describe(CpuidMaskException exception) => With(exception.Message, exception.Remedy);

        public static string Describe(Advice advice) => With(advice.Text, advice.Remedy);

        private static string With(string text, Remedy? remedy) => remedy == null ? text : text + " " + Sentence(remedy);

        private static string Sentence(Remedy remedy) => remedy.Kind switch
        {
            RemedyKind.Force => $"Use -Force {remedy.Detail}.".Replace(" .", "."),
            RemedyKind.PinThumbprint => remedy.Detail == null
                ? "Pass -Thumbprint with the certificate's SHA-256 thumbprint."
                : $"To pin it: -Thumbprint {remedy.Detail}",
            RemedyKind.ListFeatures => "Get-CpuidFeature lists them.",
            RemedyKind.ListBaselines => "Get-CpuidBaseline lists them.",
            RemedyKind.AllowUnknownFeatures => "Get-CpuidFeature lists the names vSphere uses (VSphereKey); for a name vSphere knows that the catalog does not, add -AllowUnknownFeature.",
            RemedyKind.HideByName => "On hardware version 9 and later prefer the mask's FeatMaskLines, which hide these features by name; for an EVC mode on hardware version 14 and later, per-VM EVC does too (New-VmCpuidMask -Baseline KEY -AsPerVmEvc, Set-VmEvcMode).",
            RemedyKind.AllowUnguarded => "-AllowUnguarded writes anyway, reading the VM again just before the write and comparing instead.",
            RemedyKind.AllowPartial => $"Use -AllowPartial {remedy.Detail}.".Replace(" .", "."),
            RemedyKind.VCenterEvcMode => $"To use a vCenter's own definition of the mode: Set-VmEvcMode -Baseline {remedy.Detail} applies it where the vCenter offers the mode (the module reads no saved EVCMode). "
                + $"Or write the mode's CPUID mask to extraConfig instead: Set-VmCpuidMask -Baseline {remedy.Detail}.",
            _ => string.Empty,
        };
    }
}
