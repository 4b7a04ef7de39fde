using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.PowerShell.Input;
using CpuidMask.Vim;
using CpuidMask.Vim.Inventory;
using CpuidMask.Vim.Types;

namespace CpuidMask.PowerShell.Commands
{
    /// <summary>
    /// What every cmdlet that talks to a vCenter shares: the four connection parameters (declared once, as
    /// PowerShell's web cmdlets share theirs on one base), sessions (PowerCLI's, borrowed; our own login; or the
    /// CPUIDMASK_* environment), and one way to resolve host and VM inputs: grouped by the vCenter each came from,
    /// read by reference or by name in a constant number of round trips, de-duplicated, and checked that an object's
    /// reference still names that object on the vCenter it is sent to.
    /// </summary>
    public abstract class VCenterCmdlet : CpuidMaskCmdlet
    {
        /// <summary>How long a reconfiguration task may run before the command stops waiting for it.</summary>
        internal static readonly TimeSpan TaskTimeout = TimeSpan.FromMinutes(5);

        private readonly Dictionary<string, VimClient> _clients = new Dictionary<string, VimClient>(StringComparer.OrdinalIgnoreCase);

        /// <summary>The vCenter: a PowerCLI connection or a name. Default: the connection each input came from, else $global:DefaultVIServer.</summary>
        [Parameter]
        public virtual object? Server { get; set; }

        /// <summary>Logs in to -Server with these credentials instead of reusing PowerCLI's session.</summary>
        [Parameter]
        [Credential]
        public virtual PSCredential? Credential { get; set; }

        /// <summary>SHA-256 thumbprint of the vCenter's certificate, accepted instead of CA validation.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public virtual string? Thumbprint { get; set; }

        /// <summary>Accepts any certificate (warns every time). Prefer -Thumbprint.</summary>
        [Parameter]
        public virtual SwitchParameter SkipCertificateCheck { get; set; }

        /// <summary>
        /// The session for inputs that came from <paramref name="origin"/> (a PowerCLI object's vCenter, or null for
        /// names): -Server when given, else that vCenter's PowerCLI connection, else $global:DefaultVIServer.
        /// </summary>
        private protected VimClient Connect(ServerAddress? origin) => Connect(Server, Credential, Thumbprint, SkipCertificateCheck, origin);

        /// <summary>Reads -VM inputs (PowerCLI VMs, Get-VmCpuidMask output, names); an unusable one is its own error.</summary>
        private protected List<InventoryInput> ReadVmInputs(IEnumerable<object>? items)
        {
            var inputs = new List<InventoryInput>();
            foreach (var value in UnwrapAll(items))
            {
                try
                {
                    inputs.Add(InventoryInput.ForVm(value, Read));
                }
                catch (CpuidMaskException ex)
                {
                    WriteItemError(ex, value);
                }
            }

            return inputs;
        }

        /// <summary>
        /// Hosts for the inputs, each with its session: PowerCLI objects by reference (and only if the reference
        /// still names that host), names and wildcards by name; each host once, in the order of the first input that
        /// names it. A missing or mismatched host is that input's error; the others go on.
        /// </summary>
        private protected IReadOnlyList<Resolved<HostCpuRecord>> ReadHosts(IReadOnlyList<InventoryInput> inputs) =>
            Resolve(
                inputs,
                client => new HostInventory(client, ReadProgress),
                (inventory, refs, token) => inventory.ReadHostsAsync(refs, token),
                (inventory, names, token) => inventory.ReadHostsAsync(names, token),
                r => r.MoRef,
                r => r.Name,
                VimErrorIds.HostNotFound,
                "Host",
                "Get-VMHost");

        /// <summary>VMs for the inputs, as <see cref="ReadHosts"/> does for hosts.</summary>
        private protected IReadOnlyList<Resolved<VmRecord>> ReadVms(IReadOnlyList<InventoryInput> inputs) =>
            Resolve(
                inputs,
                client => new VmInventory(client, ReadProgress),
                (inventory, refs, token) => inventory.ReadVmsAsync(refs, token),
                (inventory, names, token) => inventory.FindVmsAsync(names, token),
                r => r.MoRef,
                r => r.Name,
                VimErrorIds.VmNotFound,
                "VM",
                "Get-VM");

        protected override void Dispose(bool disposing)
        {
            foreach (var client in _clients.Values)
            {
                // Logs out only the sessions this command opened; PowerCLI's borrowed session stays open.
                client.Dispose();
            }

            _clients.Clear();
        }

