using System;
using System.IO;
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

        public static CliContext FromConsole() =>
            new CliContext(Console.Out, Console.Error, Console.In, System.Environment.GetEnvironmentVariable)
            {
                Interactive = !Console.IsInputRedirected,
            };
    }
}
