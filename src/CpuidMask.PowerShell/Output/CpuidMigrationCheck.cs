using System;
using System.Collections.Generic;
using System.Linq;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Collections;

namespace CpuidMask.PowerShell
{
    /// <summary>Whether a VM powered on on <see cref="Source"/> can vMotion to <see cref="Destination"/> (Compare-CpuidProfile -Profile).</summary>
    public sealed class CpuidMigrationCheck
    {
        internal CpuidMigrationCheck(MigrationCheck check, IEnumerable<string> maskLines, IEnumerable<string>? informational, int hardwareVersion)
        {
            HardwareVersion = hardwareVersion;
            Check = check ?? throw new ArgumentNullException(nameof(check));
            Mask = maskLines.ToItemList();
            Informational = informational?.ToItemList() ?? ItemList<string>.Empty;
        }

        public string Source => Check.Source;

        public string Destination => Check.Destination;

        /// <summary>The hosts the source stands for: every host of its class (hosts that offer the same tracked features), or the one host.</summary>
        public IReadOnlyList<string> SourceHosts => Check.SourceHosts.ToItemList();

        /// <summary>The hosts the destination stands for.</summary>
        public IReadOnlyList<string> DestinationHosts => Check.DestinationHosts.ToItemList();

        /// <summary>No blocker and the same CPU vendor.</summary>
        public bool Allowed => Check.Allowed;

        /// <summary>Tracked features the VM would carry that the destination lacks (catalog names).</summary>
        public IReadOnlyList<string> Blockers => Check.Blockers.Select(b => b.Name).ToItemList();

        /// <summary>Features the VM would carry that the destination's data does not report.</summary>
        public IReadOnlyList<string> Unverified => Check.Unverified.Select(b => b.Name).ToItemList();

        /// <summary>
        /// Tracked features the VM would carry that the destination lacks, were its virtual hardware version new enough
        /// to see them: they do not block. Empty at the newest version.
        /// </summary>
        public IReadOnlyList<string> OutOfReach => Check.OutOfReach.Select(b => b.Name).ToItemList();

        /// <summary>The virtual hardware version of the VM checked (-HardwareVersion, else the newest the catalog knows).</summary>
        public int HardwareVersion { get; }

        /// <summary>With -IncludeInformational: untracked features on the source but not on the destination.</summary>
        public IReadOnlyList<string> Informational { get; }

        /// <summary>Set when the two CPUs are of different vendors; no mask helps then.</summary>
        public string? VendorMismatch => Check.VendorMismatch;

        /// <summary>The mask the VM was assumed to run under (.vmx lines); empty without -Mask.</summary>
        public IReadOnlyList<string> Mask { get; }

        /// <summary>The engine's check, with the blockers' catalog definitions.</summary>
        public MigrationCheck Check { get; }

        public override string ToString() => Check.ToString();
    }
}
