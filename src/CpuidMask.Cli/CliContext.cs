using System;
using System.IO;
using System.Text;
using CpuidMask.Engine.Catalog;

namespace CpuidMask.Cli
{
    /// <summary>What a command may touch: its writers, input, environment and catalog. Tests supply their own.</summary>
    public sealed class CliContext
    {
        public CliContext(TextWriter output, TextWriter error, TextReader? input = null, Func<string, string?>? environment = null, FeatureCatalog? catalog = null)
        {
            Out = output;
            Err = error;
            In = input ?? TextReader.Null;
            Environment = environment ?? (_ => null);
            Catalog = catalog ?? FeatureCatalog.Default;
        }

        public TextWriter Out { get; }

        public TextWriter Err { get; }

        public TextReader In { get; }

        public Func<string, string?> Environment { get; }

        public FeatureCatalog Catalog { get; }

        /// <summary>Whether a person is at the keyboard (password prompts are offered only then).</summary>
        public bool Interactive { get; init; }

        /// <summary>
        /// Shows a prompt and reads a secret without echoing it; null when the console cannot. Without one,
        /// an interactive context reads the line from <see cref="In"/> (tests).
        /// </summary>
        public Func<string, string?>? ReadSecret { get; init; }

        /// <summary>Where commands put files they name themselves (undo files); null: the current directory.</summary>
        public string? OutputDirectory { get; init; }

        public static CliContext FromConsole() =>
            new CliContext(Console.Out, Console.Error, Console.In, System.Environment.GetEnvironmentVariable)
            {
                Interactive = !Console.IsInputRedirected,
                ReadSecret = ReadSecretFromConsole,
            };

        private static string? ReadSecretFromConsole(string prompt)
        {
            Console.Error.Write(prompt);
            var secret = new StringBuilder();
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                if (key.Key == ConsoleKey.Enter)
                {
                    break;
                }

                if (key.Key == ConsoleKey.Backspace)
                {
                    if (secret.Length > 0)
                    {
                        secret.Length--;
                    }
                }
                else if (!char.IsControl(key.KeyChar))
                {
                    secret.Append(key.KeyChar);
                }
            }

            Console.Error.WriteLine();
            return secret.ToString();
        }
    }
}
