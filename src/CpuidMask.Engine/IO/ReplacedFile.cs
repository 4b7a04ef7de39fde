using System;
using System.IO;
using System.Text;

namespace CpuidMask.Engine.IO
{
    /// <summary>
    /// A file written whole or not at all: the text goes to a temporary file beside it first, which then takes its
    /// place (File.Replace, or a move when there is none yet). A failure leaves the earlier file as it was and no
    /// temporary file behind; the exception (IOException, UnauthorizedAccessException, NotSupportedException) is the
    /// caller's to word.
    /// </summary>
    public static class ReplacedFile
    {
        /// <summary>Writes UTF-8 text without a byte order mark through <paramref name="write"/>, then puts the file in place.</summary>
        public static void Write(string path, Action<TextWriter> write)
        {
            if (write == null)
            {
                throw new ArgumentNullException(nameof(write));
            }

            string? folder = Path.GetDirectoryName(path);
            string temporary = Path.Combine(string.IsNullOrEmpty(folder) ? "." : folder, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
                using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16))
                {
                    write(writer);
                }

                if (File.Exists(path))
                {
                    File.Replace(temporary, path, destinationBackupFileName: null);
                }
                else
                {
                    File.Move(temporary, path);
                }
            }
            catch
            {
                TryDelete(temporary);
                throw;
            }
        }

        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                // The temporary file is only litter; the error that matters is the caller's.
            }
        }
    }
}
