using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using CpuidMask.Vim.Inventory;
using Xunit;

namespace CpuidMask.Integration.Tests
{
    /// <summary>The inventories' page-by-page progress live, against a simulator that sends two objects a page.</summary>
    public class ReadProgressTests
    {
        [Fact]
        public async Task ComplianceRead_ReportsEveryPageOfVmsAndHosts_WithATotalOnlyWhereTheObjectsAreKnown()
        {
            using var server = new VcsimServer(new VcsimOptions { Inventory = RepoPaths.ComplianceInventory, MaxObjects = 2 });
            using var client = await VcsimCli.ConnectAsync(server);
            var progress = new Reports();
            var inventory = new ComplianceInventory(client, progress);

            var vms = await inventory.ReadVmsAsync(null);
            var vmReports = progress.Take();
            var hosts = await inventory.ReadHostsAsync();
            var hostReports = progress.Take();

            Assert.Equal(11, vms.Count);
            Assert.Equal(
                new[] { "Vm 2 names", "Vm 4 names", "Vm 6 names", "Vm 8 names", "Vm 10 names", "Vm 11 names", "Vm 2/11", "Vm 4/11", "Vm 6/11", "Vm 8/11", "Vm 10/11", "Vm 11/11" },
                vmReports.Where(r => r.Kind == InventoryObjectKind.Vm).Select(Describe));
            int vmHosts = vms.Select(v => v.Host).Where(h => h != null).Distinct().Count();
            Assert.Equal($"Host {vmHosts}/{vmHosts}", Describe(vmReports.Last()));

            Assert.Equal(11, hosts.Hosts.Count);
            Assert.Equal(
                new[] { "Host 2", "Host 4", "Host 6", "Host 8", "Host 10", "Host 11" },
                hostReports.Where(r => r.Kind == InventoryObjectKind.Host).Select(Describe));
            Assert.Equal("Cluster 4", Describe(hostReports.Last()));
            Assert.All(vmReports.Concat(hostReports), r => Assert.Equal(client.ServerName, r.Server));
        }

        private static string Describe(InventoryReadProgress r) =>
            $"{r.Kind} {r.Read}{(r.Total is int total ? "/" + total : string.Empty)}{(r.NamesOnly ? " names" : string.Empty)}";

        /// <summary>Every report as it comes, on the reading thread.</summary>
        private sealed class Reports : IProgress<InventoryReadProgress>
        {
            private readonly List<InventoryReadProgress> _items = new List<InventoryReadProgress>();

            public void Report(InventoryReadProgress value) => _items.Add(value);

            public IReadOnlyList<InventoryReadProgress> Take()
            {
                var taken = _items.ToArray();
                _items.Clear();
                return taken;
            }
        }
    }
}
