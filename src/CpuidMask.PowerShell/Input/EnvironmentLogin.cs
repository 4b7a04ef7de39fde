using System;
using CpuidMask.Vim;

namespace CpuidMask.PowerShell.Input
{
    /// <summary>
    /// The login a scheduled job can give without PowerCLI or a prompt, through the same environment variables as
    /// the cpuidmask program: a session cookie (CPUIDMASK_SESSION), else a user and password (CPUIDMASK_USER,
    /// CPUIDMASK_PASSWORD). Used only for an explicit -Server without -Credential and without a PowerCLI session
    /// to it. The values are read, never shown.
    /// </summary>
    internal sealed class EnvironmentLogin
    {
        public const string UserVariable = "CPUIDMASK_USER";
        public const string PasswordVariable = "CPUIDMASK_PASSWORD";
        public const string SessionVariable = "CPUIDMASK_SESSION";

        private readonly string? _session;
        private readonly string? _user;
        private readonly string? _password;

        private EnvironmentLogin(string? session, string? user, string? password)
        {
            _session = session;
            _user = user;
            _password = password;
        }

        /// <summary>The session cookie if set, else the user and password if both are set, else null.</summary>
        public static EnvironmentLogin? Read()
        {
            string? session = NullIfEmpty(Environment.GetEnvironmentVariable(SessionVariable));
            if (session != null)
            {
                return new EnvironmentLogin(session, null, null);
            }

            string? user = NullIfEmpty(Environment.GetEnvironmentVariable(UserVariable));
            string? password = Environment.GetEnvironmentVariable(PasswordVariable);
            return user != null && !string.IsNullOrEmpty(password) ? new EnvironmentLogin(null, user, password) : null;
        }

        /// <summary>
        /// CPUIDMASK_USER when it is set but CPUIDMASK_PASSWORD is not (and there is no session cookie), so that the
        /// error can say which half is missing; else null.
        /// </summary>
        public static string? UserWithoutPassword() =>
            NullIfEmpty(Environment.GetEnvironmentVariable(SessionVariable)) == null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PasswordVariable))
                ? NullIfEmpty(Environment.GetEnvironmentVariable(UserVariable))
                : null;

        public VimConnectionOptions Options(string endpoint, string? thumbprint, bool insecure, Action<Engine.Advice> warn) => _session != null
            ? new VimConnectionOptions(endpoint) { SessionCookie = _session, Thumbprint = thumbprint, Insecure = insecure, Warn = warn, Trace = _ => { } }
            : new VimConnectionOptions(endpoint) { UserName = _user, Password = _password, Thumbprint = thumbprint, Insecure = insecure, Warn = warn, Trace = _ => { } };

        private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text!.Trim();
    }
}
