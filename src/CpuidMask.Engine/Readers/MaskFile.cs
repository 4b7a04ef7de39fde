using System;
using System.IO;
using System.Text;
using CpuidMask.Engine.Masks;

namespace CpuidMask.Engine.Readers
{
    /// <summary>
    /// A mask given as text, in either of its two forms: .vmx lines (<c>cpuid.1.ecx = "..."</c>, what
    /// <c>cpuidmask mask --format vmx</c> prints or a .vmx file holds; <see cref="VmMask.ParseVmx(string, string, MaskReadOptions?)"/>) or
    /// the JSON of <c>cpuidmask mask --format json</c> (<see cref="MaskJson"/>). The form is told by the first
    /// character that is not white space: a JSON document starts with '{', a .vmx line never does.
    /// </summary>
    public static class MaskFile
    {
        /// <summary>
        /// Larger than any mask file of a realistic number of hosts (the JSON of 200 hosts, with its proof of
        /// every direction, is a few MB), small enough that /dev/zero or a wrong file is refused, not read into memory.
        /// </summary>
        public const long MaxBytes = 64L * 1024 * 1024;

        /// <summary>Whether the text is a mask JSON document rather than .vmx lines.</summary>
        public static bool IsJson(string text)
        {
            foreach (char c in text ?? string.Empty)
            {
                if (!char.IsWhiteSpace(c) && c != '\uFEFF')
                {
                    return c == '{';
                }
            }

            return false;
        }

        /// <summary>
        /// Reads a mask in either form, by the rules of mask input (<see cref="MaskReadOptions"/>); errors name
        /// <paramref name="sourceName"/>, the line and the key.
        /// </summary>
        public static VmMask Read(string text, string sourceName, MaskReadOptions? options = null) =>
            ReadWithVendor(text, sourceName, options).Mask;

        /// <summary>
        /// <see cref="Read"/>, with the CPU vendor the text says the mask is for: a JSON document's (<see cref="MaskJson.ReadWithVendor"/>);
        /// none for .vmx lines, which carry no vendor.
        /// </summary>
        public static MaskForVendor ReadWithVendor(string text, string sourceName, MaskReadOptions? options = null) =>
            IsJson(text) ? MaskJson.ReadWithVendor(text, sourceName, options) : new MaskForVendor(VmMask.ParseVmx(text, sourceName, options), null);

        /// <summary>Reads a mask file in either form (MaskFileNotFound, MaskFileTooLarge, or the errors of <see cref="Read"/>).</summary>
        public static VmMask ReadFile(string path, MaskReadOptions? options = null) => ReadFileWithVendor(path, options).Mask;

        /// <summary><see cref="ReadFile"/>, with the CPU vendor the file says the mask is for (<see cref="ReadWithVendor"/>).</summary>
        public static MaskForVendor ReadFileWithVendor(string path, MaskReadOptions? options = null)
        {
            if (path == null)
            {
                throw new ArgumentNullException(nameof(path));
            }

            if (!File.Exists(path))
            {
                throw new CpuidMaskException("MaskFileNotFound", ErrorKind.ObjectNotFound, $"Mask file '{path}' does not exist.", path);
            }

            return ReadWithVendor(ReadBounded(path), path, options);
        }

        private static string ReadBounded(string path)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            using var bytes = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                bytes.Write(buffer, 0, read);
                if (bytes.Length > MaxBytes)
                {
                    throw new CpuidMaskException(
                        "MaskFileTooLarge",
                        ErrorKind.InvalidData,
                        $"Mask file '{path}' is larger than {MaxBytes / (1024 * 1024)} MB, far more than a mask; check that it is the mask file.",
                        path);
                }
            }

            using var reader = new StreamReader(new MemoryStream(bytes.GetBuffer(), 0, (int)bytes.Length), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }
    }
}
