using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Collections;

namespace CpuidMask.PowerShell
{
    /// <summary>
    /// Get-CpuidBaseline -Profile: the highest baseline (EVC mode) one host supports, or, for the row with
    /// <see cref="IsCommon"/>, every host given together (vCenter's maximum EVC mode for a cluster of them),
    /// with what keeps it from the next mode up.
    /// </summary>
    public sealed class CpuidBaselineClassification
    {
        internal CpuidBaselineClassification(BaselineClassification classification, bool isCommon, string commonName = "(all hosts)")
        {
            Classification = classification ?? throw new ArgumentNullException(nameof(classification));
            IsCommon = isCommon;
            Hosts = classification.Profiles.Select(p => p.Name).ToItemList();
            Name = Hosts.Count > 1 ? commonName : Hosts[0];
            MissingForNext = Describe(classification, perHost: Hosts.Count > 1).ToItemList();
        }

        /// <summary>The host's name; for the common row of several hosts, "(all hosts)" (per vendor: "(all GenuineIntel hosts)").</summary>
        public string Name { get; }

        /// <summary>The hosts this row classifies: one, or every host given for the common row.</summary>
        public IReadOnlyList<string> Hosts { get; }

        /// <summary>True for the row over every host given (with one host, its only row).</summary>
        public bool IsCommon { get; }

        /// <summary>The highest baseline supported (every host, for the common row); null when none fits.</summary>
        public Baseline? Highest => Classification.Highest;

        /// <summary>Its EVC mode key, e.g. intel-westmere: what New-VmCpuidMask -Baseline and Set-VmCpuidMask -Baseline take.</summary>
        public string? HighestKey => Classification.HighestKey;

        /// <summary>The name vCenter shows for it.</summary>
        public string? Label => Classification.Highest?.Label;

        /// <summary>Every baseline supported, in catalog order.</summary>
        public IReadOnlyList<string> Supported => Classification.Supported.Select(b => b.Key).ToItemList();

        /// <summary>Supported baselines not below <see cref="Highest"/> (AMD's modes do not form one chain); usually empty.</summary>
        public IReadOnlyList<string> Alternatives => Classification.Alternatives.Select(b => b.Key).ToItemList();

        /// <summary>Whether every feature of <see cref="Highest"/> is in the hosts' data (see <see cref="Unverified"/>).</summary>
        public bool Verified => Classification.IsVerified;

        /// <summary>Features of <see cref="Highest"/> a host's data does not report: supported, not verified ("host: FEATURE, ...").</summary>
        public IReadOnlyList<string> Unverified => Classification.Unverified
            .Where(u => u.Unknown.Count > 0)
            .Select(u => Hosts.Count > 1 ? $"{u.Host}: {Names(u.Unknown)}" : Names(u.Unknown))
            .ToItemList();

        /// <summary>The modes just above (with nothing supported, the vendor's lowest): their keys.</summary>
        public IReadOnlyList<string> NextUp => Classification.Next.Select(n => n.Baseline.Key).ToItemList();

        /// <summary>
        /// What keeps the hosts from each mode in <see cref="NextUp"/>: the features missing ("?" marks one the
        /// data does not report), per host on the common row of several hosts, per mode when there are several.
        /// </summary>
        public IReadOnlyList<string> MissingForNext { get; }

        /// <summary>The steps up, with the engine's gaps per host (Baseline, Hosts: Host, Missing, Unknown).</summary>
        public IReadOnlyList<BaselineStep> Next => Classification.Next;

        /// <summary>Why there is no baseline (a vendor without EVC modes, a CPU below the lowest), else null.</summary>
        public string? Note => Classification.Note;

        /// <summary>The virtual hardware version of the VM the hosts were classified for (-HardwareVersion, else the newest).</summary>
        public int HardwareVersion => Classification.HardwareVersion;

        /// <summary>
        /// Modes above the highest that look the same to a VM of <see cref="HardwareVersion"/> (all they add is out of its
        /// reach); empty at the newest version.
        /// </summary>
        public IReadOnlyList<string> EquivalentAbove => Classification.EquivalentAbove.Select(b => b.Key).ToItemList();

        /// <summary>The engine's classification, for scripts that want everything.</summary>
        public BaselineClassification Classification { get; }

        public override string ToString() => $"{Name}: {HighestKey ?? "no baseline"}";

        private static IEnumerable<string> Describe(BaselineClassification classification, bool perHost)
        {
            bool severalModes = classification.Next.Count > 1;
            foreach (var step in classification.Next)
            {
                string mode = severalModes ? step.Baseline.Key + ": " : string.Empty;
                foreach (var gap in step.Hosts)
                {
                    string features = string.Join(
                        ", ",
                        step.Baseline.Features.Where(f => gap.Missing.Contains(f) || gap.Unknown.Contains(f)).Select(f => gap.Unknown.Contains(f) ? f.Name + "?" : f.Name));
                    yield return perHost ? $"{mode}{gap.Host}: {features}" : mode + features;
                }
            }
        }

        private static string Names(IReadOnlyList<FeatureDefinition> features) => string.Join(", ", features.Select(f => f.Name));
    }
}
