using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CpuidMask.Cli;
using CpuidMask.Engine;
using Xunit;

namespace CpuidMask.Cli.Tests
{
    /// <summary>The vCenter commands' option handling, all of it decided before any connection is made.</summary>
    public class VCenterCommandTests
    {
        private static readonly string[] LiveCommands = { "hosts", "vm-mask", "apply", "undo" };

        [Fact]
        public void EveryLiveCommand_HelpDocumentsTheConnectionAndSaysThereIsNoPasswordOption()
        {
            foreach (string command in LiveCommands.Concat(new[] { "mask", "compare" }))
            {
                var result = CliRunner.Run(command, "--help");

                Assert.Equal(0, result.ExitCode);
                Assert.StartsWith("Usage: cpuidmask " + command, result.Out);
                Assert.Contains("--server URL", result.Out);
                Assert.Contains("CPUIDMASK_PASSWORD", result.Out);
                Assert.Contains("There is no --password", result.Out);
                Assert.Contains("--thumbprint SHA256", result.Out);
                Assert.Contains("Exit codes:", result.Out);
                Assert.Contains("Example:", result.Out);
            }
        }

        [Theory]
        [InlineData("hosts")]
        [InlineData("vm-mask")]
        [InlineData("apply")]
        [InlineData("undo")]
        public void PasswordOption_IsRefusedWithoutEchoingItsValue(string command)
        {
            var result = CliRunner.Run(command, "--server", "vc01", "--password", "hunter2-Secret");

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("There is no --password option", result.Err);
            Assert.DoesNotContain("hunter2-Secret", result.Out + result.Err);
        }

        [Fact]
        public void UserAndSession_Both_IsAUsageError()
        {
            var result = CliRunner.Run("hosts", "--server", "vc01", "--user", "a", "--session", "cookie");

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("Give --user or --session, not both", result.Err);
        }

        [Fact]
        public void NoUserAnywhere_SaysWhereAUserCanComeFrom()
        {
            var result = CliRunner.Run("vm-mask", "--server", "vc01", "--vm", "web01");

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("No user for vc01", result.Err);
            Assert.Contains("CPUIDMASK_USER", result.Err);
            Assert.Contains("CPUIDMASK_SESSION", result.Err);
        }

        [Fact]
        public void UserButNoPassword_NotInteractive_SaysHowToGiveOne()
        {
            var env = new Dictionary<string, string?> { ["CPUIDMASK_USER"] = "administrator@vsphere.local" };

            var result = CliRunner.Run(env, "hosts", "--server", "vc01");

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("No password for administrator@vsphere.local at vc01: set CPUIDMASK_PASSWORD", result.Err);
        }

        [Fact]
        public void UserAndEmptyPassword_NotInteractive_SaysThePasswordIsMissing()
        {
            var env = new Dictionary<string, string?> { ["CPUIDMASK_USER"] = "administrator@vsphere.local", ["CPUIDMASK_PASSWORD"] = string.Empty };

            var result = CliRunner.Run(env, "hosts", "--server", "vc01");

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("No password for administrator@vsphere.local at vc01: set CPUIDMASK_PASSWORD", result.Err);
        }

        [Fact]
        public void HostWithoutServer_AndServerWithoutHost_AreUsageErrors()
        {
            var noServer = CliRunner.Run("mask", "--host", "esx01");
            var noHost = CliRunner.Run("compare", "--server", "vc01", CliRunner.Avoton);

            Assert.Equal(2, noServer.ExitCode);
            Assert.Contains("--host reads hosts from a vCenter: give --server too", noServer.Err);
            Assert.Equal(2, noHost.ExitCode);
            Assert.Contains("--host NAME...", noHost.Err);
        }

        [Fact]
        public void Apply_WithoutVmOrMaskFile_SaysWhatIsMissing()
        {
            var noVm = CliRunner.Run("apply", "--server", "vc01", "--mask-file", "m.vmx");
            var noMask = CliRunner.Run("apply", "--server", "vc01", "--vm", "web01");

            Assert.Contains("--vm NAME", noVm.Err);
            Assert.Contains("--mask-file F", noMask.Err);
            Assert.Equal(2, noVm.ExitCode);
            Assert.Equal(2, noMask.ExitCode);
        }

        [Fact]
        public void Undo_MalformedFile_FailsNamingItBeforeConnecting()
        {
            string path = Path.Combine(Path.GetTempPath(), "cpuidmask-undo-bad-" + Guid.NewGuid().ToString("N") + ".json");
            File.WriteAllText(path, "{\"server\":\"vc01\",\"vm\":\"web01\",\"changes\":[{\"key\":\"guestinfo.owner\",\"previous\":null,\"applied\":\"x\"}]}");
            try
            {
                var result = CliRunner.Run("undo", "--server", "vc01", "--undo-file", path);

                Assert.Equal(2, result.ExitCode);
                Assert.Contains(path, result.Err);
                Assert.Contains("not a CPUID mask key", result.Err);
                Assert.Contains("error UndoRecordInvalid", result.Err);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void UndoFilePlan_DefaultNames_OnePerVmInTheOutputDirectory_NeverOverwriting()
        {
            string dir = Path.Combine(Path.GetTempPath(), "cpuidmask-plan-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                var context = new CliContext(TextWriter.Null, TextWriter.Null) { OutputDirectory = dir };
                var now = new DateTime(2025, 1, 31, 9, 14, 3, DateTimeKind.Utc);
                File.WriteAllText(Path.Combine(dir, "cpuidmask-undo-web01-20250131T091403Z.json"), "{}");

                var paths = UndoFiles.Plan(null, new[] { "web01", "db/01" }, context, now);

                Assert.Equal(Path.Combine(dir, "cpuidmask-undo-web01-20250131T091403Z-2.json"), paths["web01"]);
                Assert.Equal(Path.Combine(dir, "cpuidmask-undo-db_01-20250131T091403Z.json"), paths["db/01"]);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void UndoFilePlan_OneFileNameForSeveralVms_NeedsTheVmPlaceholder()
        {
            var context = new CliContext(TextWriter.Null, TextWriter.Null);
            string template = Path.Combine(Path.GetTempPath(), "undo-" + Guid.NewGuid().ToString("N") + "-{vm}.json");

            var ex = Assert.Throws<CpuidMaskException>(() => UndoFiles.Plan(Path.Combine(Path.GetTempPath(), "undo-" + Guid.NewGuid().ToString("N") + ".json"), new[] { "a", "b" }, context, DateTime.UtcNow));
            var paths = UndoFiles.Plan(template, new[] { "a", "b" }, context, DateTime.UtcNow);

            Assert.Contains("{vm}", ex.Message);
            Assert.Equal(template.Replace("{vm}", "b"), paths["b"]);
        }
    }
}
