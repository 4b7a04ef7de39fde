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
    /// Times the engine's user-facing operations on the real dumps, scaled to vCenter-sized host counts
    /// (hosts cycle through the Intel dumps under distinct names). Reports the median of several runs
    /// after a warm-up. Usage: dotnet run -c Release --project tests/CpuidMask.Benchmarks [-- --quick] [-- --engine]
    /// </summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            bool quick = args.Contains("--quick");
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
            EngineScale.Run(intel, quick ? new[] { 100, 1000 } : new[] { 100, 1000, 10000 }, quick ? 3 : 7);
            if (args.Contains("--engine"))
            {
                return 0;
            }

            PowerShellTimings.Run(quick ? 3 : 5);
            return 0;
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
