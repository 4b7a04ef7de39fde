using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using Xunit;

namespace CpuidMask.Module.Tests
{
    /// <summary>Promises every exported cmdlet keeps, checked on the built CpuidMask.dll.</summary>
    public class ExportedCmdletTests
    {
        /// <summary>Verbs whose cmdlets change something outside the session and so must honour -WhatIf/-Confirm.</summary>
        private static readonly string[] StateChangingVerbs =
        {
            "Set", "Remove", "Clear", "Reset", "Rename", "Move", "Add", "Update", "Write", "Start", "Stop", "Restart",
            "Enable", "Disable", "Install", "Uninstall", "Register", "Unregister", "Invoke", "Restore", "Publish", "Import",
            "Export",
        };

        /// <summary>
        /// New cmdlets that only build an object in the session, like New-Object or New-TimeSpan: nothing outside
        /// changes, so -WhatIf would have nothing to skip. New-VmCpuidMask computes a mask; Set-VmCpuidMask writes it.
        /// </summary>
        private static readonly string[] ComputeOnlyNewCmdlets = { "New-VmCpuidMask" };

        public static IEnumerable<object[]> CmdletNames => ModuleMetadata.Load().Cmdlets.Select(c => new object[] { c.Name });

        [Fact]
        public void Module_ExportsTheEightCmdletsOfTheDesign()
        {
            Assert.Equal(
                new[] { "Compare-CpuidProfile", "Export-CpuidProfile", "Get-CpuidBaseline", "Get-CpuidFeature", "Get-HostCpuid", "Get-VmCpuidMask", "New-VmCpuidMask", "Set-VmCpuidMask", "Set-VmEvcMode", "Test-VmCpuidMask", "Undo-VmCpuidMask" },
                ModuleMetadata.Load().Cmdlets.Select(c => c.Name));
        }

        [Theory]
        [MemberData(nameof(CmdletNames))]
        public void Cmdlet_UsesAnApprovedVerb(string name)
        {
            var cmdlet = ModuleMetadata.Load()[name];

            Assert.Contains(cmdlet.Verb, ModuleMetadata.Load().ApprovedVerbs);
        }

        [Theory]
        [MemberData(nameof(CmdletNames))]
        public void Cmdlet_IsASealedVerbNounCommandInItsOwnFileDerivingFromTheSharedBase(string name)
        {
            var cmdlet = ModuleMetadata.Load()[name];
            var bases = new List<string>();
            for (var type = cmdlet.Type.BaseType; type != null; type = type.BaseType)
            {
                bases.Add(type.FullName!);
            }

            Assert.True(cmdlet.Type.IsSealed, $"{cmdlet.Type.Name} is not sealed");
            Assert.Equal(cmdlet.Verb + cmdlet.Noun + "Command", cmdlet.Type.Name);
            Assert.Equal("CpuidMask.PowerShell.Commands", cmdlet.Type.Namespace);
            Assert.Contains("CpuidMask.PowerShell.Commands.CpuidMaskCmdlet", bases);
            // Every cmdlet that talks to a vCenter gets its connection parameters and input resolution from one base.
            bool talksToVCenter = cmdlet.Parameters.Any(p => p.Name == "Server");
            Assert.True(talksToVCenter == bases.Contains("CpuidMask.PowerShell.Commands.VCenterCmdlet"), $"{name}: -Server comes from VCenterCmdlet, and only vCenter cmdlets derive from it");
            string file = Path.Combine(RepoFiles.CommandsFolder, cmdlet.Type.Name + ".cs");
            Assert.True(File.Exists(file), file + " is missing");
            Assert.Single(File.ReadLines(file), l => l.Contains(" class ", StringComparison.Ordinal));
        }

        [Theory]
        [MemberData(nameof(CmdletNames))]
        public void Cmdlet_DeclaresOutputTypesThatHaveADefaultView(string name)
        {
            var cmdlet = ModuleMetadata.Load()[name];
            var viewed = FormatFileTests.ViewedTypeNames();

            Assert.NotEmpty(cmdlet.OutputTypes);
            // Strings and booleans (Test-VmCpuidMask -Quiet) print as themselves; PowerShell needs no view for them.
            foreach (var output in cmdlet.OutputTypes.Where(o => o.TypeName != "System.String" && o.TypeName != "System.Boolean"))
            {
                Assert.True(viewed.Contains(output.TypeName), $"{name} writes {output.TypeName}, which has no view in CpuidMask.Format.ps1xml");
                Assert.NotNull(ModuleMetadata.Load().FindType(output.TypeName));
            }

            foreach (var set in cmdlet.OutputTypes.SelectMany(o => o.ParameterSets))
            {
                Assert.Contains(set, cmdlet.ParameterSets);
            }
        }

