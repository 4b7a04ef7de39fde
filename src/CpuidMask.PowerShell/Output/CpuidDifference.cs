using CpuidMask.Engine.Catalog;

namespace CpuidMask.PowerShell
{
    /// <summary>
    /// One feature that differs between Compare-CpuidProfile's reference and difference profiles, like a
    /// Compare-Object row: <c>=&gt;</c> the feature is on the reference only (it blocks moving a VM from the
    /// reference to the difference), <c>&lt;=</c> it is on the difference only.
    /// </summary>
    public sealed class CpuidDifference
    {
        public const string StatusBlocker = "Blocker";
        public const string StatusUnverified = "Unverified";
        public const string StatusInformational = "Informational";
        public const string StatusOutOfReach = "OutOfReach";

        internal CpuidDifference(string sideIndicator, FeatureDefinition definition, string source, string destination, string status, string reason)
        {
            SideIndicator = sideIndicator;
            Definition = definition;
            Source = source;
            Destination = destination;
            Status = status;
            Reason = reason;
        }

        /// <summary><c>=&gt;</c> on the reference only; <c>&lt;=</c> on the difference only.</summary>
        public string SideIndicator { get; }

        /// <summary>The feature's catalog name, e.g. MOVBE.</summary>
        public string Feature => Definition.Name;

        /// <summary>The words vCenter uses for it in a vMotion error.</summary>
        public string DisplayName => Definition.DisplayName;

        /// <summary>"leaf 0x1 ecx bit 22".</summary>
        public string Location => Definition.Location;

        /// <summary>The host that has the feature: where the VM would come from.</summary>
        public string Source { get; }

        /// <summary>The host that lacks it (or does not report it).</summary>
        public string Destination { get; }

        public string Description => Definition.Description;

        /// <summary>
        /// Blocker (vCenter refuses Source→Destination), Unverified (Destination's data does not report the bit),
        /// Informational (vCenter ignores the bit), or OutOfReach (a tracked feature the VM's virtual hardware version
        /// does not expose, so it cannot block; only with -HardwareVersion older than the newest).
        /// </summary>
        public string Status { get; }

        /// <summary>True for Blocker rows.</summary>
        public bool Blocking => Status == StatusBlocker;

        /// <summary>True for the untracked differences -IncludeInformational adds.</summary>
        public bool Informational => Status == StatusInformational;

        /// <summary>Why the row has its status.</summary>
        public string Reason { get; }

        public FeatureDefinition Definition { get; }

        public override string ToString() => $"{SideIndicator} {Feature}";
    }
}