        private IReadOnlyList<Resolved<TRecord>> Resolve<TInventory, TRecord>(
            IReadOnlyList<InventoryInput> inputs,
            Func<VimClient, TInventory> inventoryFor,
            Func<TInventory, IEnumerable<ManagedObjectReference>, CancellationToken, Task<IReadOnlyList<TRecord>>> readByReference,
            Func<TInventory, IEnumerable<string>, CancellationToken, Task<IReadOnlyList<TRecord>>> readByName,
            Func<TRecord, ManagedObjectReference> moRefOf,
            Func<TRecord, string> nameOf,
            string notFoundId,
            string what,
            string powerCliCommand)
        {
            var resolved = new List<(Resolved<TRecord> Item, int Order)>();
            // One session and a constant number of round trips per vCenter, however many objects were given.
            foreach (var group in inputs.GroupBy(i => Server != null ? null : i.Server))
            {
                var client = Connect(group.Key);
                var inventory = inventoryFor(client);
                var byReference = group.Where(i => i.MoRef != null).ToArray();
                var byName = group.Where(i => i.MoRef == null).ToArray();
                var records = KeepTheObjectsGiven(
                        ReadEach(byReference, (some, token) => readByReference(inventory, some.Select(i => i.MoRef!), token)),
                        byReference,
                        client.ServerName,
                        moRefOf,
                        nameOf,
                        notFoundId,
                        what,
                        powerCliCommand)
                    .Concat(ReadEach(byName, (some, token) => readByName(inventory, some.Select(i => i.Text), token)))
                    .GroupBy(moRefOf)
                    .Select(g => g.First());
                foreach (var record in records)
                {
                    var input = FirstInputFor(group, moRefOf(record), nameOf(record));
                    resolved.Add((new Resolved<TRecord>(client, record, input), input == null ? int.MaxValue : IndexOf(inputs, input)));
                }
            }

            return resolved.OrderBy(r => r.Order).ThenBy(r => nameOf(r.Item.Record), StringComparer.OrdinalIgnoreCase).Select(r => r.Item).ToArray();
        }

        /// <summary>
        /// References are only unique within one vCenter: vm-42 of another vCenter (a -Server other than the one the
        /// object came from) is a different VM. An object that names itself must get that object back; otherwise the
        /// mismatch is that input's error, and nothing is done to whatever carries the reference there.
        /// </summary>
        private IReadOnlyList<TRecord> KeepTheObjectsGiven<TRecord>(
            IReadOnlyList<TRecord> records,
            IReadOnlyList<InventoryInput> inputs,
            string server,
            Func<TRecord, ManagedObjectReference> moRefOf,
            Func<TRecord, string> nameOf,
            string notFoundId,
            string what,
            string powerCliCommand)
        {
            var kept = new List<TRecord>();
            foreach (var record in records.GroupBy(moRefOf).Select(g => g.First()))
            {
                bool wanted = false;
                foreach (var input in inputs.Where(i => moRefOf(record).Equals(i.MoRef)))
                {
                    if (input.Text == input.MoRef!.Value || string.Equals(input.Text, nameOf(record), StringComparison.OrdinalIgnoreCase))
                    {
                        wanted = true;
                        continue;
                    }

                    WriteItemError(
                        new CpuidMaskException(
                            notFoundId,
                            ErrorKind.ObjectNotFound,
                            $"{what} {input.Text} ({input.MoRef.Value}) is not on {server}: {input.MoRef.Value} there is {nameOf(record)}. " +
                            $"Pass the vCenter the {what.ToLowerInvariant()} came from with -Server, or, if the {what.ToLowerInvariant()} was renamed, read it again with {powerCliCommand}. Nothing was done to {nameOf(record)}.",
                            input.Text),
                        input.Original);
                }

                if (wanted)
                {
                    kept.Add(record);
                }
            }

            return kept;
        }

        private static InventoryInput? FirstInputFor(IEnumerable<InventoryInput> inputs, ManagedObjectReference moRef, string name) =>
            inputs.FirstOrDefault(i => i.MoRef != null
                ? i.MoRef.Equals(moRef)
                : new WildcardPattern(i.Text, WildcardOptions.IgnoreCase).IsMatch(name));

        private static int IndexOf(IReadOnlyList<InventoryInput> inputs, InventoryInput input)
        {
            for (int i = 0; i < inputs.Count; i++)
            {
                if (ReferenceEquals(inputs[i], input))
                {
                    return i;
                }
            }

            return int.MaxValue;
        }

