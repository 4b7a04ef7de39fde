using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Collections;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Analysis
{
    /// <summary>
    /// The hosts grouped into classes (<see cref="HostClass"/>) with each class's tracked host and guest states under
    /// one mask, evaluated once per host. Directions are checked between classes, never between all pairs of hosts:
    /// a direction between two hosts is blocked exactly when the source's class carries a feature the destination's
    /// class lacks.
    /// </summary>
    internal sealed class ClassTable
    {
        private static readonly FeatureDifference[] None = new FeatureDifference[0];
        private readonly FeatureDefinition[] _tracked;
        private readonly int[] _classOf;
        private readonly FeatureState[][] _host;
        private readonly FeatureState[][] _guest;

        // Per class, one bit per tracked feature: what a guest carries, and what the host does not show as present.
        // A direction is blocked or unverified exactly when guestPresent[s] & notPresent[d] has a bit set.
        private readonly ulong[][] _guestPresent;
        private readonly ulong[][] _hostNotPresent;

        // One bit per tracked feature a VM of the table's hardware version can see: only those block; the others are
        // set apart as out of its reach.
        private readonly ulong[] _reachable;

        // Classes of several hosts whose hosts cannot all move among themselves (only a mask that forces a bit the
        // hosts lack or do not report makes that happen); their direction to themselves is listed.
        private readonly bool[] _selfDirection;

        /// <summary>The hosts in classes under a mask, for a VM of the given virtual hardware version.</summary>
        public ClassTable(IReadOnlyList<CpuidProfile> profiles, VmMask mask, FeatureCatalog catalog, int hardwareVersion)
            : this(profiles, catalog)
        {
            int words = (_tracked.Length + 63) / 64;
            _hostNotPresent = _host.Select(h => Bits(h, words, s => s != FeatureState.Present)).ToArray();
            (HardwareVersion, _reachable, _guest, _guestPresent) = GuestView(mask, hardwareVersion);
            _selfDirection = Classes.Select(c => c.Members.Count > 1 && Meets(c.Index, c.Index)).ToArray();
            Directions = DirectionsBetweenClasses();
        }

        // The same hosts and classes under another mask and version: only the guest states are evaluated again, once per class.
        private ClassTable(ClassTable other, VmMask mask, int hardwareVersion)
        {
            Profiles = other.Profiles;
            _tracked = other._tracked;
            _classOf = other._classOf;
            Classes = other.Classes;
            _host = other._host;
            _hostNotPresent = other._hostNotPresent ?? _host.Select(h => Bits(h, (_tracked.Length + 63) / 64, s => s != FeatureState.Present)).ToArray();
            (HardwareVersion, _reachable, _guest, _guestPresent) = GuestView(mask, hardwareVersion);
            _selfDirection = Classes.Select(c => c.Members.Count > 1 && Meets(c.Index, c.Index)).ToArray();
            Directions = DirectionsBetweenClasses();
        }

        private ClassTable(IReadOnlyList<CpuidProfile> profiles, FeatureCatalog catalog)
        {
            Profiles = profiles;
            _tracked = catalog.Features.Where(f => f.Tracked).ToArray();
            _classOf = new int[profiles.Count];
            var members = new List<List<CpuidProfile>>();
            var hostStates = new List<FeatureState[]>();
            var byKey = new Dictionary<string, int>(StringComparer.Ordinal);
            var key = new char[_tracked.Length];

            // The tracked features live in a few dozen registers: read each register once per host, not each bit.
            var words = _tracked.Select((f, i) => (Feature: f, Index: i))
                .GroupBy(t => (t.Feature.Leaf, t.Feature.Subleaf, t.Feature.Register))
                .Select(g => (g.Key.Leaf, g.Key.Subleaf, g.Key.Register, Features: g.ToArray()))
                .ToArray();
            for (int p = 0; p < profiles.Count; p++)
            {
                var profile = profiles[p];
                var states = new FeatureState[_tracked.Length];
                foreach (var word in words)
                {
                    uint? value = profile.TryGet(word.Leaf, word.Subleaf, word.Register);
                    foreach (var (feature, i) in word.Features)
                    {
                        states[i] = value is uint v
                            ? ((v >> feature.Bit) & 1) != 0 ? FeatureState.Present : FeatureState.Absent
                            : FeatureEvaluator.HostState(profile, feature);
                        key[i] = (char)('a' + (int)states[i]);
                    }
                }

                string classKey = profile.Vendor + "\n" + new string(key);
                if (!byKey.TryGetValue(classKey, out int index))
                {
                    index = members.Count;
                    byKey.Add(classKey, index);
                    members.Add(new List<CpuidProfile>());
                    hostStates.Add(states);
                }

                members[index].Add(profile);
                _classOf[p] = index;
            }

            Classes = members.Select((m, i) => new HostClass(i, m)).ToArray();
            _host = hostStates.ToArray();
            _guest = null!;
            _guestPresent = null!;
            _hostNotPresent = null!;
            _reachable = null!;
            _selfDirection = null!;
            Directions = null!;
        }

        /// <summary>The hosts and their classes alone, with no guest view: for who-has-what questions and <see cref="Under"/>.</summary>
        public static ClassTable HostsOnly(IReadOnlyList<CpuidProfile> profiles, FeatureCatalog catalog) => new ClassTable(profiles, catalog);

        /// <summary>The virtual hardware version of the VM whose guest view the table holds.</summary>
        public int HardwareVersion { get; }

        /// <summary>The same hosts under a mask for a VM of the version, without evaluating their host states again.</summary>
        public ClassTable Under(VmMask mask, int hardwareVersion) => new ClassTable(this, mask, hardwareVersion);

        /// <summary>The names of the hosts whose class is picked, in the order the hosts were given.</summary>
        public string[] HostNamesWhere(Func<HostClass, bool> pick)
        {
            var picked = Classes.Select(pick).ToArray();
            var names = new List<string>();
            for (int p = 0; p < Profiles.Count; p++)
            {
                if (picked[_classOf[p]])
                {
                    names.Add(Profiles[p].Name);
                }
            }

            return names.ToArray();
        }

        public IReadOnlyList<CpuidProfile> Profiles { get; }

        public IReadOnlyList<HostClass> Classes { get; }

        /// <summary>Every direction between classes (and within a class where its hosts differ), computed when read.</summary>
        public IReadOnlyList<MigrationCheck> Directions { get; }

        public HostClass ClassOf(int profileIndex) => Classes[_classOf[profileIndex]];

        /// <summary>The tracked features a VM powered on on a host of the class sees, in catalog order.</summary>
        public IReadOnlyList<FeatureDefinition> GuestFeatures(HostClass hostClass)
        {
            var guest = _guest[hostClass.Index];
            return _tracked.Where((f, i) => guest[i] == FeatureState.Present && IsReachable(i)).ToArray();
        }

        /// <summary>The tracked features, in catalog order; the index of the states below.</summary>
        public IReadOnlyList<FeatureDefinition> Tracked => _tracked;

        /// <summary>The state of the <paramref name="trackedIndex"/>th tracked feature on the hosts of the class.</summary>
        public FeatureState HostStateAt(HostClass hostClass, int trackedIndex) => _host[hostClass.Index][trackedIndex];

        /// <summary>Whether any direction is blocked, without building the directions.</summary>
        /// <remarks>
        /// Feature by feature rather than pair by pair (ten thousand distinct hosts make a hundred million pairs): a
        /// direction is blocked by a feature exactly when its source carries the feature and its destination shows
        /// it absent, so some direction is blocked when some class carries a feature another class (or, for a class
        /// listed with its own direction, the same one) shows absent, or when the classes are of two vendors.
        /// </remarks>
        public bool AnyBlocked()
        {
            if (Classes.Select(c => c.Vendor).Distinct(StringComparer.Ordinal).Skip(1).Any())
            {
                return true;
            }

            for (int i = 0; i < _tracked.Length; i++)
            {
                if (!IsReachable(i))
                {
                    continue;
                }

                int carrier = -1;
                bool severalCarriers = false;
                int lacking = -1;
                bool severalLacking = false;
                for (int c = 0; c < Classes.Count; c++)
                {
                    if (_guest[c][i] == FeatureState.Present)
                    {
                        severalCarriers |= carrier >= 0;
                        carrier = c;
                    }

                    if (_host[c][i] == FeatureState.Absent)
                    {
                        severalLacking |= lacking >= 0;
                        lacking = c;
                    }
                }

                if (carrier >= 0 && lacking >= 0 && (severalCarriers || severalLacking || carrier != lacking || _selfDirection[carrier]))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Number of blocked directions between classes, without building them.</summary>
        public int CountBlocked()
        {
            int count = 0;
            for (int s = 0; s < Classes.Count; s++)
            {
                for (int d = 0; d < Classes.Count; d++)
                {
                    if ((s != d || _selfDirection[s]) && Blocked(s, d))
                    {
                        count++;
                    }
                }
            }

            return count;
        }

        /// <summary>What a VM powered on on a host of class <paramref name="source"/> carries that class <paramref name="destination"/> lacks.</summary>
        public MigrationCheck Check(int source, int destination) =>
            Check(Classes[source], Classes[destination], Classes[source].Name, Classes[destination].Name);

        /// <summary>
        /// Every ordered pair of distinct hosts, each from its classes' check, produced one at a time (a thousand
        /// hosts make a million pairs: they are streamed, never held).
        /// </summary>
        public IEnumerable<MigrationCheck> PerPair()
        {
            for (int s = 0; s < Profiles.Count; s++)
            {
                for (int d = 0; d < Profiles.Count; d++)
                {
                    if (s != d)
                    {
                        yield return Check(ClassOf(s), ClassOf(d), Profiles[s].Name, Profiles[d].Name, Profiles[s], Profiles[d]);
                    }
                }
            }
        }

        // Row by row: each class's directions to the others in order (and to itself first where its hosts differ).
        private IReadOnlyList<MigrationCheck> DirectionsBetweenClasses()
        {
            int classes = Classes.Count;
            if (!_selfDirection.Any(s => s))
            {
                return new ComputedList<MigrationCheck>(classes * (classes - 1), index =>
                {
                    int source = index / (classes - 1);
                    int destination = index % (classes - 1);
                    return Check(source, destination >= source ? destination + 1 : destination);
                });
            }

            // Rare (only a mask that forces bits): the pairs listed explicitly.
            var pairs = new List<(int Source, int Destination)>();
            for (int s = 0; s < classes; s++)
            {
                for (int d = 0; d < classes; d++)
                {
                    if (s != d || _selfDirection[s])
                    {
                        pairs.Add((s, d));
                    }
                }
            }

            return new ComputedList<MigrationCheck>(pairs.Count, index => Check(pairs[index].Source, pairs[index].Destination));
        }

        // What the mask does to each tracked feature depends only on the CPU vendor: decide it once per vendor, then
        // pass each class's host state through where the mask leaves a feature alone (as FeatureEvaluator.GuestState).
        private (int Version, ulong[] Reachable, FeatureState[][] Guest, ulong[][] GuestPresent) GuestView(VmMask mask, int hardwareVersion)
        {
            int words = (_tracked.Length + 63) / 64;
            var reachable = new ulong[words];
            for (int i = 0; i < _tracked.Length; i++)
            {
                if (!_tracked[i].IsOutOfReachAt(hardwareVersion))
                {
                    reachable[i >> 6] |= 1UL << (i & 63);
                }
            }

            var guest = GuestStates(mask);
            return (hardwareVersion, reachable, guest, guest.Select(g => Bits(g, words, s => s == FeatureState.Present)).ToArray());
        }

        private bool IsReachable(int trackedIndex) => (_reachable[trackedIndex >> 6] & (1UL << (trackedIndex & 63))) != 0;

        private FeatureState[][] GuestStates(VmMask mask)
        {
            var decisions = new Dictionary<string, FeatureState?[]>(StringComparer.Ordinal);
            var guest = new FeatureState[Classes.Count][];
            foreach (var c in Classes)
            {
                if (!decisions.TryGetValue(c.Vendor, out var decided))
                {
                    decided = _tracked.Select(f => FeatureEvaluator.MaskDecision(f, mask, c.Vendor)).ToArray();
                    decisions.Add(c.Vendor, decided);
                }

                var host = _host[c.Index];
                var states = new FeatureState[_tracked.Length];
                for (int i = 0; i < states.Length; i++)
                {
                    states[i] = decided[i] ?? host[i];
                }

                guest[c.Index] = states;
            }

            return guest;
        }

        private static ulong[] Bits(FeatureState[] states, int words, Func<FeatureState, bool> set)
        {
            var bits = new ulong[words];
            for (int i = 0; i < states.Length; i++)
            {
                if (set(states[i]))
                {
                    bits[i >> 6] |= 1UL << (i & 63);
                }
            }

            return bits;
        }

        // netstandard2.0 has no BitOperations.TrailingZeroCount.
        private static int TrailingZeros(ulong value)
        {
            int count = 0;
            while ((value & 1) == 0)
            {
                value >>= 1;
                count++;
            }

            return count;
        }

        private bool Meets(int source, int destination)
        {
            var carried = _guestPresent[source];
            var lacking = _hostNotPresent[destination];
            for (int w = 0; w < carried.Length; w++)
            {
                if ((carried[w] & lacking[w] & _reachable[w]) != 0)
                {
                    return true;
                }
            }

            return false;
        }

        private bool Blocked(int source, int destination)
        {
            if (Classes[source].Vendor != Classes[destination].Vendor)
            {
                return true;
            }

            if (!Meets(source, destination))
            {
                return false;
            }

            var guest = _guest[source];
            var host = _host[destination];
            for (int i = 0; i < _tracked.Length; i++)
            {
                if (guest[i] == FeatureState.Present && host[i] == FeatureState.Absent && IsReachable(i))
                {
                    return true;
                }
            }

            return false;
        }

        private MigrationCheck Check(HostClass fromClass, HostClass toClass, string fromName, string toName, CpuidProfile? fromHost = null, CpuidProfile? toHost = null)
        {
            var from = fromHost ?? fromClass.Representative;
            var to = toHost ?? toClass.Representative;
            string? vendorMismatch = from.Vendor == to.Vendor
                ? null
                : $"{fromName} is {from.Vendor} and {toName} is {to.Vendor}; vMotion between CPU vendors is not possible, whatever the mask";
            IReadOnlyList<FeatureDifference> blockers = None;
            IReadOnlyList<FeatureDifference> unverified = None;
            List<FeatureDifference>? outOfReach = null;
            var host = _host[toClass.Index];
            var carried = _guestPresent[fromClass.Index];
            var lacking = _hostNotPresent[toClass.Index];
            List<FeatureDifference>? found = null;
            int absent = 0;
            for (int w = 0; w < carried.Length; w++)
            {
                for (ulong bits = carried[w] & lacking[w]; bits != 0; bits &= bits - 1)
                {
                    int i = (w << 6) + TrailingZeros(bits);
                    var difference = new FeatureDifference(_tracked[i], fromName, toName, host[i]);
                    if (!IsReachable(i))
                    {
                        (outOfReach ??= new List<FeatureDifference>()).Add(difference);
                        continue;
                    }

                    (found ??= new List<FeatureDifference>()).Add(difference);
                    absent += host[i] == FeatureState.Absent ? 1 : 0;
                }
            }

            if (found != null)
            {
                blockers = absent == found.Count ? found : found.Where(f => f.StateOnMissing == FeatureState.Absent).ToArray();
                unverified = absent == found.Count ? None : found.Where(f => f.StateOnMissing != FeatureState.Absent).ToArray();
            }

            var check = new MigrationCheck(fromName, toName, blockers, unverified, vendorMismatch, outOfReach);
            if (fromHost == null)
            {
                check.SourceHosts = fromClass.HostNames;
                check.DestinationHosts = toClass.HostNames;
            }

            return check;
        }
    }
}
