using System;
using System.Linq;
using System.Reflection;
using CpuidMask.Engine;
using Xunit;

namespace CpuidMask.Module.Tests
{
    public class ErrorRecordTests
    {
        [Fact]
        public void EveryErrorKind_HasThePowerShellErrorCategoryOfTheSameName()
        {
            // CpuidMaskCmdlet.CategoryOf maps each kind to the category of its name; a kind PowerShell lacks
            // would surface as NotSpecified, which scripts cannot filter on.
            var categories = ModuleMetadata.Load().Sma.GetType("System.Management.Automation.ErrorCategory")!
                .GetFields(BindingFlags.Public | BindingFlags.Static)
                .Select(f => f.Name)
                .ToHashSet(StringComparer.Ordinal);

            foreach (string kind in Enum.GetNames<ErrorKind>())
            {
                Assert.Contains(kind, categories);
            }
        }

        [Fact]
        public void BaseCmdlet_MapsEveryErrorKind()
        {
            string source = System.IO.File.ReadAllText(System.IO.Path.Combine(RepoFiles.CommandsFolder, "CpuidMaskCmdlet.cs"));

            foreach (string kind in Enum.GetNames<ErrorKind>())
            {
                Assert.Contains($"ErrorKind.{kind} => ErrorCategory.{kind},", source, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void BaseCmdlet_IsDisposableSoSessionsItOpenedAreLoggedOut()
        {
            var baseType = ModuleMetadata.Load().Assembly.GetType("CpuidMask.PowerShell.Commands.CpuidMaskCmdlet")!;

            Assert.True(baseType.IsAbstract);
            Assert.Equal("System.Management.Automation.PSCmdlet", baseType.BaseType!.FullName);
            Assert.Contains(baseType.GetInterfaces(), i => i.FullName == "System.IDisposable");
            Assert.NotNull(baseType.GetMethod("StopProcessing", BindingFlags.NonPublic | BindingFlags.Instance, null, Type.EmptyTypes, null));
        }
    }
}
