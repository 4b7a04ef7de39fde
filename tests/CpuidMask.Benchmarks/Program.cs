using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;

namespace CpuidMask.Benchmarks
{
    /// <summary>
    /// The benchmarks, each printing its results table:
    /// <list type="bullet">
    /// <item>engine (the default, or --engine): the engine's user-facing operations on the real dumps, scaled
    /// to vCenter-sized host counts (hosts cycle through the Intel dumps under distinct names), and the
    /// PowerShell module's first use; median of several runs after a warm-up;</item>
    /// <item>--hosts, --apply (both: --vcenter): what a vCenter costs, on the test vCenter with 5 ms per
    /// request and 1 s tasks (<see cref="VCenterBenchmarks"/>).</item>
    /// </list>
    /// Usage: dotnet run -c Release --project tests/CpuidMask.Benchmarks [-- MODE... [--sizes 10,100] [--runs N] [--quick]]
    /// </summary>
    internal static class Program
    {
        private const string Usage =
            "usage: dotnet run -c Release --project tests/CpuidMask.Benchmarks -- [--engine] [--vcenter | --hosts | --apply | --check] [--all] [--sizes N,N...] [--runs N] [--quick]\n" +
            "  --engine   the engine and PowerShell benchmark (the default when no mode is given)\n" +
            "  --hosts    every host's CPU data read at 10, 100, 1000 hosts, 5 ms per request: ours, a per-host loop, pyVmomi; peak memory\n" +
            "  --apply    apply to 10, 100 VMs with 1 s tasks, --parallel 8 against --parallel 1 (--sizes 10,100,1000 for the full run: about 20 min more)\n" +
            "  --check    the compliance check of every VM, 1000 hosts and 10000 VMs (--quick: 100 and 1000), against a per-VM loop\n" +
            "  --vcenter  --hosts and --apply;  --all  everything\n" +
            "  --sizes    the host and VM counts for --hosts and --apply;  --runs  timed runs per size (default 5, --quick 3)";

        private static int Main(string[] args)
        {
            var known = new[] { "--engine", "--vcenter", "--hosts", "--apply", "--check", "--all", "--quick", "--sizes", "--runs" };
            for (int i = 0; i < args.Length; i++)
            {
                if (!known.Contains(args[i]) || ((args[i] == "--sizes" || args[i] == "--runs") && ++i >= args.Length))
                {
                    Console.Error.WriteLine(Usage);
                    return 2;
                }
            }

            bool quick = args.Contains("--quick");
            bool all = args.Contains("--all");
            bool hosts = all || args.Contains("--vcenter") || args.Contains("--hosts");
            bool apply = all || args.Contains("--vcenter") || args.Contains("--apply");
            bool check = all || args.Contains("--check");
            bool engine = all || args.Contains("--engine") || (!hosts && !apply && !check);
            int[]? sizes = Option(args, "--sizes")?.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            int vcenterRuns = Option(args, "--runs") is string r ? int.Parse(r, CultureInfo.InvariantCulture) : quick ? 3 : 5;
            if (engine)
            {
                RunEngine(quick);
            }

            string? repo = hosts || apply || check ? FindRepository() : null;
            if (hosts)
            {
                VCenterBenchmarks.RunHosts(repo!, sizes ?? new[] { 10, 100, 1000 }, warmups: 2, vcenterRuns);
            }

            if (apply)
            {
                VCenterBenchmarks.RunApply(repo!, sizes ?? new[] { 10, 100 }, quick ? 1 : 3);
            }

            if (check)
            {
                ComplianceBenchmark.Run(repo!, quick ? 100 : 1000, quick ? 1000 : 10000, vcenterRuns);
            }

            return 0;
        }

        private static string? Option(string[] args, string name)
        {
            int at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        }

        private static string FindRepository()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "CpuidMask.slnx")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("Cannot find the repository (CpuidMask.slnx) above " + AppContext.BaseDirectory + ".");
        }

        private static void RunEngine(bool quick)
        {
            int runs = quick ? 3 : 7;
            string dumps = Path.Combine(AppContext.BaseDirectory, "data", "dumps");
            var files = Directory.GetFiles(dumps, "*.txt").OrderBy(f => f, StringComparer.Ordinal).ToArray();
            var catalog = FeatureCatalog.Default;

            Console.WriteLine($"CpuidMask engine benchmark: {files.Length} real dumps, {catalog.Features.Count} catalog features, median of {runs} runs, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
            Console.WriteLine();
            Console.WriteLine($"{"operation",-52} {"median",12} {"per item",14}");

            Report("read every dump (all logical CPUs)", files.Length, "dump", runs, () =>
            {
                foreach (string file in files)
                {
                    ProfileReader.ReadAll(file);
                }
            });

            var intel = files.Select(f => ProfileReader.Read(f)).Where(p => p.IsIntel).ToArray();
            EngineScale.Run(intel, quick ? new[] { 100, 1000 } : new[] { 100, 1000, 10000 }, runs);

            PowerShellTimings.Run(quick ? 3 : 5);
        }

        private static void Report(string name, int items, string unit, int runs, Action action)
        {
            action();
            var times = new List<double>();
            for (int i = 0; i < runs; i++)
            {
                var watch = Stopwatch.StartNew();
                action();
                times.Add(watch.Elapsed.TotalMilliseconds);
            }

            times.Sort();
            double median = times[times.Count / 2];
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-52} {1,9:F1} ms {2,9:F3} ms/{3}", name, median, median / items, unit));
        }
    }
}
