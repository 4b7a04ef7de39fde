namespace CpuidMask.Engine.Analysis
{
    /// <summary>Why the generator hides a feature.</summary>
    public enum HideReason
    {
        /// <summary>Some hosts have it and some do not.</summary>
        NotOnAllHosts,
        /// <summary>It builds on a feature that is hidden.</summary>
        DependsOnHidden,
        /// <summary>The caller asked for it.</summary>
        Requested,
        /// <summary>A baseline does not include it.</summary>
        OutsideBaseline,
    }
}
