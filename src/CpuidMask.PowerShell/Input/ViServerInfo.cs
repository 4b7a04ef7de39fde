using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace CpuidMask.PowerShell.Input
{
    /// <summary>
    /// What the module needs from a PowerCLI connection (a VIServer object, e.g. $global:DefaultVIServer):
    /// where it points and its session, read as plain properties so that no VMware.Vim type is needed.
    /// </summary>
    internal sealed class ViServerInfo
    {
        private ViServerInfo(string name, int? port, string? serviceUri, string? sessionSecret, bool? isConnected, string? user)
        {
            Name = name;
            Port = port;
            ServiceUri = serviceUri;
            SessionSecret = sessionSecret;
            IsConnected = isConnected;
            User = user;
        }

        public string Name { get; }

        public int? Port { get; }

        /// <summary>https://vc01.example.com/sdk as PowerCLI connected to it.</summary>
        public string? ServiceUri { get; }

        /// <summary>The vmware_soap_session value of PowerCLI's session; reused, never logged out.</summary>
        public string? SessionSecret { get; }

        /// <summary>False after Disconnect-VIServer; null when the object does not say.</summary>
        public bool? IsConnected { get; }

        public string? User { get; }

        public ServerAddress Address => new ServerAddress(Name, Port);

        /// <summary>What the vSphere client connects to: the service URI PowerCLI used, else name:port.</summary>
        public string Endpoint =>
            ServiceUri ?? (Port is int port && port != 443 ? Name + ":" + port.ToString(CultureInfo.InvariantCulture) : Name);

        /// <summary>
        /// Reads a VIServer-like object: it must have a Name and at least one of ServiceUri, SessionSecret
        /// or Port, so that a host or VM object passed by mistake is not taken for a server.
        /// </summary>
        public static ViServerInfo? FromObject(object? server, PropertyReader read)
        {
            if (server == null || server is string)
            {
                return null;
            }

            string? name = read.ReadString(server, "Name");
            string? serviceUri = read.ReadString(server, "ServiceUri");
            string? secret = read.ReadString(server, "SessionSecret");
            object? portValue = read(server, "Port");
            if (name == null || (serviceUri == null && secret == null && portValue == null))
            {
                return null;
            }

            int? port = portValue switch
            {
                int i => i,
                string s when int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed) => parsed,
                IConvertible c => SafeInt(c),
                _ => null,
            };
            bool? connected = read(server, "IsConnected") switch
            {
                bool b => b,
                string s when bool.TryParse(s, out bool parsed) => parsed,
                _ => null,
            };
            return new ViServerInfo(name, port, serviceUri, secret, connected, read.ReadString(server, "User"));
        }

        /// <summary>
        /// Which PowerCLI connection serves an object that came from <paramref name="wanted"/> (or any
        /// object, when null): the matching one of <c>$global:DefaultVIServers</c>, else the default
        /// server when it matches or nothing was asked for.
        /// </summary>
        public static ViServerInfo? Choose(ServerAddress? wanted, IEnumerable<ViServerInfo> connected, ViServerInfo? defaultServer)
        {
            if (wanted == null)
            {
                return defaultServer;
            }

            if (defaultServer != null && defaultServer.Address.Matches(wanted))
            {
                return defaultServer;
            }

            return connected.FirstOrDefault(s => s.Address.Matches(wanted) && s.IsConnected != false)
                ?? connected.FirstOrDefault(s => s.Address.Matches(wanted))
                ?? connected.FirstOrDefault(s => string.Equals(s.Name, wanted.Host, StringComparison.OrdinalIgnoreCase) && wanted.Port == null);
        }

        public override string ToString() => User == null ? Endpoint : User + "@" + Endpoint;

        private static int? SafeInt(IConvertible value)
        {
            try
            {
                return value.ToInt32(CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is FormatException || ex is InvalidCastException || ex is OverflowException)
            {
                return null;
            }
        }
    }
}
