using System.Linq;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Export;
using CpuidMask.Vim;
using CpuidMask.Vim.Inventory;
using CpuidMask.Vim.Masks;
using CpuidMask.Vim.Types;
using Xunit;

namespace CpuidMask.Integration.Tests
{
    /// <summary>Per-VM EVC through 'cpuidmask apply --method PerVmEvc' and the service.</summary>
    [Collection("vcsim")]
    public class PerVmEvcTests
    {
        private readonly VcsimFixture _vcsim;

        public PerVmEvcTests(VcsimFixture vcsim) => _vcsim = vcsim;

        private static string[] AsSet(System.Collections.Generic.IEnumerable<HostFeatureMask> mask) =>
            mask.Select(m => m.Key + "=" + m.Value).OrderBy(k => k, System.StringComparer.Ordinal).ToArray();

        private async Task<VmRecord> ReadAsync(string vm)
        {
            using var client = await VcsimCli.ConnectAsync(_vcsim);
            return await VcsimCli.RawRecordAsync(client, vm);
        }

        private async Task<EVCMode> OfferedModeAsync(string key)
        {
            using var client = await VcsimCli.ConnectAsync(_vcsim);
            return (await new HostInventory(client).ReadSupportedEvcModesAsync()).Single(m => m.Key == key);
        }

        [Fact]
        public async Task Apply_ModeOrMaskOfTheOtherCpuVendor_IsRefusedBeforeAnyWrite()
        {
            var before = await ReadAsync("vm-amd01");

            var evc = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-amd01", "--method", "PerVmEvc", "--baseline", "intel-haswell");
            var extraConfig = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-amd01", "--baseline", "intel-westmere");
            var after = await ReadAsync("vm-amd01");

            Assert.Equal(CpuidMask.Engine.Model.CpuVendors.Amd, before.HostCpuVendor);
            foreach (var run in new[] { evc, extraConfig })
            {
                Assert.True(run.ExitCode == 2, run.ToString());
                Assert.Contains("vm-amd01", run.Err);
                Assert.Contains("AMD CPU (AuthenticAMD)", run.Err);
                Assert.Contains("for Intel CPUs", run.Err);
                Assert.DoesNotContain("ApplyEvcModeVM_Task", run.Requests);
                Assert.DoesNotContain("ReconfigVM_Task", run.Requests);
            }

            Assert.Equal(before.ChangeVersion, after.ChangeVersion);
        }

        [Fact]
        public async Task Apply_PerVmEvcModeTheVCenterOffers_SendsItsOwnFeatureMaskAndReadsItBack()
        {
            var run = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-app01", "--method", "PerVmEvc", "--baseline", "intel-haswell");
            var vm = await ReadAsync("vm-app01");
            var offered = await OfferedModeAsync("intel-haswell");

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("127.0.0.1's own EVC mode intel-haswell", run.Out);
            Assert.Contains("vm-app01 (VirtualMachine:", run.Out);
            Assert.Contains("applied, verified by reading runtime.featureMask back", run.Out);
            Assert.Equal(1, run.Requests.Count(r => r == "ApplyEvcModeVM_Task"));
            Assert.DoesNotContain("ReconfigVM_Task", run.Requests);
            Assert.NotEmpty(vm.FeatureMask);
            Assert.Equal(AsSet(offered.FeatureMask), AsSet(vm.FeatureMask));
            Assert.Equal("guestinfo.owner", vm.ExtraConfig.Single().Key);
        }

        [Fact]
        public async Task ApplyAsync_ModeTheVCenterDoesNotOffer_UsesTheMaskComputedFromTheCatalog_SecondTimeUnchanged()
        {
            using var client = await VcsimCli.ConnectAsync(_vcsim);
            var service = new PerVmEvcService(client);
            var vm = await VcsimCli.RawRecordAsync(client, "vm-app02");

            var request = await service.ResolveModeAsync("intel-sapphirerapids");
            var result = await service.ApplyAsync(vm, request);
            var again = await service.ApplyAsync(await VcsimCli.RawRecordAsync(client, "vm-app02"), request);

            var computed = PerVmEvcMask.FromBaseline(BaselineCatalog.Default.Find("intel-sapphirerapids"));
            Assert.Contains("computed from cpuidmask's baseline catalog", request.Source);
            Assert.Equal(computed.Entries.Select(e => e.Key + "=" + e.Value).OrderBy(k => k, System.StringComparer.Ordinal), AsSet(request.Mask));
            Assert.Equal(MaskApplyStatus.Applied, result.Status);
            Assert.True(result.Verified);
            Assert.Empty(result.Previous);
            Assert.Equal(AsSet(request.Mask), AsSet(result.ReadBack));
            Assert.Equal(MaskApplyStatus.Unchanged, again.Status);
        }

