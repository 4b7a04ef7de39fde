using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using CpuidMask.Engine.Compliance;
using CpuidMask.PowerShell;
using CpuidMask.Tests.Shared;
using Xunit;

namespace CpuidMask.Module.Tests
{
    /// <summary>Test-VmCpuidMask words each fix in the module's cmdlets and parameters.</summary>
    public class ComplianceFixCommandsTests
    {
        private static readonly ComplianceFixCommands Commands = new ComplianceFixCommands(new Dictionary<string, string> { ["vc01"] = "vc01.example.com" });

        public static TheoryData<string> Cases => ComplianceFixCases.Names;

        [Theory]
        [MemberData(nameof(Cases))]
        public void Fix_EveryKind_NamesNoCpuidmaskCommandOrOption(string name)
        {
            string fix = new VmCpuidCompliance(ComplianceFixCases.Get(name), Commands).Fix;

            // The program's name, not the module's cmdlets' nouns (Set-VmCpuidMask).
            Assert.DoesNotMatch(new Regex(@"\bcpuidmask\b"), fix);
            Assert.DoesNotMatch(new Regex(@"(^|\s)--[a-z]"), fix);
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Fix_EveryCmdlet_IsOneOfTheModuleWithParametersItHas(string name)
        {
            string fix = new VmCpuidCompliance(ComplianceFixCases.Get(name), Commands).Fix;

            foreach (Match command in Regex.Matches(fix, @"\b([A-Z][a-z]+-[A-Za-z]+)((?: -[A-Za-z]+(?: (?:'(?:[^']|'')*'(?:, '(?:[^']|'')*')*|[^-\s'][^\s,]*))?)*)"))
            {
                var cmdlet = ModuleMetadata.Load()[command.Groups[1].Value];
                var parameters = cmdlet.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
                Assert.All(Regex.Matches(command.Groups[2].Value, @"(?<=^| )-[A-Za-z]+").Select(m => m.Value.Substring(1)), p => Assert.Contains(p, parameters));
            }
        }

        [Theory]
        [InlineData("ApplyMask", "with Set-VmCpuidMask -Server vc01.example.com -VM vm-unmasked -Mask 'cpuid.")]
        [InlineData("ApplyMask, running", "\"' -Replace -Force, then power the VM off and on.")]
        [InlineData("ApplyEvcMode", "Apply per-VM EVC mode test-common (Avoton and Ivy Bridge) with Set-VmEvcMode -Server vc01.example.com -VM vm-evc -Baseline test-common.")]
        [InlineData("RemoveMasks", "Remove its CPUID masks with Set-VmCpuidMask -Server vc01.example.com -VM vm-wider -Mask '' -Replace: ")]
        [InlineData("RemoveMasks and per-VM EVC, running", "with Set-VmCpuidMask -Server vc01.example.com -VM vm-wider-evc-on -Mask '' -Replace and Set-VmEvcMode -Server vc01.example.com -VM vm-wider-evc-on -Clear, and power it on again")]
        [InlineData("RepairMasks", "Correct or remove the malformed mask keys (Get-VmCpuidMask -Server vc01.example.com -VM vm-broken shows them) and check again.")]
        public void Fix_NamesTheVmTheServerAndTheParameters(string name, string expected)
        {
            Assert.Contains(expected, new VmCpuidCompliance(ComplianceFixCases.Get(name), Commands).Fix, StringComparison.Ordinal);
        }

        [Fact]
        public void Fix_ApplyMask_PassesEveryLineOfTheMaskAsALiteral()
        {
            var result = ComplianceFixCases.Get("ApplyMask");

            string fix = new VmCpuidCompliance(result, Commands).Fix;

            Assert.Contains("-Mask " + string.Join(", ", result.ScopeMask!.ToVmxLines().Select(l => "'" + l + "'")) + " -Replace.", fix, StringComparison.Ordinal);
        }

        [Fact]
        public void Fix_WithoutAServerMap_NamesTheVCenterAsTheResultDoes()
        {
            var result = ComplianceFixCases.Get("ApplyEvcMode");

            Assert.Contains("Set-VmEvcMode -Server vc01 -VM vm-evc -Baseline test-common", new VmCpuidCompliance(result).Fix, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("vm01", "vm01")]
        [InlineData("vc01:8443", "vc01:8443")]
        [InlineData("web 01", "'web 01'")]
        [InlineData("it's", "'it''s'")]
        [InlineData("it\u2019s", "'it\u2019\u2019s'")]
        [InlineData("$env:x", "'$env:x'")]
        [InlineData("-x", "'-x'")]
        [InlineData("", "''")]
        public void Quote_WordsPowerShellWouldChange_AreSingleQuotedLiterals(string word, string expected)
        {
            Assert.Equal(expected, ComplianceFixCommands.Quote(word));
        }

        [Fact]
        public void Fix_VmNameWithWildcardCharacters_IsEscapedSoItNamesThatVmOnly()
        {
            var vm = new ComplianceVm("vc01", "web[1]*") { HostName = "esx-ivy" };

            Assert.Equal("Get-VmCpuidMask -Server vc01 -VM 'web`[1]`*'", new ComplianceFixCommands().ShowMasks(vm));
        }
    }
}
