namespace CpuidMask.Engine.Model
{
    /// <summary>Whether a profile has a feature. Unknown when the source did not report the bit.</summary>
    public enum FeatureState
    {
        Unknown = 0,
        Absent = 1,
        Present = 2,
    }
}