        [Theory]
        [InlineData("vm-evc03", BaselineVendor.Intel)]
        [InlineData("vm-evc04", BaselineVendor.Amd)]
        public async Task ApplyAsync_EveryComputedModeOfTheVendor_IsAcceptedWithCompleteMasksTrueAndReadBackWhole(string vmName, BaselineVendor vendor)
        {
            using var client = await VcsimCli.ConnectAsync(_vcsim);
            var service = new PerVmEvcService(client);
            var applied = new System.Collections.Generic.List<string>();

            foreach (var baseline in BaselineCatalog.Default.Baselines.Where(b => b.Vendor == vendor))
            {
                var computed = PerVmEvcMask.FromBaseline(baseline);
                var mask = computed.Entries.Select(e => new HostFeatureMask { Key = e.Key, FeatureName = e.FeatureName, Value = e.Value }).ToArray();
                var request = new PerVmEvcRequest(baseline.Key, mask, "computed", vendor == BaselineVendor.Intel ? CpuidMask.Engine.Model.CpuVendors.Intel : CpuidMask.Engine.Model.CpuVendors.Amd);

                var result = await service.ApplyAsync(await VcsimCli.RawRecordAsync(client, vmName), request);

                Assert.Equal(MaskApplyStatus.Applied, result.Status);
                Assert.True(result.Verified, baseline.Key);
                Assert.Equal(AsSet(mask), AsSet(result.ReadBack));
                Assert.Empty(PerVmEvcMask.MissingIdentity(result.ReadBack.Select(m => new PerVmEvcEntry(m.Key, m.FeatureName ?? m.Key, m.Value ?? string.Empty))));
                applied.Add(baseline.Key);
            }

            Assert.Equal(vendor == BaselineVendor.Intel ? 12 : 11, applied.Count);
        }

        [Fact]
        public async Task ApplyAsync_MaskWithoutTheCpuIdentity_IsRefusedAsInvalidArgumentMask_AndTheVmKeepsItsMode()
        {
            using var client = await VcsimCli.ConnectAsync(_vcsim);
            var service = new PerVmEvcService(client);
            var westmere = PerVmEvcMask.FromBaseline(BaselineCatalog.Default.Find("intel-westmere")).Entries;
            HostFeatureMask[] Mask(System.Collections.Generic.IEnumerable<PerVmEvcEntry> entries) =>
                entries.Select(e => new HostFeatureMask { Key = e.Key, FeatureName = e.FeatureName, Value = e.Value }).ToArray();
            await service.ApplyAsync(await VcsimCli.RawRecordAsync(client, "vm-evc03"), new PerVmEvcRequest("intel-westmere", Mask(westmere), "test", CpuidMask.Engine.Model.CpuVendors.Intel));
            var before = await VcsimCli.RawRecordAsync(client, "vm-evc03");
            var incomplete = Mask(westmere.Where(e => e.Kind != PerVmEvcEntryKind.Identity));

            var ex = await Assert.ThrowsAnyAsync<CpuidMaskException>(() => service.ApplyAsync(before, new PerVmEvcRequest("intel-westmere", incomplete, "test", CpuidMask.Engine.Model.CpuVendors.Intel)));
            var after = await VcsimCli.RawRecordAsync(client, "vm-evc03");

            var fault = Assert.IsType<VimFaultException>(ex is VimFaultException ? ex : ex.InnerException);
            Assert.Equal("InvalidArgument", fault.FaultType);
            Assert.Equal("mask", fault.InvalidProperty);
            Assert.Equal(ErrorKind.InvalidArgument, fault.Kind);
            Assert.Equal(AsSet(Mask(westmere)), AsSet(before.FeatureMask));
            Assert.Equal(AsSet(before.FeatureMask), AsSet(after.FeatureMask));
            Assert.Equal(before.ChangeVersion, after.ChangeVersion);
        }

