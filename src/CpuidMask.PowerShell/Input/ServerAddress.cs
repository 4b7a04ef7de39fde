using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace CpuidMask.PowerShell.Input
{
    /// <summary>A vCenter named by host and (optionally) port, as PowerCLI's Uid and VIServer objects name it.</summary>
    internal sealed class ServerAddress : IEquatable<ServerAddress>
    {
        // PowerCLI's Uid: /VIServer=vsphere.local\administrator@vc01.example.com:443/VMHost=HostSystem-host-12/
        private static readonly Regex UidServer = new Regex(
            @"^/VIServer=(?:(?<user>[^/]*)@)?(?<host>[^/@:]+|\[[^\]]+\])(?::(?<port>\d+))?/",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        public ServerAddress(string host, int? port = null)
        {
            if (string.IsNullOrWhiteSpace(host))
            {
                throw new ArgumentException("A server address needs a host.", nameof(host));
            }

            Host = host.Trim();
            Port = port;
        }

        public string Host { get; }

        /// <summary>Null when not stated; vCenter's default is 443.</summary>
        public int? Port { get; }

        /// <summary>The server part of a PowerCLI Uid, or null when the text is not one.</summary>
        public static ServerAddress? FromUid(string? uid)
        {
            var match = UidServer.Match(uid ?? string.Empty);
            if (!match.Success)
            {
                return null;
            }

            int? port = match.Groups["port"].Success ? int.Parse(match.Groups["port"].Value, CultureInfo.InvariantCulture) : (int?)null;
            return new ServerAddress(match.Groups["host"].Value, port);
        }

        /// <summary>What a user typed for -Server: "vc01", "vc01:8443", "https://vc01/sdk".</summary>
        public static ServerAddress Parse(string text)
        {
            string trimmed = (text ?? string.Empty).Trim();
            if (Uri.TryCreate(trimmed.Contains("://") ? trimmed : "https://" + trimmed, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Host))
            {
                bool explicitPort = trimmed.Contains("://")
                    ? !uri.IsDefaultPort
                    : Regex.IsMatch(trimmed, @":\d+(/|$)");
                return new ServerAddress(uri.Host, explicitPort ? uri.Port : (int?)null);
            }

            return new ServerAddress(trimmed);
        }

        /// <summary>Same host (case-insensitive) and, where both state one, the same port (443 when unstated).</summary>
        public bool Matches(ServerAddress other) =>
            string.Equals(Host.Trim('[', ']'), other.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase)
            && (Port ?? 443) == (other.Port ?? 443);

        public bool Equals(ServerAddress? other) => other != null && Matches(other);

        public override bool Equals(object? obj) => Equals(obj as ServerAddress);

        public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(Host.Trim('[', ']')) ^ (Port ?? 443);

        public override string ToString() => Port == null ? Host : Host + ":" + Port.Value.ToString(CultureInfo.InvariantCulture);
    }
}
