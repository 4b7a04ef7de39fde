using System;
using System.IO;
using System.Linq;
using System.Reflection;

namespace CpuidMask.Integration.Tests
{
    /// <summary>Finds the repository from the test output folder, wherever the build put it.</summary>
    internal static class RepoPaths
    {
        private static readonly Lazy<string> RootPath = new Lazy<string>(() =>
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "CpuidMask.slnx")))
                {
                    return dir.FullName;
                }
            }

            string? built = typeof(RepoPaths).Assembly.GetCustomAttributes(typeof(AssemblyMetadataAttribute), false)
                .Cast<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "RepoRoot")?.Value;
            if (built != null && File.Exists(Path.Combine(built, "CpuidMask.slnx")))
            {
                return built;
            }

            string? fromEnv = Environment.GetEnvironmentVariable("CPUIDMASK_REPO");
            return fromEnv ?? throw new InvalidOperationException(
                "Cannot find the repository (CpuidMask.slnx) above " + AppContext.BaseDirectory + "; set CPUIDMASK_REPO to its path.");
        });

        public static string Root => RootPath.Value;

        public static string Dumps => Path.Combine(Root, "tests", "data", "dumps");

        public static string Vcsim => Path.Combine(Root, "tests", "vcsim");

        public static string Inventory => Path.Combine(Vcsim, "inventory.json");

        public static string ComplianceInventory => Path.Combine(Vcsim, "compliance.json");

        public static string VcsimBinary => Path.Combine(Vcsim, "bin", "vcsim");
    }
}
