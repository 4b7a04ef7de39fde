using System.Collections.Generic;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Collections;

namespace CpuidMask.Engine.Analysis
{
    /// <summary>One feature a mask hides, and why.</summary>
    public sealed class HiddenFeature
    {
        public HiddenFeature(FeatureDefinition feature, HideReason reason, IReadOnlyList<string> presentOn, IReadOnlyList<string> missingOn, string? because = null)
        {
            Feature = feature;
            Reason = reason;
            PresentOn = presentOn.ToItemList();
            MissingOn = missingOn.ToItemList();
            Because = because;
        }

        public FeatureDefinition Feature { get; }

        public HideReason Reason { get; }

        /// <summary>Hosts that have the feature.</summary>
        public IReadOnlyList<string> PresentOn { get; }

        /// <summary>Hosts that lack it (or whose data does not report it).</summary>
        public IReadOnlyList<string> MissingOn { get; }

        /// <summary>For DependsOnHidden: the hidden feature it builds on.</summary>
        public string? Because { get; }

        public string Explanation => Reason switch
        {
            HideReason.NotOnAllHosts => "missing on " + string.Join(", ", MissingOn),
            HideReason.DependsOnHidden => $"needs {Because}, which is hidden",
            HideReason.Requested => "hidden on request",
            HideReason.OutsideBaseline => $"not in baseline {Because}",
            _ => Reason.ToString(),
        };

        public override string ToString() => $"{Feature.Name} ({Explanation})";
    }
}
