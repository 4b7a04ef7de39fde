using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using CpuidMask.Cli.Commands;
using CpuidMask.Engine;

namespace CpuidMask.Cli
{
    /// <summary>The <c>cpuidmask</c> program: a thin shell over the engine, twin of the PowerShell module.</summary>
    public static class Program
    {
        /// <summary>Success.</summary>
        public const int ExitOk = 0;

        /// <summary><c>compare</c> found features that block a migration (or a proof failed); <c>check</c> found a VM not compliant.</summary>
        public const int ExitBlocked = 1;

        /// <summary>Bad input or usage, or a vCenter error; the message is on stderr.</summary>
        public const int ExitBadInput = 2;

        internal static IReadOnlyList<Command> Commands { get; } = new Command[]
        {
            new ShowCommand(),
            new FeaturesCommand(),
            new CompareCommand(),
            new MaskCommand(),
            new BaselinesCommand(),
            new BaselineCommand(),
            new HostsCommand(),
            new VmMaskCommand(),
            new ApplyCommand(),
            new UndoCommand(),
            new CheckCommand(),
        };

        public static int Main(string[] args) => Run(args, CliContext.FromConsole());

        /// <summary>Runs one command line; tests call this in-process with their own writers.</summary>
        public static int Run(string[] args, CliContext context)
        {
            if (args.Length == 0 || args[0] == "--help" || args[0] == "-h" || args[0] == "help")
            {
                if (args.Length > 1 && Find(args[1]) is Command topic)
                {
                    context.Out.Write(topic.Help);
                    return ExitOk;
                }

                WriteOverview(context.Out);
                return args.Length == 0 ? ExitBadInput : ExitOk;
            }

            if (args[0] == "--version")
            {
                context.Out.WriteLine(Version);
                return ExitOk;
            }

            var command = Find(args[0]);
            if (command == null)
            {
                context.Err.WriteLine($"cpuidmask: unknown command '{args[0]}'. Commands: {string.Join(", ", Commands.Select(c => c.Name))}. Try 'cpuidmask --help'.");
                return ExitBadInput;
            }

            try
            {
                var parsed = Arguments.Parse(args.Skip(1), command.Switches, command.SingleValueOptions, command.MultiValueOptions);
                if (parsed.Help)
                {
                    context.Out.Write(command.Help);
                    return ExitOk;
                }

                return command.Run(parsed, context);
            }
            catch (CpuidMaskException ex)
            {
                context.Err.WriteLine($"cpuidmask {command.Name}: {RemedyWording.Describe(ex)}");
                context.Err.WriteLine($"  (error {ex.ErrorId})");
                return ExitBadInput;
            }
            catch (IOException ex)
            {
                context.Err.WriteLine($"cpuidmask {command.Name}: {ex.Message}");
                return ExitBadInput;
            }
            catch (UnauthorizedAccessException ex)
            {
                context.Err.WriteLine($"cpuidmask {command.Name}: {ex.Message}");
                return ExitBadInput;
            }
        }

        internal static string Version =>
            typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

        private static Command? Find(string name) => Commands.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

        private static void WriteOverview(TextWriter writer)
        {
            writer.WriteLine("cpuidmask " + Version + " - per-VM CPUID masks for vMotion between different CPUs");
            writer.WriteLine();
            writer.WriteLine("Usage: cpuidmask <command> [options]      cpuidmask <command> --help");
            writer.WriteLine();
            var table = new TextTable("COMMAND", "WHAT IT DOES");
            foreach (var command in Commands)
            {
                table.Add(command.Name, command.Summary);
            }

            table.Write(writer);
            writer.WriteLine();
            writer.WriteLine("Exit codes: 0 success, 1 migration blocked (compare) or a VM not compliant (check), 2 bad input, usage or a vCenter error.");
        }
    }
}