        [Theory]
        [MemberData(nameof(CmdletNames))]
        public void Cmdlet_ThatChangesState_SupportsShouldProcess(string name)
        {
            var cmdlet = ModuleMetadata.Load()[name];

            if (StateChangingVerbs.Contains(cmdlet.Verb))
            {
                Assert.True(cmdlet.SupportsShouldProcess, $"{name} changes state but does not support -WhatIf/-Confirm");
            }
            else if (cmdlet.Verb == "New")
            {
                Assert.True(
                    cmdlet.SupportsShouldProcess || ComputeOnlyNewCmdlets.Contains(name),
                    $"{name}: a New cmdlet that creates something outside the session must support ShouldProcess; one that only computes belongs in ComputeOnlyNewCmdlets");
            }
            else if (cmdlet.Verb is "Get" or "Compare")
            {
                Assert.False(cmdlet.SupportsShouldProcess, $"{name} only reads; -WhatIf would mean nothing");
            }
        }

        [Fact]
        public void SetVmCpuidMask_AsksBeforeWritingToAVm()
        {
            var cmdlet = ModuleMetadata.Load()["Set-VmCpuidMask"];

            Assert.True(cmdlet.SupportsShouldProcess);
            Assert.Equal(3, cmdlet.ConfirmImpact); // High: confirmed unless -Confirm:$false
        }

        [Theory]
        [MemberData(nameof(CmdletNames))]
        public void Cmdlet_DefaultParameterSetExists(string name)
        {
            var cmdlet = ModuleMetadata.Load()[name];

            Assert.NotNull(cmdlet.DefaultParameterSetName);
            Assert.Contains(cmdlet.DefaultParameterSetName, cmdlet.ParameterSets);
        }

        [Theory]
        [MemberData(nameof(CmdletNames))]
        public void Cmdlet_HasNoTwoPositionalParametersAtOnePositionInASet(string name)
        {
            var cmdlet = ModuleMetadata.Load()[name];

            foreach (string set in cmdlet.ParameterSets)
            {
                var clash = cmdlet.InSet(set).Where(x => x.Set.Position != null).GroupBy(x => x.Set.Position).FirstOrDefault(g => g.Count() > 1);
                Assert.True(clash == null, $"{name} set {set}: {string.Join(", ", clash?.Select(c => c.Parameter.Name) ?? Array.Empty<string>())} share position {clash?.Key}");
            }
        }

        [Theory]
        [MemberData(nameof(CmdletNames))]
        public void Cmdlet_HasAtMostOnePipelineByValueParameterPerTypeInASet(string name)
        {
            var cmdlet = ModuleMetadata.Load()[name];

            foreach (string set in cmdlet.ParameterSets)
            {
                var byValue = cmdlet.InSet(set).Where(x => x.Set.ByValue).Select(x => x.Parameter).ToArray();
                var sameType = byValue.GroupBy(p => p.Type.GetElementType() ?? p.Type).FirstOrDefault(g => g.Count() > 1);
                Assert.True(sameType == null, $"{name} set {set}: {string.Join(", ", sameType?.Select(p => p.Name) ?? Array.Empty<string>())} all take {sameType?.Key.Name} from the pipeline");

                // An Object parameter takes anything from the pipeline, so no other by-value parameter could ever bind there.
                bool catchAll = byValue.Any(p => (p.Type.GetElementType() ?? p.Type).FullName == "System.Object");
                Assert.True(!catchAll || byValue.Length == 1, $"{name} set {set}: an Object parameter takes all pipeline input, yet {string.Join(", ", byValue.Select(p => p.Name))} are by value");
            }
        }

