using System;
using System.Collections.Generic;
using CpuidMask.Engine.Catalog;
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

        /// <summary>The help line of --hw-version, shared by the commands that take it.</summary>
        internal const string HardwareVersionHelp =
@"  --hw-version N  the virtual hardware version of the VM (14 or vmx-14; default the
                  newest this program knows): features first exposed in a later version
                  are out of the VM's reach, never block it and are never masked";

        /// <summary>--hw-version as a version number the catalog knows, or null (the newest) when not given.</summary>
        internal static int? HardwareVersion(Arguments args, FeatureCatalog catalog) =>
            args.Value("--hw-version") is string text ? catalog.ParseHardwareVersion(text, "--hw-version").Number : (int?)null;

        /// <summary>How the commands that take --mask-file read it.</summary>
        protected static MaskReadOptions MaskOptions(Arguments args) =>
            new MaskReadOptions { AllowUnknownFeatures = args.Has("--allow-unknown-features") };
    }
}
