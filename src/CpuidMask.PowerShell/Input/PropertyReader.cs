using System.Collections;

namespace CpuidMask.PowerShell.Input
{
    /// <summary>
    /// Reads a property of an object as PowerShell shows it. The cmdlets read PowerCLI objects through
    /// their PSObject properties (the module never references VMware.Vim); tests read dictionaries.
    /// Returns null when the object has no such property.
    /// </summary>
    internal delegate object? PropertyReader(object target, string name);

    internal static class PropertyReaderExtensions
    {
        /// <summary>Follows a property path (ExtensionData, MoRef, Value), null as soon as a step is missing.</summary>
        public static object? ReadPath(this PropertyReader read, object? target, params string[] path)
        {
            object? current = target;
            foreach (string name in path)
            {
                if (current == null)
                {
                    return null;
                }

                current = read(current, name);
            }

            return current;
        }

        /// <summary>A property's value as text; null when missing or empty.</summary>
        public static string? ReadString(this PropertyReader read, object? target, params string[] path)
        {
            object? value = read.ReadPath(target, path);
            string? text = value?.ToString();
            return string.IsNullOrWhiteSpace(text) ? null : text!.Trim();
        }

        /// <summary>Reads a dictionary's entry (a hashtable standing for an object), case-insensitively.</summary>
        public static object? ReadDictionary(IDictionary dictionary, string name)
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                if (string.Equals(entry.Key?.ToString(), name, System.StringComparison.OrdinalIgnoreCase))
                {
                    return entry.Value;
                }
            }

            return null;
        }
    }
}