        [Theory]
        [MemberData(nameof(CmdletNames))]
        public void Cmdlet_EveryParameterSetCanBeChosen(string name)
        {
            var cmdlet = ModuleMetadata.Load()[name];

            foreach (string set in cmdlet.ParameterSets.Where(s => s != cmdlet.DefaultParameterSetName))
            {
                // Reachable: some parameter, or some pipeline role, belongs to this set and not to the default one.
                bool distinct = cmdlet.Parameters.Any(p =>
                {
                    var here = p.Sets.FirstOrDefault(s => s.SetName == set);
                    var inDefault = p.For(cmdlet.DefaultParameterSetName!);
                    return here != null && (inDefault == null || (here.ByValue && !inDefault.ByValue) || (here.Mandatory && !inDefault.Mandatory));
                });
                Assert.True(distinct, $"{name}: nothing selects parameter set {set} over the default {cmdlet.DefaultParameterSetName}");
            }

            var signatures = cmdlet.ParameterSets.Select(set => string.Join(";", cmdlet.InSet(set)
                .OrderBy(x => x.Parameter.Name, StringComparer.Ordinal)
                .Select(x => $"{x.Parameter.Name}:{x.Set.Mandatory}:{x.Set.Position}:{x.Set.ByValue}:{x.Set.ByPropertyName}"))).ToArray();
            Assert.Equal(signatures.Length, signatures.Distinct().Count());
        }

        [Theory]
        [MemberData(nameof(CmdletNames))]
        public void Cmdlet_ParametersHaveNoDuplicateNamesOrAliases(string name)
        {
            var cmdlet = ModuleMetadata.Load()[name];
            var names = cmdlet.Parameters.SelectMany(p => new[] { p.Name }.Concat(p.Aliases)).ToArray();

            Assert.Equal(names.Length, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
            Assert.DoesNotContain(names, n => CommonParameterNames.Contains(n, StringComparer.OrdinalIgnoreCase));
        }

        [Theory]
        [MemberData(nameof(CmdletNames))]
        public void Cmdlet_EveryParameterIsDocumentedAsTheCodeDeclaresIt(string name)
        {
            var cmdlet = ModuleMetadata.Load()[name];
            var help = HelpFiles.Command(name);

            Assert.Equal(name, help.Name);
            Assert.True(help.HasCommonParameters, $"docs/{name}.md lacks ### CommonParameters");
            Assert.Equal(
                ExpectedDocumentedParameters(cmdlet).OrderBy(n => n, StringComparer.Ordinal),
                help.Parameters.Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));

            foreach (var parameter in cmdlet.Parameters)
            {
                var doc = help.Parameters.Single(p => p.Name == parameter.Name);
                Assert.NotEmpty(doc.Description);
                var documentedSets = doc.Blocks.SelectMany(b => b.ParameterSets).ToArray();
                if (parameter.InAllSets)
                {
                    Assert.True(documentedSets.SequenceEqual(new[] { "(All)" }), $"{name} -{parameter.Name} is in every set: document 'Parameter Sets: (All)'");
                }
                else
                {
                    Assert.Equal(parameter.Sets.Select(s => s.SetName).OrderBy(s => s), documentedSets.OrderBy(s => s));
                }

                foreach (string set in cmdlet.ParameterSets)
                {
                    var code = parameter.For(set);
                    if (code == null)
                    {
                        continue;
                    }

                    var block = Assert.Single(doc.Blocks, b => b.AppliesTo(set));
                    string where = $"docs/{name}.md -{parameter.Name} (set {set})";
                    Assert.True(parameter.TypeName == block.Type, $"{where}: Type {block.Type}, code {parameter.TypeName}");
                    Assert.True(code.Mandatory == block.Required, $"{where}: Required {block.Required}, code {code.Mandatory}");
                    Assert.True(code.PositionText == block.Position, $"{where}: Position {block.Position}, code {code.PositionText}");
                    Assert.True(code.PipelineInput == block.PipelineInput, $"{where}: Accept pipeline input {block.PipelineInput}, code {code.PipelineInput}");
                    Assert.True(parameter.SupportsWildcards == block.AcceptWildcardCharacters, $"{where}: Accept wildcard characters {block.AcceptWildcardCharacters}, code {parameter.SupportsWildcards}");
                    Assert.Equal(parameter.Aliases.OrderBy(a => a), block.Aliases.OrderBy(a => a));
                    Assert.True(parameter.AcceptedValues.SequenceEqual(block.AcceptedValues), $"{where}: Accepted values {string.Join(", ", block.AcceptedValues)}, code {string.Join(", ", parameter.AcceptedValues)}");
                }
            }

            if (cmdlet.SupportsShouldProcess)
            {
                AssertRiskParameter(help, "WhatIf", "wi");
                AssertRiskParameter(help, "Confirm", "cf");
            }
        }

