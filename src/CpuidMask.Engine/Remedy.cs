namespace CpuidMask.Engine
{
    /// <summary>
    /// A way out that the user takes through an option or command of the shell they use. The layers below the
    /// shells name the way out with one of these instead of spelling it in one shell's syntax ("--force" means
    /// nothing in PowerShell, "-Force" nothing to the cpuidmask program); each shell words it.
    /// </summary>
    public enum RemedyKind
    {
        /// <summary>Override the refusal (cpuidmask --force, PowerShell -Force); the detail says what that does.</summary>
        Force,

        /// <summary>Pin the server's certificate by its SHA-256 thumbprint; the detail is the thumbprint, when known.</summary>
        PinThumbprint,

        /// <summary>Look the feature up in the catalog listing.</summary>
        ListFeatures,

        /// <summary>Look the baseline (EVC mode) up in the catalog listing.</summary>
        ListBaselines,

        /// <summary>Hide the features by name instead: named feature masks (hardware version 9+) or per-VM EVC (14+).</summary>
        HideByName,

        /// <summary>Write without vCenter's change-version guard, the VM read again and compared just before the write instead.</summary>
        AllowUnguarded,
        /// <summary>A feature mask name the catalog does not know: list the known ones, or accept it (cpuidmask --allow-unknown-features, PowerShell -AllowUnknownFeature).</summary>
        AllowUnknownFeatures,
        /// <summary>Read a profile file that lacks leaves its kind of source normally has (cpuidmask --allow-partial, PowerShell -AllowPartial); the detail says what that does.</summary>
        AllowPartial,

        /// <summary>
        /// Apply an EVC mode as a vCenter defines it (its own EVCMode.featureMask) instead of a per-VM EVC mask computed
        /// from the baseline catalog, or write the baseline's CPUID mask to extraConfig instead; the detail is the mode's key.
        /// </summary>
        VCenterEvcMode,
    }

    /// <summary>A <see cref="RemedyKind"/> and its detail.</summary>
    public sealed class Remedy
    {
        public Remedy(RemedyKind kind, string? detail = null)
        {
            Kind = kind;
            Detail = detail;
        }

        public RemedyKind Kind { get; }

        /// <summary>For Force and AllowPartial, what the option does ("to restore the previous values anyway"); for PinThumbprint, the thumbprint; for VCenterEvcMode, the mode's key.</summary>
        public string? Detail { get; }
    }

    /// <summary>A warning from a layer below the shells: its text, and the way out that the shell words.</summary>
    public sealed class Advice
    {
        public Advice(string text, Remedy? remedy = null)
        {
            Text = text;
            Remedy = remedy;
        }

        /// <summary>The warning without the remedy, shell-neutral.</summary>
        public string Text { get; }

        public Remedy? Remedy { get; }

        public override string ToString() => Text;
    }
}
