using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Xunit;

namespace CpuidMask.Cli.Tests
{
    /// <summary>
    /// Damaged, partial, oversized and non-file inputs: every command that reads FILEs stops with exit 2 and a
    /// message naming the file and what is wrong, and --allow-partial reads a partial file with a warning.
    /// </summary>
    public sealed class DamagedInputTests : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "cpuidmask-damaged-" + Guid.NewGuid().ToString("N"));

        public DamagedInputTests()
        {
            Directory.CreateDirectory(_dir);
        }

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        /// <summary>The repro: one damaged keyword used to give a mask hiding FPU, CMOV, SSE and SSE2, with exit 0.</summary>
        [Fact]
        public void Mask_DumpWithDamagedKeyword_ExitsTwoNamingFileAndLine()
        {
            string damaged = Write("a.txt", Lines(CliRunner.Avoton, 3, l => "CPUIQ" + l.Substring(5)));

            var result = CliRunner.Run("mask", damaged, CliRunner.IvyBridge, "--format", "vmx");

            Assert.Equal(2, result.ExitCode);
            Assert.Equal(string.Empty, result.Out);
            Assert.Contains($"cpuidmask mask: {damaged} line 3: 'CPUIQ 00000001: 000406D8-00100800-43D8E3BF-BFEBFBFF' is not 'CPUID <8 hex>: <8 hex>-<8 hex>-<8 hex>-<8 hex>'.", result.Err);
            Assert.Contains("DumpLineMalformed", result.Err);
        }

        [Theory]
        [InlineData("show")]
        [InlineData("compare")]
        [InlineData("mask")]
        [InlineData("baseline")]
        public void EveryCommandReadingFiles_RefusesADumpMissingALeafAndSaysAllowPartial(string command)
        {
            string partial = Write("no7.txt", string.Join("\n", File.ReadAllLines(CliRunner.Avoton).Where(l => !l.StartsWith("CPUID 00000007", StringComparison.Ordinal))));

            var result = CliRunner.Run(command, partial, CliRunner.IvyBridge);

            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"cpuidmask {command}: {partial}: logical CPU 0 (from line 2) lacks leaf 0x7, which a full CPUID dump always reports.", result.Err);
            Assert.Contains("Use --allow-partial to read it with what it has.", result.Err);
            Assert.Contains("ProfileIncomplete", result.Err);
        }

        [Fact]
        public void Mask_AllowPartial_ReadsThePartialDumpAndWarnsWhichLeavesAreMissing()
        {
            string partial = Write("no7.txt", string.Join("\n", File.ReadAllLines(CliRunner.Avoton).Where(l => !l.StartsWith("CPUID 00000007", StringComparison.Ordinal))));

            var result = CliRunner.Run("mask", partial, CliRunner.IvyBridge, "--format", "vmx", "--allow-partial");

            Assert.Equal(0, result.ExitCode);
            Assert.Contains("cpuid.1.ecx = \"--00-0---0----0-----------------\"", result.OutLines);
            Assert.StartsWith($"cpuidmask: warning: {partial} is read as a partial profile: logical CPU 0 (from line 2) lacks leaf 0x7;", result.Err);
            Assert.Contains("Features in those leaves are unknown.", result.Err);
        }

        [Fact]
        public void Show_AllowPartial_StillRefusesADumpWithoutLeafOne()
        {
            string noLeaf1 = Write("no1.txt", Lines(CliRunner.Avoton, 3, _ => string.Empty));

            var result = CliRunner.Run("show", noLeaf1, "--allow-partial");

            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"{noLeaf1}: logical CPU 0 (from line 2) has no leaf 0x1", result.Err);
            Assert.Contains("ProfileLeafMissing", result.Err);
        }

        [Fact]
        public void Show_CarriageReturnLineEndings_ReadsLikeTheOriginal()
        {
            string cr = Write("cr.txt", File.ReadAllText(CliRunner.Avoton).Replace("\r\n", "\n").Replace('\n', '\r'));

            var original = CliRunner.Run("show", CliRunner.Avoton, "--json");
            var result = CliRunner.Run("show", cr, "--json");

            Assert.Equal(0, result.ExitCode);
            Assert.Equal(original.Out.Replace(CliRunner.Avoton, cr).Replace("\"avoton-c2750\"", "\"cr\""), result.Out);
        }

        [Fact]
        public void Show_Fifo_ExitsTwoAtOnceNamingIt()
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return; // No FIFOs in the Windows file system.
            }

            string fifo = Path.Combine(_dir, "host.fifo");
            Assert.Equal(0, MakeFifo(fifo, Convert.ToUInt32("600", 8)));

            var watch = Stopwatch.StartNew();
            var result = CliRunner.RunProcess("show", fifo);

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "took " + watch.Elapsed);
            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"cpuidmask show: '{fifo}' is a named pipe (FIFO), not a regular file", result.Err);
            Assert.Contains("ProfileFileNotRegular", result.Err);
        }

        [Fact]
        public void Show_DevZero_ExitsTwoWithoutReadingIt()
        {
            if (!File.Exists("/dev/zero"))
            {
                return;
            }

            var result = CliRunner.Run("show", "/dev/zero");

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("'/dev/zero' is a character device, not a regular file", result.Err);
        }

        [Fact]
        public void Compare_FileOverTheLimit_ExitsTwoSayingTheLimit()
        {
            string huge = Path.Combine(_dir, "vmware.log");
            using (var stream = File.Create(huge))
            {
                stream.SetLength(40L * 1024 * 1024);
            }

            var result = CliRunner.Run("compare", huge, CliRunner.IvyBridge);

            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"Profile file '{huge}' is 40 MB; a CPUID source is at most a few MB, and files over 32 MB are not read.", result.Err);
            Assert.Contains("ProfileFileTooLarge", result.Err);
        }

        [Theory]
        [InlineData("show")]
        [InlineData("compare")]
        [InlineData("mask")]
        [InlineData("baseline")]
        public void EveryCommandReadingFiles_DocumentsAllowPartial(string command)
        {
            var result = CliRunner.Run(command, "--help");

            Assert.Contains("[--allow-partial]", result.Out);
            Assert.Contains("  --allow-partial  read a FILE that lacks leaves", result.Out);
        }

        private string Write(string name, string text)
        {
            string path = Path.Combine(_dir, name);
            File.WriteAllText(path, text);
            return path;
        }

        private static string Lines(string path, int lineNumber, Func<string, string> change)
        {
            var lines = File.ReadAllText(path).Replace("\r\n", "\n").Split('\n');
            lines[lineNumber - 1] = change(lines[lineNumber - 1]);
            return string.Join("\n", lines);
        }

        [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
        private static extern int MakeFifo(string path, uint mode);
    }
}
