using System.Collections.Generic;
using System.Text.RegularExpressions;
using CpuidMask.Engine.Compliance;
using CpuidMask.Vim.Inventory;

namespace CpuidMask.Cli
{
    /// <summary>
    /// The fixes of 'cpuidmask check' (<see cref="ComplianceFixKind"/>) as cpuidmask commands, each naming the VM and the
    /// vCenter as the check was given it (--server); the user's name, session and thumbprint are theirs to add.
    /// </summary>
    internal sealed class ComplianceFixCommands : IComplianceFixCommands
    {
        private static readonly Regex Plain = new Regex("^[A-Za-z0-9._:/@%+=,][A-Za-z0-9._:/@%+=,-]*$", RegexOptions.CultureInvariant);

        private readonly string _server;

        public ComplianceFixCommands(string server) => _server = server;

        public string ApplyEvcMode(ComplianceVm vm, string modeKey) => $"{Apply(vm)} --method PerVmEvc --baseline {Quote(modeKey)}";

        // apply reads a mask only from a file; the lines go in it one per line, as 'cpuidmask mask --format vmx' prints them.
        public string ApplyMask(ComplianceVm vm, IReadOnlyList<string> lines, bool running) =>
            $"{Apply(vm)} --mask-file FILE --replace{Force(running)}, FILE holding these lines, one per line: {string.Join("; ", lines)}";

        // An empty mask file with --replace leaves the VM no CPUID mask keys.
        public string RemoveMasks(ComplianceVm vm, bool running) => $"{Apply(vm)} --mask-file EMPTY --replace{Force(running)}, EMPTY being an empty file";

        public string ClearPerVmEvc(ComplianceVm vm) => $"{Apply(vm)} --method PerVmEvc --baseline none";

        public string ShowMasks(ComplianceVm vm) => $"cpuidmask vm-mask{Target(vm)}";

        /// <summary>A word as a POSIX shell reads it back: bare when it holds nothing the shell would act on, else in single quotes.</summary>
        internal static string Quote(string word) => Plain.IsMatch(word) ? word : "'" + word.Replace("'", "'\\''") + "'";

        private string Apply(ComplianceVm vm) => "cpuidmask apply" + Target(vm);

        private string Target(ComplianceVm vm) => $" --server {Quote(_server)} --vm {Quote(NamePattern.Escape(vm.Name))}";

        // A write to a powered-on or suspended VM is refused without --force (it takes effect at the next power-on).
        private static string Force(bool running) => running ? " --force" : string.Empty;
    }
}
