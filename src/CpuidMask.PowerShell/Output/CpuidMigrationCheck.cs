using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Analysis;

namespace CpuidMask.PowerShell
{
    /// <summary>Whether a VM powered on on <see cref="Source"/> can vMotion to <see cref="Destination"/> (Compare-CpuidProfile -Profile).</summary>
    public sealed class CpuidMigrationCheck
    {
        internal CpuidMigrationCheck(MigrationCheck check, IEnumerable<string> maskLines, IEnumerable<string>? informational)
        {
            Check = check ?? throw new ArgumentNullException(nameof(check));
            Mask = maskLines.ToArray();
            Informational = informational?.ToArray() ?? Array.Empty<string>();
        }

        public string Source => Check.Source;

        public string Destination => Check.Destination;

        /// <summary>No blocker and the same CPU vendor.</summary>
        public bool Allowed => Check.Allowed;

        /// <summary>Tracked features the VM would carry that the destination lacks (catalog names).</summary>
        public string[] Blockers => Check.Blockers.Select(b => b.Name).ToArray();

        /// <summary>Features the VM would carry that the destination's data does not report.</summary>
        public string[] Unverified => Check.Unverified.Select(b => b.Name).ToArray();

        /// <summary>With -IncludeInformational: untracked features on the source but not on the destination.</summary>
        public string[] Informational { get; }

        /// <summary>Set when the two CPUs are of different vendors; no mask helps then.</summary>
        public string? VendorMismatch => Check.VendorMismatch;

        /// <summary>The mask the VM was assumed to run under (.vmx lines); empty without -Mask.</summary>
        public string[] Mask { get; }

        /// <summary>The engine's check, with the blockers' catalog definitions.</summary>
        public MigrationCheck Check { get; }

        public override string ToString() => Check.ToString();
    }
}
