using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using Xunit;

namespace CpuidMask.Module.Tests
{
    public class FormatFileTests
    {
        private const string DeserializedPrefix = "Deserialized.";

        /// <summary>The types CpuidMask.Format.ps1xml has a view for.</summary>
        internal static ISet<string> ViewedTypeNames() =>
            XDocument.Load(RepoFiles.FormatFile).Descendants("ViewSelectedBy").Elements("TypeName").Select(e => e.Value.Trim()).ToHashSet(StringComparer.Ordinal);

        [Fact]
        public void FormatFile_IsWellFormedWithUniqueNamedViews()
        {
            var document = XDocument.Load(RepoFiles.FormatFile);

            Assert.Equal("Configuration", document.Root!.Name.LocalName);
            var views = document.Root.Element("ViewDefinitions")!.Elements("View").ToArray();
            Assert.NotEmpty(views);
            var names = views.Select(v => (string?)v.Element("Name")).ToArray();
            Assert.All(names, n => Assert.False(string.IsNullOrWhiteSpace(n)));
            Assert.Equal(names.Length, names.Distinct().Count());
            foreach (var view in views)
            {
                Assert.NotEmpty(view.Element("ViewSelectedBy")!.Elements("TypeName"));
                var controls = view.Elements().Where(e => e.Name.LocalName.EndsWith("Control", StringComparison.Ordinal)).ToArray();
                Assert.Single(controls);
            }
        }

        [Fact]
        public void FormatFile_TablesHaveAsManyColumnsAsHeaders()
        {
            foreach (var table in XDocument.Load(RepoFiles.FormatFile).Descendants("TableControl"))
            {
                int headers = table.Element("TableHeaders")!.Elements("TableColumnHeader").Count();
                foreach (var row in table.Descendants("TableColumnItems"))
                {
                    Assert.Equal(headers, row.Elements("TableColumnItem").Count());
                }
            }
        }

        [Fact]
        public void FormatFile_EveryViewIsForATypeTheModuleHas()
        {
            var module = ModuleMetadata.Load();

            foreach (string typeName in ViewedTypeNames())
            {
                Assert.True(module.FindType(typeName) != null, $"CpuidMask.Format.ps1xml has a view for {typeName}, which no CpuidMask assembly defines");
            }
        }

        [Fact]
        public void FormatFile_ShowsAMaskAsItsVmxLines()
        {
            var view = XDocument.Load(RepoFiles.FormatFile).Descendants("View")
                .Single(v => v.Element("ViewSelectedBy")!.Elements("TypeName").Any(t => t.Value == "CpuidMask.PowerShell.VmCpuidMask"));

            Assert.NotNull(view.Element("CustomControl"));
            Assert.Contains("ToVmx()", view.ToString(), StringComparison.Ordinal);
        }

        [Fact]
        public void TypesFile_IsWellFormedAndNamesModuleTypes()
        {
            var document = XDocument.Load(RepoFiles.TypesFile);

            Assert.Equal("Types", document.Root!.Name.LocalName);
            foreach (var name in document.Root.Elements("Type").Select(t => t.Element("Name")!.Value))
            {
                // "Deserialized.X" is how PowerShell names X's property bag after Export-Clixml or remoting.
                Assert.NotNull(ModuleMetadata.Load().FindType(name.StartsWith(DeserializedPrefix, StringComparison.Ordinal) ? name.Substring(DeserializedPrefix.Length) : name));
            }
        }

        [Fact]
        public void TypesFile_RebuildsEveryTypeItGivesSerializationDataFromItsDeserializedForm()
        {
            var types = XDocument.Load(RepoFiles.TypesFile).Root!.Elements("Type").ToArray();
            var serialized = types.Where(t => t.Descendants("CodeProperty").Any(p => p.Element("Name")!.Value == "SerializationData")).ToArray();
            var converter = ModuleMetadata.Load().FindType("CpuidMask.PowerShell.SerializationDataConverter");

            Assert.NotEmpty(serialized);
            Assert.NotNull(converter);
            Assert.Equal("System.Management.Automation.PSTypeConverter", converter!.BaseType!.FullName);
            var getter = converter.GetMethod("GetSerializationData");
            Assert.True(getter != null && getter.IsStatic && getter.IsPublic, "SerializationDataConverter.GetSerializationData(PSObject) is the code property's getter");
            Assert.Equal("System.Management.Automation.PSObject", getter!.GetParameters().Single().ParameterType.FullName);
            foreach (var type in serialized)
            {
                string name = type.Element("Name")!.Value;
                var property = type.Descendants("CodeProperty").Single(p => p.Element("Name")!.Value == "SerializationData");
                Assert.Equal("true", (string?)property.Attribute("IsHidden"));
                Assert.Equal(converter.FullName, property.Descendants("TypeName").Single().Value);
                Assert.Equal("GetSerializationData", property.Descendants("MethodName").Single().Value);
                Assert.Equal(converter.FullName, type.Element("TypeConverter")?.Element("TypeName")?.Value);
                var twin = types.SingleOrDefault(t => t.Element("Name")!.Value == DeserializedPrefix + name);
                Assert.True(twin != null, $"{name} has no {DeserializedPrefix}{name} entry");
                Assert.Equal(name, twin!.Descendants("NoteProperty").Single(n => n.Element("Name")!.Value == "TargetTypeForDeserialization").Element("Value")!.Value);
            }
        }
    }
}
