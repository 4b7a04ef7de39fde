using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using CpuidMask.Engine.Compliance;
using CpuidMask.Vim.Inventory;

namespace CpuidMask.PowerShell
{
    /// <summary>
    /// The fixes of Test-VmCpuidMask (<see cref="ComplianceFixKind"/>) as the module's cmdlets, each naming the VM and
    /// its vCenter (-Server, which a PowerCLI connection to it serves); -Credential and -Thumbprint are the user's to add.
    /// </summary>
    internal sealed class ComplianceFixCommands : IComplianceFixCommands
    {
        // What PowerShell reads as one bare argument word; anything else (spaces, quotes, $, parentheses...) is quoted.
        private static readonly Regex Plain = new Regex("^[A-Za-z0-9._:/][A-Za-z0-9._:/-]*$", RegexOptions.CultureInvariant);

        // PowerShell takes the typographic single quotes for ' too; inside a literal each is doubled.
        private static readonly Regex SingleQuote = new Regex("['\u2018\u2019\u201A\u201B]", RegexOptions.CultureInvariant);

        private readonly IReadOnlyDictionary<string, string> _servers;

        /// <param name="servers">
        /// For a vCenter as the results name it (<see cref="ComplianceVm.Server"/>), the -Server that reaches it (its
        /// address with the port, when not 443); a vCenter not in it is named as the results name it.
        /// </param>
        public ComplianceFixCommands(IReadOnlyDictionary<string, string>? servers = null)
        {
            _servers = servers ?? new Dictionary<string, string>();
        }

        public string ApplyEvcMode(ComplianceVm vm, string modeKey) => $"Set-VmEvcMode{Target(vm)} -Baseline {Quote(modeKey)}";

        public string ApplyMask(ComplianceVm vm, IReadOnlyList<string> lines, bool running) =>
            $"Set-VmCpuidMask{Target(vm)} -Mask {string.Join(", ", lines.Select(Quote))} -Replace{Force(running)}";

        // An empty mask with -Replace leaves the VM no CPUID mask keys.
        public string RemoveMasks(ComplianceVm vm, bool running) => $"Set-VmCpuidMask{Target(vm)} -Mask '' -Replace{Force(running)}";

        public string ClearPerVmEvc(ComplianceVm vm) => $"Set-VmEvcMode{Target(vm)} -Clear";

        public string ShowMasks(ComplianceVm vm) => $"Get-VmCpuidMask{Target(vm)}";

        /// <summary>A word as PowerShell reads it back as one argument: bare when plain, else a single-quoted literal.</summary>
        internal static string Quote(string word) => Plain.IsMatch(word) ? word : "'" + SingleQuote.Replace(word, "$0$0") + "'";

        private string Target(ComplianceVm vm) =>
            $" -Server {Quote(_servers.TryGetValue(vm.Server, out var server) ? server : vm.Server)} -VM {Quote(NamePattern.Escape(vm.Name))}";

        // A write to a powered-on or suspended VM is refused without -Force (it takes effect at the next power-on).
        private static string Force(bool running) => running ? " -Force" : string.Empty;
    }
}
