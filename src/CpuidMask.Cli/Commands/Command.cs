using System;
using System.Collections.Generic;
using CpuidMask.Engine.Masks;

namespace CpuidMask.Cli.Commands
{
    /// <summary>One subcommand of cpuidmask: its options, its help text, and what it does.</summary>
    internal abstract class Command
    {
        public abstract string Name { get; }

        public abstract string Summary { get; }

        /// <summary>The full text printed by <c>cpuidmask NAME --help</c>.</summary>
        public abstract string Help { get; }

        public virtual IEnumerable<string> Switches => Array.Empty<string>();

        public virtual IEnumerable<string> SingleValueOptions => Array.Empty<string>();

        public virtual IEnumerable<string> MultiValueOptions => Array.Empty<string>();

        public abstract int Run(Arguments args, CliContext context);

        /// <summary>How the commands that take --mask-file read it.</summary>
        protected static MaskReadOptions MaskOptions(Arguments args) =>
            new MaskReadOptions { AllowUnknownFeatures = args.Has("--allow-unknown-features") };
    }
}
