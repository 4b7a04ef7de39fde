using System;
using System.Collections.Generic;
using CpuidMask.Engine;
using CpuidMask.Vim;

namespace CpuidMask.Cli
{
    /// <summary>
    /// The vCenter connection options every live command shares (--server, --user, --session,
    /// --thumbprint, --insecure) and the one place that turns them into a logged-in client. The password
    /// comes only from CPUIDMASK_PASSWORD or a prompt without echo; it is never an argument.
    /// </summary>
    internal sealed class VCenterOptions
    {
        public const string UserVariable = "CPUIDMASK_USER";
        public const string PasswordVariable = "CPUIDMASK_PASSWORD";
        public const string SessionVariable = "CPUIDMASK_SESSION";

        public const string HelpText =
@"vCenter connection:
  --server URL         vCenter or ESXi: host name, host:port or https://host/sdk
  --user U             user name, e.g. administrator@vsphere.local (default: $CPUIDMASK_USER).
                       The password comes from $CPUIDMASK_PASSWORD or, at a terminal, a prompt
                       without echo. There is no --password: arguments show in process listings.
  --session COOKIE     reuse a logged-in session instead of a user (its vmware_soap_session value,
                       e.g. PowerCLI's $global:DefaultVIServer.SessionSecret); never logged out.
                       Default without --user: $CPUIDMASK_SESSION (preferred: arguments are visible).
  --thumbprint SHA256  accept the server certificate with this SHA-256 thumbprint (self-signed
                       vCenter), e.g. from 'openssl x509 -noout -fingerprint -sha256'
  --insecure           accept any certificate; warns on every connection (prefer --thumbprint)
";

        private readonly string? _password;
        private readonly string? _session;

        private VCenterOptions(string server, string? user, string? password, string? session, string? thumbprint, bool insecure)
        {
            Server = server;
            User = user;
            _password = password;
            _session = session;
            Thumbprint = thumbprint;
            Insecure = insecure;
        }

        public static IEnumerable<string> Switches { get; } = new[] { "--insecure" };

        public static IEnumerable<string> SingleValueOptions { get; } = new[] { "--server", "--user", "--session", "--thumbprint" };

        public string Server { get; }

        public string? User { get; }

        public string? Thumbprint { get; }

        public bool Insecure { get; }

        /// <summary>Whether the command line names a vCenter.</summary>
        public static bool IsGiven(Arguments args) => args.Value("--server") != null;

        /// <summary>
        /// Reads the options, the environment and (interactive only) the password prompt. Usage errors
        /// say exactly what is missing; nothing here is sent anywhere yet.
        /// </summary>
        public static VCenterOptions From(Arguments args, CliContext context)
        {
            string server = args.Value("--server") ?? throw Arguments.Usage("Give --server with the vCenter (or ESXi) to connect to.");
            string? user = args.Value("--user");
            string? session = args.Value("--session");
            if (user != null && session != null)
            {
                throw Arguments.Usage("Give --user or --session, not both.");
            }

            if (user == null && session == null)
            {
                session = NullIfEmpty(context.Environment(SessionVariable));
                if (session == null)
                {
                    user = NullIfEmpty(context.Environment(UserVariable));
                }
            }

            if (session != null)
            {
                return new VCenterOptions(server, null, null, session, args.Value("--thumbprint"), args.Has("--insecure"));
            }

            if (user == null)
            {
                throw Arguments.Usage($"No user for {server}: give --user (or set {UserVariable}), or reuse a session with --session / {SessionVariable}.");
            }

            // Set but empty (CPUIDMASK_PASSWORD= on a Unix command line) is no password either: say so rather than
            // log in with an empty one and blame the user name or the password.
            string? password = context.Environment(PasswordVariable);
            if (string.IsNullOrEmpty(password))
            {
                password = null;
            }

            if (password == null && context.Interactive)
            {
                string prompt = $"Password for {user} at {server}: ";
                if (context.ReadSecret != null)
                {
                    password = context.ReadSecret(prompt);
                }
                else
                {
                    context.Err.Write(prompt);
                    password = context.In.ReadLine();
                }
            }

            if (password == null)
            {
                throw Arguments.Usage($"No password for {user} at {server}: set {PasswordVariable}, or run at a terminal to be prompted. (There is no --password option on purpose.)");
            }

            return new VCenterOptions(server, user, password, null, args.Value("--thumbprint"), args.Has("--insecure"));
        }

        /// <summary>Connects and logs in (or borrows the session). The caller disposes the client, which logs out.</summary>
        public VimClient Connect(CliContext context)
        {
            var options = new VimConnectionOptions(Server)
            {
                UserName = User,
                Password = _password,
                SessionCookie = _session,
                Thumbprint = Thumbprint,
                Insecure = Insecure,
                Warn = advice => context.Err.WriteLine("cpuidmask: warning: " + RemedyWording.Describe(advice)),
            };
            try
            {
                return VimCall.Run(() => VimClient.ConnectAsync(options));
            }
            catch (VimFaultException fault) when (fault.FaultType == "InvalidLogin")
            {
                // The fault text is the server's; this says who and where, and never the password.
                throw new CpuidMaskException(
                    fault.ErrorId,
                    fault.Kind,
                    $"login failed for user {User} at server {options.Server.Host}. Check the user name (e.g. administrator@vsphere.local) and the password in {PasswordVariable}.",
                    options.Server.Host);
            }
        }

        private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
    }
}
