using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using CpuidMask.Cli;
using CpuidMask.Vim;
using CpuidMask.Vim.Inventory;
using CpuidMask.Vim.Types;
using Xunit;

namespace CpuidMask.Integration.Tests
{
    /// <summary>What one in-process run of cpuidmask printed, and the SOAP methods it sent.</summary>
    internal sealed record CliRun(int ExitCode, string Out, string Err, string[] Requests)
    {
        public string[] OutLines => Out.Split(new[] { "\r\n", "\n" }, StringSplitOptions.RemoveEmptyEntries);

        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Err}";
    }

    /// <summary>
    /// Runs cpuidmask in-process against the simulator, as a user would with CPUIDMASK_PASSWORD set, and
    /// checks on every run that no password reached stdout or stderr.
    /// </summary>
    internal static class VcsimCli
    {
        /// <summary>The worked case's merged mask (DOMAIN.md §6), as 'cpuidmask mask --format vmx' prints it.</summary>
        public static readonly string[] WorkedCaseLines =
        {
            "cpuid.80000001.ecx = \"-----------------------0--------\"",
            "cpuid.1.ecx = \"--00-0---0----0-----------------\"",
            "cpuid.7.ebx = \"-------------------------------0\"",
            "cpuid.d.eax = \"-----------------------------00-\"",
        };

        /// <summary>cpuidmask COMMAND --server URL --thumbprint T --user U ARGS, password from the environment.</summary>
        public static CliRun Run(VcsimServer fixture, string command, params string[] args) =>
            RunRaw(fixture, new Dictionary<string, string?> { ["CPUIDMASK_PASSWORD"] = fixture.Password }, Connection(fixture, command).Concat(args).ToArray());

        public static string[] Connection(VcsimServer fixture, string command) =>
            new[] { command, "--server", fixture.Url, "--thumbprint", fixture.Thumbprint, "--user", fixture.User };

        public static CliRun RunRaw(VcsimServer fixture, IDictionary<string, string?> environment, string[] args, Func<TextWriter, TextWriter, CliContext>? makeContext = null)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var context = makeContext?.Invoke(output, error)
                ?? new CliContext(output, error, TextReader.Null, name => environment.TryGetValue(name, out var v) ? v : null);
            int before = fixture.RequestCount;
            int exit = Program.Run(args, context);
            var run = new CliRun(exit, output.ToString(), error.ToString(), fixture.RequestsSince(before));
            foreach (string secret in environment.Where(e => e.Key == "CPUIDMASK_PASSWORD" && !string.IsNullOrEmpty(e.Value)).Select(e => e.Value!).Append(fixture.Password))
            {
                Assert.DoesNotContain(secret, run.Out);
                Assert.DoesNotContain(secret, run.Err);
            }

            return run;
        }

        /// <summary>A temporary directory for undo and mask files, deleted by the caller.</summary>
        public static string TempDirectory()
        {
            string dir = Path.Combine(Path.GetTempPath(), "cpuidmask-it-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            return dir;
        }

        public static string WriteWorkedMask(string directory)
        {
            string path = Path.Combine(directory, "worked.vmx");
            File.WriteAllLines(path, WorkedCaseLines);
            return path;
        }

        public static Task<VimClient> ConnectAsync(VcsimServer fixture) =>
            VimClient.ConnectAsync(new VimConnectionOptions(fixture.Url)
            {
                UserName = fixture.User,
                Password = fixture.Password,
                Thumbprint = fixture.Thumbprint,
            });

        /// <summary>A VM's whole extraConfig, in the order the server lists it, read without the mask service.</summary>
        public static async Task<(string Key, string? Value)[]> RawExtraConfigAsync(VcsimServer fixture, string vm)
        {
            using var client = await ConnectAsync(fixture);
            return (await RawRecordAsync(client, vm)).ExtraConfig.Select(o => (o.Key, o.Value)).ToArray();
        }

        public static async Task<VmRecord> RawRecordAsync(VimClient client, string vm) =>
            (await new VmInventory(client).FindVmsAsync(new[] { vm })).Single();

        public static string Vmx(this OptionValue option) => $"{option.Key} = \"{option.Value}\"";
    }
}
