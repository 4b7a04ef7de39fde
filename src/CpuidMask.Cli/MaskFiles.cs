using System;
using System.IO;
using CpuidMask.Engine;
using CpuidMask.Engine.Masks;

namespace CpuidMask.Cli
{
    /// <summary>Reads mask files: .vmx lines, or the JSON that 'cpuidmask mask --format json' prints.</summary>
    internal static class MaskFiles
    {
        public static VmMask Read(string path)
        {
            if (!File.Exists(path))
            {
                throw new CpuidMaskException("MaskFileNotFound", ErrorKind.ObjectNotFound, $"Mask file '{path}' does not exist.", path);
            }

            string text = File.ReadAllText(path);
            return text.TrimStart().StartsWith("{", StringComparison.Ordinal) ? MaskJson.Read(text, path) : VmMask.ParseVmx(text, path);
        }
    }
}
