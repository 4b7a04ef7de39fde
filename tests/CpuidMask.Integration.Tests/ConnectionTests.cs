using System.Collections.Generic;
using System.IO;
using System.Linq;
using CpuidMask.Cli;
using Xunit;

namespace CpuidMask.Integration.Tests
{
    /// <summary>Logging in from the program: errors say who, where and what to do, and never show a password.</summary>
    [Collection("vcsim")]
    public class ConnectionTests
    {
        private const string WrongPassword = "Wr0ng-But-Secret!";

        private readonly VcsimFixture _vcsim;

        public ConnectionTests(VcsimFixture vcsim) => _vcsim = vcsim;

        private static Dictionary<string, string?> Env(string? password) => new Dictionary<string, string?> { ["CPUIDMASK_PASSWORD"] = password };

        [Fact]
        public void BadPassword_LoginFailedForUserAtServer_ExitTwo_PasswordNeverPrinted()
        {
            var run = VcsimCli.RunRaw(_vcsim, Env(WrongPassword), VcsimCli.Connection(_vcsim, "vm-mask").Concat(new[] { "--vm", "vm-web02" }).ToArray());

            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Contains($"login failed for user {_vcsim.User} at server 127.0.0.1", run.Err);
            Assert.Contains("error InvalidLogin", run.Err);
            Assert.DoesNotContain(WrongPassword, run.Out + run.Err);
            Assert.Equal(new[] { "RetrieveServiceContent", "Login" }, run.Requests);
        }

        [Fact]
        public void WrongThumbprint_RefusedBeforeAnyRequestNamingTheServer_ExitTwo()
        {
            string wrong = string.Join(":", Enumerable.Repeat("AB", 32));
            var run = VcsimCli.RunRaw(_vcsim, Env(_vcsim.Password), new[] { "hosts", "--server", _vcsim.Url, "--thumbprint", wrong, "--user", _vcsim.User });

            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Contains(_vcsim.Url, run.Err);
            Assert.Contains(wrong, run.Err);
            Assert.Contains("error VCenterThumbprintMismatch", run.Err);
            Assert.Empty(run.Requests);
        }

        [Fact]
        public void UnknownVm_NamedWithTheServer_NothingWritten_ExitTwo()
        {
            string dir = VcsimCli.TempDirectory();
            try
            {
                var run = VcsimCli.Run(_vcsim, "apply", "--vm", "vm-web02", "vm-nosuch01", "--mask-file", VcsimCli.WriteWorkedMask(dir), "--undo-file", dir);

                Assert.True(run.ExitCode == 2, run.ToString());
                Assert.Contains("No VM named 'vm-nosuch01' on 127.0.0.1", run.Err);
                Assert.Contains("Nothing was written to any VM", run.Err);
                Assert.Contains("error VmNotFound", run.Err);
                Assert.DoesNotContain("ReconfigVM_Task", run.Requests);
                Assert.Empty(Directory.GetFiles(dir, "cpuidmask-undo-*"));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void NoPassword_NotInteractive_UsageErrorBeforeConnecting()
        {
            var run = VcsimCli.RunRaw(_vcsim, Env(null), VcsimCli.Connection(_vcsim, "hosts"));

            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Contains("No password for administrator@vsphere.local", run.Err);
            Assert.Contains("CPUIDMASK_PASSWORD", run.Err);
            Assert.Empty(run.Requests);
        }

        [Fact]
        public void PasswordOption_DoesNotExist_AndTheValueIsNotEchoed()
        {
            var run = VcsimCli.RunRaw(_vcsim, Env(null), VcsimCli.Connection(_vcsim, "hosts").Concat(new[] { "--password", WrongPassword }).ToArray());

            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Contains("There is no --password option", run.Err);
            Assert.DoesNotContain(WrongPassword, run.Err);
            Assert.Empty(run.Requests);
        }

        [Fact]
        public void Interactive_PasswordPrompted_UserFromTheEnvironment()
        {
            var env = new Dictionary<string, string?> { ["CPUIDMASK_USER"] = _vcsim.User };
            var prompts = new List<string>();
            var run = VcsimCli.RunRaw(
                _vcsim,
                env,
                new[] { "hosts", "--server", _vcsim.Url, "--thumbprint", _vcsim.Thumbprint, "--host", "esx-ivy-01" },
                (o, e) => new CliContext(o, e, TextReader.Null, name => env.TryGetValue(name, out var v) ? v : null)
                {
                    Interactive = true,
                    ReadSecret = prompt =>
                    {
                        prompts.Add(prompt);
                        return _vcsim.Password;
                    },
                });

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(new[] { $"Password for {_vcsim.User} at {_vcsim.Url}: " }, prompts);
            Assert.Contains("esx-ivy-01", run.Out);
        }

        [Fact]
        public void Insecure_WarnsOnEveryConnection()
        {
            string[] args = { "hosts", "--server", _vcsim.Url, "--insecure", "--user", _vcsim.User, "--host", "esx-ivy-01" };

            var first = VcsimCli.RunRaw(_vcsim, Env(_vcsim.Password), args);
            var second = VcsimCli.RunRaw(_vcsim, Env(_vcsim.Password), args);

            Assert.True(first.ExitCode == 0, first.ToString());
            Assert.True(second.ExitCode == 0, second.ToString());
            Assert.Contains("warning: TLS certificate checks are OFF for " + _vcsim.Url, first.Err);
            Assert.Contains("warning: TLS certificate checks are OFF for " + _vcsim.Url, second.Err);
        }
    }
}
