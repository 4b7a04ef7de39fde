using System.Collections.Generic;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Collections;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Analysis
{
    /// <summary>What a VM powered on on one host would see under the mask.</summary>
    public sealed class HostView
    {
        public HostView(CpuidProfile host, IReadOnlyList<FeatureDefinition> guestFeatures)
        {
            Host = host;
            // Hosts of one class share one list (a proof over a thousand hosts holds a handful).
            GuestFeatures = guestFeatures as ItemList<FeatureDefinition> ?? guestFeatures.ToItemList(f => f.Name);
        }

        public CpuidProfile Host { get; }

        public string HostName => Host.Name;

        /// <summary>Tracked features visible at power-on there.</summary>
        public IReadOnlyList<FeatureDefinition> GuestFeatures { get; }

        public override string ToString() => $"{HostName}: {GuestFeatures.Count} tracked features visible";
    }
}
