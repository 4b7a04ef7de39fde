using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using CpuidMask.Vim;
using CpuidMask.Vim.Inventory;
using CpuidMask.Vim.Types;

namespace CpuidMask.Benchmarks
{
    /// <summary>
    /// What a vCenter costs, on the test vCenter (tests/vcsim) with a real vCenter's latency: reading every
    /// host's CPU data (ours against a per-host loop and pyVmomi), the peak memory of <c>cpuidmask hosts</c>,
    /// and <c>cpuidmask apply</c> in parallel against one VM at a time. Each row is one simulator of that
    /// size; the columns of a row are run interleaved (one run of each in turn), after warm-up runs of each.
    /// </summary>
    internal static class VCenterBenchmarks
    {
        public static readonly TimeSpan RequestDelay = TimeSpan.FromMilliseconds(5);
        public static readonly TimeSpan TaskDuration = TimeSpan.FromSeconds(1);

        private static readonly string[] WorkedMask =
        {
            "cpuid.80000001.ecx = \"-----------------------0--------\"",
            "cpuid.1.ecx = \"--00-0---0----0-----------------\"",
            "cpuid.7.ebx = \"-------------------------------0\"",
            "cpuid.d.eax = \"-----------------------------00-\"",
        };

        public static void RunHosts(string repo, IReadOnlyList<int> sizes, int warmups, int runs)
        {
            var cli = Cli.Find(repo);
            bool pyvmomi = HasPyVmomi();
            Console.WriteLine();
            Console.WriteLine($"## Reading every host's CPU data: vcsim on loopback, {RequestDelay.TotalMilliseconds:0} ms per request");
            Console.WriteLine();
            Console.WriteLine($"{warmups} warm-up runs of each column per size (1 at 1,000 hosts and more), then the median of {runs} interleaved runs. " +
                "In-process columns time connect, read, log out in a warm process; the cpuidmask column is the whole process (start-up included).");
            if (!pyvmomi)
            {
                Console.WriteLine("pyVmomi columns skipped: Debian's python3-pyvmomi is not installed for /usr/bin/python3 (apt-get install python3-pyvmomi).");
            }

            Console.WriteLine();
            var header = new List<string> { "hosts", "ours (CpuidMask.Vim)", "per-host loop", "loop / ours", "`cpuidmask hosts` process", "its peak RSS" };
            if (pyvmomi)
            {
                header.AddRange(new[] { "pyVmomi usual", "usual / ours", "pyVmomi best", "best / ours" });
            }

            var table = new MarkdownTable(header);
            foreach (int size in sizes)
            {
                using var sim = Simulator.Start(repo, size, 0, RequestDelay, TimeSpan.Zero);
                using var python = pyvmomi ? PyVmomiScripts.Start(repo, sim) : null;
                var columns = new List<Column>
                {
                    new Column("ours", () => Ours(sim)),
                    new Column("loop", () => PerHostLoop(sim)),
                    new Column("process", () => cli.Hosts(sim)),
                };
                if (python != null)
                {
                    columns.Add(new Column("usual", () => python.Run("usual")));
                    columns.Add(new Column("best", () => python.Run("best")));
                }

                // Warm-up runs are for the JIT and the simulator's caches; at 1,000 hosts one does that.
                RunInterleaved(sim, size, columns, size >= 1000 ? Math.Min(warmups, 1) : warmups, runs);
                var ours = columns[0];
                var loop = columns[1];
                var process = columns[2];
                var row = new List<string>
                {
                    size.ToString(CultureInfo.InvariantCulture),
                    ours.Describe(),
                    loop.Describe(),
                    Ratio(loop.Median, ours.Median),
                    process.Describe(),
                    $"{process.PeakKib.Max() / 1024.0:F0} MiB",
                };
                if (python != null)
                {
                    row.AddRange(new[] { columns[3].Describe(), Ratio(columns[3].Median, ours.Median), columns[4].Describe(), Ratio(columns[4].Median, ours.Median) });
                }

                table.Add(row);
                Console.Error.WriteLine($"bench: {size} hosts done");
            }

            table.Write(Console.Out);
            Console.WriteLine();
            Console.WriteLine("(n req) is the number of SOAP requests one run sent, from the simulator's request log. Peak RSS is the");
            Console.WriteLine("cpuidmask process's VmHWM (its peak resident memory, from getrusage of the finished child), the most of its runs.");
        }

