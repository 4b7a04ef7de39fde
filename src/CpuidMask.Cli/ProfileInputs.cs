using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;
using CpuidMask.Vim;
using CpuidMask.Vim.Inventory;

namespace CpuidMask.Cli
{
    /// <summary>Reads the profiles named on a command line.</summary>
    internal static class ProfileInputs
    {
        /// <summary>
        /// One profile per dump (its logical CPU <paramref name="cpuIndex"/>); every host of a file of hosts
        /// (a vSphere export, cpuidmask JSON of one profile or a list).
        /// </summary>
        public static IReadOnlyList<CpuidProfile> Load(IEnumerable<string> paths, int cpuIndex, ProfileReadOptions options)
        {
            var result = new List<CpuidProfile>();
            foreach (string path in paths)
            {
                result.AddRange(ProfileReader.ReadHosts(path, cpuIndex, options));
            }

            return result;
        }

        /// <summary>The text that --allow-partial adds to the help of every command that reads FILEs.</summary>
        public const string AllowPartialHelp =
@"  --allow-partial  read a FILE that lacks leaves its kind of source always reports (a dump
                   cut short, a trimmed export); a warning names them, and their features read
                   as unknown. Damaged lines, conflicts and a missing leaf 0 or 1 are refused
                   even so
";

        /// <summary>Strict unless --allow-partial; warnings about partial files go to stderr.</summary>
        public static ProfileReadOptions ReadOptions(Arguments args, CliContext context) =>
            new ProfileReadOptions
            {
                AllowPartial = args.Has("--allow-partial"),
                Warn = advice => context.Err.WriteLine("cpuidmask: warning: " + RemedyWording.Describe(advice)),
            };

        /// <summary>
        /// The FILEs on the command line plus, with --server, the hosts named by --host (names or
        /// wildcards) read live from vCenter. A host that is not connected is an error naming it.
        /// </summary>
        public static IReadOnlyList<CpuidProfile> LoadFilesAndHosts(Arguments args, CliContext context, int minimum, string what)
        {
            var hostNames = args.Values("--host");
            if (!VCenterOptions.IsGiven(args))
            {
                if (hostNames.Count > 0)
                {
                    throw Arguments.Usage("--host reads hosts from a vCenter: give --server too.");
                }

                return LoadFiles(args, context, minimum, what);
            }

            if (hostNames.Count == 0)
            {
                throw Arguments.Usage("With --server, name the hosts to read: --host NAME... (wildcards allowed, e.g. 'esx-*').");
            }

            var profiles = new List<CpuidProfile>(Load(args.Positionals, args.IntValue("--cpu", 0), ReadOptions(args, context)));
            var vcenter = VCenterOptions.From(args, context);
            using (var client = vcenter.Connect(context))
            {
                var hosts = VimCall.Run(() => new HostInventory(client).ReadHostsAsync(hostNames));
                var notConnected = hosts.Where(h => !h.IsConnected).ToArray();
                if (notConnected.Length > 0)
                {
                    string names = string.Join(", ", notConnected.Select(h => $"{h.Name} ({h.ConnectionState ?? "state unknown"})"));
                    throw new CpuidMaskException(
                        VimErrorIds.HostNotConnected,
                        ErrorKind.ResourceUnavailable,
                        $"{(notConnected.Length == 1 ? "Host" : "Hosts")} {names} on {client.ServerName} {(notConnected.Length == 1 ? "is" : "are")} not connected, so {(notConnected.Length == 1 ? "its" : "their")} CPU data is unavailable or stale. " +
                        "Reconnect it in vCenter, leave it out of --host, or give a CPUID dump of it as a FILE instead.",
                        notConnected[0].Name);
                }

                profiles.AddRange(hosts.Select(h => h.ToProfile()));
            }

            if (profiles.Count < minimum)
            {
                throw new CpuidMaskException("TooFewProfiles", ErrorKind.InvalidArgument, $"This needs at least {minimum} CPU profiles; {profiles.Count} given.");
            }

            return profiles;
        }

        public static IReadOnlyList<CpuidProfile> LoadFiles(Arguments args, CliContext context, int minimum, string what)
        {
            if (args.Positionals.Count == 0)
            {
                throw Arguments.Usage($"Give {what}.");
            }

            var profiles = Load(args.Positionals, args.IntValue("--cpu", 0), ReadOptions(args, context));
            if (profiles.Count < minimum)
            {
                throw new CpuidMaskException("TooFewProfiles", ErrorKind.InvalidArgument, $"This needs at least {minimum} CPU profiles; {profiles.Count} given.");
            }

            return profiles;
        }
    }
}