        [Theory]
        [MemberData(nameof(CmdletNames))]
        public void Cmdlet_SyntaxSectionHasOneBlockPerParameterSetNamingItsParameters(string name)
        {
            var cmdlet = ModuleMetadata.Load()[name];
            var help = HelpFiles.Command(name);

            Assert.Equal(cmdlet.ParameterSets.OrderBy(s => s), help.Syntax.Select(s => s.ParameterSetName).OrderBy(s => s));
            Assert.Equal(cmdlet.DefaultParameterSetName, Assert.Single(help.Syntax, s => s.IsDefault).ParameterSetName);
            Assert.Equal(cmdlet.DefaultParameterSetName, help.Syntax[0].ParameterSetName);
            foreach (var syntax in help.Syntax)
            {
                Assert.StartsWith(name + " ", syntax.Code, StringComparison.Ordinal);
                Assert.EndsWith("[<CommonParameters>]", syntax.Code, StringComparison.Ordinal);
                var mentioned = System.Text.RegularExpressions.Regex.Matches(syntax.Code, @"-([A-Za-z]+)\b").Select(m => m.Groups[1].Value)
                    .Where(n => n != "CommonParameters" && !n.Equals(cmdlet.Noun, StringComparison.Ordinal) && n != cmdlet.Verb + "-" + cmdlet.Noun)
                    .Where(n => !name.Split('-').Contains(n))
                    .ToHashSet(StringComparer.Ordinal);
                var expected = cmdlet.InSet(syntax.ParameterSetName).Select(x => x.Parameter.Name)
                    .Concat(cmdlet.SupportsShouldProcess ? new[] { "WhatIf", "Confirm" } : Array.Empty<string>())
                    .ToHashSet(StringComparer.Ordinal);
                Assert.True(expected.SetEquals(mentioned), $"docs/{name}.md syntax {syntax.ParameterSetName}: names {string.Join(", ", mentioned.OrderBy(n => n))}; the set has {string.Join(", ", expected.OrderBy(n => n))}");
            }
        }

        [Theory]
        [MemberData(nameof(CmdletNames))]
        public void Cmdlet_HasExamplesAndOutputsInItsHelp(string name)
        {
            var cmdlet = ModuleMetadata.Load()[name];
            var help = HelpFiles.Command(name);

            Assert.False(string.IsNullOrWhiteSpace(help.Synopsis));
            Assert.NotEmpty(help.Description);
            Assert.NotEmpty(help.Examples);
            Assert.All(help.Examples, e => Assert.Matches(@"^Example \d+: \S", e.Title));
            Assert.All(help.Examples, e => Assert.Contains(name, e.Code, StringComparison.Ordinal));
            Assert.Equal(
                cmdlet.OutputTypes.Select(o => o.TypeName).OrderBy(t => t),
                help.Outputs.Select(o => o.TypeName).OrderBy(t => t));
            Assert.NotEmpty(help.Inputs);
            Assert.Equal("CpuidMask.dll-Help.xml", help.FrontMatter["external help file"]);
            Assert.Equal("CpuidMask", help.FrontMatter["Module Name"]);
            Assert.Equal("2.0.0", help.FrontMatter["schema"]);
        }