        public static void RunApply(string repo, IReadOnlyList<int> sizes, int runs)
        {
            var cli = Cli.Find(repo);
            Console.WriteLine();
            Console.WriteLine($"## Writing a mask to N VMs: vcsim on loopback, {RequestDelay.TotalMilliseconds:0} ms per request, every reconfigure task runs {TaskDuration.TotalSeconds:0} s");
            Console.WriteLine();
            Console.WriteLine("`cpuidmask apply --replace` of the worked case's mask, alternating with a smaller one so every run changes every VM " +
                $"(read, guarded reconfigure, task, read back); one warm-up run per size, then the median of {runs} interleaved runs " +
                "(1 run at 1,000 VMs and more: the sequential run alone takes about 17 minutes).");
            Console.WriteLine();
            var table = new MarkdownTable(new[] { "VMs", "--parallel 8 (default)", "--parallel 1", "1 / 8" });
            string work = Directory.CreateTempSubdirectory("cpuidmask-bench-apply-").FullName;
            try
            {
                string maskA = Path.Combine(work, "a.vmx");
                string maskB = Path.Combine(work, "b.vmx");
                File.WriteAllLines(maskA, WorkedMask);
                File.WriteAllLines(maskB, WorkedMask.Take(2));
                foreach (int size in sizes)
                {
                    using var sim = Simulator.Start(repo, 8, size, RequestDelay, TaskDuration);
                    int flip = 0;
                    Func<int, Sample> apply = parallel => cli.Apply(sim, flip++ % 2 == 0 ? maskA : maskB, parallel);
                    var columns = new List<Column>
                    {
                        new Column("parallel 8", () => apply(8)),
                        new Column("parallel 1", () => apply(1)),
                    };
                    int sizeRuns = size >= 1000 ? 1 : runs;

                    // Warm-up: the simulator's first writes, and the masks in place.
                    apply(8);
                    RunInterleaved(sim, size, columns, 0, sizeRuns);
                    table.Add(new[] { size.ToString(CultureInfo.InvariantCulture), columns[0].Describe(), columns[1].Describe(), Ratio(columns[1].Median, columns[0].Median) });
                    Console.Error.WriteLine($"bench: apply to {size} VMs done");
                }
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }

            table.Write(Console.Out);
        }

        private static void RunInterleaved(Simulator sim, int size, IReadOnlyList<Column> columns, int warmups, int runs)
        {
            for (int i = 0; i < warmups; i++)
            {
                foreach (var column in columns)
                {
                    column.Check(column.Run(), size);
                }
            }

            for (int i = 0; i < runs; i++)
            {
                foreach (var column in columns)
                {
                    int before = sim.RequestCount;
                    var sample = column.Run();
                    column.Check(sample, size);
                    column.Times.Add(sample.Milliseconds);
                    column.PeakKib.Add(sample.PeakKib);
                    column.Requests = sim.RequestCount - before;
                }
            }
        }

        // cpuidmask hosts as a library call: connect, every host, the EVC modes, log out.
        private static Sample Ours(Simulator sim)
        {
            var watch = Stopwatch.StartNew();
            int count = Task.Run(async () =>
            {
                using var client = await VimClient.ConnectAsync(Options(sim));
                var inventory = new HostInventory(client);
                var hosts = await inventory.ReadHostsAsync();
                await inventory.ReadSupportedEvcModesAsync();
                return hosts.Count;
            }).GetAwaiter().GetResult();
            return new Sample(watch.Elapsed.TotalMilliseconds, count);
        }