        [Fact]
        public async Task Apply_PerVmEvcOnHardwareVersion11_RefusedBeforeAnythingIsSent()
        {
            var run = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-legacy01", "--method", "PerVmEvc", "--baseline", "intel-haswell");

            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Contains("VM 'vm-legacy01' (127.0.0.1): it has hardware version vmx-11", run.Err);
            Assert.Contains("vmx-14 or later", run.Err);
            Assert.Contains("ExtraConfig method", run.Err);
            Assert.Contains("error VmHardwareVersionTooOld", run.Err);
            Assert.DoesNotContain("ApplyEvcModeVM_Task", run.Requests);
            Assert.Empty((await ReadAsync("vm-legacy01")).FeatureMask);
        }

        [Fact]
        public async Task Apply_PerVmEvcOnAPoweredOnVm_RefusedEvenWithNothingSent()
        {
            var run = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-evcon01", "--method", "PerVmEvc", "--baseline", "intel-haswell");
            var forced = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-evcon01", "--method", "PerVmEvc", "--baseline", "intel-haswell", "--force");

            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Contains("VM 'vm-evcon01' (127.0.0.1): it is poweredOn", run.Err);
            Assert.Contains("Power it off first", run.Err);
            Assert.Contains("error VmPoweredOn", run.Err);
            Assert.DoesNotContain("ApplyEvcModeVM_Task", run.Requests);
            Assert.True(forced.ExitCode == 2, forced.ToString());
            Assert.Contains("--force do not go with --method PerVmEvc", forced.Err);
            Assert.Empty((await ReadAsync("vm-evcon01")).FeatureMask);
        }

        [Fact]
        public async Task Apply_PerVmEvcNone_SendsAnEmptyMaskThatClearsTheVmsMode()
        {
            var before = await ReadAsync("vm-evc02");

            var run = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-evc02", "--method", "PerVmEvc", "--baseline", "none");
            var after = await ReadAsync("vm-evc02");

            Assert.NotEmpty(before.FeatureMask);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("Per-VM EVC: clear (empty mask)", run.Out);
            Assert.Contains($"previous runtime.featureMask: {before.FeatureMask.Count} entries", run.Out);
            Assert.Contains("runtime.featureMask now: (none; per-VM EVC cleared)", run.Out);
            Assert.Equal(1, run.Requests.Count(r => r == "ApplyEvcModeVM_Task"));
            Assert.Empty(after.FeatureMask);
        }

        [Fact]
        public async Task Apply_ExtraConfigWithABaseline_WritesThatEvcModesCompleteRawMask()
        {
            string dir = VcsimCli.TempDirectory();
            try
            {
                var run = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-westmere01", "--baseline", "intel-westmere", "--undo-file", dir);
                var vm = await ReadAsync("vm-westmere01");

                var expected = new CpuidMask.Engine.Analysis.BaselineMaskGenerator().Generate("intel-westmere").Mask.ToVmxLines();
                Assert.True(run.ExitCode == 0, run.ToString());
                Assert.Equal(expected.OrderBy(l => l), vm.ExtraConfig.Where(o => o.Key.StartsWith("cpuid.")).Select(o => o.Vmx()).OrderBy(l => l));
                Assert.Contains(expected, l => l.StartsWith("cpuid.7.ebx = "));
                Assert.Empty(vm.FeatureMask);
                Assert.Single(System.IO.Directory.GetFiles(dir, "cpuidmask-undo-vm-westmere01-*.json"));
            }
            finally
            {
                System.IO.Directory.Delete(dir, true);
            }
        }

        [Fact]
        public async Task ResolveModeAsync_UnknownKey_ListsTheKnownModes()
        {
            using var client = await VcsimCli.ConnectAsync(_vcsim);

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => new PerVmEvcService(client).ResolveModeAsync("intel-nosuchlake"));

            Assert.Equal(VimErrorIds.EvcModeNotFound, ex.ErrorId);
            Assert.Contains("No EVC mode 'intel-nosuchlake'", ex.Message);
            Assert.Contains("intel-haswell", ex.Message);
            Assert.Contains("amd-zen4", ex.Message);
        }
    }
}
