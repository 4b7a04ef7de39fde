using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;

namespace CpuidMask.Integration.Tests
{
    /// <summary>How to start a simulator: the launcher's flags (tests/vcsim/README.md).</summary>
    public sealed record VcsimOptions
    {
        /// <summary>The inventory JSON; default the committed tests/vcsim/inventory.json.</summary>
        public string? Inventory { get; init; }

        /// <summary>-delay: every SOAP request waits this long before it is dispatched.</summary>
        public TimeSpan Delay { get; init; }

        /// <summary>-task-duration: ReconfigVM_Task and ApplyEvcModeVM_Task stay running this long.</summary>
        public TimeSpan TaskDuration { get; init; }

        /// <summary>-max-objects: the PropertyCollector's page size policy (0: none).</summary>
        public int MaxObjects { get; init; }
    }

    /// <summary>
    /// One run of the vCenter simulator (tests/vcsim/bin/vcsim): started with a request log and its
    /// certificate written to a file, driven through the launcher's control protocol on stdin (faults,
    /// delay, task duration), read independently with pyVmomi (tests/vcsim/readvms.py), stopped by
    /// closing its stdin. See tests/vcsim/README.md.
    /// </summary>
    public class VcsimServer : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _stderr = new StringBuilder();
        private readonly object _control = new object();
        private readonly string _workDirectory;
        private readonly object _readerLock = new object();
        private readonly StringBuilder _readerStderr = new StringBuilder();
        private Process? _reader;