        // The loop most scripts are: the host list, then one property read per host (with our own client and
        // only the paths needed, so it is the round trips alone that differ).
        private static Sample PerHostLoop(Simulator sim)
        {
            var watch = Stopwatch.StartNew();
            int count = Task.Run(async () =>
            {
                using var client = await VimClient.ConnectAsync(Options(sim));
                var hosts = await client.PropertyCollector.RetrieveAllAsync("HostSystem", new[] { "name" });
                var read = new List<ObjectContent>();
                foreach (var host in hosts)
                {
                    read.AddRange(await client.PropertyCollector.RetrieveAsync(new[] { host.Obj }, "HostSystem", HostInventory.HostPaths));
                }

                return read.Count;
            }).GetAwaiter().GetResult();
            return new Sample(watch.Elapsed.TotalMilliseconds, count);
        }

        private static VimConnectionOptions Options(Simulator sim) => new VimConnectionOptions(sim.Url)
        {
            UserName = sim.User,
            Password = sim.Password,
            Thumbprint = sim.Thumbprint,
        };

        private static bool HasPyVmomi()
        {
            if (!File.Exists("/usr/bin/python3"))
            {
                return false;
            }

            var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("import pyVmomi");
            using var process = Process.Start(start)!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }

        private static string Ratio(double slow, double fast) => string.Format(CultureInfo.InvariantCulture, "{0:F1}x", slow / fast);

        /// <summary>One run: how long, how many objects it handled, and (for a child process) its peak memory.</summary>
        private readonly record struct Sample(double Milliseconds, int Count, long PeakKib = 0);

        private sealed class Column
        {
            private readonly Func<Sample> _run;

            public Column(string name, Func<Sample> run)
            {
                Name = name;
                _run = run;
            }

            public string Name { get; }

            public List<double> Times { get; } = new();

            public List<long> PeakKib { get; } = new();

            public int Requests { get; set; }

            public double Median
            {
                get
                {
                    var sorted = Times.OrderBy(t => t).ToArray();
                    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
                }
            }

            public Sample Run() => _run();

            public void Check(Sample sample, int size)
            {
                if (sample.Count != size)
                {
                    throw new InvalidOperationException($"{Name}: handled {sample.Count} objects, expected {size}.");
                }
            }

            public string Describe() => (Median >= 10_000
                ? string.Format(CultureInfo.InvariantCulture, "{0:F1} s", Median / 1000)
                : string.Format(CultureInfo.InvariantCulture, "{0:F0} ms", Median)) + $" ({Requests} req)";
        }

        /// <summary>The cpuidmask program, run as a user runs it, each run a fresh process.</summary>
        private sealed class Cli
        {
            // Runs a command and reports its wall time and peak RSS (ru_maxrss of the finished child, i.e. its VmHWM).
            private const string Measure =
                "import os,resource,subprocess,sys,time\n" +
                "t=time.perf_counter(); r=subprocess.run(sys.argv[2:]); ms=(time.perf_counter()-t)*1000\n" +
                "open(sys.argv[1],'w').write('%.3f %d %d' % (ms, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode))\n";

            private readonly string[] _command;

            private Cli(string[] command) => _command = command;

            public static Cli Find(string repo)
            {
                string configuration = typeof(Cli).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
                    .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "Configuration")?.Value ?? "Release";
                string directory = Path.Combine(repo, "src", "CpuidMask.Cli", "bin", configuration, "net10.0");
                string dll = Path.Combine(directory, "cpuidmask.dll");
                if (!File.Exists(dll))
                {
                    throw new InvalidOperationException($"{dll} is missing: build the benchmark (it builds the CLI) with dotnet build -c {configuration}.");
                }

                string apphost = Path.Combine(directory, "cpuidmask");
                return new Cli(File.Exists(apphost) ? new[] { apphost } : new[] { "dotnet", dll });
            }

