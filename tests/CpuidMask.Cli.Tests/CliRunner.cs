using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using CpuidMask.Cli;

namespace CpuidMask.Cli.Tests
{
    /// <summary>Runs cpuidmask in-process (fast) or as its own process (end to end).</summary>
    internal static class CliRunner
    {
        public static string Samples(string name) => Path.Combine(AppContext.BaseDirectory, "data", "samples", name);

        public static string Dump(string name) => Path.Combine(AppContext.BaseDirectory, "data", "dumps", name);

        public static string Avoton => Samples("avoton-c2750.txt");

        public static string IvyBridge => Samples("ivybridge-i7-3770k.txt");

        public static CliResult Run(params string[] args) => Run(new Dictionary<string, string?>(), args);

        public static CliResult Run(IDictionary<string, string?> environment, params string[] args)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var context = new CliContext(output, error, TextReader.Null, name => environment.TryGetValue(name, out var v) ? v : null);
            int exit = Program.Run(args, context);
            return new CliResult(exit, output.ToString(), error.ToString());
        }

        /// <summary>Starts the built cpuidmask program with dotnet, as a user would.</summary>
        public static CliResult RunProcess(params string[] args)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "cpuidmask.dll"));
            foreach (string arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(60_000))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("cpuidmask did not finish within 60 s: " + string.Join(" ", args));
            }

            return new CliResult(process.ExitCode, stdout.Result, stderr.Result);
        }
    }

    internal sealed record CliResult(int ExitCode, string Out, string Err)
    {
        public string[] OutLines => Out.Split(new[] { "\r\n", "\n" }, StringSplitOptions.RemoveEmptyEntries);
    }
}
