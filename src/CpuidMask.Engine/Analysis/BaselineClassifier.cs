using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Collections;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Analysis
{
    /// <summary>What one host lacks for one baseline.</summary>
    public sealed class HostBaselineGap
    {
        public HostBaselineGap(string host, IReadOnlyList<FeatureDefinition> missing, IReadOnlyList<FeatureDefinition> unknown, IReadOnlyList<FeatureDefinition>? outOfReach = null)
        {
            Host = host;
            Missing = missing.ToItemList(f => f.Name);
            Unknown = unknown.ToItemList(f => f.Name);
            OutOfReach = (outOfReach ?? Array.Empty<FeatureDefinition>()).ToItemList(f => f.Name);
        }

        /// <summary>The host (profile name).</summary>
        public string Host { get; }

        /// <summary>Baseline features the host does not have.</summary>
        public IReadOnlyList<FeatureDefinition> Missing { get; }

        /// <summary>Baseline features the host's data does not report (neither present nor absent).</summary>
        public IReadOnlyList<FeatureDefinition> Unknown { get; }

        /// <summary>
        /// Baseline features the host lacks (or does not report) that a VM of the classification's virtual hardware
        /// version cannot see: they do not keep the host from the baseline for that VM. Empty at the newest version.
        /// </summary>
        public IReadOnlyList<FeatureDefinition> OutOfReach { get; }

        public override string ToString() =>
            Host + ": " + string.Join(", ", Missing.Select(f => f.Name).Concat(Unknown.Select(f => f.Name + "?")));
    }

    /// <summary>A baseline just above what a set of hosts supports, and what keeps each host from it.</summary>
    public sealed class BaselineStep
    {
        public BaselineStep(Baseline baseline, IReadOnlyList<HostBaselineGap> hosts)
        {
            Baseline = baseline;
            Hosts = hosts.ToItemList();
        }

        public Baseline Baseline { get; }

        /// <summary>The hosts that keep the set below this baseline, each with its missing features.</summary>
        public IReadOnlyList<HostBaselineGap> Hosts { get; }

        /// <summary>Every feature some host lacks, in catalog order.</summary>
        public IReadOnlyList<FeatureDefinition> Missing =>
            Baseline.Features.Where(f => Hosts.Any(h => h.Missing.Contains(f))).ToItemList(f => f.Name);

        public override string ToString() => $"{Baseline.Key}: {string.Join(ItemList<HostBaselineGap>.Separator, Hosts)}";
    }

    /// <summary>
    /// The highest baseline (EVC mode) one host, or every host of a set, supports; the features that keep it
    /// from the next ones up; and what its data could not confirm.
    /// </summary>
    public sealed class BaselineClassification
    {
        public BaselineClassification(
            IReadOnlyList<CpuidProfile> profiles,
            Baseline? highest,
            IReadOnlyList<Baseline> supported,
            IReadOnlyList<Baseline> alternatives,
            IReadOnlyList<HostBaselineGap> unverified,
            IReadOnlyList<BaselineStep> next,
            IReadOnlyList<BaselineClassification> hosts,
            string? note)
            : this(profiles, highest, supported, alternatives, unverified, next, hosts, note, FeatureCatalog.Default.NewestHardwareVersion, null)
        {
        }

        public BaselineClassification(
            IReadOnlyList<CpuidProfile> profiles,
            Baseline? highest,
            IReadOnlyList<Baseline> supported,
            IReadOnlyList<Baseline> alternatives,
            IReadOnlyList<HostBaselineGap> unverified,
            IReadOnlyList<BaselineStep> next,
            IReadOnlyList<BaselineClassification> hosts,
            string? note,
            int hardwareVersion,
            IReadOnlyList<Baseline>? equivalentAbove)
        {
            HardwareVersion = hardwareVersion;
            EquivalentAbove = (equivalentAbove ?? Array.Empty<Baseline>()).ToItemList(b => b.Key);
            Profiles = profiles.ToItemList(p => p.Name);
            Highest = highest;
            Supported = supported.ToItemList(b => b.Key);
            Alternatives = alternatives.ToItemList(b => b.Key);
            Unverified = unverified.ToItemList();
            Next = next.ToItemList();
            Hosts = hosts.ToItemList();
            Note = note;
        }

        public IReadOnlyList<CpuidProfile> Profiles { get; }

        /// <summary>
        /// The virtual hardware version of the VM the hosts were classified for. At the newest (the default) this is
        /// vCenter's own classification; at an older one, baseline features the VM cannot see are not required.
        /// </summary>
        public int HardwareVersion { get; }

        /// <summary>
        /// Supported baselines above <see cref="Highest"/> that show a VM of <see cref="HardwareVersion"/> exactly the
        /// same features (all they add is out of its reach), lowest first; empty at the newest version.
        /// </summary>
        public IReadOnlyList<Baseline> EquivalentAbove { get; }

        /// <summary>
        /// The highest baseline every host supports (vCenter's maximum EVC mode), or null. At an older hardware
        /// version, the lowest of the baselines that look the same to the VM (see <see cref="EquivalentAbove"/>).
        /// </summary>
        public Baseline? Highest { get; }

        public string? HighestKey => Highest?.Key;

        /// <summary>Every baseline every host supports, in catalog order.</summary>
        public IReadOnlyList<Baseline> Supported { get; }

        /// <summary>
        /// Other supported baselines that are not below <see cref="Highest"/> (AMD's tree can leave two
        /// incomparable modes); usually empty.
        /// </summary>
        public IReadOnlyList<Baseline> Alternatives { get; }

        /// <summary>Per host, the features of <see cref="Highest"/> its data does not report: supported, but not verified.</summary>
        public IReadOnlyList<HostBaselineGap> Unverified { get; }

        public bool IsVerified => Unverified.All(u => u.Unknown.Count == 0);

        /// <summary>The baselines just above, with the hosts and features that block each.</summary>
        public IReadOnlyList<BaselineStep> Next { get; }

        /// <summary>For a set of hosts: each host's own classification; empty for one host.</summary>
        public IReadOnlyList<BaselineClassification> Hosts { get; }

        /// <summary>Why there is no baseline (a vendor without EVC modes, a CPU below every mode), else null.</summary>
        public string? Note { get; }

        public override string ToString() =>
            string.Join(", ", Profiles.Select(p => p.Name)) + ": " + (Highest?.Key ?? "no baseline");
    }

    /// <summary>
    /// Classifies hosts against the named baselines: the highest EVC mode a host (or a set of hosts) fully
    /// supports, like vCenter's <c>summary.maxEVCModeKey</c> and a cluster's maximum EVC mode.
    /// <para>
    /// For a VM of an older virtual hardware version, a baseline feature the VM cannot see is not required of a host
    /// (the VM never uses it), so a host can support a higher baseline for that VM than for vCenter. Baselines that
    /// then show the VM the same features are one step: the classification names the lowest of them (what asks least
    /// of the hosts) and lists the others as equivalent.
    /// </para>
    /// </summary>
    public sealed class BaselineClassifier
    {
        private readonly BaselineCatalog _catalog;

        public BaselineClassifier(BaselineCatalog? catalog = null, int? hardwareVersion = null)
        {
            _catalog = catalog ?? BaselineCatalog.Default;
            HardwareVersion = _catalog.Features.GuestViewVersion(hardwareVersion);
        }

        /// <summary>The virtual hardware version of the VM the hosts are classified for.</summary>
        public int HardwareVersion { get; }

        /// <summary>One host: its highest baseline and what keeps it from the next ones.</summary>
        public BaselineClassification Classify(CpuidProfile profile) =>
            Classify(new[] { profile ?? throw new ArgumentNullException(nameof(profile)) }, perHost: false);

        /// <summary>
        /// A set of hosts: the highest baseline all of them support, with each host's own classification
        /// and, for the next baselines up, which hosts block and why.
        /// </summary>
        public BaselineClassification Classify(IReadOnlyList<CpuidProfile> profiles)
        {
            if (profiles == null || profiles.Count == 0)
            {
                throw new CpuidMaskException("TooFewProfiles", ErrorKind.InvalidArgument, "Classifying needs at least one CPU profile; give the dumps or hosts.", profiles);
            }

            ProfileComparer.CheckDistinctNames(profiles);
            MaskGenerator.CheckOneVendor(profiles);
            return Classify(profiles, perHost: profiles.Count > 1);
        }

        /// <summary>
        /// Whether a host supports a baseline: none of its features is absent, and the data shows at least one
        /// of the features the baseline adds (so a profile that reports no leaf 7 at all is not taken for a
        /// Sapphire Rapids). Features the data does not report come back in <paramref name="unknown"/>.
        /// </summary>
        public static bool Supports(CpuidProfile profile, Baseline baseline, out IReadOnlyList<FeatureDefinition> missing, out IReadOnlyList<FeatureDefinition> unknown) =>
            Supports(profile, baseline, int.MaxValue, out missing, out unknown, out _);

        /// <summary>
        /// Whether a host supports a baseline for a VM of the given virtual hardware version: as
        /// <see cref="Supports(CpuidProfile, Baseline, out IReadOnlyList{FeatureDefinition}, out IReadOnlyList{FeatureDefinition})"/>
        /// over the features the VM can see. Features it cannot see that the host lacks or does not report come back
        /// in <paramref name="outOfReach"/>; the evidence asked for is one of the visible features the baseline (or,
        /// when all it adds is out of reach, the nearest baseline below it that adds a visible one) adds.
        /// </summary>
        public static bool Supports(
            CpuidProfile profile,
            Baseline baseline,
            int hardwareVersion,
            out IReadOnlyList<FeatureDefinition> missing,
            out IReadOnlyList<FeatureDefinition> unknown,
            out IReadOnlyList<FeatureDefinition> outOfReach)
        {
            var absent = new List<FeatureDefinition>();
            var unreported = new List<FeatureDefinition>();
            var beyond = new List<FeatureDefinition>();
            foreach (var feature in baseline.Features)
            {
                var state = FeatureEvaluator.HostState(profile, feature);
                if (feature.IsOutOfReachAt(hardwareVersion))
                {
                    if (state != FeatureState.Present)
                    {
                        beyond.Add(feature);
                    }
                }
                else if (state == FeatureState.Absent)
                {
                    absent.Add(feature);
                }
                else if (state == FeatureState.Unknown)
                {
                    unreported.Add(feature);
                }
            }

            missing = absent;
            unknown = unreported;
            outOfReach = beyond;
            if (!baseline.AppliesTo(profile.Vendor) || absent.Count > 0)
            {
                return false;
            }

            for (var b = baseline; ; b = b.Parent)
            {
                if (b.Added.Count == 0)
                {
                    return true;
                }

                var visible = b.Added.Where(f => !f.IsOutOfReachAt(hardwareVersion)).ToArray();
                if (visible.Length > 0)
                {
                    return visible.Any(f => FeatureEvaluator.HostState(profile, f) == FeatureState.Present);
                }

                if (b.Parent == null)
                {
                    return true;
                }
            }
        }

        /// <summary>Whether two baselines show a VM of the given version the same features.</summary>
        private static bool LookTheSame(Baseline a, Baseline b, int hardwareVersion) =>
            a.Features.Where(f => !f.IsOutOfReachAt(hardwareVersion)).Select(f => f.Name)
                .SequenceEqual(b.Features.Where(f => !f.IsOutOfReachAt(hardwareVersion)).Select(f => f.Name), StringComparer.OrdinalIgnoreCase);

        private BaselineClassification Classify(IReadOnlyList<CpuidProfile> profiles, bool perHost)
        {
            var hosts = perHost ? profiles.Select(p => Classify(new[] { p }, perHost: false)).ToArray() : Array.Empty<BaselineClassification>();
            string vendor = profiles[0].Vendor;
            var candidates = _catalog.For(vendor);
            if (candidates.Count == 0)
            {
                return new BaselineClassification(
                    profiles, null, Array.Empty<Baseline>(), Array.Empty<Baseline>(), Array.Empty<HostBaselineGap>(), Array.Empty<BaselineStep>(), hosts,
                    $"vCenter defines EVC modes only for Intel and AMD CPUs; a {vendor} CPU has none", HardwareVersion, null);
            }

            var gaps = candidates.ToDictionary(
                b => b.Key,
                b => profiles.Select(p =>
                {
                    bool ok = Supports(p, b, HardwareVersion, out var missing, out var unknown, out var beyond);
                    return (Profile: p, Ok: ok, Gap: new HostBaselineGap(p.Name, missing, unknown, beyond));
                }).ToArray(),
                StringComparer.OrdinalIgnoreCase);
            bool AllSupport(Baseline b) => gaps[b.Key].All(g => g.Ok);

            var supported = candidates.Where(AllSupport).ToArray();
            var maximal = supported.Where(b => !supported.Any(o => o.IsAbove(b))).ToArray();
            var order = candidates.Select((b, i) => (b.Key, i)).ToDictionary(p => p.Key, p => p.i, StringComparer.OrdinalIgnoreCase);
            var top = maximal.OrderByDescending(b => b.Features.Count).ThenByDescending(b => order[b.Key]).FirstOrDefault();
            var alternatives = maximal.Where(b => !ReferenceEquals(b, top)).ToArray();

            // For an older VM, step down while the mode below shows it the same features: that one asks less of the hosts.
            // At the newest version no two baselines look the same (the loader refuses equal feature sets).
            var highest = top;
            while (highest?.Parent is Baseline parent && AllSupport(parent) && LookTheSame(highest, parent, HardwareVersion))
            {
                highest = parent;
            }

            var equivalentAbove = highest == null
                ? Array.Empty<Baseline>()
                : supported.Where(b => b.IsAbove(highest) && LookTheSame(b, highest, HardwareVersion)).ToArray();
            alternatives = alternatives.Where(b => !equivalentAbove.Contains(b)).ToArray();
            var unverified = highest == null
                ? Array.Empty<HostBaselineGap>()
                : gaps[highest.Key].Where(g => g.Gap.Unknown.Count > 0).Select(g => new HostBaselineGap(g.Gap.Host, Array.Empty<FeatureDefinition>(), g.Gap.Unknown)).ToArray();

            // The next ones up: unsupported baselines above a supported one and larger than the highest (on
            // AMD's tree that can be two, e.g. Bulldozer and Zen above Generation 3), keeping only the lowest of
            // them. With nothing supported, the vendor's lowest baselines.
            var above = candidates.Where(b => !AllSupport(b) && (highest == null
                ? !candidates.Any(b.IsAbove)
                : b.Features.Count > highest.Features.Count && supported.Any(b.IsAbove))).ToArray();
            var next = above
                .Where(b => !above.Any(b.IsAbove))
                .Select(b => new BaselineStep(b, gaps[b.Key].Where(g => !g.Ok).Select(g => g.Gap).ToArray()))
                .ToList();

            string? note = highest != null
                ? null
                : $"supports no EVC mode: even the lowest ({string.Join(", ", next.Select(n => n.Baseline.Key))}) needs features {(profiles.Count == 1 ? "it lacks" : "some host lacks")}";
            return new BaselineClassification(profiles, highest, supported, alternatives, unverified, next, hosts, note, HardwareVersion, equivalentAbove);
        }
    }
}
