using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Vim.Methods;
using CpuidMask.Vim.Soap;
using CpuidMask.Vim.Tls;
using CpuidMask.Vim.Types;

namespace CpuidMask.Vim
{
    /// <summary>
    /// A logged-in connection to vCenter or ESXi. Connects with credentials (and then owns the session
    /// and logs it out on dispose) or borrows an existing session by its cookie (and leaves it alone).
    /// </summary>
    public sealed class VimClient : IDisposable
    {
        private static readonly TimeSpan MaxPollInterval = TimeSpan.FromSeconds(2);

        private readonly SoapTransport _transport;
        private readonly VimConnectionOptions _options;
        private int _closed;

        private VimClient(VimConnectionOptions options, SoapTransport transport, ServiceContent content, UserSession? session, bool ownsSession)
        {
            _options = options;
            _transport = transport;
            ServiceContent = content;
            CurrentSession = session;
            OwnsSession = ownsSession;
            Service = new VimService(transport);
            PropertyCollector = new PropertyCollector(Service, content);
        }

        /// <summary>The SDK endpoint, https://host[:port]/sdk.</summary>
        public Uri Server => _transport.Server;

        /// <summary>The server's host name as the user gave it; used in profile sources ("vcenter vc01/host-10").</summary>
        public string ServerName => _transport.Server.Host;

        public ServiceContent ServiceContent { get; }

        public UserSession? CurrentSession { get; }

        /// <summary>True when this client logged in itself; false for a borrowed session, which it never logs out.</summary>
        public bool OwnsSession { get; }

        /// <summary>The wire methods.</summary>
        public VimService Service { get; }

        public PropertyCollector PropertyCollector { get; }

        /// <summary>The cookie currently sent; for tests only, never shown.</summary>
        [DebuggerBrowsable(DebuggerBrowsableState.Never)]
        internal string? SessionCookie => _transport.SessionCookie;

        public static async Task<VimClient> ConnectAsync(VimConnectionOptions options, CancellationToken cancellationToken = default)
        {
            if (options == null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            Validate(options);
            if (options.Insecure)
            {
                // Every connection, not just the first: a user who scripted --insecure once must keep seeing it.
                options.Warn?.Invoke(new Advice(
                    $"TLS certificate checks are OFF for {options.Server} (insecure): any machine on the network path can pose as this server and receive the credentials. " +
                    "Pin the server's certificate instead.",
                    new Remedy(RemedyKind.PinThumbprint)));
            }

            var policy = options.MessageHandler == null ? new ServerCertificatePolicy(options.Thumbprint, options.Insecure) : null;
            var handler = options.MessageHandler ?? CreateHandler(options, policy!);
            var redactor = new SecretRedactor();
            redactor.Add(options.Password);
            var transport = new SoapTransport(options.Server, handler, policy, redactor, options.Timeout, options.Trace, options.BootstrapApiVersion);
            try
            {
                if (options.HasSessionCookie)
                {
                    transport.SetSessionCookie(options.SessionCookie!);
                }

                var service = new VimService(transport);
                var content = await service.RetrieveServiceContent(cancellationToken).ConfigureAwait(false);
                if (!string.IsNullOrWhiteSpace(content.About.ApiVersion))
                {
                    transport.Version = content.About.ApiVersion!.Trim();
                }

                var sessionManager = content.SessionManager ?? throw new CpuidMaskException(
                    VimErrorIds.ResponseMalformed,
                    ErrorKind.InvalidData,
                    $"{options.Server} did not name its sessionManager in ServiceContent. Check that the address points at vCenter or ESXi.",
                    options.Server.ToString());

                if (options.HasSessionCookie)
                {
                    var session = await VerifySessionAsync(transport, service, content, sessionManager, cancellationToken).ConfigureAwait(false);
                    return new VimClient(options, transport, content, session, ownsSession: false);
                }

                var user = await service.Login(sessionManager, options.UserName!, options.Password!, cancellationToken).ConfigureAwait(false);
                return new VimClient(options, transport, content, user, ownsSession: true);
            }
            catch
            {
                transport.Dispose();
                throw;
            }
        }

        /// <summary>
        /// Polls Task.info until the task succeeds (returns its info), fails (throws its fault as a
        /// <see cref="VimFaultException"/>) or <paramref name="timeout"/> passes (throws
        /// VCenterTaskTimeout; the task itself goes on).
        /// </summary>
        public async Task<TaskInfo> WaitForTaskAsync(ManagedObjectReference task, TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            var watch = Stopwatch.StartNew();
            var delay = _options.TaskPollInterval;
            while (true)
            {
                var contents = await PropertyCollector.RetrieveAsync(new[] { task }, "Task", new[] { "info" }, cancellationToken).ConfigureAwait(false);
                var value = contents.FirstOrDefault()?["info"] ?? throw new CpuidMaskException(
                    VimErrorIds.ResponseMalformed,
                    ErrorKind.InvalidData,
                    $"{Server} returned no info for task {task.Value}.",
                    task.ToString());
                var info = TaskInfo.FromXml(value);
                switch (info.State)
                {
                    case TaskInfoState.Success:
                        return info;
                    case TaskInfoState.Error:
                        var fault = info.Error;
                        string action = (info.DescriptionId ?? "task " + task.Value) + (info.EntityName != null ? " on " + info.EntityName : string.Empty);
                        throw _transport.CreateFault(fault?.FaultType ?? "SystemError", fault?.LocalizedMessage, info.DescriptionId ?? task.Value, fault?.Fault, action);
                }

                var remaining = timeout - watch.Elapsed;
                if (remaining <= TimeSpan.Zero)
                {
                    string what = (info.DescriptionId ?? "task") + (info.EntityName != null ? " on " + info.EntityName : string.Empty);
                    throw new CpuidMaskException(
                        VimErrorIds.TaskTimeout,
                        ErrorKind.ResourceUnavailable,
                        $"{ServerName}: {what} ({task.Value}) did not finish within {timeout.TotalSeconds:0.#} s; it is still {info.State.ToString().ToLowerInvariant()}. " +
                        "It was not cancelled: check Recent Tasks in the vSphere Client, and read the VM again before retrying.",
                        task.ToString());
                }

                await Task.Delay(delay < remaining ? delay : remaining, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxPollInterval.Ticks));
            }
        }

