using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using CpuidMask.Engine;
using CpuidMask.Vim.Types;

namespace CpuidMask.Vim.Inventory
{
    internal static class EntityName
    {
        /// <summary>
        /// ManagedEntity.name escapes '/', '\' and '%' as %2f, %5c and %25 (so names can be used in
        /// inventory paths); users type the real characters.
        /// </summary>
        public static string Unescape(string name) =>
            name.IndexOf('%') < 0
                ? name
                : Regex.Replace(name, "%(2[fF]|5[cC]|25)", m => m.Value.ToLowerInvariant() switch
                {
                    "%2f" => "/",
                    "%5c" => "\\",
                    _ => "%",
                });

        /// <summary>
        /// An object's display name (its name property, unescaped), or its id when it has none. vSphere names are never
        /// empty; an empty one (a damaged answer) is taken as none, since every message and undo record needs a name.
        /// </summary>
        public static string Of(ObjectContent content) =>
            content.GetString("name") is string name && name.Trim().Length > 0 ? Unescape(name) : content.Obj.Value;

        /// <summary>"No VM named 'x' on vc01 (known VMs include …)": a misspelt name, with what was there instead.</summary>
        public static CpuidMaskException NotFound(string errorId, string what, IReadOnlyList<string> missing, IEnumerable<string> known, string server)
        {
            var sample = known.OrderBy(n => n, StringComparer.OrdinalIgnoreCase).Take(10).ToArray();
            string knownText = sample.Length == 0 ? $"the server has no {what}s visible to this account" : $"known {what}s include {string.Join(", ", sample)}";
            string names = string.Join(", ", missing.Select(m => "'" + m + "'"));
            return new CpuidMaskException(
                errorId,
                ErrorKind.ObjectNotFound,
                $"No {what} named {names} on {server} ({knownText}). Check the spelling, or use a wildcard such as '{missing[0]}*'.",
                missing.Count == 1 ? missing[0] : (object)missing.ToArray());
        }
    }
}
