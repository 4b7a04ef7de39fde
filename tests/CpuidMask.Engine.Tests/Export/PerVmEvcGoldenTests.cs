using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Export;
using Xunit;

namespace CpuidMask.Engine.Tests.Export
{
    /// <summary>
    /// Our per-VM EVC masks entry by entry against the two vCenter-generated ones that are public
    /// (tests/data/pervmevc, SOURCE.md there): every key vCenter sends, with the same value, and nothing more,
    /// except the differences listed here with their reason.
    /// </summary>
    public class PerVmEvcGoldenTests
    {
        /// <summary>
        /// Speculation controls ours passes through (Val:1, as vCenter's modes pass the older ones) that neither
        /// published mask has: VMware's x86cpuid.h first exposes PSFD at virtual hardware version 20 and IPRED_CTRL,
        /// RRSBA_CTRL, DDPD_U and BHI_CTRL (leaf 7 subleaf 2 EDX) at 21, and the published masks come from hardware
        /// version 14 (Westmere) and 17 (Sandy Bridge) VMs on vCenters that predate those keys. A VM of a newer
        /// hardware version under the mode sees its host's bits, as with the older controls.
        /// </summary>
        private static readonly string[] NewerControls = { "cpuid.BHI_CTRL", "cpuid.DDPD_U", "cpuid.IPRED_CTRL", "cpuid.PSFD", "cpuid.RRSBA_CTRL" };

        /// <summary>
        /// Keys ours sends and vCenter's mask lacks, on purpose. MDCLEAR (Westmere only): that mask was written on
        /// 2019-04-24, three weeks before MDS and its MD_CLEAR bit were disclosed; vCenter's later Sandy Bridge mask has
        /// cpuid.MDCLEAR Val:1, and ours passes the control through in both modes. And the newer controls above.
        /// </summary>
        private static readonly Dictionary<string, string[]> OnlyOurs = new Dictionary<string, string[]>
        {
            ["intel-westmere"] = NewerControls.Concat(new[] { "cpuid.MDCLEAR" }).ToArray(),
            ["intel-sandybridge"] = NewerControls,
        };

        public static IEnumerable<object[]> Modes => new[] { new object[] { "intel-westmere" }, new object[] { "intel-sandybridge" } };

        [Theory]
        [MemberData(nameof(Modes))]
        public void FromBaseline_PublishedMode_SendsEveryEntryOfVCentersMaskWithItsValue(string mode)
        {
            var vcenter = VCenterMask(mode);
            var ours = PerVmEvcMask.FromBaseline(BaselineCatalog.Default.Find(mode)).Entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

            var wrong = vcenter
                .Where(v => !ours.TryGetValue(v.Key, out var value) || !string.Equals(value, v.Value, StringComparison.OrdinalIgnoreCase))
                .Select(v => $"{v.Key}: {v.Value} in vCenter's mask, {(ours.TryGetValue(v.Key, out var value) ? value : "(absent)")} in ours")
                .ToArray();

            Assert.Empty(wrong);
        }

        [Theory]
        [MemberData(nameof(Modes))]
        public void FromBaseline_PublishedMode_SendsNothingMoreThanVCentersMaskButTheListedDifferences(string mode)
        {
            var vcenter = new HashSet<string>(VCenterMask(mode).Select(v => v.Key), StringComparer.Ordinal);
            var ours = PerVmEvcMask.FromBaseline(BaselineCatalog.Default.Find(mode)).Entries;

            var extra = ours.Where(e => !vcenter.Contains(e.Key)).Select(e => e.Key).OrderBy(k => k, StringComparer.Ordinal);

            Assert.Equal(OnlyOurs[mode].OrderBy(k => k, StringComparer.Ordinal), extra);
        }

        [Theory]
        [MemberData(nameof(Modes))]
        public void FromBaseline_PublishedMode_HasNoDifferenceFromVCentersMaskButTheListedOnes(string mode)
        {
            var ours = PerVmEvcMask.FromBaseline(BaselineCatalog.Default.Find(mode));
            string json = "[ { \"key\": \"" + mode + "\", \"featureMask\": [ " +
                string.Join(", ", VCenterMask(mode).Select(v => $"{{ \"key\": \"{v.Key}\", \"featureName\": \"{v.Key}\", \"value\": \"{v.Value}\" }}")) + " ] } ]";
            var vcenter = PerVmEvcMask.FromEvcMode(json, mode, "vcenter-" + mode + ".vmx");

            Assert.Equal(
                OnlyOurs[mode].OrderBy(k => k, StringComparer.OrdinalIgnoreCase).Select(k => k + ": Val:1 in baseline catalog, (absent) in vcenter-" + mode + ".vmx"),
                ours.Differences(vcenter));
            Assert.Empty(PerVmEvcMask.MissingIdentity(vcenter.Entries));
            Assert.DoesNotContain(vcenter.Entries, e => e.Kind == PerVmEvcEntryKind.Other);
        }

        [Theory]
        [MemberData(nameof(Modes))]
        public void ToVmxLine_PublishedMode_GivesVCentersFeatMaskLines(string mode)
        {
            var vmx = File.ReadAllLines(Fixture(mode)).Where(l => l.StartsWith("featMask.vm.", StringComparison.Ordinal));
            var ours = PerVmEvcMask.FromBaseline(BaselineCatalog.Default.Find(mode)).Entries
                .Where(e => !OnlyOurs[mode].Contains(e.Key))
                .Select(e => e.ToVmxLine());

            Assert.Equal(vmx.OrderBy(l => l, StringComparer.Ordinal), ours.OrderBy(l => l, StringComparer.Ordinal));
        }

        [Fact]
        public void VCenterMask_BothFixtures_AreCompleteMasksAsSentWithCompleteMasksTrue()
        {
            foreach (string mode in new[] { "intel-westmere", "intel-sandybridge" })
            {
                Assert.Contains("featureCompat.vm.completeMasks = \"TRUE\"", File.ReadAllLines(Fixture(mode)));
            }
        }

        private static string Fixture(string mode) => Path.Combine(AppContext.BaseDirectory, "data", "pervmevc", "vcenter-" + mode + ".vmx");

        /// <summary>The HostFeatureMask (key, value) pairs of a fixture: its featMask.vm.&lt;key&gt; = "&lt;value&gt;" lines.</summary>
        private static IReadOnlyList<KeyValuePair<string, string>> VCenterMask(string mode)
        {
            var line = new Regex("^featMask\\.vm\\.(?<key>\\S+) = \"(?<value>[^\"]*)\"$");
            var entries = File.ReadAllLines(Fixture(mode))
                .Select(l => line.Match(l))
                .Where(m => m.Success)
                .Select(m => new KeyValuePair<string, string>(m.Groups["key"].Value, m.Groups["value"].Value))
                .ToArray();
            Assert.True(entries.Length > 20, $"{Fixture(mode)} holds {entries.Length} featMask.vm lines");
            return entries;
        }
    }
}
