using System.Collections.Generic;
using System.Globalization;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Collections;

namespace CpuidMask.Engine.Analysis
{
    /// <summary>
    /// A feature some hosts have and others lack that a VM of the guest view's virtual hardware version cannot see
    /// (<see cref="FeatureDefinition.IsOutOfReachAt"/>): it is not a blocker, not unverified and not masked for that
    /// VM, and is listed on its own so the output can say why.
    /// </summary>
    public sealed class OutOfReachDifference
    {
        public OutOfReachDifference(FeatureDefinition feature, int hardwareVersion, IReadOnlyList<string> presentOn, IReadOnlyList<string> absentOn, HideReason? wouldHide = null)
        {
            Feature = feature;
            HardwareVersion = hardwareVersion;
            PresentOn = presentOn.ToItemList();
            AbsentOn = absentOn.ToItemList();
            WouldHide = wouldHide;
        }

        public FeatureDefinition Feature { get; }

        public string Name => Feature.Name;

        /// <summary>The VM's virtual hardware version the guest view was taken at.</summary>
        public int HardwareVersion { get; }

        /// <summary>The first version whose VMs can see the feature (later than <see cref="HardwareVersion"/>).</summary>
        public int FirstHardwareVersion => Feature.MinHardwareVersion ?? 0;

        /// <summary>Hosts that have the feature.</summary>
        public IReadOnlyList<string> PresentOn { get; }

        /// <summary>Hosts that lack it: tracked features count a host whose data does not report it too, as blockers do.</summary>
        public IReadOnlyList<string> AbsentOn { get; }

        /// <summary>
        /// For a mask: why it would hide the feature for a VM that could see it (NotOnAllHosts, Requested,
        /// OutsideBaseline); null in a comparison.
        /// </summary>
        public HideReason? WouldHide { get; }

        /// <summary>"first exposed to guests in vmx-17; a vmx-14 VM never sees it".</summary>
        public string Reason => string.Format(
            CultureInfo.InvariantCulture,
            "first exposed to guests in vmx-{0}; a vmx-{1} VM never sees it",
            FirstHardwareVersion,
            HardwareVersion);

        public override string ToString() => $"{Name} ({Reason})";
    }
}
