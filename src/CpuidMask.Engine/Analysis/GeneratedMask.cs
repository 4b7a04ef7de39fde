using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Collections;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Analysis
{
    /// <summary>A computed mask with its explanation and proof.</summary>
    public sealed class GeneratedMask
    {
        public GeneratedMask(IReadOnlyList<CpuidProfile> profiles, VmMask mask, IReadOnlyList<HiddenFeature> hidden, MaskProof proof)
            : this(profiles, mask, hidden, proof, null)
        {
        }

        public GeneratedMask(IReadOnlyList<CpuidProfile> profiles, VmMask mask, IReadOnlyList<HiddenFeature> hidden, MaskProof proof, Baseline? baseline)
            : this(profiles, mask, hidden, proof, baseline, null)
        {
        }

        /// <summary>A mask that also says what it leaves alone because the VM cannot see it at the proof's hardware version.</summary>
        public GeneratedMask(IReadOnlyList<CpuidProfile> profiles, VmMask mask, IReadOnlyList<HiddenFeature> hidden, MaskProof proof, Baseline? baseline, IReadOnlyList<OutOfReachDifference>? outOfReach)
        {
            Profiles = profiles.ToItemList(p => p.Name);
            Mask = mask;
            Hidden = hidden.ToItemList();
            Proof = proof;
            Baseline = baseline;
            OutOfReach = (outOfReach ?? Array.Empty<OutOfReachDifference>()).ToItemList(o => o.Name);
        }

        /// <summary>
        /// The virtual hardware version of the VMs the mask is for (its proof's): features first exposed later are out
        /// of their reach, so the mask neither hides nor checks them.
        /// </summary>
        public int HardwareVersion => Proof.HardwareVersion;

        /// <summary>
        /// Features the mask would hide for a VM that could see them (they differ between the hosts, were asked for, or
        /// lie outside the baseline) but leaves alone, because a VM of <see cref="HardwareVersion"/> cannot see them.
        /// Empty at the newest version.
        /// </summary>
        public IReadOnlyList<OutOfReachDifference> OutOfReach { get; }

        /// <summary>The baseline the mask brings the VM down to, when it was computed from one; else null.</summary>
        public Baseline? Baseline { get; }

        public IReadOnlyList<CpuidProfile> Profiles { get; }

        /// <summary>
        /// The CPU vendor the mask was made for (its hosts', else its baseline's): a VM on another vendor's CPU
        /// must not get it (see <see cref="CpuVendors"/>). Null when neither says.
        /// </summary>
        public string? CpuVendor => Profiles.Count > 0
            ? Profiles[0].Vendor
            : Baseline == null ? null : Baseline.Vendor == BaselineVendor.Intel ? CpuVendors.Intel : CpuVendors.Amd;

        /// <summary>The raw register masks (cpuid.&lt;leaf&gt;.&lt;reg&gt; lines).</summary>
        public VmMask Mask { get; }

        /// <summary>Every hidden feature with its reason, in catalog order.</summary>
        public IReadOnlyList<HiddenFeature> Hidden { get; }

        public MaskProof Proof { get; }

        /// <summary>
        /// The same hiding as named feature masks (<c>featMask.vm.cpuid.NAME = "Val:0"</c>), for
        /// hardware version 9 and later. Features vSphere has no name for are in <see cref="WithoutFeatMaskName"/>.
        /// </summary>
        public VmMask FeatMask => new VmMask(null, Hidden.Where(h => FeatMaskNameOf(h.Feature) != null)
            .Select(h => new KeyValuePair<string, string>(FeatMaskNameOf(h.Feature)!, "Val:0")));

        public IReadOnlyList<FeatureDefinition> WithoutFeatMaskName => Hidden.Where(h => h.Feature.FeatMaskName == null).Select(h => h.Feature).ToItemList(f => f.Name);

        public IReadOnlyList<string> ToVmxLines() => Mask.ToVmxLines();

        // cpuid.IBRS on an AMD VM means AMD's own bit, not Intel's leaf 7 bit the raw mask hides (features.xml).
        private string? FeatMaskNameOf(FeatureDefinition feature) => CpuVendor == null ? feature.FeatMaskName : feature.FeatMaskNameOn(CpuVendor);

        public override string ToString() =>
            (Baseline == null ? string.Empty : Baseline.Key + ": ")
            + $"{Hidden.Count} features hidden over {Profiles.Count} hosts, proof {(Proof.Passed ? "passed" : "failed")}";
    }
}
