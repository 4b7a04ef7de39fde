using System;

namespace CpuidMask.Engine.Readers
{
    /// <summary>How strictly <see cref="ProfileReader"/> takes a profile file, and where its warnings go.</summary>
    public sealed class ProfileReadOptions
    {
        /// <summary>Strict reading, warnings dropped.</summary>
        public static ProfileReadOptions Strict { get; } = new ProfileReadOptions();

        /// <summary>
        /// Accept a profile that lacks leaves its kind of source normally reports (a dump cut short, a
        /// hand-trimmed export); features in those leaves read as unknown, and a warning names the leaves.
        /// Leaves 0 and 1 (vendor, signature, base features) are needed even so, and damaged lines,
        /// conflicting duplicates and contradictions are refused either way.
        /// </summary>
        public bool AllowPartial { get; init; }

        /// <summary>Receives a warning for every partial profile accepted with <see cref="AllowPartial"/>.</summary>
        public Action<Advice>? Warn { get; init; }
    }
}
