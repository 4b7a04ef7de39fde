using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace CpuidMask.Vim.Soap
{
    /// <summary>
    /// Removes the password and the session cookie from any text that leaves the client (messages,
    /// traces). Servers sometimes echo request content in fault strings, so redacting what we build
    /// ourselves is not enough.
    /// </summary>
    internal sealed class SecretRedactor
    {
        public const string Mask = "***";

        private readonly object _gate = new object();
        [DebuggerBrowsable(DebuggerBrowsableState.Never)]
        private readonly List<string> _secrets = new List<string>();

        public void Add(string? secret)
        {
            // Very short "secrets" would turn every message into asterisks; they are also not worth hiding.
            if (string.IsNullOrEmpty(secret) || secret!.Length < 4)
            {
                return;
            }

            lock (_gate)
            {
                if (!_secrets.Contains(secret))
                {
                    _secrets.Add(secret);
                    _secrets.Sort((a, b) => b.Length.CompareTo(a.Length));
                }
            }
        }

        public string Redact(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return text ?? string.Empty;
            }

            lock (_gate)
            {
                foreach (var secret in _secrets)
                {
                    int at;
                    while ((at = text!.IndexOf(secret, StringComparison.Ordinal)) >= 0)
                    {
                        text = text.Substring(0, at) + Mask + text.Substring(at + secret.Length);
                    }
                }
            }

            return text!;
        }
    }
}
