using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading;

namespace CpuidMask.Vim.Tls
{
    /// <summary>
    /// Decides whether to trust the server's certificate, and remembers why it refused the last one so
    /// the transport can say so (HttpClient only reports "the SSL connection could not be established").
    /// Three modes: platform validation (default), a pinned SHA-256 thumbprint instead of CA validation,
    /// or insecure (anything; the client warns on every connection).
    /// </summary>
    internal sealed class ServerCertificatePolicy
    {
        private string? _lastPresented;
        private string? _lastRejection;
        private int _rejections;

        public ServerCertificatePolicy(string? pinnedThumbprint, bool insecure)
        {
            PinnedThumbprint = CertificateThumbprint.Normalize(pinnedThumbprint);
            Insecure = insecure;
        }

        public string? PinnedThumbprint { get; }

        public bool Insecure { get; }

        /// <summary>SHA-256 of the last certificate the server presented (hex), if any was seen.</summary>
        public string? LastPresentedThumbprint => Volatile.Read(ref _lastPresented);

        /// <summary>Why the last certificate was refused: "mismatch" or the platform's SslPolicyErrors text.</summary>
        public string? LastRejection => Volatile.Read(ref _lastRejection);

        /// <summary>How many certificates were refused so far; the transport compares before and after a call.</summary>
        public int RejectionCount => Volatile.Read(ref _rejections);

        public bool Validate(X509Certificate2? certificate, SslPolicyErrors errors)
        {
            string? presented = certificate == null ? null : CertificateThumbprint.Compute(certificate);
            Volatile.Write(ref _lastPresented, presented);

            if (Insecure)
            {
                return true;
            }

            if (PinnedThumbprint != null)
            {
                // A pin names the exact certificate, so it stands in for both the chain and the host
                // name check (users reach vCenter by IP as often as by name).
                if (presented != null && CertificateThumbprint.Matches(PinnedThumbprint, presented))
                {
                    return true;
                }

                Volatile.Write(ref _lastRejection, "mismatch");
                Interlocked.Increment(ref _rejections);
                return false;
            }

            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            Volatile.Write(ref _lastRejection, errors.ToString());
            Interlocked.Increment(ref _rejections);
            return false;
        }
    }
}