        private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

        /// <summary>
        /// Opens (or reuses within this command) a vSphere session. <paramref name="server"/> is a PowerCLI
        /// VIServer (its session is borrowed), a name or URL (PowerCLI's session to it is borrowed, or with
        /// <paramref name="credential"/> this command logs in and out itself), or null: the PowerCLI
        /// connection the input came from (<paramref name="origin"/>), else <c>$global:DefaultVIServer</c>.
        /// </summary>
        private VimClient Connect(object? server, PSCredential? credential, string? thumbprint, bool skipCertificateCheck, ServerAddress? origin)
        {
            object? serverValue = Unwrap(server);
            ViServerInfo? borrowed = null;
            EnvironmentLogin? fromEnvironment = null;
            string endpoint;
            if (serverValue is string text)
            {
                if (string.IsNullOrWhiteSpace(text))
                {
                    throw Terminate("VCenterAddressInvalid", ErrorKind.InvalidArgument, "-Server is empty; name the vCenter, e.g. -Server vc01.example.com.", text);
                }

                if (credential == null)
                {
                    borrowed = ViServerInfo.Choose(ServerAddress.Parse(text), ConnectedServers(), DefaultServer());
                    fromEnvironment = borrowed == null ? EnvironmentLogin.Read() : null;
                    if (borrowed == null && fromEnvironment == null && EnvironmentLogin.UserWithoutPassword() is string user)
                    {
                        throw Terminate(
                            "VCenterCredentialRequired",
                            ErrorKind.InvalidArgument,
                            $"{EnvironmentLogin.UserVariable} is set ({user}) but {EnvironmentLogin.PasswordVariable} is not, so there is no login for '{text}': " +
                            $"set {EnvironmentLogin.PasswordVariable} to {user}'s password, pass -Credential, or run 'Connect-VIServer {text}' first.",
                            text);
                    }

                    if (borrowed == null && fromEnvironment == null)
                    {
                        throw Terminate(
                            "VCenterCredentialRequired",
                            ErrorKind.InvalidArgument,
                            $"There is no PowerCLI session to '{text}' to reuse. Pass -Credential (Get-Credential, or a stored one: Import-Clixml) to log in to it, " +
                            $"run 'Connect-VIServer {text}' first, or set {EnvironmentLogin.SessionVariable} (a session cookie) or {EnvironmentLogin.UserVariable} and {EnvironmentLogin.PasswordVariable} for unattended runs.",
                            text);
                    }

                    endpoint = borrowed?.Endpoint ?? text.Trim();
                }
                else
                {
                    endpoint = text.Trim();
                }
            }
            else if (serverValue != null)
            {
                borrowed = ViServerInfo.FromObject(serverValue, Read);
                if (borrowed == null)
                {
                    throw Terminate(
                        "VCenterServerInvalid",
                        ErrorKind.InvalidArgument,
                        $"-Server takes a vCenter name or a PowerCLI connection (Connect-VIServer's output, $global:DefaultVIServer), not a {serverValue.GetType().Name}.",
                        serverValue);
                }

                endpoint = borrowed.Endpoint;
            }
            else
            {
                if (credential != null)
                {
                    throw Terminate("VCenterServerRequired", ErrorKind.InvalidArgument, "-Credential needs -Server: name the vCenter to log in to, e.g. -Server vc01 -Credential (Get-Credential).", credential.UserName);
                }

                borrowed = ViServerInfo.Choose(origin, ConnectedServers(), DefaultServer());
                if (borrowed == null)
                {
                    string from = origin == null ? string.Empty : $" The input came from {origin}, which has no PowerCLI connection now.";
                    throw Terminate(
                        "NoVCenterSession",
                        ErrorKind.ConnectionError,
                        "No vCenter connection to use." + from + " Run Connect-VIServer first (the module reuses PowerCLI's session), or pass -Server vc01 -Credential (Get-Credential).",
                        origin?.ToString());
                }

                endpoint = borrowed.Endpoint;
            }

            bool useSession = borrowed != null && credential == null;
            if (useSession)
            {
                if (borrowed!.IsConnected == false)
                {
                    throw Terminate("VCenterSessionClosed", ErrorKind.ConnectionError, $"PowerCLI's connection to {borrowed.Name} is closed (Disconnect-VIServer). Connect again with Connect-VIServer {borrowed.Name}.", borrowed.Name);
                }

                if (borrowed.SessionSecret == null)
                {
                    throw Terminate(
                        "VCenterSessionUnavailable",
                        ErrorKind.ConnectionError,
                        $"PowerCLI's connection to {borrowed.Name} does not expose its session (the SessionSecret property, PowerCLI 6.5 and later). Update PowerCLI, or pass -Server {borrowed.Name} -Credential (Get-Credential).",
                        borrowed.Name);
                }
            }

            string key = useSession ? "session|" + endpoint
                : fromEnvironment != null ? "environment|" + endpoint
                : "login|" + credential!.UserName + "|" + endpoint;
            if (_clients.TryGetValue(key, out var existing))
            {
                return existing;
            }

            VimConnectionOptions options;
            try
            {
                options = fromEnvironment != null
                    ? fromEnvironment.Options(endpoint, NullIfEmpty(thumbprint), skipCertificateCheck, QueueWarning)
                    : useSession
                    ? new VimConnectionOptions(endpoint)
                    {
                        SessionCookie = borrowed!.SessionSecret,
                        Thumbprint = NullIfEmpty(thumbprint),
                        Insecure = skipCertificateCheck,
                        Warn = QueueWarning,
                        Trace = _ => { },
                    }
                    : new VimConnectionOptions(endpoint)
                    {
                        UserName = credential!.UserName,
                        Password = credential.GetNetworkCredential().Password,
                        Thumbprint = NullIfEmpty(thumbprint),
                        Insecure = skipCertificateCheck,
                        Warn = QueueWarning,
                        Trace = _ => { },
                    };
            }
            catch (CpuidMaskException ex)
            {
                throw Terminate(ex, endpoint);
            }

            VimClient client;
            try
            {
                client = Wait(token => VimClient.ConnectAsync(options, token));
            }
            catch (CpuidMaskException ex)
            {
                throw Terminate(ex, endpoint);
            }

            _clients[key] = client;
            WriteVerbose($"Connected to {client}.");
            return client;
        }

