using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;

namespace CpuidMask.Module.Tests
{
    /// <summary>
    /// The cmdlets of the built CpuidMask.dll as PowerShell would see them, read with MetadataLoadContext:
    /// nothing of the module runs, so no PowerShell host is needed.
    /// </summary>
    public sealed class ModuleMetadata : IDisposable
    {
        public const string AllParameterSets = "__AllParameterSets";

        private static readonly Lazy<ModuleMetadata> Instance = new Lazy<ModuleMetadata>(() => new ModuleMetadata());

        private readonly MetadataLoadContext _context;

        private ModuleMetadata()
        {
            var paths = new List<string>(Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll"))
            {
                RepoFiles.SystemManagementAutomation,
                RepoFiles.ModuleAssembly,
                Path.Combine(AppContext.BaseDirectory, "CpuidMask.Engine.dll"),
                Path.Combine(AppContext.BaseDirectory, "CpuidMask.Vim.dll"),
            };
            _context = new MetadataLoadContext(new PathAssemblyResolver(paths));
            Assembly = _context.LoadFromAssemblyPath(RepoFiles.ModuleAssembly);
            Sma = _context.LoadFromAssemblyName("System.Management.Automation");
            Cmdlets = Assembly.GetTypes()
                .Where(t => t.CustomAttributes.Any(a => a.AttributeType.FullName == "System.Management.Automation.CmdletAttribute"))
                .Select(t => new CmdletMetadata(t))
                .OrderBy(c => c.Name, StringComparer.Ordinal)
                .ToArray();
        }

        public static ModuleMetadata Load() => Instance.Value;

        public Assembly Assembly { get; }

        public Assembly Sma { get; }

        public IReadOnlyList<CmdletMetadata> Cmdlets { get; }

        public CmdletMetadata this[string name] => Cmdlets.Single(c => c.Name == name);

        /// <summary>Get-Verb's list: the public constants of VerbsCommon, VerbsData ... in System.Management.Automation.</summary>
        public IReadOnlyCollection<string> ApprovedVerbs => Sma.GetTypes()
            .Where(t => t.Namespace == "System.Management.Automation" && t.Name.StartsWith("Verbs", StringComparison.Ordinal))
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet(StringComparer.Ordinal);

        /// <summary>A type of the module, the engine or the vSphere client, by full name.</summary>
        public Type? FindType(string fullName) =>
            new[] { Assembly }.Concat(Assembly.GetReferencedAssemblies().Where(a => a.Name!.StartsWith("CpuidMask", StringComparison.Ordinal)).Select(_context.LoadFromAssemblyName))
                .Select(a => a.GetType(fullName))
                .FirstOrDefault(t => t != null);

        public void Dispose() => _context.Dispose();

        internal static CustomAttributeData? Attribute(MemberInfo member, string fullName) =>
            member.CustomAttributes.FirstOrDefault(a => a.AttributeType.FullName == fullName);

        internal static IEnumerable<CustomAttributeData> Attributes(MemberInfo member, string fullName) =>
            member.CustomAttributes.Where(a => a.AttributeType.FullName == fullName);

        internal static T? Named<T>(CustomAttributeData attribute, string name, T? fallback = default)
        {
            var matches = attribute.NamedArguments.Where(a => a.MemberName == name).ToArray();
            if (matches.Length == 0)
            {
                return fallback;
            }

            object? value = matches[0].TypedValue.Value;
            if (value is ReadOnlyCollection<CustomAttributeTypedArgument> array)
            {
                value = array.Select(a => a.Value).ToArray();
            }

            if (typeof(T) == typeof(string[]) && value is object[] objects)
            {
                return (T)(object)objects.Cast<string>().ToArray();
            }

            return (T?)value;
        }

        /// <summary>The values of a params-array constructor argument (OutputType, Alias).</summary>
        internal static IReadOnlyList<object?> ParamsArgument(CustomAttributeData attribute) =>
            attribute.ConstructorArguments.SelectMany(a => a.Value is ReadOnlyCollection<CustomAttributeTypedArgument> many
                ? many.Select(m => m.Value)
                : new[] { a.Value }).ToArray();
    }

    /// <summary>One cmdlet class: its name, attributes and parameters.</summary>
    public sealed class CmdletMetadata
    {
        internal CmdletMetadata(Type type)
        {
            Type = type;
            var cmdlet = ModuleMetadata.Attribute(type, "System.Management.Automation.CmdletAttribute")!;
            Verb = (string)cmdlet.ConstructorArguments[0].Value!;
            Noun = (string)cmdlet.ConstructorArguments[1].Value!;
            DefaultParameterSetName = ModuleMetadata.Named<string>(cmdlet, "DefaultParameterSetName");
            SupportsShouldProcess = ModuleMetadata.Named(cmdlet, "SupportsShouldProcess", false);
            ConfirmImpact = ModuleMetadata.Named(cmdlet, "ConfirmImpact", 2); // ConfirmImpact.Medium
            OutputTypes = ModuleMetadata.Attributes(type, "System.Management.Automation.OutputTypeAttribute")
                .SelectMany(a => ModuleMetadata.ParamsArgument(a).Select(t => new OutputTypeMetadata(
                    t is Type clr ? clr.FullName! : (string)t!,
                    ModuleMetadata.Named<string[]>(a, "ParameterSetName") ?? Array.Empty<string>())))
                .ToArray();
            Parameters = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => ModuleMetadata.Attribute(p, "System.Management.Automation.ParameterAttribute") != null)
                .Select(p => new ParameterMetadata(p))
                .ToArray();
            var sets = Parameters.SelectMany(p => p.Sets).Select(s => s.SetName).Where(s => s != ModuleMetadata.AllParameterSets).ToHashSet(StringComparer.Ordinal);
            if (DefaultParameterSetName != null)
            {
                sets.Add(DefaultParameterSetName);
            }

