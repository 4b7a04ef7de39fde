using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Analysis
{
    /// <summary>Each feature's state on each host, computed once: who has it and who does not (or does not say).</summary>
    internal sealed class HostPresence
    {
        private readonly Dictionary<string, (string Name, FeatureState State)[]> _states;

        public HostPresence(IReadOnlyList<CpuidProfile> profiles, FeatureCatalog catalog)
        {
            _states = catalog.Features.ToDictionary(
                f => f.Name,
                f => profiles.Select(p => (p.Name, State: FeatureEvaluator.HostState(p, f))).ToArray(),
                StringComparer.OrdinalIgnoreCase);
        }

        public string[] PresentOn(FeatureDefinition feature) =>
            _states[feature.Name].Where(s => s.State == FeatureState.Present).Select(s => s.Name).ToArray();

        public string[] MissingOn(FeatureDefinition feature) =>
            _states[feature.Name].Where(s => s.State != FeatureState.Present).Select(s => s.Name).ToArray();

        /// <summary>Hosts whose data does not say whether they have the feature.</summary>
        public string[] UnknownOn(FeatureDefinition feature) =>
            _states[feature.Name].Where(s => s.State == FeatureState.Unknown).Select(s => s.Name).ToArray();
    }
}
