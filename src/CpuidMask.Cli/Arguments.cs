using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CpuidMask.Engine;

namespace CpuidMask.Cli
{
    /// <summary>
    /// Parsed command-line arguments: positionals, switches, and options that take one or more values
    /// (<c>--vm a b c</c> or <c>--vm a --vm b</c>). Unknown options are usage errors.
    /// </summary>
    internal sealed class Arguments
    {
        private readonly Dictionary<string, List<string>> _values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        private readonly HashSet<string> _switches = new HashSet<string>(StringComparer.Ordinal);

        private Arguments()
        {
        }

        public List<string> Positionals { get; } = new List<string>();

        public bool Help { get; private set; }

        /// <param name="args">The words after the command name.</param>
        /// <param name="switches">Options without a value, e.g. "--json".</param>
        /// <param name="single">Options with exactly one value.</param>
        /// <param name="multi">Options with one or more values.</param>
        public static Arguments Parse(IEnumerable<string> args, IEnumerable<string> switches, IEnumerable<string> single, IEnumerable<string> multi)
        {
            var result = new Arguments();
            var switchSet = new HashSet<string>(switches);
            var singleSet = new HashSet<string>(single);
            var multiSet = new HashSet<string>(multi);
            var list = args.ToList();
            for (int i = 0; i < list.Count; i++)
            {
                string arg = list[i];
                if (arg == "--help" || arg == "-h" || arg == "-?")
                {
                    result.Help = true;
                    continue;
                }

                if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
                {
                    result.Positionals.Add(arg);
                    continue;
                }

                string name = arg;
                string? inline = null;
                int eq = arg.IndexOf('=');
                if (eq > 0)
                {
                    name = arg.Substring(0, eq);
                    inline = arg.Substring(eq + 1);
                }

                if (name == "--password")
                {
                    // Deliberately not an option: a password on the command line shows in process listings and shell history.
                    throw Usage("There is no --password option: a password on the command line shows in process listings and shell history. Set CPUIDMASK_PASSWORD, or run at a terminal to be prompted.");
                }

                if (switchSet.Contains(name) && inline == null)
                {
                    result._switches.Add(name);
                }
                else if (singleSet.Contains(name) || multiSet.Contains(name))
                {
                    var values = result.Get(name);
                    if (inline != null)
                    {
                        values.Add(inline);
                    }
                    else
                    {
                        int start = i;
                        while (i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal) && (multiSet.Contains(name) || i == start))
                        {
                            values.Add(list[++i]);
                        }
                    }

                    if (values.Count == 0)
                    {
                        throw Usage($"{name} needs a value.");
                    }

                    if (singleSet.Contains(name) && values.Count > 1)
                    {
                        throw Usage($"{name} takes one value; it was given {values.Count}.");
                    }
                }
                else
                {
                    throw Usage($"Unknown option '{name}'.");
                }
            }

            return result;
        }

        public bool Has(string name) => _switches.Contains(name);

        public string? Value(string name) => _values.TryGetValue(name, out var v) ? v[0] : null;

        public IReadOnlyList<string> Values(string name) => _values.TryGetValue(name, out var v) ? v : (IReadOnlyList<string>)Array.Empty<string>();

        public int IntValue(string name, int fallback)
        {
            string? text = Value(name);
            if (text == null)
            {
                return fallback;
            }

            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= 0
                ? value
                : throw Usage($"{name} takes a whole number of 0 or more, not '{text}'.");
        }

        public static CpuidMaskException Usage(string message) =>
            new CpuidMaskException("Usage", ErrorKind.InvalidArgument, message + " See 'cpuidmask <command> --help'.");

        private List<string> Get(string name)
        {
            if (!_values.TryGetValue(name, out var list))
            {
                list = new List<string>();
                _values[name] = list;
            }

            return list;
        }
    }
}
