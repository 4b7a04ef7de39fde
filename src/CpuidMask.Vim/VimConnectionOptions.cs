using System;
using System.Diagnostics;
using System.Net.Http;
using CpuidMask.Engine;

namespace CpuidMask.Vim
{
    /// <summary>
    /// How to reach and log in to a vCenter or ESXi host. Either a user name and password, or the
    /// <c>vmware_soap_session</c> value of a session someone else opened (PowerCLI's
    /// VIServer.SessionSecret). The password and the session value can be set but not read back, and
    /// never appear in <see cref="ToString"/>.
    /// </summary>
    public sealed class VimConnectionOptions
    {
        [DebuggerBrowsable(DebuggerBrowsableState.Never)]
        private string? _password;

        [DebuggerBrowsable(DebuggerBrowsableState.Never)]
        private string? _sessionCookie;

        /// <param name="server">"vc01", "vc01:443", "https://vc01/sdk" or an IP address.</param>
        public VimConnectionOptions(string server)
        {
            Server = ParseServer(server);
        }

        public VimConnectionOptions(Uri server)
        {
            Server = ParseServer(server?.ToString() ?? string.Empty);
        }

        /// <summary>The SDK endpoint, always https://host[:port]/sdk.</summary>
        public Uri Server { get; }

        public string? UserName { get; init; }

        /// <summary>Write-only from outside: held privately, sent only in the Login body.</summary>
        [DebuggerBrowsable(DebuggerBrowsableState.Never)]
        public string? Password
        {
            internal get => _password;
            init => _password = value;
        }

        /// <summary>
        /// An existing session's <c>vmware_soap_session</c> cookie value (with or without the quotes the
        /// server puts around it). The client reuses the session and never logs it out.
        /// </summary>
        [DebuggerBrowsable(DebuggerBrowsableState.Never)]
        public string? SessionCookie
        {
            internal get => _sessionCookie;
            init => _sessionCookie = value;
        }

        /// <summary>SHA-256 thumbprint of the server certificate to accept instead of CA validation.</summary>
        public string? Thumbprint { get; init; }

        /// <summary>Accept any certificate. Raises <see cref="Warn"/> on every connection.</summary>
        public bool Insecure { get; init; }

        /// <summary>Receives warnings the user must see (the CLI prints them to stderr, cmdlets call WriteWarning).</summary>
        public Action<Advice>? Warn { get; init; }

        /// <summary>Receives one line per call (method, status, time), never bodies or credentials.</summary>
        public Action<string>? Trace { get; init; }

        /// <summary>Time allowed for each request, connecting included.</summary>
        public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

        /// <summary>
        /// The vim25 version spoken until the server has said its own (RetrieveServiceContent). The
        /// server answers in the schema of the version asked for, so the client switches to
        /// about.apiVersion right after.
        /// </summary>
        public string BootstrapApiVersion { get; init; } = "6.7";

        /// <summary>Replaces the HTTPS handler; tests use it to run the client against recorded answers.</summary>
        internal HttpMessageHandler? MessageHandler { get; init; }

        /// <summary>How often a task's state is polled at first; doubles up to 2 s.</summary>
        internal TimeSpan TaskPollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

        internal bool HasPassword => _password != null;

        internal bool HasSessionCookie => !string.IsNullOrWhiteSpace(_sessionCookie);

        public override string ToString()
        {
            string who = HasSessionCookie ? "existing session" : UserName ?? "(no user)";
            string tls = Insecure ? "insecure" : Thumbprint != null ? "pinned" : "verified";
            return $"{Server} as {who}, TLS {tls}";
        }

        /// <summary>Turns what users type into the SDK endpoint URL.</summary>
        public static Uri ParseServer(string server)
        {
            string text = (server ?? string.Empty).Trim();
            if (text.Length == 0)
            {
                throw Invalid(text, "no server was given");
            }

            if (!text.Contains("://"))
            {
                text = "https://" + text;
            }

            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            {
                throw Invalid(server!, "it is not a host name, host:port or URL");
            }

            if (uri.Scheme != Uri.UriSchemeHttps)
            {
                throw Invalid(server!, "vSphere's SDK is only served over https");
            }

            if (!string.IsNullOrEmpty(uri.UserInfo))
            {
                throw Invalid("(address with user info)", "credentials do not belong in the address; pass them separately");
            }

            string path = uri.AbsolutePath.TrimEnd('/');
            if (path.Length == 0)
            {
                path = "/sdk";
            }

            var builder = new UriBuilder(Uri.UriSchemeHttps, uri.Host, uri.Port, path);
            return builder.Uri;
        }

        private static CpuidMaskException Invalid(string server, string why) => new CpuidMaskException(
            VimErrorIds.AddressInvalid,
            ErrorKind.InvalidArgument,
            $"'{server}' is not a usable vCenter address: {why}. Use a host name or IP, optionally with :port, e.g. vc01.example.com or https://vc01.example.com/sdk.",
            server);
    }
}
