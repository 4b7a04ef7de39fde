using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace CpuidMask.Vim.Tls
{
    /// <summary>
    /// SHA-256 thumbprints of server certificates, the way vCenter shows them
    /// ("AB:CD:…", 32 bytes). Pinning one replaces CA validation for a server whose certificate the
    /// user has checked out of band (self-signed VMCA certificates are the norm on vSphere).
    /// </summary>
    public static class CertificateThumbprint
    {
        /// <summary>The SHA-256 of the certificate's DER encoding, as 64 upper-case hex digits.</summary>
        public static string Compute(X509Certificate certificate)
        {
            if (certificate == null)
            {
                throw new ArgumentNullException(nameof(certificate));
            }

            using var sha = SHA256.Create();
            return ToHex(sha.ComputeHash(certificate.GetRawCertData()));
        }

        /// <summary>
        /// Upper-case hex without separators, or null when the text is not a SHA-256 thumbprint.
        /// Accepts colons, spaces and dashes between digits, any case.
        /// </summary>
        public static string? Normalize(string? text)
        {
            if (text == null)
            {
                return null;
            }

            var builder = new StringBuilder(64);
            foreach (char c in text.Trim())
            {
                if (c == ':' || c == ' ' || c == '-')
                {
                    continue;
                }

                if (!Uri.IsHexDigit(c))
                {
                    return null;
                }

                builder.Append(char.ToUpperInvariant(c));
            }

            return builder.Length == 64 ? builder.ToString() : null;
        }

        /// <summary>Whether two thumbprints are the same, ignoring case and separators. False if either is malformed.</summary>
        public static bool Matches(string? expected, string? actual)
        {
            string? a = Normalize(expected);
            string? b = Normalize(actual);
            return a != null && b != null && string.Equals(a, b, StringComparison.Ordinal);
        }

        /// <summary>"AB:CD:…" for display, as the vSphere Client and openssl print it.</summary>
        public static string Format(string thumbprint)
        {
            string hex = Normalize(thumbprint) ?? thumbprint;
            var builder = new StringBuilder(hex.Length * 3 / 2);
            for (int i = 0; i < hex.Length; i += 2)
            {
                if (i > 0)
                {
                    builder.Append(':');
                }

                builder.Append(hex, i, Math.Min(2, hex.Length - i));
            }

            return builder.ToString();
        }

        private static string ToHex(byte[] bytes)
        {
            var builder = new StringBuilder(bytes.Length * 2);
            foreach (byte b in bytes)
            {
                builder.Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }

            return builder.ToString();
        }
    }
}
