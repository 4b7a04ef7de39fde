using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using CpuidMask.Engine.Compliance;
using CpuidMask.Tests.Shared;
using Xunit;

namespace CpuidMask.Engine.Tests.Compliance
{
    /// <summary>The fix of a verdict: typed by kind, worded without any shell's syntax, with a shell's commands where it passes them.</summary>
    public class ComplianceFixTests
    {
        // A cmdlet of the module, a cpuidmask command, or an option of either ("--replace", " -Replace").
        private static readonly Regex ShellSyntax = new Regex(@"cpuidmask|\b(Set|Get|New|Test|Undo)-(Vm|Cpuid|HostCpuid)|--[a-z]|(^|\s)-[A-Z]", RegexOptions.CultureInvariant);

        public static TheoryData<string> Cases => ComplianceFixCases.Names;

        [Theory]
        [MemberData(nameof(Cases))]
        public void Fix_EveryKind_NamesNoShellsCommandOrOption(string name)
        {
            var result = ComplianceFixCases.Get(name);

            Assert.NotEmpty(result.Fix);
            Assert.DoesNotMatch(ShellSyntax, result.Fix);
        }

        [Fact]
        public void Fix_WithoutCommands_SaysWhatToDoWithTheMaskLinesAndTheModeKey()
        {
            var mask = ComplianceFixCases.Get("ApplyMask");
            var evc = ComplianceFixCases.Get("ApplyEvcMode, running");

            Assert.Equal("Apply the minimal mask for its scope in place of its CPUID masks: " + string.Join("; ", mask.ScopeMask!.ToVmxLines()) + ".", mask.Fix);
            Assert.Contains("cpuid.1.ecx = \"--00-0---0----0-----------------\"", mask.Fix, StringComparison.Ordinal);
            Assert.Equal("test-common", evc.FixEvcMode);
            Assert.Equal("Power the VM off, apply per-VM EVC mode test-common (Avoton and Ivy Bridge), and power it on again.", evc.Fix);
            Assert.Equal("Correct or remove the malformed mask keys and check again.", ComplianceFixCases.Get("RepairMasks").Fix);
        }

        [Theory]
        [InlineData("ApplyMask", "Apply the minimal mask for its scope in place of its CPUID masks with [mask vm-unmasked: {lines}].")]
        [InlineData("ApplyMask, running", "Apply the minimal mask for its scope in place of its CPUID masks with [mask vm-unmasked-on: {lines}, running], then power the VM off and on.")]
        [InlineData("ApplyEvcMode", "Apply per-VM EVC mode test-common (Avoton and Ivy Bridge) with [evc vm-evc test-common].")]
        [InlineData("ApplyEvcMode, running", "Power the VM off, apply per-VM EVC mode test-common (Avoton and Ivy Bridge) with [evc vm-evc-on test-common], and power it on again.")]
        [InlineData("RemoveMasks", "Remove its CPUID masks with [remove vm-wider]: the hosts of its scope offer the same features.")]
        [InlineData("RemoveMasks, running", "Remove its CPUID masks with [remove vm-wider-on, running]: the hosts of its scope offer the same features, then power the VM off and on.")]
        [InlineData("RemoveMasks and per-VM EVC", "Remove its CPUID masks and its per-VM EVC mode with [remove vm-wider-evc] and [clear vm-wider-evc]: the hosts of its scope offer the same features.")]
        // Powered off for per-VM EVC anyway, the masks need no override to go.
        [InlineData("RemoveMasks and per-VM EVC, running", "Power the VM off, remove its CPUID masks and its per-VM EVC mode with [remove vm-wider-evc-on] and [clear vm-wider-evc-on], and power it on again: the hosts of its scope offer the same features.")]
        [InlineData("RepairMasks", "Correct or remove the malformed mask keys ([show vm-broken] shows them) and check again.")]
        public void DescribeFix_WithAShellsCommands_PutsThemInTheSentence(string name, string expected)
        {
            var result = ComplianceFixCases.Get(name);

            string fix = result.DescribeFix(new BracketCommands());

            Assert.Equal(expected.Replace("{lines}", string.Join("; ", result.ScopeMask?.ToVmxLines() ?? Array.Empty<string>()), StringComparison.Ordinal), fix);
        }

        [Theory]
        [InlineData("PowerCycle")]
        [InlineData("Manual")]
        public void DescribeFix_KindWithoutACommand_IsTheFixAsItIs(string name)
        {
            var result = ComplianceFixCases.Get(name);

            Assert.Equal(result.Fix, result.DescribeFix(new BracketCommands()));
        }

        [Fact]
        public void HtmlReport_WithAShellsCommands_ShowsTheFixInTheirSyntaxOverTheStatusAndInTheFindings()
        {
            var result = ComplianceFixCases.Get("ApplyMask");
            var writer = new StringWriter();

            ComplianceHtml.Write(writer, new ComplianceReport(new[] { result }, ComplianceFixCases.Pair, DateTimeOffset.UnixEpoch) { FixCommands = new BracketCommands() });

            string html = System.Net.WebUtility.HtmlDecode(writer.ToString());
            string fix = result.DescribeFix(new BracketCommands());
            Assert.Contains("[mask vm-unmasked: ", fix, StringComparison.Ordinal);
            Assert.Contains("title=\"Fix: " + fix + "\">Unmasked</td>", html, StringComparison.Ordinal);
            Assert.Contains("<td class=\"fix\">" + fix + "</td>", html, StringComparison.Ordinal);
            Assert.DoesNotContain(result.Fix, html, StringComparison.Ordinal);
        }

        /// <summary>Commands that say which was asked for, for which VM, with what.</summary>
        private sealed class BracketCommands : IComplianceFixCommands
        {
            public string ApplyEvcMode(ComplianceVm vm, string modeKey) => $"[evc {vm.Name} {modeKey}]";

            public string ApplyMask(ComplianceVm vm, IReadOnlyList<string> lines, bool running) => $"[mask {vm.Name}: {string.Join("; ", lines)}{Running(running)}]";

            public string RemoveMasks(ComplianceVm vm, bool running) => $"[remove {vm.Name}{Running(running)}]";

            public string ClearPerVmEvc(ComplianceVm vm) => $"[clear {vm.Name}]";

            public string ShowMasks(ComplianceVm vm) => $"[show {vm.Name}]";

            private static string Running(bool running) => running ? ", running" : string.Empty;
        }
    }
}
