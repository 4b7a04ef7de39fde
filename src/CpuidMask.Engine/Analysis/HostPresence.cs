using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Analysis
{
    /// <summary>
    /// Who has a feature and who does not (or does not say), answered per class of hosts for the tracked features
    /// (each host evaluated once) and per host for the others, which only a request to hide them asks about.
    /// </summary>
    internal sealed class HostPresence
    {
        private readonly Dictionary<FeatureDefinition, int> _trackedIndex;

        public HostPresence(IReadOnlyList<CpuidProfile> profiles, FeatureCatalog catalog)
        {
            Classes = ClassTable.HostsOnly(profiles, catalog);
            _trackedIndex = Classes.Tracked.Select((f, i) => (f, i)).ToDictionary(p => p.f, p => p.i);
        }

        /// <summary>The hosts' classes, for the proof of a mask built from this presence.</summary>
        public ClassTable Classes { get; }

        /// <summary>Whether some host has the feature and another does not (or does not say), decided per class.</summary>
        public bool Differs(FeatureDefinition feature)
        {
            if (!_trackedIndex.TryGetValue(feature, out int i))
            {
                return PresentOn(feature).Length > 0 && MissingOn(feature).Length > 0;
            }

            bool present = false;
            bool missing = false;
            foreach (var c in Classes.Classes)
            {
                bool has = Classes.HostStateAt(c, i) == FeatureState.Present;
                present |= has;
                missing |= !has;
            }

            return present && missing;
        }

        public string[] PresentOn(FeatureDefinition feature) => Where(feature, s => s == FeatureState.Present);

        public string[] MissingOn(FeatureDefinition feature) => Where(feature, s => s != FeatureState.Present);

        /// <summary>Hosts whose data does not say whether they have the feature.</summary>
        public string[] UnknownOn(FeatureDefinition feature) => Where(feature, s => s == FeatureState.Unknown);

        private string[] Where(FeatureDefinition feature, Func<FeatureState, bool> pick)
        {
            if (_trackedIndex.TryGetValue(feature, out int i))
            {
                var picked = Classes.Classes.Select(c => pick(Classes.HostStateAt(c, i))).ToArray();
                return Classes.HostNamesWhere(c => picked[c.Index]);
            }

            return Classes.Profiles.Where(p => pick(FeatureEvaluator.HostState(p, feature))).Select(p => p.Name).ToArray();
        }
    }
}
