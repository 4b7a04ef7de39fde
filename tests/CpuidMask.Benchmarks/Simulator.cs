using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;

namespace CpuidMask.Benchmarks
{
    /// <summary>
    /// The test vCenter (tests/vcsim) at benchmark scale: an inventory of any number of hosts made from the
    /// real hosts of tests/vcsim/inventory.json (their CPUID leaves, capabilities and EVC keys, cycled under
    /// new names, 50 to a cluster), plus VMs, served with a per-request delay and a task duration.
    /// </summary>
    internal sealed class Simulator : IDisposable
    {
        private readonly Process _process;
        private readonly string _directory;

        private Simulator(Process process, string directory, string url, string thumbprint, string user, string password)
        {
            User = user;
            _process = process;
            _directory = directory;
            Url = url;
            Thumbprint = thumbprint;
            Password = password;
        }

        public string Url { get; }

        public string Thumbprint { get; }

        public string User { get; }

        public string Password { get; }

        public string CertificatePath => Path.Combine(_directory, "vcsim.pem");

        /// <summary>SOAP requests the simulator has seen so far (its request log).</summary>
        public int RequestCount
        {
            get
            {
                string log = Path.Combine(_directory, "requests.log");
                return File.Exists(log) ? File.ReadLines(log).Count() : 0;
            }
        }

        /// <summary>Starts a simulator with <paramref name="hosts"/> hosts and <paramref name="vms"/> powered-off vmx-19 VMs named bench0001....</summary>
        public static Simulator Start(string repo, int hosts, int vms, TimeSpan delay, TimeSpan taskDuration)
        {
            string binary = Path.Combine(repo, "tests", "vcsim", "bin", "vcsim");
            if (!File.Exists(binary))
            {
                throw new InvalidOperationException($"The simulator is not built: run bash tests/vcsim/build.sh ({binary} is missing).");
            }

            string directory = Directory.CreateTempSubdirectory("cpuidmask-bench-").FullName;
            var (inventory, user, password) = MakeInventory(Path.Combine(repo, "tests", "vcsim", "inventory.json"), hosts, vms);
            string inventoryPath = Path.Combine(directory, "inventory.json");
            File.WriteAllText(inventoryPath, inventory.ToJsonString());

            var start = new ProcessStartInfo(binary)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = false,
                UseShellExecute = false,
            };
            foreach (string argument in new[]
            {
                "-inventory", inventoryPath, "-cert-out", Path.Combine(directory, "vcsim.pem"),
                "-log-requests", Path.Combine(directory, "requests.log"), "-log", Path.Combine(directory, "vcsim.log"),
                "-delay", GoDuration(delay), "-task-duration", GoDuration(taskDuration),
            })
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start)!;
            string? url = null;
            string? thumbprint = null;
            while (url == null)
            {
                string? line = process.StandardOutput.ReadLine();
                if (line == null)
                {
                    process.WaitForExit();
                    throw new InvalidOperationException($"The simulator stopped (exit {process.ExitCode}); see {Path.Combine(directory, "vcsim.log")}.");
                }

                if (line.StartsWith("VCSIM_THUMBPRINT=", StringComparison.Ordinal))
                {
                    thumbprint = line.Substring("VCSIM_THUMBPRINT=".Length);
                }
                else if (line.StartsWith("VCSIM_URL=", StringComparison.Ordinal))
                {
                    url = line.Substring("VCSIM_URL=".Length);
                }
            }

            return new Simulator(process, directory, url, thumbprint!, user, password);
        }

        public void Dispose()
        {
            // End of stdin stops the launcher.
            _process.StandardInput.Close();
            if (!_process.WaitForExit(30_000))
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        private static (JsonObject Inventory, string User, string Password) MakeInventory(string templatePath, int hostCount, int vmCount)
        {
            var template = JsonNode.Parse(File.ReadAllText(templatePath))!.AsObject();
            var realHosts = template["clusters"]!.AsArray().SelectMany(c => c!["hosts"]!.AsArray())
                .Concat(template["hosts"]?.AsArray() ?? new JsonArray())
                .Select(h => h!.AsObject())
                .ToArray();
            var hosts = new List<JsonObject>();
            for (int i = 0; i < hostCount; i++)
            {
                var host = realHosts[i % realHosts.Length].DeepClone().AsObject();
                host["name"] = string.Format(CultureInfo.InvariantCulture, "esx{0:D4}", i + 1);
                host["connectionState"] = "connected";
                hosts.Add(host);
            }

            var clusters = new JsonArray();
            for (int c = 0; c * 50 < hosts.Count; c++)
            {
                clusters.Add(new JsonObject
                {
                    ["name"] = string.Format(CultureInfo.InvariantCulture, "C{0:D2}", c + 1),
                    ["hosts"] = new JsonArray(hosts.Skip(c * 50).Take(50).Select(h => (JsonNode)h).ToArray()),
                });
            }

            var vms = new JsonArray();
            for (int i = 0; i < vmCount; i++)
            {
                vms.Add(new JsonObject
                {
                    ["name"] = string.Format(CultureInfo.InvariantCulture, "bench{0:D4}", i + 1),
                    ["host"] = hosts[i % hosts.Count]["name"]!.GetValue<string>(),
                    ["version"] = "vmx-19",
                });
            }

            string user = template["user"]!.GetValue<string>();
            string password = template["password"]!.GetValue<string>();
            var inventory = new JsonObject
            {
                ["user"] = user,
                ["password"] = password,
                ["about"] = template["about"]?.DeepClone(),
                ["datacenter"] = template["datacenter"]!.DeepClone(),
                ["supportedEVCMode"] = template["supportedEVCMode"]?.DeepClone(),
                ["clusters"] = clusters,
                ["vms"] = vms,
            };
            return (inventory, user, password);
        }

        private static string GoDuration(TimeSpan span) => ((long)span.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
    }
}
