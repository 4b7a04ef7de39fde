using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;

namespace CpuidMask.Benchmarks
{
    /// <summary>
    /// What a PowerShell user waits for in a new session: Import-Module CpuidMask, then the first mask from the two
    /// sample dumps (Get-HostCpuid -Path ... | New-VmCpuidMask), each timed inside a fresh pwsh process (the local
    /// dotnet tool) with a Stopwatch, so pwsh's own start-up is not counted but everything the module loads and
    /// JIT-compiles on first use is. Needs the staged module (./build.ps1 -Task Build).
    /// </summary>
    internal static class PowerShellTimings
    {
        private const string Script =
            "$ErrorActionPreference = 'Stop'; $w = [Diagnostics.Stopwatch]::StartNew(); Import-Module $env:CPUIDMASK_MODULE; " +
            "$import = $w.Elapsed.TotalMilliseconds; $w.Restart(); " +
            "$m = Get-HostCpuid -Path (Join-Path $env:CPUIDMASK_SAMPLES 'avoton-c2750.txt'), (Join-Path $env:CPUIDMASK_SAMPLES 'ivybridge-i7-3770k.txt') | New-VmCpuidMask; " +
            "$first = $w.Elapsed.TotalMilliseconds; $w.Restart(); " +
            "$null = Get-HostCpuid -Path (Join-Path $env:CPUIDMASK_SAMPLES 'avoton-c2750.txt'), (Join-Path $env:CPUIDMASK_SAMPLES 'ivybridge-i7-3770k.txt') | New-VmCpuidMask; " +
            "$second = $w.Elapsed.TotalMilliseconds; " +
            "if ($m.Lines.Count -ne 4) { throw 'the worked case mask has 4 lines' }; " +
            "[Console]::Out.WriteLine([string]::Join(' ', [string[]]@($import, $first, $second)))";

        public static void Run(int runs)
        {
            string? repo = FindRepository();
            string? module = repo == null ? null : Path.Combine(repo, "artifacts", "module", "CpuidMask");
            Console.WriteLine();
            if (module == null || !Directory.Exists(module))
            {
                Console.WriteLine("PowerShell: skipped, the module is not staged (run: dotnet pwsh ./build.ps1 -Task Build).");
                return;
            }

            var samples = new List<double[]>();
            for (int i = 0; i < runs; i++)
            {
                var times = RunOnce(repo!, module);
                if (times == null)
                {
                    return;
                }

                samples.Add(times);
            }

            Console.WriteLine($"PowerShell module, each in a fresh pwsh process, median of {runs}:");
            Line("Import-Module CpuidMask", samples.Select(s => s[0]));
            Line("first mask: 2 sample dumps | New-VmCpuidMask", samples.Select(s => s[1]));
            Line("the same again, in the same session", samples.Select(s => s[2]));
        }

        private static double[]? RunOnce(string repo, string module)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = repo,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-Command", Script })
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["CPUIDMASK_MODULE"] = module;
            start.Environment["CPUIDMASK_SAMPLES"] = Path.Combine(repo, "docs", "samples");
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            var parts = output.Trim().Split(' ');
            if (process.ExitCode != 0 || parts.Length != 3)
            {
                Console.WriteLine($"PowerShell: skipped, pwsh failed (exit {process.ExitCode}; is it restored? dotnet tool restore): {error.Trim()}");
                return null;
            }

            return parts.Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        }

        private static void Line(string name, IEnumerable<double> values)
        {
            var sorted = values.OrderBy(v => v).ToArray();
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-52} {1,9:F1} ms", name, sorted[sorted.Length / 2]));
        }

        private static string? FindRepository()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "CpuidMask.psd1")))
                {
                    return dir.FullName;
                }
            }

            return null;
        }
    }
}
