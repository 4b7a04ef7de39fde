using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Analysis
{
    /// <summary>Why one line of a baseline mask is there: the register, the features it hides, and a note.</summary>
    public sealed class MaskLineExplanation
    {
        public MaskLineExplanation(MaskKey key, IReadOnlyList<FeatureDefinition> hidden, string note)
        {
            Key = key;
            Hidden = hidden;
            Note = note;
        }

        public MaskKey Key { get; }

        /// <summary>The features this line hides, low bit first.</summary>
        public IReadOnlyList<FeatureDefinition> Hidden { get; }

        /// <summary>Where the line comes from: vCenter's documented EVC masks, or a register they do not show.</summary>
        public string Note { get; }

        /// <summary>Whether vCenter's EVC documentation shows a mask for this register (leaves 1, 0xD and 0x80000001).</summary>
        public bool IsDocumentedEvcRegister => BaselineMaskGenerator.IsDocumentedEvcRegister(Key);

        public override string ToString() => $"{Key}: {Note}";
    }

    /// <summary>
    /// Computes the per-VM mask that brings a VM down to a named baseline (an EVC mode): every tracked
    /// feature of the governed registers that the baseline does not include is hidden, with everything that
    /// builds on it. Without hosts the mask is complete (it hides features no known CPU has yet, so it holds
    /// on any future host); with hosts it hides only what some of them have, and proves itself on them.
    /// For a VM of an older virtual hardware version (default: the newest the catalog knows), features it cannot
    /// see are neither hidden nor required of the hosts; the mask lists them as out of reach.
    /// </summary>
    public sealed class BaselineMaskGenerator
    {
        private readonly BaselineCatalog _baselines;
        private readonly MaskGenerator _generator;

        public BaselineMaskGenerator(BaselineCatalog? baselines = null, int? hardwareVersion = null)
        {
            _baselines = baselines ?? BaselineCatalog.Default;
            _generator = new MaskGenerator(_baselines.Features, hardwareVersion);
        }

        public FeatureCatalog Catalog => _baselines.Features;

        /// <summary>The virtual hardware version of the VM the mask is for.</summary>
        public int HardwareVersion => _generator.HardwareVersion;

        /// <summary>The mask for a baseline given by key (see <see cref="BaselineCatalog.Find"/>).</summary>
        public GeneratedMask Generate(string baselineKey, IReadOnlyList<CpuidProfile>? hosts = null) =>
            Generate(_baselines.Find(baselineKey), hosts);

        /// <summary>
        /// The mask for <paramref name="baseline"/>. Hidden features carry <see cref="HideReason.OutsideBaseline"/>
        /// (or <see cref="HideReason.DependsOnHidden"/>); controls the baseline passes through are hidden only
        /// when the given hosts differ in them (<see cref="HideReason.NotOnAllHosts"/>), as a VM that got one at
        /// power-on could not move to a host without it.
        /// </summary>
        /// <exception cref="CpuidMaskException">
        /// BaselineVendorMismatch when a host is of another vendor; BaselineNotSupported when a host lacks a
        /// feature of the baseline (vCenter would not admit it to the mode either); MixedVendors; ProfileNameDuplicate.
        /// </exception>
        public GeneratedMask Generate(Baseline baseline, IReadOnlyList<CpuidProfile>? hosts = null)
        {
            if (baseline == null)
            {
                throw new ArgumentNullException(nameof(baseline));
            }

            var profiles = hosts ?? Array.Empty<CpuidProfile>();
            if (profiles.Count > 0)
            {
                ProfileComparer.CheckDistinctNames(profiles);
                MaskGenerator.CheckOneVendor(profiles);
                CheckHostsSupport(baseline, profiles);
            }

            var presence = new HostPresence(profiles, Catalog);
            bool complete = profiles.Count == 0;
            var hidden = new Dictionary<string, HiddenFeature>(StringComparer.OrdinalIgnoreCase);
            // With hosts, a feature some host's data does not report is hidden too: the host may well have it.
            foreach (var feature in _baselines.OutsideOf(baseline))
            {
                var present = presence.PresentOn(feature);
                if (complete || present.Length > 0 || presence.UnknownOn(feature).Length > 0)
                {
                    hidden[feature.Name] = new HiddenFeature(feature, HideReason.OutsideBaseline, present, presence.MissingOn(feature), baseline.Key);
                }
            }

            foreach (var control in baseline.Controls)
            {
                var present = presence.PresentOn(control);
                var missing = presence.MissingOn(control);
                if (present.Length > 0 && missing.Length > 0)
                {
                    hidden[control.Name] = new HiddenFeature(control, HideReason.NotOnAllHosts, present, missing);
                }
            }

            var outOfReach = _generator.SetAsideOutOfReach(hidden);

            // A complete mask hides features no host is known to have; the dependency pass must see them as present.
            Func<FeatureDefinition, string[]> presentOn = complete
                ? _ => new[] { "(any host)" }
                : f => presence.PresentOn(f).Concat(presence.UnknownOn(f).Select(h => h + " (not reported)")).ToArray();
            _generator.AddDependents(hidden, presentOn, presence.MissingOn);
            return _generator.Build(profiles, hidden.Values, VmMask.Empty, baseline, outOfReach, presence.Classes);
        }

        /// <summary>
        /// One explanation per line of a baseline mask: which features it hides and whether vCenter's EVC
        /// documentation shows a mask for that register. Lines for registers it does not show (leaf 7, the
        /// subleaf-1 words, 0x80000008, 0x80000021) are what EVC hides as well but the classic mask tables
        /// leave out; subleaf lines use a key form ESXi may not honour, so they also point to the featMask form.
        /// </summary>
        public static IReadOnlyList<MaskLineExplanation> Explain(GeneratedMask mask)
        {
            var result = new List<MaskLineExplanation>();
            foreach (var pair in mask.Mask.Registers)
            {
                var key = pair.Key;
                var hidden = mask.Hidden
                    .Where(h => h.Feature.Leaf == key.Leaf && h.Feature.Subleaf == key.Subleaf && h.Feature.Register == key.Register)
                    .Select(h => h.Feature)
                    .ToArray();
                string what = mask.Baseline == null ? "the mask" : $"{mask.Baseline.Key}";
                string note;
                if (IsDocumentedEvcRegister(key))
                {
                    note = $"as vCenter's EVC mode masks this register: hides what {what} does not include";
                }
                else if (key.Subleaf != 0)
                {
                    note = $"not among the registers vCenter's EVC documentation shows; hides what {what} does not include. "
                        + "ESXi's support for the cpuid.<leaf>.<subleaf>.<reg> key form is unverified: on hardware version 9 and later prefer the featMask or per-VM EVC form, which hides these features by name";
                }
                else
                {
                    note = $"not among the registers vCenter's EVC documentation shows (leaves 1, 0xD and 0x80000001), but EVC hides these bits too; hides what {what} does not include";
                }

                result.Add(new MaskLineExplanation(key, hidden, note));
            }

            return result;
        }

        /// <summary>Leaves 1 and 0x80000001 and the XSAVE leaf 0xD subleaf 0: the masks KB 1003212 shows per EVC mode.</summary>
        internal static bool IsDocumentedEvcRegister(MaskKey key) =>
            key.Subleaf == 0 && (key.Leaf == 1 || key.Leaf == 0x80000001u || key.Leaf == 0xD);

        private void CheckHostsSupport(Baseline baseline, IReadOnlyList<CpuidProfile> hosts)
        {
            var wrongVendor = hosts.Where(h => !baseline.AppliesTo(h.Vendor)).ToArray();
            if (wrongVendor.Length > 0)
            {
                throw new CpuidMaskException(
                    "BaselineVendorMismatch",
                    ErrorKind.InvalidArgument,
                    $"Baseline {baseline.Key} is for {baseline.VendorString} CPUs; {string.Join(", ", wrongVendor.Select(h => $"{h.Name} is {h.Vendor}"))}. Pick a baseline of the hosts' vendor.",
                    wrongVendor.Select(h => h.Name).ToArray())
                {
                    Remedy = new Remedy(RemedyKind.ListBaselines),
                };
            }

            // A feature the VM cannot see at its version is one the host need not have: the VM never uses it.
            var gaps = hosts
                .Select(h => (Host: h, Missing: baseline.Features.Where(f => !f.IsOutOfReachAt(HardwareVersion) && FeatureEvaluator.HostState(h, f) == FeatureState.Absent).ToArray()))
                .Where(g => g.Missing.Length > 0)
                .ToArray();
            if (gaps.Length > 0)
            {
                var highest = new BaselineClassifier(_baselines, HardwareVersion).Classify(hosts);
                string lower = highest.Highest == null ? "none of the baselines fits them all" : $"the highest they all support is {highest.Highest.Key}";
                throw new CpuidMaskException(
                    "BaselineNotSupported",
                    ErrorKind.InvalidArgument,
                    $"Not every host supports baseline {baseline.Key}: {string.Join("; ", gaps.Select(g => $"{g.Host.Name} lacks {string.Join(", ", g.Missing.Select(f => f.Name))}"))}. A VM under the baseline could not run there; {lower}.",
                    gaps.Select(g => g.Host.Name).ToArray());
            }
        }
    }
}
