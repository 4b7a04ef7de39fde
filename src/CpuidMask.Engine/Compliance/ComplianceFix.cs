using System;
using System.Collections.Generic;
using System.Linq;

namespace CpuidMask.Engine.Compliance
{
    /// <summary>
    /// What a verdict tells the user to do, by kind. The check words each fix without naming any command
    /// (<see cref="VmCompliance.Fix"/>); a shell words the commands of the kinds it has commands for in its own syntax
    /// (<see cref="IComplianceFixCommands"/>), since '--replace' means nothing in PowerShell and '-Replace' nothing to the
    /// cpuidmask program.
    /// </summary>
    public enum ComplianceFixKind
    {
        /// <summary>Compliant: nothing to do.</summary>
        None,

        /// <summary>
        /// Something neither shell does: reconnect a host, leave hosts of another CPU vendor out of the scope, read the
        /// VM's host too. The fix text says it all.
        /// </summary>
        Manual,

        /// <summary>Power the VM off and on (a restart of the guest is not enough) so it runs with its current masks.</summary>
        PowerCycle,

        /// <summary>Apply the per-VM EVC mode <see cref="VmCompliance.FixEvcMode"/>; vSphere does that only while the VM is powered off.</summary>
        ApplyEvcMode,

        /// <summary>Write <see cref="VmCompliance.ScopeMask"/> in place of the VM's CPUID masks (the keys it lacks removed).</summary>
        ApplyMask,

        /// <summary>Remove the VM's CPUID masks and its per-VM EVC mode, whichever it has: the hosts of its scope need none.</summary>
        RemoveMasks,

        /// <summary>Correct or remove the VM's stored mask keys that cannot be read.</summary>
        RepairMasks,
    }

    /// <summary>
    /// A shell's commands for the fixes of a compliance check, in its own syntax, each for one VM (its name and its
    /// vCenter are in <see cref="ComplianceVm"/>). <see cref="VmCompliance.DescribeFix"/> puts them into the fix's
    /// sentence; the HTML report takes them from <see cref="ComplianceReport.FixCommands"/>.
    /// </summary>
    public interface IComplianceFixCommands
    {
        /// <summary>The command that applies per-VM EVC mode <paramref name="modeKey"/> to the (powered-off) VM.</summary>
        string ApplyEvcMode(ComplianceVm vm, string modeKey);

        /// <summary>
        /// How to write the mask <paramref name="lines"/> (.vmx lines) to the VM in place of its CPUID masks, as it follows
        /// "Apply the minimal mask ... with". <paramref name="running"/>: the VM is powered on or suspended, which a write
        /// of CPUID masks refuses unless told to go ahead.
        /// </summary>
        string ApplyMask(ComplianceVm vm, IReadOnlyList<string> lines, bool running);

        /// <summary>The command that removes every CPUID mask key from the VM's configuration (<paramref name="running"/> as for <see cref="ApplyMask"/>).</summary>
        string RemoveMasks(ComplianceVm vm, bool running);

        /// <summary>The command that clears the VM's per-VM EVC mode.</summary>
        string ClearPerVmEvc(ComplianceVm vm);

        /// <summary>The command that shows the VM's stored mask keys as they are.</summary>
        string ShowMasks(ComplianceVm vm);
    }

    /// <summary>The fix's sentence, from its kind and the VM: without commands shell-neutral, with a shell's commands in its syntax.</summary>
    internal static class ComplianceFixText
    {
        public static string Describe(VmCompliance r, IComplianceFixCommands? commands)
        {
            var vm = r.Vm;
            bool running = vm.IsRunning;
            switch (r.FixKind)
            {
                case ComplianceFixKind.ApplyEvcMode:
                    string mode = $"per-VM EVC mode {r.FixEvcMode}" + (r.FixEvcModeLabel != null && r.FixEvcModeLabel != r.FixEvcMode ? $" ({r.FixEvcModeLabel})" : string.Empty)
                        + With(commands?.ApplyEvcMode(vm, r.FixEvcMode!));

                    // vSphere changes a per-VM EVC mode only on a powered-off VM.
                    return running ? $"Power the VM off, apply {mode}, and power it on again." : $"Apply {mode}.";
                case ComplianceFixKind.ApplyMask:
                    var lines = r.ScopeMask?.ToVmxLines() ?? Array.Empty<string>();
                    return "Apply the minimal mask for its scope in place of its CPUID masks"
                        + (commands == null ? ": " + string.Join("; ", lines) : With(commands.ApplyMask(vm, lines, running)))
                        + (running ? ", then power the VM off and on." : ".");
                case ComplianceFixKind.RemoveMasks:
                    return RemoveMasks(r, commands, running);
                case ComplianceFixKind.RepairMasks:
                    return "Correct or remove the malformed mask keys" + (commands == null ? string.Empty : $" ({commands.ShowMasks(vm)} shows them)") + " and check again.";
                default:
                    return r.ManualFix;
            }
        }

        private static string RemoveMasks(VmCompliance r, IComplianceFixCommands? commands, bool running)
        {
            var vm = r.Vm;
            bool evc = vm.HasPerVmEvc;
            bool stored = vm.HasStoredMask || !evc;
            string what = stored && evc ? "its CPUID masks and its per-VM EVC mode" : evc ? "its per-VM EVC mode" : "its CPUID masks";
            // Per-VM EVC changes only on a powered-off VM: the masks are removed in the same pause, no override needed.
            bool powerOffFirst = running && evc;
            var how = new List<string>();
            if (commands != null && stored)
            {
                how.Add(commands.RemoveMasks(vm, running && !powerOffFirst));
            }

            if (commands != null && evc)
            {
                how.Add(commands.ClearPerVmEvc(vm));
            }

            string remove = what + (how.Count == 0 ? string.Empty : With(string.Join(" and ", how)));
            const string Why = ": the hosts of its scope offer the same features";
            if (powerOffFirst)
            {
                return $"Power the VM off, remove {remove}, and power it on again{Why}.";
            }

            return $"Remove {remove}{Why}{(running ? ", then power the VM off and on" : string.Empty)}.";
        }

        private static string With(string? command) => command == null ? string.Empty : " with " + command;
    }
}