        /// <summary>
        /// The tasks on <paramref name="entity"/> that are queued or running now, from TaskManager.recentTask (the
        /// API reference: the tasks that completed recently, are running or are queued, that this session may see).
        /// After a lost answer it tells whether the change may still be under way; empty when the server keeps no
        /// task manager (a host reached directly keeps one too).
        /// </summary>
        public async Task<IReadOnlyList<ManagedObjectReference>> UnfinishedTasksOnAsync(ManagedObjectReference entity, CancellationToken cancellationToken = default)
        {
            if (ServiceContent.TaskManager is not ManagedObjectReference manager)
            {
                return Array.Empty<ManagedObjectReference>();
            }

            var listing = await PropertyCollector.RetrieveAsync(new[] { manager }, "TaskManager", new[] { "recentTask" }, cancellationToken).ConfigureAwait(false);
            var tasks = listing.FirstOrDefault()?.GetArray("recentTask", e => ManagedObjectReference.FromXml(e)) ?? Array.Empty<ManagedObjectReference?>();
            var known = tasks.OfType<ManagedObjectReference>().ToArray();
            if (known.Length == 0)
            {
                return Array.Empty<ManagedObjectReference>();
            }

            var infos = await PropertyCollector.RetrieveAsync(known, "Task", new[] { "info.entity", "info.state" }, cancellationToken).ConfigureAwait(false);
            return infos
                .Where(c => entity.Equals(c.GetMoRef("info.entity")))
                .Where(c => c.GetString("info.state") is "queued" or "running")
                .Select(c => c.Obj)
                .ToArray();
        }

