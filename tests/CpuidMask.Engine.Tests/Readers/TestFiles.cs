using System;
using System.IO;

namespace CpuidMask.Engine.Tests.Readers
{
    /// <summary>Paths of the test data copied to the output folder (tests/data/** → data/).</summary>
    internal static class TestFiles
    {
        public static string DumpsDir => Path.Combine(AppContext.BaseDirectory, "data", "dumps");

        public static string FormatsDir => Path.Combine(AppContext.BaseDirectory, "data", "formats");

        public static string Dump(string name) => Path.Combine(DumpsDir, name);

        public static string Format(string name) => Path.Combine(FormatsDir, name);

        public const string IvyBridge = "GenuineIntel00306A9_IvyBridge_CPUID.txt";
        public const string SandyBridge2 = "GenuineIntel00206A7_SandyBridge2_CPUID.txt";
        public const string Interlagos = "AuthenticAMD0600F12_Interlagos_CPUID.txt";
        public const string SapphireRapids = "GenuineIntel00806F8_SapphireRapids_06_CPUID.txt";
        public const string Avoton = "GenuineIntel00406D8_Avoton_CPUID.txt";
        public const string SkylakeXeon = "GenuineIntel0050654_SkylakeXeon_CPUID2.txt";

        /// <summary>A scratch file that deletes itself, for malformed-input tests.</summary>
        public sealed class Scratch : IDisposable
        {
            public Scratch(string fileName, string content)
            {
                Dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cpuidmask-readers-" + Guid.NewGuid().ToString("N"));
                Directory.CreateDirectory(Dir);
                Path = System.IO.Path.Combine(Dir, fileName);
                File.WriteAllText(Path, content);
            }

            public string Dir { get; }

            public string Path { get; }

            public void Dispose()
            {
                try
                {
                    Directory.Delete(Dir, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }
}
