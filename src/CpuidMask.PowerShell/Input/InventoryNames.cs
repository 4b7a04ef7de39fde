using System.Linq;

namespace CpuidMask.PowerShell.Input
{
    internal static class InventoryNames
    {
        /// <summary>
        /// A name made literal for vSphere name matching: wildcard characters (and backticks, once escaping
        /// is needed) are escaped with backticks, as PowerShell's wildcards escape them.
        /// </summary>
        public static string Literal(string name) =>
            name.IndexOfAny(new[] { '*', '?', '[' }) < 0
                ? name
                : string.Concat(name.Select(c => c == '*' || c == '?' || c == '[' || c == ']' || c == '`' ? "`" + c : c.ToString()));
    }
}
