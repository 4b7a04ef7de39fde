using System;
using System.Linq;
using CpuidMask.Engine.Compliance;
using CpuidMask.Engine.Tests.Analysis;
using Xunit;

namespace CpuidMask.Engine.Tests.Compliance
{
    public class HostDriftTests
    {
        [Fact]
        public void Compare_HostThatLostFeatures_ListsThemAndTheVmsThatCannotMoveThereNow()
        {
            // The snapshot saw esx-b as an Ivy Bridge; a BIOS change since makes it report what an Avoton has.
            var ivy = DumpProfiles.Find("00306A9_IvyBridge_");
            var hostsNow = new[]
            {
                new ComplianceHost("vc01", "esx-a", ivy.WithName("esx-a")),
                new ComplianceHost("vc01", "esx-b", DumpProfiles.Find("Avoton").WithName("esx-b")),
            };
            var snapshot = new[] { ivy.WithName("esx-a"), ivy.WithName("esx-b") };
            var vm = new ComplianceVm("vc01", "vm01") { HostName = "esx-a", PowerState = "poweredOff" };
            var results = new ComplianceChecker().Check(new[] { vm }, hostsNow);

            var drift = Assert.Single(HostDriftDetector.Compare(snapshot, hostsNow, results));

            Assert.Equal("esx-b", drift.HostName);
            Assert.Contains(drift.Lost, f => f.Name == "AVX");
            Assert.Contains(drift.Gained, f => f.Name == "MOVBE");
            Assert.Equal(new[] { "vm01" }, drift.BlockedVms);
        }

        [Fact]
        public void Compare_UnchangedHosts_AreNotDrift()
        {
            var ivy = DumpProfiles.Find("00306A9_IvyBridge_").WithName("esx-a");
            var hosts = new[] { new ComplianceHost("vc01", "esx-a", ivy) };

            Assert.Empty(HostDriftDetector.Compare(new[] { ivy }, hosts, Array.Empty<VmCompliance>()));
        }
    }
}