            public Sample Hosts(Simulator sim)
            {
                var (sample, output) = Run(sim, new[] { "hosts", "--json" });
                return sample with { Count = JsonNode.Parse(output)!["hosts"]!.AsArray().Count };
            }

            public Sample Apply(Simulator sim, string maskFile, int parallel)
            {
                string undo = Directory.CreateTempSubdirectory("undo-").FullName;
                try
                {
                    var (sample, output) = Run(sim, new[]
                    {
                        "apply", "--vm", "bench*", "--mask-file", maskFile, "--replace", "--undo-file", undo,
                        "--parallel", parallel.ToString(CultureInfo.InvariantCulture), "--json",
                    });
                    var outcomes = JsonNode.Parse(output)!.AsArray();
                    int applied = outcomes.Count(o => (string?)o!["status"] == "applied");
                    return sample with { Count = applied };
                }
                finally
                {
                    Directory.Delete(undo, recursive: true);
                }
            }

            private (Sample Sample, string Output) Run(Simulator sim, string[] arguments)
            {
                string result = Path.GetTempFileName();
                try
                {
                    var start = new ProcessStartInfo("/usr/bin/python3")
                    {
                        RedirectStandardOutput = true,
                        RedirectStandardError = true,
                        UseShellExecute = false,
                    };
                    start.ArgumentList.Add("-c");
                    start.ArgumentList.Add(Measure);
                    start.ArgumentList.Add(result);
                    foreach (string part in _command.Concat(new[] { arguments[0], "--server", sim.Url, "--thumbprint", sim.Thumbprint, "--user", sim.User }).Concat(arguments.Skip(1)))
                    {
                        start.ArgumentList.Add(part);
                    }

                    start.Environment["CPUIDMASK_PASSWORD"] = sim.Password;
                    using var process = Process.Start(start)!;
                    var error = process.StandardError.ReadToEndAsync();
                    string output = process.StandardOutput.ReadToEnd();
                    process.WaitForExit();
                    var parts = File.ReadAllText(result).Split(' ');
                    if (process.ExitCode != 0 || parts.Length != 3 || parts[2] != "0")
                    {
                        throw new InvalidOperationException($"cpuidmask {arguments[0]} failed: {error.Result.Trim()}");
                    }

                    return (new Sample(double.Parse(parts[0], CultureInfo.InvariantCulture), 0, long.Parse(parts[1], CultureInfo.InvariantCulture)), output);
                }
                finally
                {
                    File.Delete(result);
                }
            }
        }

        /// <summary>pyvmomi_hosts.py kept running; each run is one line in, one line out.</summary>
        private sealed class PyVmomiScripts : IDisposable
        {
            private readonly Process _process;

            private PyVmomiScripts(Process process) => _process = process;

            public static PyVmomiScripts Start(string repo, Simulator sim)
            {
                var start = new ProcessStartInfo("/usr/bin/python3")
                {
                    RedirectStandardInput = true,
                    RedirectStandardOutput = true,
                    UseShellExecute = false,
                };
                foreach (string argument in new[]
                {
                    Path.Combine(repo, "tests", "CpuidMask.Benchmarks", "pyvmomi_hosts.py"), "--url", sim.Url, "--cacert", sim.CertificatePath, "--user", sim.User,
                })
                {
                    start.ArgumentList.Add(argument);
                }

                start.Environment["VCSIM_PASSWORD"] = sim.Password;
                return new PyVmomiScripts(Process.Start(start)!);
            }

            public Sample Run(string script)
            {
                _process.StandardInput.WriteLine(script);
                _process.StandardInput.Flush();
                string line = _process.StandardOutput.ReadLine() ?? throw new InvalidOperationException($"pyvmomi_hosts.py {script} failed (see its error above).");
                var parts = line.Split(' ');
                return new Sample(double.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
            }

            public void Dispose()
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(10_000))
                {
                    _process.Kill();
                }

                _process.Dispose();
            }
        }
    }
}
