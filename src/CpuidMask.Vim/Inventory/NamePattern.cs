using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace CpuidMask.Vim.Inventory
{
    /// <summary>
    /// A name or a PowerShell-style wildcard (<c>*</c>, <c>?</c>, <c>[a-c]</c>), matched without regard to
    /// case as Get-VM -Name does.
    /// </summary>
    public sealed class NamePattern
    {
        private readonly Regex? _regex;

        public NamePattern(string text)
        {
            Text = text ?? throw new ArgumentNullException(nameof(text));
            IsWildcard = text.IndexOfAny(new[] { '*', '?', '[' }) >= 0;
            if (IsWildcard)
            {
                _regex = new Regex(ToRegex(text), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
            }
        }

        public string Text { get; }

        public bool IsWildcard { get; }

        public bool Matches(string name) =>
            _regex != null ? _regex.IsMatch(name) : string.Equals(Text, name, StringComparison.OrdinalIgnoreCase);

        public override string ToString() => Text;

        /// <summary>
        /// The pattern that matches exactly <paramref name="name"/>, for a command a shell prints: a name with a
        /// wildcard character in it gets them (and backticks) escaped with a backtick; any other name is its own pattern.
        /// </summary>
        public static string Escape(string name)
        {
            if (name == null)
            {
                throw new ArgumentNullException(nameof(name));
            }

            if (name.IndexOfAny(new[] { '*', '?', '[' }) < 0)
            {
                return name;
            }

            var builder = new StringBuilder(name.Length + 4);
            foreach (char c in name)
            {
                if (c == '*' || c == '?' || c == '[' || c == '`')
                {
                    builder.Append('`');
                }

                builder.Append(c);
            }

            return builder.ToString();
        }

        /// <summary>
        /// Splits names into those matched and the plain (non-wildcard) patterns that matched nothing;
        /// a wildcard matching nothing is not an error, a misspelt name is.
        /// </summary>
        internal static (List<T> Matched, List<string> Missing) Select<T>(IEnumerable<string> patterns, IEnumerable<T> items, Func<T, string> nameOf)
        {
            var compiled = patterns.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => new NamePattern(p.Trim())).ToArray();
            var list = items.ToArray();
            var matched = new List<T>();
            var missing = new List<string>();
            foreach (var pattern in compiled)
            {
                bool any = false;
                foreach (var item in list)
                {
                    if (pattern.Matches(nameOf(item)))
                    {
                        any = true;
                        if (!matched.Contains(item))
                        {
                            matched.Add(item);
                        }
                    }
                }

                if (!any && !pattern.IsWildcard)
                {
                    missing.Add(pattern.Text);
                }
            }

            return (matched, missing);
        }

        private static string ToRegex(string pattern)
        {
            var builder = new StringBuilder("^");
            for (int i = 0; i < pattern.Length; i++)
            {
                char c = pattern[i];
                switch (c)
                {
                    case '*':
                        builder.Append(".*");
                        break;
                    case '?':
                        builder.Append('.');
                        break;
                    case '`' when i + 1 < pattern.Length:
                        builder.Append(Regex.Escape(pattern[++i].ToString()));
                        break;
                    case '[':
                        int end = pattern.IndexOf(']', i + 1);
                        if (end < 0)
                        {
                            builder.Append(@"\[");
                            break;
                        }

                        string set = pattern.Substring(i + 1, end - i - 1).Replace(@"\", @"\\").Replace("^", @"\^");
                        builder.Append('[').Append(set).Append(']');
                        i = end;
                        break;
                    default:
                        builder.Append(Regex.Escape(c.ToString()));
                        break;
                }
            }

            return builder.Append('$').ToString();
        }
    }
}
