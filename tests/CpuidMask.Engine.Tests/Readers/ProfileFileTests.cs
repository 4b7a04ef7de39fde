using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Tasks;
using CpuidMask.Engine.Readers;
using Xunit;

namespace CpuidMask.Engine.Tests.Readers
{
    /// <summary>What is not a plain file of sane size is refused at once, before anything is read.</summary>
    public class ProfileFileTests
    {
        private static readonly TimeSpan Quickly = TimeSpan.FromSeconds(5);

        [Fact]
        public void ReadAll_FifoWithoutWriter_IsRefusedWithoutBlocking()
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return; // Windows has no FIFOs in the file system; its pipes are refused by handle type.
            }

            using var dir = new TestFiles.Scratch("unused.txt", string.Empty);
            string fifo = Path.Combine(dir.Dir, "host.fifo");
            Assert.Equal(0, MakeFifo(fifo, Convert.ToUInt32("600", 8)));

            var ex = Assert.Throws<CpuidMaskException>(() => Within(() => ProfileReader.ReadAll(fifo)));

            Assert.Equal("ProfileFileNotRegular", ex.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
            Assert.Contains($"'{fifo}' is a named pipe (FIFO), not a regular file", ex.Message);
        }

        [Theory]
        [InlineData("/dev/zero", "a character device")]
        [InlineData("/dev/null", "a character device")]
        public void ReadAll_Device_IsRefusedWithoutReading(string device, string kind)
        {
            if (!File.Exists(device))
            {
                return;
            }

            var ex = Assert.Throws<CpuidMaskException>(() => Within(() => ProfileReader.ReadAll(device)));

            Assert.Equal("ProfileFileNotRegular", ex.ErrorId);
            Assert.Contains($"'{device}' is {kind}, not a regular file", ex.Message);
        }

        [Fact]
        public void ReadAll_FileOverTheLimit_IsRefusedNamingTheLimit()
        {
            using var file = new TestFiles.Scratch("huge.log", string.Empty);
            using (var stream = File.OpenWrite(file.Path))
            {
                // Sparse: the size is there without writing 33 MB.
                stream.SetLength(ProfileReader.MaxFileBytes + 1024 * 1024);
            }

            var watch = Stopwatch.StartNew();
            var ex = Assert.Throws<CpuidMaskException>(() => ProfileReader.ReadAll(file.Path));

            Assert.True(watch.Elapsed < Quickly, "took " + watch.Elapsed);
            Assert.Equal("ProfileFileTooLarge", ex.ErrorId);
            Assert.Equal(
                $"Profile file '{file.Path}' is 33 MB; a CPUID source is at most a few MB, and files over 32 MB are not read. If it is a long vmware.log, keep only its CPUID lines (e.g. grep hostCPUID vmware.log > host.log) and read that.",
                ex.Message);
        }

        [Fact]
        public void ReadAll_FileJustUnderTheLimit_IsRead()
        {
            string dump = File.ReadAllText(TestFiles.Dump(TestFiles.IvyBridge));
            var text = new StringBuilder(dump);
            string filler = new string('-', 1023) + "\n";
            while (text.Length + filler.Length < ProfileReader.MaxFileBytes - 4096)
            {
                text.Append(filler);
            }

            using var file = new TestFiles.Scratch("big.txt", text.ToString());

            Assert.Equal(8, ProfileReader.ReadAll(file.Path).Count);
        }

        [Fact]
        public void ReadAll_Utf16FileWithByteOrderMark_ReadsAsUtf8()
        {
            using var file = new TestFiles.Scratch("utf16.txt", string.Empty);
            File.WriteAllText(file.Path, File.ReadAllText(TestFiles.Dump(TestFiles.Avoton)), Encoding.Unicode);

            Assert.Equal(8, ProfileReader.ReadAll(file.Path).Count);
        }

        private static T Within<T>(Func<T> read)
        {
            var task = Task.Run(read);
            if (Task.WhenAny(task, Task.Delay(Quickly)).GetAwaiter().GetResult() != task)
            {
                throw new TimeoutException("Reading did not return within " + Quickly + "; it blocks.");
            }

            return task.GetAwaiter().GetResult();
        }

        [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
        private static extern int MakeFifo(string path, uint mode);
    }
}
