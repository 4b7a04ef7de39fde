using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Xunit;

namespace CpuidMask.Integration.Tests
{
    /// <summary>
    /// Starts the vCenter simulator once for every test in the "vcsim" collection, with the committed
    /// inventory built from real CPU dumps, and stops it at the end. Each test touches its own VMs.
    /// </summary>
    public sealed class VcsimFixture : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _stderr = new StringBuilder();

        public VcsimFixture()
        {
            if (!File.Exists(RepoPaths.VcsimBinary))
            {
                throw new InvalidOperationException(
                    $"The vCenter simulator is not built ({RepoPaths.VcsimBinary} is missing). Run: bash tests/vcsim/build.sh " +
                    "(needs Debian's golang-go and golang-github-vmware-govmomi-dev), or bash tests/run-tests.sh, which does both.");
            }

            RequestLog = Path.Combine(Path.GetTempPath(), $"cpuidmask-vcsim-{Guid.NewGuid():N}.log");
            var start = new ProcessStartInfo(RepoPaths.VcsimBinary)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("-inventory");
            start.ArgumentList.Add(RepoPaths.Inventory);
            start.ArgumentList.Add("-log-requests");
            start.ArgumentList.Add(RequestLog);
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

        public string User => VcsimInventory.User;

        public string Password => VcsimInventory.Password;

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

        public void Dispose()
        {
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
                File.Delete(RequestLog);
            }
            catch (IOException)
            {
            }
        }
    }

    [CollectionDefinition("vcsim")]
    public sealed class VcsimCollection : ICollectionFixture<VcsimFixture>
    {
    }
}