        [Theory]
        [MemberData(nameof(CmdletNames))]
        public void Cmdlet_GeneratedMamlMatchesTheCodeInEveryParameterSet(string name)
        {
            var cmdlet = ModuleMetadata.Load()[name];
            var help = HelpFiles.Command(name);
            var command = HelpFiles.MamlCommand(name);
            var c = HelpBuilder.MamlWriter.Command;
            var m = HelpBuilder.MamlWriter.Maml;

            var items = command.Element(c + "syntax")!.Elements(c + "syntaxItem").ToArray();
            Assert.Equal(help.Syntax.Count, items.Length);
            for (int i = 0; i < items.Length; i++)
            {
                string set = help.Syntax[i].ParameterSetName;
                var parameters = items[i].Elements(c + "parameter").ToDictionary(p => (string)p.Element(m + "name")!);
                var expected = cmdlet.InSet(set).Select(x => x.Parameter.Name)
                    .Concat(cmdlet.SupportsShouldProcess ? new[] { "WhatIf", "Confirm" } : Array.Empty<string>());
                Assert.Equal(expected.OrderBy(n => n), parameters.Keys.OrderBy(n => n));
                foreach (var (parameter, code) in cmdlet.InSet(set))
                {
                    var maml = parameters[parameter.Name];
                    string where = $"MAML {name} set {set} -{parameter.Name}";
                    Assert.True((string)maml.Attribute("required")! == (code.Mandatory ? "true" : "false"), where + ": required");
                    Assert.True((string)maml.Attribute("position")! == (code.Position?.ToString() ?? "named"), where + ": position");
                    Assert.True((string)maml.Attribute("pipelineInput")! == code.PipelineInput, where + ": pipelineInput");
                    Assert.True((string)maml.Attribute("globbing")! == (parameter.SupportsWildcards ? "true" : "false"), where + ": globbing");
                    Assert.Equal(parameter.TypeName, (string)maml.Element(HelpBuilder.MamlWriter.Dev + "type")!.Element(m + "name")!);
                    Assert.Equal(parameter.AcceptedValues, maml.Elements(c + "parameterValueGroup").Elements(c + "parameterValue").Select(v => v.Value));
                    bool hasValue = maml.Element(c + "parameterValue") != null;
                    Assert.True(hasValue == (parameter.TypeName != "SwitchParameter"), where + ": parameterValue only for non-switch parameters");
                }
            }

            var all = command.Element(c + "parameters")!.Elements(c + "parameter").ToDictionary(p => (string)p.Element(m + "name")!);
            Assert.Equal(ExpectedDocumentedParameters(cmdlet).OrderBy(n => n), all.Keys.OrderBy(n => n));

            // Get-Help -Parameter reads this section: a parameter piped in any set says so, whatever its first set.
            foreach (var parameter in cmdlet.Parameters)
            {
                bool byValue = parameter.Sets.Any(s => s.ByValue);
                bool byName = parameter.Sets.Any(s => s.ByPropertyName);
                string expected = byValue && byName ? "True (ByValue, ByPropertyName)" : byValue ? "True (ByValue)" : byName ? "True (ByPropertyName)" : "False";
                Assert.True((string)all[parameter.Name].Attribute("pipelineInput")! == expected, $"MAML {name} parameters -{parameter.Name}: pipelineInput {(string)all[parameter.Name].Attribute("pipelineInput")!}, code {expected}");
            }

            Assert.Equal(cmdlet.OutputTypes.Select(o => o.TypeName).OrderBy(t => t), command.Descendants(c + "returnValue").Select(r => (string)r.Element(HelpBuilder.MamlWriter.Dev + "type")!.Element(m + "name")!).OrderBy(t => t));
            Assert.NotEmpty(command.Descendants(c + "example"));
        }

        private static readonly string[] CommonParameterNames =
        {
            "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ErrorVariable", "WarningVariable",
            "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "WhatIf", "Confirm", "ProgressAction",
        };

        private static IEnumerable<string> ExpectedDocumentedParameters(CmdletMetadata cmdlet) =>
            cmdlet.Parameters.Select(p => p.Name).Concat(cmdlet.SupportsShouldProcess ? new[] { "WhatIf", "Confirm" } : Array.Empty<string>());

        private static void AssertRiskParameter(HelpBuilder.CommandHelp help, string name, string alias)
        {
            var doc = Assert.Single(help.Parameters, p => p.Name == name);
            var block = Assert.Single(doc.Blocks);
            Assert.Equal("SwitchParameter", block.Type);
            Assert.Equal(new[] { "(All)" }, block.ParameterSets);
            Assert.Equal(new[] { alias }, block.Aliases);
            Assert.False(block.Required);
            Assert.Equal("Named", block.Position);
        }
    }
}
