using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Collections;

namespace CpuidMask.Engine.Analysis
{
    /// <summary>Whether a VM powered on on <see cref="Source"/> may move to <see cref="Destination"/>.</summary>
    public sealed class MigrationCheck
    {
        private IReadOnlyList<string>? _sourceHosts;
        private IReadOnlyList<string>? _destinationHosts;

        public MigrationCheck(string source, string destination, IReadOnlyList<FeatureDifference> blockers, IReadOnlyList<FeatureDifference> unverified, string? vendorMismatch = null, IReadOnlyList<FeatureDifference>? outOfReach = null)
        {
            Source = source;
            Destination = destination;
            Blockers = blockers.ToItemList(b => b.Name);
            Unverified = unverified.ToItemList(b => b.Name);
            VendorMismatch = vendorMismatch;
            OutOfReach = (outOfReach ?? System.Array.Empty<FeatureDifference>()).ToItemList(b => b.Name);
        }

        public string Source { get; }

        public string Destination { get; }

        /// <summary>The hosts the source stands for: one, or every host of a class (<see cref="HostClass"/>).</summary>
        public IReadOnlyList<string> SourceHosts
        {
            get => _sourceHosts ?? new[] { Source }.ToItemList();
            internal set => _sourceHosts = value.ToItemList();
        }

        /// <summary>The hosts the destination stands for: one, or every host of a class.</summary>
        public IReadOnlyList<string> DestinationHosts
        {
            get => _destinationHosts ?? new[] { Destination }.ToItemList();
            internal set => _destinationHosts = value.ToItemList();
        }

        /// <summary>Tracked features the VM would carry that the destination lacks; vCenter refuses the vMotion.</summary>
        public IReadOnlyList<FeatureDifference> Blockers { get; }

        /// <summary>Features the VM would carry whose presence on the destination is not known from its data.</summary>
        public IReadOnlyList<FeatureDifference> Unverified { get; }

        /// <summary>
        /// Tracked features the VM would carry that the destination lacks (or does not report), were its virtual
        /// hardware version new enough to see them: at the guest view's version it cannot, so they neither block nor
        /// stay unverified (<see cref="OutOfReachDifference"/>).
        /// </summary>
        public IReadOnlyList<FeatureDifference> OutOfReach { get; }

        /// <summary>Set when the two CPUs are of different vendors: no mask makes that migration possible.</summary>
        public string? VendorMismatch { get; }

        public bool Allowed => Blockers.Count == 0 && VendorMismatch == null;

        public override string ToString() =>
            Allowed ? $"{Source} -> {Destination}: allowed" : $"{Source} -> {Destination}: blocked by " + (VendorMismatch ?? string.Join(", ", Blockers.Select(b => b.Name)));
    }
}