            ParameterSets = sets.Count == 0 ? new[] { ModuleMetadata.AllParameterSets } : sets.OrderBy(s => s, StringComparer.Ordinal).ToArray();
        }

        public Type Type { get; }

        public string Verb { get; }

        public string Noun { get; }

        public string Name => Verb + "-" + Noun;

        public string? DefaultParameterSetName { get; }

        public bool SupportsShouldProcess { get; }

        /// <summary>The ConfirmImpact value: 0 None, 1 Low, 2 Medium, 3 High.</summary>
        public int ConfirmImpact { get; }

        public IReadOnlyList<OutputTypeMetadata> OutputTypes { get; }

        public IReadOnlyList<ParameterMetadata> Parameters { get; }

        public IReadOnlyList<string> ParameterSets { get; }

        /// <summary>The parameters of one set (those declared for it and those in every set).</summary>
        public IEnumerable<(ParameterMetadata Parameter, ParameterSetMetadata Set)> InSet(string setName) =>
            Parameters.Select(p => (Parameter: p, Set: p.For(setName)!)).Where(x => x.Set != null);

        public override string ToString() => Name;
    }

    public sealed class OutputTypeMetadata
    {
        public OutputTypeMetadata(string typeName, IReadOnlyList<string> parameterSets)
        {
            TypeName = typeName;
            ParameterSets = parameterSets;
        }

        public string TypeName { get; }

        public IReadOnlyList<string> ParameterSets { get; }

        public override string ToString() => TypeName;
    }

    public sealed class ParameterMetadata
    {
        internal ParameterMetadata(PropertyInfo property)
        {
            Property = property;
            Sets = ModuleMetadata.Attributes(property, "System.Management.Automation.ParameterAttribute")
                .Select(a => new ParameterSetMetadata(
                    ModuleMetadata.Named(a, "ParameterSetName", ModuleMetadata.AllParameterSets)!,
                    ModuleMetadata.Named(a, "Mandatory", false),
                    ModuleMetadata.Named(a, "Position", int.MinValue) is int p && p != int.MinValue ? p : (int?)null,
                    ModuleMetadata.Named(a, "ValueFromPipeline", false),
                    ModuleMetadata.Named(a, "ValueFromPipelineByPropertyName", false)))
                .ToArray();
            Aliases = ModuleMetadata.Attributes(property, "System.Management.Automation.AliasAttribute")
                .SelectMany(a => ModuleMetadata.ParamsArgument(a).Cast<string>())
                .ToArray();
            SupportsWildcards = ModuleMetadata.Attribute(property, "System.Management.Automation.SupportsWildcardsAttribute") != null;
            HasCompleter = ModuleMetadata.Attribute(property, "System.Management.Automation.ArgumentCompleterAttribute") != null;
            var validateSet = ModuleMetadata.Attribute(property, "System.Management.Automation.ValidateSetAttribute");
            var valueType = property.PropertyType.GetElementType() ?? property.PropertyType;
            AcceptedValues = validateSet != null
                ? ModuleMetadata.ParamsArgument(validateSet).Cast<string>().ToArray()
                : valueType.IsEnum ? valueType.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => f.Name).ToArray() : Array.Empty<string>();
        }

        public PropertyInfo Property { get; }

        public string Name => Property.Name;

        /// <summary>The type's name as help shows it: Object[], String, SwitchParameter, CpuidProfile[].</summary>
        public string TypeName => Property.PropertyType.Name;

        public Type Type => Property.PropertyType;

        public IReadOnlyList<ParameterSetMetadata> Sets { get; }

        public IReadOnlyList<string> Aliases { get; }

        public bool SupportsWildcards { get; }

        public bool HasCompleter { get; }

        /// <summary>What PlatyPS lists as "Accepted values": a ValidateSet's values or an enum's names; empty otherwise.</summary>
        public IReadOnlyList<string> AcceptedValues { get; }

        public bool InAllSets => Sets.Count == 1 && Sets[0].SetName == ModuleMetadata.AllParameterSets;

        public ParameterSetMetadata? For(string setName) =>
            Sets.FirstOrDefault(s => s.SetName == setName) ?? Sets.FirstOrDefault(s => s.SetName == ModuleMetadata.AllParameterSets);

        public override string ToString() => "-" + Name;
    }

    public sealed class ParameterSetMetadata
    {
        public ParameterSetMetadata(string setName, bool mandatory, int? position, bool byValue, bool byPropertyName)
        {
            SetName = setName;
            Mandatory = mandatory;
            Position = position;
            ByValue = byValue;
            ByPropertyName = byPropertyName;
        }

        public string SetName { get; }

        public bool Mandatory { get; }

        public int? Position { get; }

        public bool ByValue { get; }

        public bool ByPropertyName { get; }

        /// <summary>PlatyPS's wording: False, True (ByValue), True (ByPropertyName), True (ByValue, ByPropertyName).</summary>
        public string PipelineInput => (ByValue, ByPropertyName) switch
        {
            (true, true) => "True (ByValue, ByPropertyName)",
            (true, false) => "True (ByValue)",
            (false, true) => "True (ByPropertyName)",
            _ => "False",
        };

        /// <summary>PlatyPS's wording: Named or the number.</summary>
        public string PositionText => Position?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "Named";
    }
}
