using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Collections;
using CpuidMask.Engine.Masks;

namespace CpuidMask.PowerShell
{
    /// <summary>
    /// A per-VM CPUID mask computed by New-VmCpuidMask: the .vmx lines (its default view), every hidden
    /// feature with the reason, and the proof that the VM can move between all the hosts; for a baseline
    /// mask, the baseline it brings the VM down to.
    /// </summary>
    public sealed class VmCpuidMask
    {
        internal VmCpuidMask(GeneratedMask generated)
        {
            Generated = generated ?? throw new ArgumentNullException(nameof(generated));
            Hosts = generated.Profiles.Select(p => p.Name).ToItemList();
            Lines = generated.ToVmxLines().ToItemList();
            FeatMaskLines = generated.FeatMask.ToVmxLines().ToItemList();
        }

        /// <summary>The hosts the mask was computed for; empty for a complete baseline mask (New-VmCpuidMask -Baseline without hosts).</summary>
        public IReadOnlyList<string> Hosts { get; }

        /// <summary>The baseline (EVC mode) the mask brings the VM down to; null for a mask over hosts.</summary>
        public Baseline? Baseline => Generated.Baseline;

        /// <summary>The raw register masks: <c>cpuid.1.ecx = "--00-0---0----0-----------------"</c>.</summary>
        public IReadOnlyList<string> Lines { get; }

        /// <summary>The same hiding as named feature masks (<c>featMask.vm.cpuid.AVX = "Val:0"</c>), hardware version 9+.</summary>
        public IReadOnlyList<string> FeatMaskLines { get; }

        /// <summary>Every hidden feature and why it is hidden.</summary>
        public IReadOnlyList<HiddenFeature> Hidden => Generated.Hidden;

        /// <summary>The virtual hardware version of the VM the mask is for (-HardwareVersion, else the newest the catalog knows).</summary>
        public int HardwareVersion => Generated.HardwareVersion;

        /// <summary>
        /// Features the mask would hide for a VM that could see them but leaves alone, because a VM of
        /// <see cref="HardwareVersion"/> cannot; empty at the newest version.
        /// </summary>
        public IReadOnlyList<OutOfReachDifference> OutOfReach => Generated.OutOfReach;

        /// <summary>What a VM sees on each host under the mask, and every direction checked.</summary>
        public MaskProof Proof => Generated.Proof;

        /// <summary>Whether the proof found every direction allowed.</summary>
        public bool ProofPassed => Generated.Proof.Passed;

        /// <summary>The mask as the engine holds it.</summary>
        public VmMask Mask => Generated.Mask;

        /// <summary>True when the hosts need no mask.</summary>
        public bool IsEmpty => Generated.Mask.IsEmpty;

        /// <summary>The engine's result, for scripts that want everything.</summary>
        public GeneratedMask Generated { get; }

        /// <summary>The .vmx lines as one text, ready for a .vmx file or Set-Content.</summary>
        public string ToVmx() => string.Join(Environment.NewLine, Lines);

        public override string ToString() => ToVmx();
    }
}