        /// <summary>The PowerCLI connections of the session (<c>$global:DefaultVIServers</c>).</summary>
        private protected IReadOnlyList<ViServerInfo> ConnectedServers()
        {
            var value = Unwrap(GetVariableValue("global:DefaultVIServers"));
            if (value == null)
            {
                return Array.Empty<ViServerInfo>();
            }

            var items = value is IEnumerable many && !(value is string) ? many.Cast<object?>() : new[] { value };
            return items.Select(i => ViServerInfo.FromObject(Unwrap(i), Read)).Where(s => s != null).Select(s => s!).ToArray();
        }

        /// <summary>PowerCLI's current default connection (<c>$global:DefaultVIServer</c>), or null.</summary>
        private protected ViServerInfo? DefaultServer() => ViServerInfo.FromObject(Unwrap(GetVariableValue("global:DefaultVIServer")), Read);

        /// <summary>
        /// Reads inventory objects for many inputs in one call. One missing object fails a whole vSphere
        /// call, so then each input is read alone and only the missing ones are reported (per item).
        /// </summary>
        private protected IReadOnlyList<TResult> ReadEach<TResult>(
            IReadOnlyList<InventoryInput> inputs,
            Func<IReadOnlyList<InventoryInput>, CancellationToken, Task<IReadOnlyList<TResult>>> read)
        {
            if (inputs.Count == 0)
            {
                return Array.Empty<TResult>();
            }

            try
            {
                return Wait(token => read(inputs, token));
            }
            catch (CpuidMaskException ex) when (ex.Kind == ErrorKind.ObjectNotFound)
            {
                if (inputs.Count == 1)
                {
                    WriteItemError(ex, inputs[0].Original);
                    return Array.Empty<TResult>();
                }
            }

            var results = new List<TResult>();
            foreach (var input in inputs)
            {
                try
                {
                    results.AddRange(Wait(token => read(new[] { input }, token)));
                }
                catch (CpuidMaskException ex) when (ex.Kind == ErrorKind.ObjectNotFound)
                {
                    WriteItemError(ex, input.Original);
                }
            }

            return results;
        }

    }

    /// <summary>An inventory object as read, with the session it was read through and the input that named it.</summary>
    internal sealed class Resolved<TRecord>
    {
        public Resolved(VimClient client, TRecord record, InventoryInput? input)
        {
            Client = client;
            Record = record;
            Input = input;
        }

        public VimClient Client { get; }

        public TRecord Record { get; }

        /// <summary>The first input that named it (the target of errors about it); null if none can be told.</summary>
        public InventoryInput? Input { get; }
    }
}
