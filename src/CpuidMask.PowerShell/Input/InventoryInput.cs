using System;
using System.IO;
using CpuidMask.Engine;
using CpuidMask.Vim.Types;

namespace CpuidMask.PowerShell.Input
{
    /// <summary>How an input names an inventory object.</summary>
    internal enum InventoryInputKind
    {
        /// <summary>A name or wildcard pattern typed by the user.</summary>
        Name,

        /// <summary>An object that carries its managed object reference (PowerCLI, or this module's output).</summary>
        Reference,

        /// <summary>A file (FileInfo from Get-ChildItem) where a host was expected: read as a CPUID dump.</summary>
        File,
    }

    /// <summary>One -VMHost or -VM input, reduced to what the vSphere client needs.</summary>
    internal sealed class InventoryInput
    {
        private InventoryInput(InventoryInputKind kind, string text, ManagedObjectReference? moRef, ServerAddress? server, object original)
        {
            Kind = kind;
            Text = text;
            MoRef = moRef;
            Server = server;
            Original = original;
        }

        public InventoryInputKind Kind { get; }

        /// <summary>The name or pattern (Name), the object's name (Reference), the full path (File).</summary>
        public string Text { get; }

        public ManagedObjectReference? MoRef { get; }

        /// <summary>The vCenter the object came from (PowerCLI's Uid), when it says.</summary>
        public ServerAddress? Server { get; }

        /// <summary>The input as given, the target of any error about it.</summary>
        public object Original { get; }

        public override string ToString() => Text;

        /// <summary>
        /// Reads a host input: a host name or wildcard, a PowerCLI VMHost (its ExtensionData.MoRef, else its
        /// Id "HostSystem-host-12"), any object with a Name, or a FileInfo (a dump piped from Get-ChildItem).
        /// </summary>
        public static InventoryInput ForHost(object item, PropertyReader read) =>
            Describe(item, read, "HostSystem", "host", "Get-VMHost", allowFiles: true);

        /// <summary>Reads a VM input: a VM name or wildcard, a PowerCLI VirtualMachine, or this module's VM output.</summary>
        public static InventoryInput ForVm(object item, PropertyReader read) =>
            Describe(item, read, "VirtualMachine", "VM", "Get-VM", allowFiles: false);

        /// <summary>A VM known by its reference (an undo record names the VM it changed).</summary>
        public static InventoryInput ForVmReference(string name, ManagedObjectReference moRef, ServerAddress? server, object original) =>
            new InventoryInput(InventoryInputKind.Reference, name, moRef, server, original);

        private static InventoryInput Describe(object item, PropertyReader read, string managedType, string what, string powerCliCommand, bool allowFiles)
        {
            if (item == null)
            {
                throw new ArgumentNullException(nameof(item));
            }

            if (item is string text)
            {
                if (string.IsNullOrWhiteSpace(text))
                {
                    throw Invalid($"An empty {what} name was given; give a {what} name, a wildcard such as 'esx*', or {powerCliCommand} output.", item);
                }

                return new InventoryInput(InventoryInputKind.Name, text.Trim(), null, null, item);
            }

            if (item is FileSystemInfo file)
            {
                if (allowFiles)
                {
                    return new InventoryInput(InventoryInputKind.File, file.FullName, null, null, item);
                }

                throw Invalid($"'{file.FullName}' is a file, not a {what}; give a {what} name or {powerCliCommand} output.", item);
            }

            var moRef = ReadMoRef(item, read);
            string? name = read.ReadString(item, "Name");
            if (moRef != null)
            {
                if (!string.Equals(moRef.Type, managedType, StringComparison.Ordinal))
                {
                    throw Invalid(
                        $"'{name ?? moRef.Value}' is a {moRef.Type}, not a {what} ({managedType}); give {powerCliCommand} output or {what} names.",
                        item);
                }

                var server = ServerAddress.FromUid(read.ReadString(item, "Uid"))
                    ?? (read.ReadString(item, "Server") is string serverName ? ServerAddress.Parse(serverName) : null);
                return new InventoryInput(InventoryInputKind.Reference, name ?? moRef.Value, moRef, server, item);
            }

            if (name != null)
            {
                return new InventoryInput(InventoryInputKind.Name, name, null, null, item);
            }

            throw Invalid(
                $"A {item.GetType().Name} is not a {what}: give {what} names (wildcards allowed) or {powerCliCommand} output.",
                item);
        }

        /// <summary>ExtensionData.MoRef (Type, Value) of a PowerCLI object, else its Id (Type-value), else MoRef/Id of our own output.</summary>
        internal static ManagedObjectReference? ReadMoRef(object item, PropertyReader read)
        {
            var moRef = read.ReadPath(item, "ExtensionData", "MoRef") ?? read(item, "MoRef");
            if (moRef is ManagedObjectReference ours)
            {
                return ours;
            }

            if (moRef != null)
            {
                string? type = read.ReadString(moRef, "Type");
                string? value = read.ReadString(moRef, "Value");
                if (type != null && value != null)
                {
                    return new ManagedObjectReference(type, value);
                }
            }

            return ManagedObjectReference.TryParse(read.ReadString(item, "Id"), out var parsed) ? parsed : null;
        }

        private static CpuidMaskException Invalid(string message, object item) =>
            new CpuidMaskException("InventoryInputInvalid", ErrorKind.InvalidArgument, message, item);
    }
}
