using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Analysis
{
    /// <summary>A feature that one host shows and another lacks.</summary>
    public sealed class FeatureDifference
    {
        public FeatureDifference(FeatureDefinition feature, string presentOn, string missingOn, FeatureState stateOnMissing = FeatureState.Absent)
        {
            Feature = feature;
            PresentOn = presentOn;
            MissingOn = missingOn;
            StateOnMissing = stateOnMissing;
        }

        public FeatureDefinition Feature { get; }

        public string Name => Feature.Name;

        /// <summary>Host (profile name) where the feature is present (or, under a mask, visible to the VM).</summary>
        public string PresentOn { get; }

        /// <summary>Host where it is absent (or not reported: see <see cref="StateOnMissing"/>).</summary>
        public string MissingOn { get; }

        /// <summary>Absent, or Unknown where the destination's data does not cover the bit.</summary>
        public FeatureState StateOnMissing { get; }

        public override string ToString() => $"{Feature.DisplayName} ({Feature.Location})";
    }
}
