using CpuidMask.Engine.Catalog;

namespace CpuidMask.Engine.Masks
{
    /// <summary>
    /// How strictly a mask someone gives (a mask file, .vmx lines, a hashtable) is read. By default every key must
    /// be one the feature catalog knows: a register mask on a leaf that holds catalog features (never the vendor
    /// string), a named feature mask with one of vSphere's feature names.
    /// </summary>
    public sealed class MaskReadOptions
    {
        public static MaskReadOptions Default { get; } = new MaskReadOptions();

        /// <summary>
        /// Accepts <c>featMask.vm.cpuid.&lt;NAME&gt;</c> keys whose NAME the catalog does not know (vSphere's identity
        /// fields such as FAMILY or NUMLEVELS, or a name newer than the catalog). Their values are still checked.
        /// </summary>
        public bool AllowUnknownFeatures { get; init; }

        /// <summary>The catalog whose leaves and vSphere feature names are the known ones.</summary>
        public FeatureCatalog Catalog { get; init; } = FeatureCatalog.Default;
    }
}
