using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace CpuidMask.Engine.Readers
{
    /// <summary>
    /// Reads a profile file's text, refusing what is not a plain file before opening it (opening a FIFO
    /// without a writer blocks forever; a device such as /dev/zero never ends) and anything larger than a
    /// CPUID source can be.
    /// </summary>
    internal static class ProfileFile
    {
        public const string NotFound = "ProfileFileNotFound";
        public const string Unreadable = "ProfileFileUnreadable";
        public const string NotRegular = "ProfileFileNotRegular";
        public const string TooLarge = "ProfileFileTooLarge";

        public static string ReadText(string path, long maxBytes)
        {
            if (path == null)
            {
                throw new ArgumentNullException(nameof(path));
            }

            if (string.IsNullOrWhiteSpace(path))
            {
                throw new CpuidMaskException(NotFound, ErrorKind.ObjectNotFound, "No profile file was named; give the path of a dump, vmware.log, cpuid -r output or JSON file.", path);
            }

            if (Directory.Exists(path))
            {
                throw new CpuidMaskException(NotFound, ErrorKind.ObjectNotFound, $"'{path}' is a folder, not a profile file; name one of the files in it.", path);
            }

            try
            {
                if (UnixFileType(path) is string kind)
                {
                    throw NotAFile(path, kind);
                }

                using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.SequentialScan))
                {
                    if (WindowsFileType(stream.SafeFileHandle) is string windowsKind)
                    {
                        throw NotAFile(path, windowsKind);
                    }

                    if (stream.CanSeek && stream.Length > maxBytes)
                    {
                        throw Oversized(path, stream.Length, maxBytes);
                    }

                    return Decode(ReadBounded(stream, path, maxBytes));
                }
            }
            catch (Exception ex) when (ex is FileNotFoundException || ex is DirectoryNotFoundException)
            {
                throw new CpuidMaskException(
                    NotFound,
                    ErrorKind.ObjectNotFound,
                    $"Profile file '{path}' was not found (looked for '{FullPath(path)}'). Check the path and the current directory.",
                    path,
                    ex);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is NotSupportedException || ex is ArgumentException)
            {
                throw new CpuidMaskException(Unreadable, ErrorKind.ResourceUnavailable, $"Profile file '{path}' could not be read: {ex.Message}", path, ex);
            }
        }

        /// <summary>The limit in the words of its messages: "32 MB".</summary>
        public static string Describe(long bytes) =>
            bytes >= 1024 * 1024
                ? (bytes / (1024.0 * 1024.0)).ToString(bytes % (1024 * 1024) == 0 ? "0" : "0.0", CultureInfo.InvariantCulture) + " MB"
                : bytes.ToString("N0", CultureInfo.InvariantCulture) + " bytes";

        private static byte[] ReadBounded(Stream stream, string path, long maxBytes)
        {
            // The length a file reports is not a promise (it may grow while read, and devices report 0).
            var buffer = new MemoryStream();
            var chunk = new byte[81920];
            long total = 0;
            int read;
            while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                total += read;
                if (total > maxBytes)
                {
                    throw Oversized(path, total, maxBytes, atLeast: true);
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }

        /// <summary>UTF-8 unless a byte order mark says UTF-16 or UTF-32 (files written by Windows PowerShell 5.1).</summary>
        private static string Decode(byte[] bytes)
        {
            using (var reader = new StreamReader(new MemoryStream(bytes), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true))
            {
                return reader.ReadToEnd();
            }
        }

        private static CpuidMaskException Oversized(string path, long size, long maxBytes, bool atLeast = false) =>
            new CpuidMaskException(
                TooLarge,
                ErrorKind.InvalidData,
                $"Profile file '{path}' is {(atLeast ? "more than " : string.Empty)}{Describe(size)}; a CPUID source is at most a few MB, and files over {Describe(maxBytes)} are not read. "
                + "If it is a long vmware.log, keep only its CPUID lines (e.g. grep hostCPUID vmware.log > host.log) and read that.",
                path);

        private static CpuidMaskException NotAFile(string path, string kind) =>
            new CpuidMaskException(
                NotRegular,
                ErrorKind.InvalidArgument,
                $"'{path}' is {kind}, not a regular file; profiles are read from files. Save the CPUID output to a file first (e.g. cpuid -r > host.txt) and name that file.",
                path);

        /// <summary>
        /// What a non-regular file is ("a named pipe (FIFO)", "a character device" ...), null for a regular file
        /// or when it cannot be told. Asks without opening the file, through the stat shim every .NET Core
        /// runtime on Unix carries (netstandard2.0 has no API for file types).
        /// </summary>
        private static string? UnixFileType(string path)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return null;
            }

            // The shim's FileStatus: int Flags, int Mode (S_IF* type bits in 0xF000), then ids, sizes and times;
            // a generous buffer keeps a later, larger struct from overrunning it.
            var status = new byte[512];
            int result;
            try
            {
                result = SystemNativeStat(path, status);
            }
            catch (Exception ex) when (ex is DllNotFoundException || ex is EntryPointNotFoundException || ex is BadImageFormatException)
            {
                // Not .NET Core on Unix (e.g. Mono): open as before.
                return null;
            }

            if (result != 0)
            {
                // Missing or unreadable: opening the file reports it in the usual words.
                return null;
            }

            int mode = BitConverter.ToInt32(status, 4);
            switch (mode & 0xF000)
            {
                case 0x8000:
                case 0x4000:
                    return null;
                case 0x1000:
                    return "a named pipe (FIFO)";
                case 0x2000:
                    return "a character device";
                case 0x6000:
                    return "a block device";
                case 0xC000:
                    return "a socket";
                default:
                    return "not a regular file";
            }
        }

        /// <summary>What an opened handle is when not a disk file (console, pipe, device): Windows only.</summary>
        private static string? WindowsFileType(SafeFileHandle handle)
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return null;
            }

            switch (GetFileType(handle))
            {
                case 0x0001: // FILE_TYPE_DISK
                    return null;
                case 0x0002: // FILE_TYPE_CHAR
                    return "a character device";
                case 0x0003: // FILE_TYPE_PIPE
                    return "a pipe";
                default:
                    return "not a regular file";
            }
        }

        private static string FullPath(string path)
        {
            try
            {
                return Path.GetFullPath(path);
            }
            catch (Exception ex) when (ex is ArgumentException || ex is NotSupportedException || ex is PathTooLongException)
            {
                return path;
            }
        }

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", CharSet = CharSet.Ansi, ExactSpelling = true)]
        private static extern int SystemNativeStat(string path, [Out] byte[] status);

        [DllImport("kernel32.dll", ExactSpelling = true)]
        private static extern int GetFileType(SafeFileHandle handle);
    }
}