        public VcsimServer(VcsimOptions options)
        {
            if (!File.Exists(RepoPaths.VcsimBinary))
            {
                throw new InvalidOperationException(
                    $"The vCenter simulator is not built ({RepoPaths.VcsimBinary} is missing). Run: bash tests/vcsim/build.sh " +
                    "(needs Debian's golang-go and golang-github-vmware-govmomi-dev), or bash tests/run-tests.sh, which does both.");
            }

            Inventory = options.Inventory ?? RepoPaths.Inventory;
            using (var inventory = JsonDocument.Parse(File.ReadAllText(Inventory)))
            {
                User = inventory.RootElement.GetProperty("user").GetString()!;
                Password = inventory.RootElement.GetProperty("password").GetString()!;
            }

            _workDirectory = Path.Combine(Path.GetTempPath(), "cpuidmask-vcsim-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_workDirectory);
            RequestLog = Path.Combine(_workDirectory, "requests.log");
            CertificatePath = Path.Combine(_workDirectory, "vcsim.pem");

            var start = new ProcessStartInfo(RepoPaths.VcsimBinary)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string arg in new[] { "-inventory", Inventory, "-log-requests", RequestLog, "-cert-out", CertificatePath })
            {
                start.ArgumentList.Add(arg);
            }

            if (options.Delay > TimeSpan.Zero)
            {
                start.ArgumentList.Add("-delay");
                start.ArgumentList.Add(GoDuration(options.Delay));
            }

            if (options.TaskDuration > TimeSpan.Zero)
            {
                start.ArgumentList.Add("-task-duration");
                start.ArgumentList.Add(GoDuration(options.TaskDuration));
            }

            if (options.MaxObjects > 0)
            {
                start.ArgumentList.Add("-max-objects");
                start.ArgumentList.Add(options.MaxObjects.ToString(CultureInfo.InvariantCulture));
            }

            _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + RepoPaths.VcsimBinary);
            _process.ErrorDataReceived += (_, e) =>
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            };
            _process.BeginErrorReadLine();

            var ready = Task.Run(() =>
            {
                string? line;
                while ((line = _process.StandardOutput.ReadLine()) != null)
                {
                    if (line.StartsWith("VCSIM_THUMBPRINT=", StringComparison.Ordinal))
                    {
                        Thumbprint = line.Substring("VCSIM_THUMBPRINT=".Length);
                    }
                    else if (line.StartsWith("VCSIM_URL=", StringComparison.Ordinal))
                    {
                        Url = line.Substring("VCSIM_URL=".Length);
                        return true;
                    }
                }

                return false;
            });
            if (!ready.Wait(TimeSpan.FromSeconds(60)) || !ready.Result)
            {
                Dispose();
                throw new InvalidOperationException("The vCenter simulator did not start: " + StandardError);
            }
        }

        /// <summary>https://127.0.0.1:PORT/sdk</summary>
        public string Url { get; private set; } = string.Empty;

        /// <summary>SHA-256 of the simulator's self-signed certificate, to pin.</summary>
        public string Thumbprint { get; private set; } = string.Empty;

        /// <summary>The simulator's certificate as PEM (-cert-out), for clients that trust a CA file.</summary>
        public string CertificatePath { get; }

        public string Inventory { get; }

        public string User { get; }

        public string Password { get; }

        /// <summary>The file the simulator appends each SOAP method name to.</summary>
        public string RequestLog { get; }

        public string StandardError
        {
            get
            {
                lock (_stderr)
                {
                    return _stderr.ToString();
                }
            }
        }

        /// <summary>Number of SOAP requests the simulator has received so far.</summary>
        public int RequestCount => File.Exists(RequestLog) ? File.ReadLines(RequestLog).Count() : 0;

        public string[] RequestsSince(int count) => File.Exists(RequestLog) ? File.ReadLines(RequestLog).Skip(count).ToArray() : Array.Empty<string>();

        /// <summary>
        /// Sends one control command (README.md, "Control protocol") and returns the reply after
        /// "VCSIM_OK"; a "VCSIM_ERROR" reply throws, with the launcher's message.
        /// </summary>
        public string Command(string command)
        {
            if (command.IndexOfAny(new[] { '\r', '\n' }) >= 0)
            {
                throw new ArgumentException("One command, without line breaks.", nameof(command));
            }

            lock (_control)
            {
                _process.StandardInput.WriteLine(command);
                _process.StandardInput.Flush();
                var read = _process.StandardOutput.ReadLineAsync();
                // "wait" blocks in the launcher for at most its own timeout (10 s unless given).
                if (!read.Wait(TimeSpan.FromSeconds(120)))
                {
                    throw new TimeoutException($"The simulator did not answer '{command}'. Its stderr:\n{StandardError}");
                }

                string? reply = read.Result;
                if (reply == null)
                {
                    throw new InvalidOperationException($"The simulator exited before answering '{command}'. Its stderr:\n{StandardError}");
                }

                if (reply == "VCSIM_OK" || reply.StartsWith("VCSIM_OK ", StringComparison.Ordinal))
                {
                    return reply.Length > "VCSIM_OK".Length ? reply.Substring("VCSIM_OK ".Length) : string.Empty;
                }

                throw new InvalidOperationException($"The simulator refused '{command}': {reply}");
            }
        }

        /// <summary>Arms a fault: "KIND METHOD [on VM] [at N | from N | every] [times K] [for DURATION]".</summary>
        public VcsimFault AddFault(string spec)
        {
            var reply = ParseReply(Command("fault " + spec));
            return new VcsimFault(this, int.Parse(reply["id"], CultureInfo.InvariantCulture), reply["target"], spec);
        }

        /// <summary>Disarms every fault and lets go every frozen request; returns how many faults were armed.</summary>
        public int ClearFaults() => int.Parse(ParseReply(Command("clear"))["cleared"], CultureInfo.InvariantCulture);

        /// <summary>Lets go every frozen request (they are then performed); returns how many.</summary>
        public int ReleaseAll() => int.Parse(ParseReply(Command("release"))["released"], CultureInfo.InvariantCulture);

        public void SetDelay(TimeSpan delay) => Command("delay " + GoDuration(delay));

        public void SetTaskDuration(TimeSpan duration) => Command("task-duration " + GoDuration(duration));

        /// <summary>The launcher's settings and totals: delay, task-duration, faults, active, fired, held.</summary>
        public IReadOnlyDictionary<string, string> Status() => ParseReply(Command("status"));

        /// <summary>
        /// Every VM (or the named ones) as the independent reader sees them: tests/vcsim/readvms.py, Debian's
        /// pyVmomi, through the launcher's direct endpoint (no faults, no delay, no request-log lines). The
        /// reader is started once per simulator (readvms.py --serve) and stays logged in.
        /// </summary>
        public IReadOnlyList<VcsimVm> ReadVms(params string[] names)
        {
            lock (_readerLock)
            {
                if (_reader == null || _reader.HasExited)
                {
                    _reader?.Dispose();
                    _reader = Process.Start(ReaderStart(throughFaults: false, serve: true, names: Array.Empty<string>()))
                        ?? throw new InvalidOperationException("Could not start /usr/bin/python3");
                    _reader.ErrorDataReceived += (_, e) =>
                    {
                        lock (_readerStderr)
                        {
                            _readerStderr.AppendLine(e.Data);
                        }
                    };
                    _reader.BeginErrorReadLine();
                }

                _reader.StandardInput.WriteLine(JsonSerializer.Serialize(names));
                _reader.StandardInput.Flush();
                var read = _reader.StandardOutput.ReadLineAsync();
                if (!read.Wait(TimeSpan.FromSeconds(60)) || read.Result == null)
                {
                    string stderr;
                    lock (_readerStderr)
                    {
                        stderr = _readerStderr.ToString();
                    }

                    _reader.Kill(entireProcessTree: true);
                    throw new InvalidOperationException("readvms.py gave no answer: " + stderr);
                }

                return ParseVms(read.Result);
            }
        }

        /// <summary>
        /// As <see cref="ReadVms(string[])"/>, in a one-shot run of readvms.py; with throughFaults it reads
        /// through /sdk, where faults, delay and the request log apply.
        /// </summary>
        public IReadOnlyList<VcsimVm> ReadVms(bool throughFaults, params string[] names)
        {
            using var process = Process.Start(ReaderStart(throughFaults, serve: false, names)) ?? throw new InvalidOperationException("Could not start /usr/bin/python3");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(60_000))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("readvms.py did not finish within 60 s: " + stderr.Result);
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"readvms.py exited with {process.ExitCode}: {stderr.Result}");
            }

            return ParseVms(stdout.Result);
        }

        /// <summary>One VM as the independent reader sees it.</summary>
        public VcsimVm ReadVm(string name) => ReadVms(name).Single();

        public void Dispose()
        {
            Dispose(true);
            GC.SuppressFinalize(this);
        }

        protected virtual void Dispose(bool disposing)
        {
            if (!disposing)
            {
                return;
            }

            lock (_readerLock)
            {
                if (_reader != null)
                {
                    try
                    {
                        if (!_reader.HasExited)
                        {
                            _reader.StandardInput.Close(); // end of input ends readvms.py --serve
                            if (!_reader.WaitForExit(10_000))
                            {
                                _reader.Kill(entireProcessTree: true);
                            }
                        }
                    }
                    catch (InvalidOperationException)
                    {
                    }

                    _reader.Dispose();
                    _reader = null;
                }
            }

            try
            {
                if (!_process.HasExited)
                {
                    _process.StandardInput.Close();
                    if (!_process.WaitForExit(10_000))
                    {
                        _process.Kill(entireProcessTree: true);
                    }
                }
            }
            catch (InvalidOperationException)
            {
            }

            _process.Dispose();
            try
            {
                Directory.Delete(_workDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        private static IReadOnlyList<VcsimVm> ParseVms(string json)
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException("readvms.py: " + error.GetString());
            }

            return document.RootElement.Deserialize<VcsimVm[]>(new JsonSerializerOptions { PropertyNameCaseInsensitive = true })
                ?? throw new InvalidOperationException("readvms.py printed no JSON.");
        }

        private ProcessStartInfo ReaderStart(bool throughFaults, bool serve, string[] names)
        {
            // Debian's interpreter: python3-pyvmomi is installed for it, and a python3 first on PATH
            // (pyenv, a venv) may not see it.
            var start = new ProcessStartInfo("/usr/bin/python3")
            {
                RedirectStandardInput = serve,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(Path.Combine(RepoPaths.Vcsim, "readvms.py"));
            foreach (string arg in new[] { "--url", Url, "--cacert", CertificatePath, "--user", User })
            {
                start.ArgumentList.Add(arg);
            }

            foreach (string name in names)
            {
                start.ArgumentList.Add("--vm");
                start.ArgumentList.Add(name);
            }

            if (throughFaults)
            {
                start.ArgumentList.Add("--through-faults");
            }

            if (serve)
            {
                start.ArgumentList.Add("--serve");
            }

            start.Environment["VCSIM_PASSWORD"] = Password;
            return start;
        }

        /// <summary>"a=1 b=x" as a dictionary.</summary>
        internal static IReadOnlyDictionary<string, string> ParseReply(string reply) =>
            reply.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(pair => pair.Split('=', 2))
                .ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : string.Empty, StringComparer.Ordinal);

        /// <summary>A TimeSpan as Go's time.ParseDuration reads it.</summary>
        internal static string GoDuration(TimeSpan span) =>
            span.Ticks % TimeSpan.TicksPerMillisecond == 0
                ? ((long)span.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms"
                : (span.Ticks * 100).ToString(CultureInfo.InvariantCulture) + "ns";
    }

    /// <summary>One armed fault rule of a simulator.</summary>
    public sealed class VcsimFault
    {
        private readonly VcsimServer _server;

        internal VcsimFault(VcsimServer server, int id, string target, string spec)
        {
            _server = server;
            Id = id;
            Target = target;
            Spec = spec;
        }

        public int Id { get; }

        /// <summary>The moref the rule is limited to ("on VM"), or "*".</summary>
        public string Target { get; }

        public string Spec { get; }

        /// <summary>Requests the rule matched since it was armed.</summary>
        public int Seen => Counter("seen");

        /// <summary>Times the fault acted.</summary>
        public int Fired => Counter("fired");

        /// <summary>Requests the rule holds frozen now.</summary>
        public int Held => Counter("held");

        /// <summary>Blocks until the counter (seen, fired or held) reaches at least n; throws after the timeout.</summary>
        public void WaitFor(string counter, int n, TimeSpan? timeout = null) =>
            _server.Command($"wait {Id} {counter} {n}" + (timeout is { } t ? " " + VcsimServer.GoDuration(t) : string.Empty));

        /// <summary>Lets go the requests this rule holds (they are then performed); returns how many.</summary>
        public int Release() => int.Parse(VcsimServer.ParseReply(_server.Command("release " + Id))["released"], CultureInfo.InvariantCulture);

        public override string ToString() => $"fault {Id} ({Spec})";

        private int Counter(string name) =>
            int.Parse(VcsimServer.ParseReply(_server.Command("status " + Id))[name], CultureInfo.InvariantCulture);
    }

    /// <summary>A VM as tests/vcsim/readvms.py prints it.</summary>
    public sealed record VcsimVm(string Name, string Moref, string? ChangeVersion, VcsimOption[] ExtraConfig, VcsimFeatureMask[] FeatureMask)
    {
        /// <summary>The value of an extraConfig key (exact key), or null.</summary>
        public string? Option(string key) => ExtraConfig.FirstOrDefault(o => o.Key == key)?.Value;
    }

    public sealed record VcsimOption(string Key, string? Value);

    public sealed record VcsimFeatureMask(string Key, string FeatureName, string Value);
}
