using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Model;

namespace CpuidMask.Benchmarks
{
    /// <summary>
    /// The engine at vCenter scale: mask + proof and compare over 100, 1,000 and 10,000 hosts, once with 10 distinct
    /// CPUs (the real Intel dumps, cycled under distinct host names, as a vCenter of a few CPU models looks) and once
    /// with every host distinct (a real dump with a different combination of leaf 7 features turned off per host, as
    /// BIOS settings and microcode make them). Each case is warmed up (three runs and at least half a second), then timed seven times; the
    /// median time, the median bytes allocated and the most heap the result holds (what stays in memory while a
    /// program writes it out) are reported. The work timed includes reading every result a
    /// program prints: every direction's check is built and walked, up to a million directions; beyond (10,000
    /// distinct hosts make 100 million) only the report and its verdict are timed, and the table says so.
    /// </summary>
    internal static class EngineScale
    {
        // Leaf 7 EBX/ECX/EDX bits that real CPUs of one model may differ in (BIOS and microcode): 14 bits, 16,384
        // combinations, enough for 10,000 distinct hosts.
        private static readonly (CpuidRegister Register, int Bit)[] VaryingBits =
        {
            (CpuidRegister.Ebx, 3), (CpuidRegister.Ebx, 5), (CpuidRegister.Ebx, 8), (CpuidRegister.Ebx, 11),
            (CpuidRegister.Ebx, 18), (CpuidRegister.Ebx, 19), (CpuidRegister.Ebx, 23), (CpuidRegister.Ebx, 24),
            (CpuidRegister.Ecx, 1), (CpuidRegister.Ecx, 5), (CpuidRegister.Ecx, 8), (CpuidRegister.Ecx, 22),
            (CpuidRegister.Edx, 4), (CpuidRegister.Edx, 10),
        };

        public static void Run(IReadOnlyList<CpuidProfile> intel, int[] sizes, int runs)
        {
            var catalog = FeatureCatalog.Default;
            var models = intel.Take(10).ToArray();
            var richest = intel.OrderByDescending(p => FeatureEvaluator.HostFeatures(p, catalog).Count).First();
            Console.WriteLine();
            Console.WriteLine($"Engine at scale ({models.Length} distinct CPUs, or every host distinct from {richest.Name}); warm-up 3 runs and 0.5 s, median of {runs}:");
            Console.WriteLine($"{"operation",-46} {"hosts",7} {"classes",8} {"median",11} {"allocated",11} {"held",11}");
            foreach (int hosts in sizes)
            {
                var tenModels = Enumerable.Range(0, hosts).Select(i => models[i % models.Length].WithName($"esx{i:D5}")).ToArray();
                var distinct = Enumerable.Range(0, hosts).Select(i => Vary(richest, i).WithName($"esx{i:D5}")).ToArray();
                foreach (var (label, profiles) in new[] { ("10 CPUs", tenModels), ("all distinct", distinct) })
                {
                    var generator = new MaskGenerator(catalog);
                    int classes = new ProfileComparer(catalog).Compare(profiles).Classes.Count;
                    bool walk = (long)classes * (classes - 1) <= 1_000_000;
                    string what = walk ? string.Empty : " (no walk)";
                    Measure($"mask + proof, {label}{what}", hosts, classes, runs, () =>
                    {
                        var result = generator.Generate(profiles);
                        _ = (walk ? Walk(result.Proof.Directions) : 0) + (result.Proof.Passed ? 1 : 0) + result.Proof.Hosts.Count;
                        return result;
                    });
                    var comparer = new ProfileComparer(catalog);
                    Measure($"compare, {label}{what}", hosts, classes, runs, () =>
                    {
                        var report = comparer.Compare(profiles);
                        _ = (walk ? Walk(report.Directions) : 0) + (report.HasBlockers ? 1 : 0) + report.Differences.Count + report.Informational.Count;
                        return report;
                    });
                }
            }
        }

        // Reads every direction the way output does: its verdict and each blocker's name.
        private static long Walk(IReadOnlyList<MigrationCheck> directions)
        {
            long seen = 0;
            foreach (var d in directions)
            {
                seen += d.Allowed ? 1 : 0;
                foreach (var b in d.Blockers)
                {
                    seen += b.Name.Length;
                }
            }

            return seen;
        }

        private static CpuidProfile Vary(CpuidProfile profile, int variant)
        {
            var leaves = profile.Leaves.Select(leaf =>
            {
                if (leaf.Leaf != 7 || leaf.Subleaf != 0)
                {
                    return leaf;
                }

                uint ebx = leaf.Registers.Ebx, ecx = leaf.Registers.Ecx, edx = leaf.Registers.Edx;
                for (int i = 0; i < VaryingBits.Length; i++)
                {
                    if ((variant >> i & 1) == 0)
                    {
                        continue;
                    }

                    uint clear = ~(1u << VaryingBits[i].Bit);
                    switch (VaryingBits[i].Register)
                    {
                        case CpuidRegister.Ebx: ebx &= clear; break;
                        case CpuidRegister.Ecx: ecx &= clear; break;
                        default: edx &= clear; break;
                    }
                }

                return new CpuidLeaf(7, 0, leaf.Registers.Eax, ebx, ecx, edx);
            });
            return new CpuidProfile(profile.Name, leaves, profile.Format, profile.Source, profile.Capabilities);
        }

        private static void Measure(string name, int hosts, int classes, int runs, Func<object> action)
        {
            // Warm up until the JIT has settled: three runs and at least half a second.
            var warm = Stopwatch.StartNew();
            for (int i = 0; i < 3 || warm.ElapsedMilliseconds < 500; i++)
            {
                action();
            }

            var times = new List<double>();
            var bytes = new List<long>();
            long held = 0;
            for (int i = 0; i < runs; i++)
            {
                long heap = GC.GetTotalMemory(forceFullCollection: true);
                long before = GC.GetAllocatedBytesForCurrentThread();
                var watch = Stopwatch.StartNew();
                var result = action();
                times.Add(watch.Elapsed.TotalMilliseconds);
                bytes.Add(GC.GetAllocatedBytesForCurrentThread() - before);
                held = Math.Max(held, GC.GetTotalMemory(forceFullCollection: true) - heap);
                GC.KeepAlive(result);
            }

            times.Sort();
            bytes.Sort();
            Console.WriteLine(string.Format(
                CultureInfo.InvariantCulture,
                "{0,-46} {1,7} {2,8} {3,8:F1} ms {4,7:F1} MiB {5,7:F1} MiB",
                name,
                hosts,
                classes,
                times[times.Count / 2],
                bytes[bytes.Count / 2] / 1048576.0,
                held / 1048576.0));
        }
    }
}
