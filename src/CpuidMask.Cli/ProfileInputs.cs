using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;

namespace CpuidMask.Cli
{
    /// <summary>Reads the profiles named on a command line.</summary>
    internal static class ProfileInputs
    {
        /// <summary>
        /// One profile per file (logical CPU <paramref name="cpuIndex"/> of a dump), except vSphere
        /// exports, which give one profile per host they contain.
        /// </summary>
        public static IReadOnlyList<CpuidProfile> Load(IEnumerable<string> paths, int cpuIndex)
        {
            var result = new List<CpuidProfile>();
            foreach (string path in paths)
            {
                var all = ProfileReader.ReadAll(path);
                if (all.Count > 0 && all[0].Format == ProfileFormat.VSphere)
                {
                    result.AddRange(all);
                }
                else
                {
                    result.Add(ProfileReader.Read(path, cpuIndex));
                }
            }

            return result;
        }

        public static IReadOnlyList<CpuidProfile> LoadFiles(Arguments args, int minimum, string what)
        {
            if (args.Positionals.Count == 0)
            {
                throw Arguments.Usage($"Give {what}.");
            }

            var profiles = Load(args.Positionals, args.IntValue("--cpu", 0));
            if (profiles.Count < minimum)
            {
                throw new CpuidMaskException("TooFewProfiles", ErrorKind.InvalidArgument, $"This needs at least {minimum} CPU profiles; {profiles.Count} given.");
            }

            return profiles;
        }
    }
}
