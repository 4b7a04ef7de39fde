using System;
using System.IO;
using System.Linq;
using System.Reflection;

namespace CpuidMask.Module.Tests
{
    /// <summary>Finds the repository and the module's reference assemblies, wherever the build put the tests.</summary>
    internal static class RepoFiles
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

            // With --artifacts-path the tests run outside the repository; the build recorded where it is.
            string? built = Metadata("RepoRoot");
            if (built != null && File.Exists(Path.Combine(built, "CpuidMask.slnx")))
            {
                return built;
            }

            return Environment.GetEnvironmentVariable("CPUIDMASK_REPO") ?? throw new InvalidOperationException(
                "Cannot find the repository (CpuidMask.slnx) above " + AppContext.BaseDirectory + "; set CPUIDMASK_REPO to its path.");
        });

        public static string Root => RootPath.Value;

        public static string Docs => Path.Combine(Root, "docs");

        public static string Manifest => Path.Combine(Root, "CpuidMask.psd1");

        public static string FormatFile => Path.Combine(Root, "CpuidMask.Format.ps1xml");

        public static string TypesFile => Path.Combine(Root, "CpuidMask.Types.ps1xml");

        public static string Props => Path.Combine(Root, "Directory.Build.props");

        public static string Samples => Path.Combine(Root, "docs", "samples");

        public static string CommandsFolder => Path.Combine(Root, "src", "CpuidMask.PowerShell", "Commands");

        /// <summary>The CpuidMask.dll the project reference copied next to the tests (Debug, Release, any artifacts path).</summary>
        public static string ModuleAssembly => Path.Combine(AppContext.BaseDirectory, "CpuidMask.dll");

        /// <summary>PowerShellStandard.Library's System.Management.Automation (a reference assembly: inspected, never run).</summary>
        public static string SystemManagementAutomation
        {
            get
            {
                string? built = Metadata("SystemManagementAutomation");
                if (built != null && File.Exists(built))
                {
                    return built;
                }

                string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                    ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
                string fallback = Path.Combine(packages, "powershellstandard.library", "5.1.0-preview-06", "lib", "netstandard2.0", "System.Management.Automation.dll");
                return File.Exists(fallback)
                    ? fallback
                    : throw new FileNotFoundException("PowerShellStandard.Library 5.1.0-preview-06 is not in the NuGet cache; run dotnet restore.", fallback);
            }
        }

        private static string? Metadata(string key) =>
            typeof(RepoFiles).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;
    }
}