        /// <summary>Logs out a session this client opened; does nothing for a borrowed one.</summary>
        public async Task LogoutAsync(CancellationToken cancellationToken = default)
        {
            if (!OwnsSession || Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return;
            }

            await Service.Logout(ServiceContent.SessionManager!, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Logs out (own sessions only, best effort, at most 10 s) and releases the connection.</summary>
        public void Dispose()
        {
            if (OwnsSession && Volatile.Read(ref _closed) == 0)
            {
                try
                {
                    using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    Task.Run(() => LogoutAsync(limit.Token)).GetAwaiter().GetResult();
                }
                catch (Exception ex)
                {
                    // Dispose must not throw, and the session times out on the server anyway.
                    _options.Trace?.Invoke($"Logout from {Server} failed: {ex.GetType().Name}");
                }
            }

            Interlocked.Exchange(ref _closed, 1);
            _transport.Dispose();
        }

        public override string ToString() =>
            $"{Server} as {CurrentSession?.UserName ?? "(unknown user)"}" + (OwnsSession ? string.Empty : " (borrowed session)");

        private static void Validate(VimConnectionOptions options)
        {
            bool hasUser = !string.IsNullOrEmpty(options.UserName) || options.HasPassword;
            if (options.HasSessionCookie && hasUser)
            {
                throw new CpuidMaskException(
                    VimErrorIds.CredentialsInvalid,
                    ErrorKind.InvalidArgument,
                    $"For {options.Server} both a session and a user name/password were given; pass one or the other.",
                    options.Server.ToString());
            }

            if (!options.HasSessionCookie && (string.IsNullOrEmpty(options.UserName) || !options.HasPassword))
            {
                throw new CpuidMaskException(
                    VimErrorIds.CredentialsInvalid,
                    ErrorKind.InvalidArgument,
                    $"No way to log in to {options.Server}: pass a user name and a password, or an existing session (PowerCLI's SessionSecret).",
                    options.Server.ToString());
            }

            if (options.Thumbprint != null)
            {
                if (options.Insecure)
                {
                    throw new CpuidMaskException(
                        VimErrorIds.TlsOptionsInvalid,
                        ErrorKind.InvalidArgument,
                        "Pass either a certificate thumbprint to pin or insecure, not both; pinning is the safe one.",
                        options.Thumbprint);
                }

                if (CertificateThumbprint.Normalize(options.Thumbprint) == null)
                {
                    string hex = new string(options.Thumbprint.Where(Uri.IsHexDigit).ToArray());
                    string hint = hex.Length == 40
                        ? "That looks like a SHA-1 thumbprint (40 hex digits); pass the SHA-256 one (64 hex digits), e.g. from 'openssl x509 -noout -fingerprint -sha256'."
                        : "Expected 64 hex digits, optionally grouped by colons, e.g. from 'openssl x509 -noout -fingerprint -sha256'.";
                    throw new CpuidMaskException(
                        VimErrorIds.TlsOptionsInvalid,
                        ErrorKind.InvalidArgument,
                        $"'{options.Thumbprint}' is not a SHA-256 certificate thumbprint. {hint}",
                        options.Thumbprint);
                }
            }
        }

        private static HttpMessageHandler CreateHandler(VimConnectionOptions options, ServerCertificatePolicy policy)
        {
            var handler = new HttpClientHandler
            {
                // The session cookie is handled by hand so that it goes only to this server and can be
                // kept out of every message.
                UseCookies = false,
                AllowAutoRedirect = false,
            };
            if (handler.SupportsAutomaticDecompression)
            {
                handler.AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate;
            }

            try
            {
                handler.ServerCertificateCustomValidationCallback = (request, certificate, chain, errors) => policy.Validate(certificate, errors);
            }
            catch (PlatformNotSupportedException ex)
            {
                handler.Dispose();
                throw new CpuidMaskException(
                    VimErrorIds.TlsOptionsInvalid,
                    ErrorKind.NotImplemented,
                    "This .NET runtime cannot check server certificates per connection; install .NET Framework 4.8 (Windows PowerShell) or use PowerShell 7.",
                    options.Server.ToString(),
                    ex);
            }

            return handler;
        }

        private static async Task<UserSession> VerifySessionAsync(
            SoapTransport transport,
            VimService service,
            ServiceContent content,
            ManagedObjectReference sessionManager,
            CancellationToken cancellationToken)
        {
            var collector = new PropertyCollector(service, content);
            System.Xml.Linq.XElement? current = null;
            try
            {
                var contents = await collector.RetrieveAsync(new[] { sessionManager }, "SessionManager", new[] { "currentSession" }, cancellationToken).ConfigureAwait(false);
                current = contents.FirstOrDefault()?["currentSession"];
            }
            catch (VimFaultException fault) when (fault.FaultType == "NotAuthenticated")
            {
                // Reported below with the same words as an empty currentSession.
            }

            if (current == null)
            {
                throw transport.CreateFault(
                    "NotAuthenticated",
                    "it is not logged in (expired, logged out by Disconnect-VIServer, or opened on another server)",
                    "SessionManager.currentSession",
                    null,
                    "the existing session");
            }

            return UserSession.FromXml(current);
        }
    }
}
