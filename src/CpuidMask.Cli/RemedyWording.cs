using CpuidMask.Engine;

namespace CpuidMask.Cli
{
    /// <summary>The ways out the layers below name (<see cref="RemedyKind"/>), in the cpuidmask program's own options and commands.</summary>
    internal static class RemedyWording
    {
        /// <summary>The error's message followed by its remedy, if it has one.</summary>
        public static string Describe(CpuidMaskException exception) => With(exception.Message, exception.Remedy);

        public static string Describe(Advice advice) => With(advice.Text, advice.Remedy);

        private static string With(string text, Remedy? remedy) => remedy == null ? text : text + " " + Sentence(remedy);

        private static string Sentence(Remedy remedy) => remedy.Kind switch
        {
            RemedyKind.Force => $"Use --force {remedy.Detail}.".Replace(" .", "."),
            RemedyKind.PinThumbprint => remedy.Detail == null
                ? "Pass --thumbprint with the certificate's SHA-256 thumbprint."
                : $"To pin it: --thumbprint {remedy.Detail}",
            RemedyKind.ListFeatures => "'cpuidmask features' lists them.",
            RemedyKind.ListBaselines => "'cpuidmask baselines' lists them.",
            RemedyKind.AllowUnknownFeatures => "'cpuidmask features' lists the names vSphere uses; for a name vSphere knows that the catalog does not, pass --allow-unknown-features.",
            RemedyKind.HideByName => "On hardware version 9 and later prefer --format featmask, which hides these features by name; for an EVC mode on hardware version 14 and later, per-VM EVC does too (--format pervmevc, apply --method PerVmEvc).",
            RemedyKind.AllowUnguarded => "--allow-unguarded writes anyway, reading the VM again just before the write and comparing instead.",
            RemedyKind.AllowPartial => $"Use --allow-partial {remedy.Detail}.".Replace(" .", "."),
            RemedyKind.VCenterEvcMode => $"To use a vCenter's own definition of the mode: 'cpuidmask apply --method PerVmEvc --baseline {remedy.Detail}' applies it where the vCenter offers the mode, "
                + $"and 'cpuidmask mask --baseline {remedy.Detail} --format pervmevc --evc-mode-file F' reads one saved from capability.supportedEVCMode. "
                + $"Or write the mode's CPUID mask to extraConfig instead: 'cpuidmask apply --baseline {remedy.Detail}'.",
            _ => string.Empty,
        };
    }
}
