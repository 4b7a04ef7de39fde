using System.Xml.Linq;
using CpuidMask.Vim.Soap;

namespace CpuidMask.Vim.Types
{
    /// <summary>The part of ServiceContent this tool uses: where the managers live and what the server is.</summary>
    public sealed class ServiceContent
    {
        public ManagedObjectReference? RootFolder { get; init; }

        public ManagedObjectReference? PropertyCollector { get; init; }

        public ManagedObjectReference? ViewManager { get; init; }

        public ManagedObjectReference? SessionManager { get; init; }

        public ManagedObjectReference? TaskManager { get; init; }

        public AboutInfo About { get; init; } = new AboutInfo();

        internal static ServiceContent FromXml(XElement e) => new ServiceContent
        {
            RootFolder = ManagedObjectReference.FromXml(e.Child("rootFolder")),
            PropertyCollector = ManagedObjectReference.FromXml(e.Child("propertyCollector")),
            ViewManager = ManagedObjectReference.FromXml(e.Child("viewManager")),
            SessionManager = ManagedObjectReference.FromXml(e.Child("sessionManager")),
            TaskManager = ManagedObjectReference.FromXml(e.Child("taskManager")),
            About = AboutInfo.FromXml(e.Child("about")),
        };
    }

    /// <summary>ServiceContent.about: product and API version of the endpoint.</summary>
    public sealed class AboutInfo
    {
        public string? Name { get; init; }

        /// <summary>e.g. "VMware vCenter Server 8.0.2 build-22385739".</summary>
        public string? FullName { get; init; }

        public string? Version { get; init; }

        public string? Build { get; init; }

        /// <summary>"VirtualCenter" or "HostAgent" (a host reached directly).</summary>
        public string? ApiType { get; init; }

        /// <summary>e.g. "8.0.2.0"; the client speaks this version after RetrieveServiceContent.</summary>
        public string? ApiVersion { get; init; }

        public string? InstanceUuid { get; init; }

        public bool IsVCenter => ApiType == "VirtualCenter";

        internal static AboutInfo FromXml(XElement? e) => e == null ? new AboutInfo() : new AboutInfo
        {
            Name = e.Text("name"),
            FullName = e.Text("fullName"),
            Version = e.Text("version"),
            Build = e.Text("build"),
            ApiType = e.Text("apiType"),
            ApiVersion = e.Text("apiVersion"),
            InstanceUuid = e.Text("instanceUuid"),
        };
    }

    /// <summary>SessionManager.currentSession / the result of Login.</summary>
    public sealed class UserSession
    {
        public string? Key { get; init; }

        public string? UserName { get; init; }

        public string? FullName { get; init; }

        public string? LoginTime { get; init; }

        public string? IpAddress { get; init; }

        public string? UserAgent { get; init; }

        /// <summary>The session key is a secret equivalent on some versions; it is deliberately left out.</summary>
        public override string ToString() => UserName ?? "(unknown user)";

        internal static UserSession FromXml(XElement e) => new UserSession
        {
            Key = e.Text("key"),
            UserName = e.Text("userName"),
            FullName = e.Text("fullName"),
            LoginTime = e.Text("loginTime"),
            IpAddress = e.Text("ipAddress"),
            UserAgent = e.Text("userAgent"),
        };
    }
}
