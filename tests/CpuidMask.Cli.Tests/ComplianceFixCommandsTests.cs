using System;
using System.Linq;
using System.Text.RegularExpressions;
using CpuidMask.Cli.Commands;
using CpuidMask.Engine.Compliance;
using CpuidMask.Tests.Shared;
using Xunit;

namespace CpuidMask.Cli.Tests
{
    /// <summary>'cpuidmask check' words each fix in cpuidmask's own commands and options.</summary>
    public class ComplianceFixCommandsTests
    {
        private static readonly ComplianceFixCommands Commands = new ComplianceFixCommands("vc01.example.com");

        public static TheoryData<string> Cases => ComplianceFixCases.Names;

        [Theory]
        [MemberData(nameof(Cases))]
        public void Fix_EveryKind_NamesNoCmdletOrPowerShellParameter(string name)
        {
            string fix = ComplianceFixCases.Get(name).DescribeFix(Commands);

            Assert.DoesNotMatch(new Regex(@"\b(Set|Get|New|Test|Undo)-(Vm|Cpuid|HostCpuid)|(^|\s)-[A-Z]"), fix);
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Fix_EveryCommand_IsACommandWithOptionsItHas(string name)
        {
            string fix = ComplianceFixCases.Get(name).DescribeFix(Commands);

            var commands = Regex.Matches(fix, @"cpuidmask ([a-z-]+)((?: --[a-z-]+(?: [^-\s,][^\s,]*)?)*)");
            Assert.Equal(Regex.Matches(fix, "cpuidmask").Count, commands.Count);
            foreach (Match command in commands)
            {
                var known = new Command[] { new ApplyCommand(), new VmMaskCommand() }.Single(c => c.Name == command.Groups[1].Value);
                var options = known.Switches.Concat(known.SingleValueOptions).Concat(known.MultiValueOptions).ToHashSet(StringComparer.Ordinal);
                Assert.All(Regex.Matches(command.Groups[2].Value, "--[a-z-]+").Select(m => m.Value), o => Assert.Contains(o, options));
            }
        }

        [Theory]
        [InlineData("ApplyMask", "with cpuidmask apply --server vc01.example.com --vm vm-unmasked --mask-file FILE --replace, FILE holding these lines, one per line: cpuid.")]
        [InlineData("ApplyMask, running", "with cpuidmask apply --server vc01.example.com --vm vm-unmasked-on --mask-file FILE --replace --force, FILE holding these lines, one per line: cpuid.")]
        [InlineData("ApplyEvcMode", "Apply per-VM EVC mode test-common (Avoton and Ivy Bridge) with cpuidmask apply --server vc01.example.com --vm vm-evc --method PerVmEvc --baseline test-common.")]
        [InlineData("RemoveMasks, running", "Remove its CPUID masks with cpuidmask apply --server vc01.example.com --vm vm-wider-on --mask-file EMPTY --replace --force, EMPTY being an empty file: ")]
        [InlineData("RemoveMasks and per-VM EVC", "--mask-file EMPTY --replace, EMPTY being an empty file and cpuidmask apply --server vc01.example.com --vm vm-wider-evc --method PerVmEvc --baseline none: ")]
        [InlineData("RepairMasks", "Correct or remove the malformed mask keys (cpuidmask vm-mask --server vc01.example.com --vm vm-broken shows them) and check again.")]
        public void Fix_NamesTheVmTheServerAndTheOptions(string name, string expected)
        {
            Assert.Contains(expected, ComplianceFixCases.Get(name).DescribeFix(Commands), StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("vm01", "vm01")]
        [InlineData("https://vc01:8443/sdk", "https://vc01:8443/sdk")]
        [InlineData("web 01", "'web 01'")]
        [InlineData("it's", "'it'\\''s'")]
        [InlineData("-x", "'-x'")]
        [InlineData("$HOME", "'$HOME'")]
        public void Quote_WordsAShellWouldChange_AreSingleQuoted(string word, string expected)
        {
            Assert.Equal(expected, ComplianceFixCommands.Quote(word));
        }

        [Fact]
        public void Fix_VmNameWithWildcardCharacters_IsEscapedSoItNamesThatVmOnly()
        {
            var vm = new ComplianceVm("vc01", "web[1]*") { HostName = "esx-ivy" };

            Assert.Equal("cpuidmask vm-mask --server vc01 --vm 'web`[1]`*'", new ComplianceFixCommands("vc01").ShowMasks(vm));
        }
    }
}
