using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Compliance;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;
using CpuidMask.Vim;
using CpuidMask.Vim.Inventory;

namespace CpuidMask.Benchmarks
{
    /// <summary>
    /// The compliance check of a whole vCenter (issue 13) against the loop a script would run instead: the test
    /// vCenter with N hosts (50 to a cluster) and M VMs, 5 ms per request. Ours: <c>cpuidmask check --all</c> as a
    /// library call (every host, cluster EVC mode, EVC mode and VM in a constant number of requests, then the
    /// engine). The loop: the hosts' profiles once, then per VM one read of its masks and a comparison of its
    /// cluster's hosts under them (<c>$hosts | Compare-CpuidProfile -Mask (Get-VmCpuidMask $vm)</c>, with our own
    /// client and engine, so only the round trips and the per-VM comparison differ).
    /// </summary>
    internal static class ComplianceBenchmark
    {
        public static void Run(string repo, int hosts, int vms, int runs)
        {
            Console.WriteLine();
            Console.WriteLine($"## Compliance of every VM: {hosts} hosts, {vms} VMs, vcsim on loopback, {VCenterBenchmarks.RequestDelay.TotalMilliseconds:0} ms per request");
            Console.WriteLine();
            using var sim = Simulator.Start(repo, hosts, vms, VCenterBenchmarks.RequestDelay, TimeSpan.Zero);
            var options = new VimConnectionOptions(sim.Url) { UserName = sim.User, Password = sim.Password, Thumbprint = sim.Thumbprint };

            Ours(options);
            var ours = new List<(double Ms, int Requests, int Checked)>();
            for (int i = 0; i < runs; i++)
            {
                int before = sim.RequestCount;
                var (ms, count) = Ours(options);
                ours.Add((ms, sim.RequestCount - before, count));
            }

            // The loop takes minutes at 10,000 VMs: one run, after the warm-up above.
            int loopBefore = sim.RequestCount;
            var (loopMs, loopCount) = PerVmLoop(options);
            int loopRequests = sim.RequestCount - loopBefore;

            var median = ours.OrderBy(o => o.Ms).ElementAt(ours.Count / 2);
            var table = new MarkdownTable(new[] { "hosts", "VMs", "ours (`check --all`)", "per-VM loop", "loop / ours" });
            table.Add(new[]
            {
                hosts.ToString(CultureInfo.InvariantCulture),
                vms.ToString(CultureInfo.InvariantCulture),
                string.Format(CultureInfo.InvariantCulture, "{0:F0} ms ({1} req, {2} VMs)", median.Ms, median.Requests, median.Checked),
                string.Format(CultureInfo.InvariantCulture, "{0:F0} ms ({1} req, {2} VMs)", loopMs, loopRequests, loopCount),
                string.Format(CultureInfo.InvariantCulture, "{0:F1}x", loopMs / median.Ms),
            });
            table.Write(Console.Out);
            Console.WriteLine();
            Console.WriteLine($"Ours: the median of {runs} runs after one warm-up; the loop: one run. (n req) from the simulator's request log.");
        }

        private static (double Ms, int Count) Ours(VimConnectionOptions options)
        {
            var watch = Stopwatch.StartNew();
            int count = Task.Run(async () =>
            {
                using var client = await VimClient.ConnectAsync(options);
                var inventory = new ComplianceInventory(client);
                var hosts = await inventory.ReadHostsAsync();
                var vms = await inventory.ReadVmsAsync(null);
                var complianceHosts = hosts.Hosts.Select(h => ComplianceInventory.ToComplianceHost(h, hosts.ClusterEvcModes)).ToArray();
                var results = new ComplianceChecker(null, ComplianceInventory.ToEvcModes(hosts.EvcModes))
                    .Check(vms.Select(v => ComplianceInventory.ToComplianceVm(v)).ToArray(), complianceHosts);
                return results.Count;
            }).GetAwaiter().GetResult();
            return (watch.Elapsed.TotalMilliseconds, count);
        }

        private static (double Ms, int Count) PerVmLoop(VimConnectionOptions options)
        {
            var watch = Stopwatch.StartNew();
            int count = Task.Run(async () =>
            {
                using var client = await VimClient.ConnectAsync(options);
                var hosts = await new HostInventory(client).ReadHostsAsync();
                var profiles = hosts.Where(h => h.Cluster != null).ToDictionary(h => h.Name, h => (h.Cluster!, Profile: h.ToProfile()));
                var byCluster = profiles.Values.GroupBy(p => p.Item1).ToDictionary(g => g.Key, g => g.Select(p => p.Profile).ToArray());
                var vmInventory = new VmInventory(client);
                var comparer = new ProfileComparer();
                var list = await client.PropertyCollector.RetrieveAllAsync("VirtualMachine", new[] { "name" });
                int done = 0;
                foreach (var item in list)
                {
                    string name = item.PropSet.FirstOrDefault(p => p.Name == "name")?.Val?.Value ?? item.Obj.Value;
                    var vm = await vmInventory.ReadOneAsync(item.Obj, name);
                    var mask = VmMask.FromExtraConfig(vm.ExtraConfig.Select(o => new KeyValuePair<string, string>(o.Key, o.Value ?? string.Empty)), name);
                    if (vm.HostName != null && profiles.TryGetValue(vm.HostName, out var own) && byCluster[own.Item1].Length > 1)
                    {
                        _ = comparer.Compare(byCluster[own.Item1], mask).HasBlockers;
                    }

                    done++;
                }

                return done;
            }).GetAwaiter().GetResult();
            return (watch.Elapsed.TotalMilliseconds, count);
        }
    }
}
