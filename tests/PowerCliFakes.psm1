# Stand-ins for the PowerCLI cmdlets and objects CpuidMask works with, for tests where PowerCLI (VMware.Vim)
# cannot be installed. Connect-VIServer, Disconnect-VIServer, Get-VMHost, Get-VM and Get-Cluster talk to a real
# vCenter simulator over SOAP (log in, list the inventory, log out) and return objects of PowerCLI's own type
# names and shapes: VIServerImpl, VMHostImpl, UniversalVirtualMachineImpl, ClusterImpl, with ExtensionData of
# VMware.Vim.HostSystem / VirtualMachine / ClusterComputeResource carrying the simulator's real managed object
# references. They keep $global:DefaultVIServer and $global:DefaultVIServers as PowerCLI does (multiple default
# servers: the newest connection first, and commands without -Server run against all of them).
#
# The shapes follow PowerCLI's reference (developer.broadcom.com/powercli: VIServer, VMHost, VirtualMachine,
# Cluster structures): Id "HostSystem-host-12", Uid "/VIServer=user@server:443/VMHost=HostSystem-host-12/",
# ToString() is the Name. Only what the tests and the help examples use is modelled.
#
# A test names the simulators it may connect to with Add-FakeVIServer (the name a user would type, e.g. vc01,
# its URL, the certificate thumbprint to trust and, like a PowerCLI credential store item, a credential); the
# connection is named by the simulator's address (127.0.0.1), the name that name resolves to.
# PowerShell 7 or Windows PowerShell 5.1 (.NET Framework 4.7.1 or later).

$source = @'
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;

namespace VMware.Vim
{
    public class ManagedObjectReference
    {
        public ManagedObjectReference() { }

        /// <summary>PowerCLI's "Type-value" form, e.g. HostSystem-host-12.</summary>
        public ManagedObjectReference(string typeAndValue)
        {
            int dash = typeAndValue.IndexOf('-');
            Type = typeAndValue.Substring(0, dash);
            Value = typeAndValue.Substring(dash + 1);
        }

        public ManagedObjectReference(string type, string value)
        {
            Type = type;
            Value = value;
        }

        public string Type { get; set; }
        public string Value { get; set; }
        public string ServerGuid { get; set; }

        public override string ToString() { return Type + "-" + Value; }
    }

    public class ViewBase
    {
        public ManagedObjectReference MoRef { get; set; }
    }

    public class ExtensibleManagedObject : ViewBase { }

    public class ManagedEntity : ExtensibleManagedObject
    {
        public string Name { get; set; }
        public ManagedObjectReference Parent { get; set; }
    }

    public enum HostSystemConnectionState { connected, notResponding, disconnected }
    public enum HostSystemPowerState { poweredOn, poweredOff, standBy, unknown }
    public enum VirtualMachinePowerState { poweredOff, poweredOn, suspended }

    public class HostRuntimeInfo
    {
        public HostSystemConnectionState ConnectionState { get; set; }
        public HostSystemPowerState PowerState { get; set; }
        public bool InMaintenanceMode { get; set; }
    }

    public class HostSystem : ManagedEntity
    {
        public HostRuntimeInfo Runtime { get; set; }
        public ManagedObjectReference[] Vm { get; set; }
    }

    public class OptionValue
    {
        public string Key { get; set; }
        public object Value { get; set; }
    }

    public class HostFeatureMask
    {
        public string Key { get; set; }
        public string FeatureName { get; set; }
        public string Value { get; set; }
    }

    public class VirtualMachineRuntimeInfo
    {
        public ManagedObjectReference Host { get; set; }
        public VirtualMachinePowerState PowerState { get; set; }
        public HostFeatureMask[] FeatureMask { get; set; }
    }

    public class VirtualMachineConfigInfo
    {
        public string Name { get; set; }
        public string Version { get; set; }
        public string GuestId { get; set; }
        public OptionValue[] ExtraConfig { get; set; }
    }

    public class VirtualMachine : ManagedEntity
    {
        public VirtualMachineRuntimeInfo Runtime { get; set; }
        public VirtualMachineConfigInfo Config { get; set; }
    }

    public class ComputeResource : ManagedEntity
    {
        public ManagedObjectReference[] Host { get; set; }
    }

    public class ClusterComputeResource : ComputeResource { }

    public class Folder : ManagedEntity
    {
        public string[] ChildType { get; set; }
    }

    public class ServiceInstance : ViewBase { }
}

namespace VMware.VimAutomation.ViCore.Types.V1.Inventory
{
    public enum PowerState { PoweredOff, PoweredOn, Suspended }
    public enum VMHostState { Connected, Disconnected, NotResponding, Maintenance }
    public enum VMHostPowerState { PoweredOn, PoweredOff, Standby, Unknown }
}

namespace VMware.VimAutomation.ViCore.Impl.V1
{
    public class VIServerImpl
    {
        public string Name { get; set; }
        public int Port { get; set; }
        public Uri ServiceUri { get; set; }
        public string SessionSecret { get; set; }
        public bool IsConnected { get; set; }
        public string User { get; set; }
        /// <summary>/VIServer=user@name:port/</summary>
        public string Id { get; set; }
        public string Uid { get { return Id; } }
        public string Version { get; set; }
        public string Build { get; set; }
        public string ProductLine { get; set; }
        public string InstanceUuid { get; set; }
        public int RefCount { get; set; }
        public VMware.Vim.ServiceInstance ExtensionData { get; set; }

        public override string ToString() { return Name; }
    }
}

namespace VMware.VimAutomation.ViCore.Impl.V1.Inventory
{
    using VMware.VimAutomation.ViCore.Types.V1.Inventory;

    public class InventoryItemImpl
    {
        /// <summary>Type-value, e.g. HostSystem-host-12.</summary>
        public string Id { get; set; }
        /// <summary>/VIServer=user@name:port/VMHost=HostSystem-host-12/</summary>
        public string Uid { get; set; }
        public string Name { get; set; }
        public string ParentId { get; set; }

        public override string ToString() { return Name; }
    }

    public class VMHostImpl : InventoryItemImpl
    {
        public VMHostState ConnectionState { get; set; }
        public VMHostState State { get; set; }
        public VMHostPowerState PowerState { get; set; }
        public bool IsStandalone { get; set; }
        public string ProcessorType { get; set; }
        public string Version { get; set; }
        public string Build { get; set; }
        public string MaxEVCMode { get; set; }
        public VMware.Vim.HostSystem ExtensionData { get; set; }
    }

    public class ClusterImpl : InventoryItemImpl
    {
        public string EVCMode { get; set; }
        public VMware.Vim.ClusterComputeResource ExtensionData { get; set; }
    }

    public class FolderImpl : InventoryItemImpl
    {
        public VMware.Vim.Folder ExtensionData { get; set; }
    }
}

namespace VMware.VimAutomation.ViCore.Impl.V1.VM
{
    using VMware.VimAutomation.ViCore.Impl.V1.Inventory;
    using VMware.VimAutomation.ViCore.Types.V1.Inventory;

    public class UniversalVirtualMachineImpl : InventoryItemImpl
    {
        public PowerState PowerState { get; set; }
        public VMHostImpl VMHost { get; set; }
        public string VMHostId { get; set; }
        public string HardwareVersion { get; set; }
        public string GuestId { get; set; }
        public string FolderId { get; set; }
        public VMware.Vim.VirtualMachine ExtensionData { get; set; }
    }
}

namespace PowerCliFakes
{
    using VMware.Vim;

    /// <summary>One managed entity as the property collector returned it.</summary>
    public sealed class InventoryEntity
    {
        public ManagedObjectReference MoRef { get; set; }
        public Dictionary<string, object> Properties { get; private set; }

        public InventoryEntity() { Properties = new Dictionary<string, object>(StringComparer.Ordinal); }

        public string Text(string path)
        {
            object value;
            return Properties.TryGetValue(path, out value) ? value as string : null;
        }

        public ManagedObjectReference Ref(string path)
        {
            object value;
            return Properties.TryGetValue(path, out value) ? value as ManagedObjectReference : null;
        }

        public T[] Array<T>(string path)
        {
            object value;
            return Properties.TryGetValue(path, out value) && value is T[] ? (T[])value : new T[0];
        }

        public ManagedObjectReference[] Refs(string path)
        {
            object value;
            return Properties.TryGetValue(path, out value) && value is ManagedObjectReference[] ? (ManagedObjectReference[])value : new ManagedObjectReference[0];
        }
    }

    /// <summary>The few vim25 calls PowerCLI makes to log in and list an inventory, with the server certificate pinned.</summary>
    public sealed class VimSoapClient : IDisposable
    {
        private static readonly XNamespace Soap = "http://schemas.xmlsoap.org/soap/envelope/";
        private static readonly XNamespace Vim = "urn:vim25";
        private static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";
        private readonly HttpClient _http;
        private readonly Uri _url;
        private string _cookie;

        public VimSoapClient(Uri url, string thumbprint)
        {
            _url = url;
            string pinned = Normalize(thumbprint);
            var handler = new HttpClientHandler { UseCookies = false };
            handler.ServerCertificateCustomValidationCallback = (request, certificate, chain, errors) =>
            {
                using (var sha = SHA256.Create())
                {
                    return pinned != null && Normalize(BitConverter.ToString(sha.ComputeHash(certificate.RawData))) == pinned;
                }
            };
            _http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
        }

        public string Cookie { get { return _cookie; } set { _cookie = value; } }

        public XElement ServiceContent { get; private set; }

        public XElement About { get { return ServiceContent.Element(Vim + "about"); } }

        public ManagedObjectReference Content(string name) { return ReadRef(ServiceContent.Element(Vim + name)); }

        public void RetrieveServiceContent()
        {
            ServiceContent = Call("RetrieveServiceContent", Mor("_this", "ServiceInstance", "ServiceInstance")).Element(Vim + "returnval");
        }

        public void Login(string user, string password)
        {
            Call("Login", Mor("_this", Content("sessionManager")), new XElement(Vim + "userName", user), new XElement(Vim + "password", password));
            if (_cookie == null)
            {
                throw new InvalidOperationException("The server set no vmware_soap_session cookie at login.");
            }
        }

        public void Logout()
        {
            Call("Logout", Mor("_this", Content("sessionManager")));
        }

        /// <summary>Every entity of the given types under the root folder with the given property paths (one ContainerView).</summary>
        public List<InventoryEntity> List(IDictionary<string, string[]> pathsByType)
        {
            var view = ReadRef(Call("CreateContainerView",
                Mor("_this", Content("viewManager")),
                Mor("container", Content("rootFolder")),
                pathsByType.Keys.Select(t => new XElement(Vim + "type", t)),
                new XElement(Vim + "recursive", "true")).Element(Vim + "returnval"));
            try
            {
                var spec = new XElement(Vim + "specSet",
                    pathsByType.Select(p => new XElement(Vim + "propSet",
                        new XElement(Vim + "type", p.Key),
                        p.Value.Select(path => new XElement(Vim + "pathSet", path)))),
                    new XElement(Vim + "objectSet",
                        Mor("obj", view),
                        new XElement(Vim + "skip", "true"),
                        new XElement(Vim + "selectSet", new XAttribute(Xsi + "type", "TraversalSpec"),
                            new XElement(Vim + "name", "traverseView"),
                            new XElement(Vim + "type", "ContainerView"),
                            new XElement(Vim + "path", "view"),
                            new XElement(Vim + "skip", "false"))));
                var entities = new List<InventoryEntity>();
                var result = Call("RetrievePropertiesEx", Mor("_this", Content("propertyCollector")), spec, new XElement(Vim + "options")).Element(Vim + "returnval");
                while (result != null)
                {
                    entities.AddRange(result.Elements(Vim + "objects").Select(ReadEntity));
                    var token = result.Element(Vim + "token");
                    result = token == null ? null
                        : Call("ContinueRetrievePropertiesEx", Mor("_this", Content("propertyCollector")), new XElement(Vim + "token", token.Value)).Element(Vim + "returnval");
                }

                return entities;
            }
            finally
            {
                Call("DestroyView", Mor("_this", view));
            }
        }

        /// <summary>Renames an inventory object (Rename_Task) and waits for the task, as Set-VM -Name does.</summary>
        public void Rename(ManagedObjectReference entity, string newName)
        {
            var task = ReadRef(Call("Rename_Task", Mor("_this", entity), new XElement(Vim + "newName", newName)).Element(Vim + "returnval"));
            for (int i = 0; i < 100; i++)
            {
                var spec = new XElement(Vim + "specSet",
                    new XElement(Vim + "propSet", new XElement(Vim + "type", "Task"), new XElement(Vim + "pathSet", "info.state")),
                    new XElement(Vim + "objectSet", Mor("obj", task)));
                var found = Call("RetrievePropertiesEx", Mor("_this", Content("propertyCollector")), spec, new XElement(Vim + "options")).Element(Vim + "returnval");
                var state = found == null ? null : found.Elements(Vim + "objects").Select(ReadEntity).Select(t => t.Text("info.state")).FirstOrDefault();
                if (state == "success") { return; }
                if (state == "error") { throw new InvalidOperationException("Rename_Task of " + entity + " failed."); }
                System.Threading.Thread.Sleep(50);
            }

            throw new TimeoutException("Rename_Task of " + entity + " did not finish.");
        }

        public void Dispose() { _http.Dispose(); }

        private static InventoryEntity ReadEntity(XElement objectContent)
        {
            var entity = new InventoryEntity { MoRef = ReadRef(objectContent.Element(Vim + "obj")) };
            foreach (var property in objectContent.Elements(Vim + "propSet"))
            {
                string name = property.Element(Vim + "name").Value;
                var val = property.Element(Vim + "val");
                string type = (string)val.Attribute(Xsi + "type") ?? string.Empty;
                type = type.Substring(type.IndexOf(':') + 1);
                if (type == "ManagedObjectReference")
                {
                    entity.Properties[name] = ReadRef(val);
                }
                else if (type == "ArrayOfManagedObjectReference")
                {
                    entity.Properties[name] = val.Elements().Select(ReadRef).ToArray();
                }
                else if (type == "ArrayOfOptionValue")
                {
                    entity.Properties[name] = val.Elements().Select(e => new OptionValue { Key = Child(e, "key"), Value = Child(e, "value") }).ToArray();
                }
                else if (type == "ArrayOfHostFeatureMask")
                {
                    entity.Properties[name] = val.Elements().Select(e => new HostFeatureMask { Key = Child(e, "key"), FeatureName = Child(e, "featureName"), Value = Child(e, "value") }).ToArray();
                }
                else if (type.StartsWith("ArrayOf", StringComparison.Ordinal))
                {
                    entity.Properties[name] = val.Elements().Select(e => e.Value).ToArray();
                }
                else
                {
                    entity.Properties[name] = val.Value;
                }
            }

            return entity;
        }

        private static string Child(XElement element, string name)
        {
            var child = element.Element(Vim + name);
            return child == null ? null : child.Value;
        }

        private static ManagedObjectReference ReadRef(XElement element)
        {
            return element == null ? null : new ManagedObjectReference((string)element.Attribute("type"), element.Value);
        }

        private static XElement Mor(string name, string type, string value)
        {
            return new XElement(Vim + name, new XAttribute("type", type), value);
        }

        private static XElement Mor(string name, ManagedObjectReference moRef)
        {
            return Mor(name, moRef.Type, moRef.Value);
        }

        private XElement Call(string method, params object[] parameters)
        {
            var body = new XElement(Soap + "Envelope",
                new XAttribute(XNamespace.Xmlns + "soapenv", Soap.NamespaceName),
                new XAttribute(XNamespace.Xmlns + "xsi", Xsi.NamespaceName),
                new XElement(Soap + "Body", new XElement(Vim + method, new XAttribute("xmlns", Vim.NamespaceName), parameters)));
            using (var request = new HttpRequestMessage(HttpMethod.Post, _url))
            {
                request.Content = new StringContent(body.ToString(SaveOptions.DisableFormatting), Encoding.UTF8, "text/xml");
                request.Headers.TryAddWithoutValidation("SOAPAction", "urn:vim25/7.0.3.0");
                if (_cookie != null)
                {
                    request.Headers.TryAddWithoutValidation("Cookie", "vmware_soap_session=" + _cookie);
                }

                using (var response = _http.SendAsync(request).GetAwaiter().GetResult())
                {
                    IEnumerable<string> cookies;
                    if (response.Headers.TryGetValues("Set-Cookie", out cookies))
                    {
                        foreach (string part in cookies.SelectMany(c => c.Split(';')).Select(p => p.Trim()))
                        {
                            if (part.StartsWith("vmware_soap_session=", StringComparison.Ordinal) && part.Length > "vmware_soap_session=".Length)
                            {
                                _cookie = part.Substring("vmware_soap_session=".Length);
                            }
                        }
                    }

                    var document = XDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
                    var result = document.Root.Element(Soap + "Body").Elements().First();
                    if (result.Name == Soap + "Fault")
                    {
                        throw new InvalidOperationException(method + ": " + (string)result.Element("faultstring"));
                    }

                    return result;
                }
            }
        }

        private static string Normalize(string thumbprint)
        {
            if (string.IsNullOrEmpty(thumbprint))
            {
                return null;
            }

            return new string(thumbprint.Where(Uri.IsHexDigit).Select(char.ToUpperInvariant).ToArray());
        }
    }
}
'@

if (-not ('PowerCliFakes.VimSoapClient' -as [type])) {
    # PowerShell 7 compiles against all of .NET's reference assemblies; Windows PowerShell needs these named.
    $references = if ($PSVersionTable.PSEdition -eq 'Desktop') { @('System.Net.Http', 'System.Xml', 'System.Xml.Linq', 'System.Core') } else { @() }
    Add-Type -TypeDefinition $source -ReferencedAssemblies $references -Language CSharp
}

# The simulators tests may connect to, by the name users type: name -> @{ Url; Thumbprint; Credential }.
$script:Endpoints = [ordered]@{}
# The SOAP client of each open connection, by VIServerImpl.Id.
$script:Clients = @{}

$script:HostPaths = @('name', 'parent', 'runtime.connectionState', 'runtime.powerState', 'runtime.inMaintenanceMode',
    'summary.hardware.cpuModel', 'summary.config.product.version', 'summary.config.product.build', 'summary.maxEVCModeKey', 'vm')
$script:VmPaths = @('name', 'parent', 'runtime.host', 'runtime.powerState', 'runtime.featureMask', 'config.version', 'config.guestId', 'config.extraConfig')
$script:ComputePaths = @('name', 'parent', 'host')
$script:ClusterPaths = @('name', 'parent', 'host', 'summary.currentEVCModeKey')
$script:ContainerPaths = @('name', 'parent')

function Add-FakeVIServer {
    <#
    .SYNOPSIS
    Makes a simulator reachable by Connect-VIServer under a name (the DNS name a user would type), with the
    certificate thumbprint to trust and, like a PowerCLI credential store item, the credential to log in with.
    #>
    param(
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [uri] $Url,
        [Parameter(Mandatory)] [string] $Thumbprint,
        [pscredential] $Credential
    )
    $script:Endpoints[$Name] = @{ Url = $Url; Thumbprint = $Thumbprint; Credential = $Credential }
}

function Get-FakeVIServerClient {
    # The SOAP session behind a VIServerImpl (for tests that read the simulator back independently).
    param([Parameter(Mandatory)] $Server)
    $script:Clients[$Server.Id]
}

function Connect-VIServer {
    [CmdletBinding()]
    [OutputType([VMware.VimAutomation.ViCore.Impl.V1.VIServerImpl])]
    param(
        [Parameter(Mandatory, Position = 0)] [string[]] $Server,
        [int] $Port = 0,
        [pscredential] $Credential,
        [string] $User,
        [string] $Password,
        [switch] $NotDefault,
        [switch] $Force
    )
    foreach ($name in $Server) {
        $endpoint = $script:Endpoints[$name]
        if (-not $endpoint) {
            $record = New-Object System.Management.Automation.ErrorRecord (
                (New-Object System.Net.WebException "Could not resolve the requested VC server."), 'Client20_ConnectivityServiceImpl_Reconnect_NameResolutionFailure',
                [System.Management.Automation.ErrorCategory]::ObjectNotFound, $name)
            $PSCmdlet.WriteError($record)
            continue
        }
        $url = [uri]$endpoint.Url
        if ($Port -and $Port -ne $url.Port) {
            $PSCmdlet.WriteError((New-Object System.Management.Automation.ErrorRecord (
                (New-Object System.Net.WebException "Could not connect to $name on port $Port."), 'Client20_ConnectivityServiceImpl_Reconnect_SoapException',
                [System.Management.Automation.ErrorCategory]::ConnectionError, $name)))
            continue
        }
        $login = if ($Credential) { $Credential }
            elseif ($User) { New-Object pscredential ($User, (ConvertTo-SecureString $Password -AsPlainText -Force)) }
            elseif ($endpoint.Credential) { $endpoint.Credential }
            else { Get-Credential -Message "Log in to $name" }

        $client = New-Object PowerCliFakes.VimSoapClient ($url, $endpoint.Thumbprint)
        $client.RetrieveServiceContent()
        $client.Login($login.UserName, $login.GetNetworkCredential().Password)
        $about = $client.About
        # PowerCLI names a connection after the server as typed and connects to https://<that name>/sdk, so its
        # Name and ServiceUri agree. A test cannot make vc01 resolve: the name stands for the simulator's
        # address, and the connection is named by that address, as if the user had typed it.
        $id = '/VIServer={0}@{1}:{2}/' -f $login.UserName, $url.Host, $url.Port
        $connection = New-Object VMware.VimAutomation.ViCore.Impl.V1.VIServerImpl -Property @{
            Name          = $url.Host
            Port          = $url.Port
            ServiceUri    = New-Object uri ('https://{0}:{1}/sdk' -f $url.Host, $url.Port)
            SessionSecret = $client.Cookie
            IsConnected   = $true
            User          = $login.UserName
            Id            = $id
            Version       = $about.Element([System.Xml.Linq.XName]::Get('version', 'urn:vim25')).Value
            Build         = $about.Element([System.Xml.Linq.XName]::Get('build', 'urn:vim25')).Value
            ProductLine   = $about.Element([System.Xml.Linq.XName]::Get('productLineId', 'urn:vim25')).Value
            InstanceUuid  = $about.Element([System.Xml.Linq.XName]::Get('instanceUuid', 'urn:vim25')).Value
            RefCount      = 1
            ExtensionData = New-Object VMware.Vim.ServiceInstance -Property @{ MoRef = New-Object VMware.Vim.ManagedObjectReference ('ServiceInstance', 'ServiceInstance') }
        }
        $script:Clients[$id] = $client

        if (-not $NotDefault) {
            # PowerCLI's multiple default servers: the newest first; a new session to the same server replaces the old one.
            $previous = Get-Variable -Name DefaultVIServers -Scope Global -ValueOnly -ErrorAction SilentlyContinue
            $others = @($previous | Where-Object { $null -ne $_ -and $_.Id -ne $id })
            $global:DefaultVIServers = @(@($connection) + $others)
            $global:DefaultVIServer = $connection
        }
        $connection
    }
}

function Disconnect-VIServer {
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    param(
        [Parameter(Position = 0, ValueFromPipeline)] [object[]] $Server,
        [switch] $Force
    )
    process {
        $targets = if ($null -eq $Server) { @($global:DefaultVIServer) }
            elseif ($Server -contains '*') { @($global:DefaultVIServers) }
            else { foreach ($item in $Server) { if ($item -is [string]) { $global:DefaultVIServers | Where-Object Name -eq $item } else { $item } } }
        foreach ($target in @($targets | Where-Object { $null -ne $_ })) {
            if (-not $PSCmdlet.ShouldProcess($target.Name, 'Disconnect')) { continue }
            $client = $script:Clients[$target.Id]
            if ($client) {
                try { $client.Logout() } finally { $client.Dispose(); $script:Clients.Remove($target.Id) }
            }
            $target.IsConnected = $false
            $global:DefaultVIServers = @(@($global:DefaultVIServers) | Where-Object { $null -ne $_ -and $_.Id -ne $target.Id })
            $global:DefaultVIServer = if ($global:DefaultVIServers.Count) { $global:DefaultVIServers[0] } else { $null }
        }
    }
}

function Resolve-TargetServer {
    # -Server as PowerCLI reads it: VIServer objects or names of connected servers; else every default server.
    param($Server, $Command)
    if ($null -eq $Server) {
        $defaults = Get-Variable -Name DefaultVIServers -Scope Global -ValueOnly -ErrorAction SilentlyContinue
        $servers = @($defaults | Where-Object { $null -ne $_ -and $_.IsConnected })
        if (-not $servers) {
            throw "${Command}: You are not currently connected to any servers. Please connect first using a Connect cmdlet."
        }
        return $servers
    }
    foreach ($item in $Server) {
        if ($item -is [VMware.VimAutomation.ViCore.Impl.V1.VIServerImpl]) { $item }
        else { @($global:DefaultVIServers) | Where-Object { $null -ne $_ -and $_.Name -eq [string]$item } }
    }
}

function Read-Inventory {
    # Every folder, datacenter, cluster, host and VM of one server, with the properties the objects show.
    param([Parameter(Mandatory)] $Server)
    $client = $script:Clients[$Server.Id]
    if (-not $client -or -not $Server.IsConnected) { throw "The connection to $($Server.Name) is closed: run Connect-VIServer $($Server.Name)." }
    $paths = New-Object 'System.Collections.Generic.Dictionary[string,string[]]'
    $paths['HostSystem'] = $script:HostPaths
    $paths['VirtualMachine'] = $script:VmPaths
    $paths['ComputeResource'] = $script:ComputePaths
    $paths['ClusterComputeResource'] = $script:ClusterPaths
    $paths['Folder'] = $script:ContainerPaths
    $paths['Datacenter'] = $script:ContainerPaths
    $entities = @{}
    foreach ($entity in $client.List($paths)) { $entities[$entity.MoRef.ToString()] = $entity }
    $entities
}

function New-Uid {
    param($Server, [string] $Kind, [string] $Id)
    '{0}{1}={2}/' -f $Server.Id, $Kind, $Id
}

function ConvertTo-VMHostImpl {
    param($Server, $Entity, $Inventory)
    $id = $Entity.MoRef.ToString()
    $parent = $Entity.Ref('parent')
    $connection = $Entity.Text('runtime.connectionState')
    $state = if ($Entity.Text('runtime.inMaintenanceMode') -eq 'true') { 'Maintenance' } elseif ($connection -eq 'notResponding') { 'NotResponding' } elseif ($connection) { $connection } else { 'Connected' }
    $power = switch ($Entity.Text('runtime.powerState')) { 'poweredOff' { 'PoweredOff' } 'standBy' { 'Standby' } 'unknown' { 'Unknown' } default { 'PoweredOn' } }
    New-Object VMware.VimAutomation.ViCore.Impl.V1.Inventory.VMHostImpl -Property @{
        Id              = $id
        Uid             = New-Uid $Server 'VMHost' $id
        Name            = $Entity.Text('name')
        ParentId        = if ($parent) { $parent.ToString() } else { $null }
        ConnectionState = $state
        State           = $state
        PowerState      = $power
        IsStandalone    = $parent -and $parent.Type -eq 'ComputeResource'
        ProcessorType   = $Entity.Text('summary.hardware.cpuModel')
        Version         = $Entity.Text('summary.config.product.version')
        Build           = $Entity.Text('summary.config.product.build')
        MaxEVCMode      = $Entity.Text('summary.maxEVCModeKey')
        ExtensionData   = New-Object VMware.Vim.HostSystem -Property @{
            MoRef   = $Entity.MoRef
            Name    = $Entity.Text('name')
            Parent  = $parent
            Vm      = $Entity.Refs('vm')
            Runtime = New-Object VMware.Vim.HostRuntimeInfo -Property @{
                ConnectionState   = if ($connection) { $connection } else { 'connected' }
                PowerState        = if ($Entity.Text('runtime.powerState')) { $Entity.Text('runtime.powerState') } else { 'poweredOn' }
                InMaintenanceMode = $Entity.Text('runtime.inMaintenanceMode') -eq 'true'
            }
        }
    }
}

function ConvertTo-VirtualMachineImpl {
    param($Server, $Entity, $Inventory)
    $id = $Entity.MoRef.ToString()
    $hostRef = $Entity.Ref('runtime.host')
    $parent = $Entity.Ref('parent')
    $power = switch ($Entity.Text('runtime.powerState')) { 'poweredOn' { 'PoweredOn' } 'suspended' { 'Suspended' } default { 'PoweredOff' } }
    New-Object VMware.VimAutomation.ViCore.Impl.V1.VM.UniversalVirtualMachineImpl -Property @{
        Id              = $id
        Uid             = New-Uid $Server 'VirtualMachine' $id
        Name            = $Entity.Text('name')
        ParentId        = if ($parent) { $parent.ToString() } else { $null }
        FolderId        = if ($parent) { $parent.ToString() } else { $null }
        PowerState      = $power
        VMHostId        = if ($hostRef) { $hostRef.ToString() } else { $null }
        VMHost          = if ($hostRef -and $Inventory[$hostRef.ToString()]) { ConvertTo-VMHostImpl $Server $Inventory[$hostRef.ToString()] $Inventory } else { $null }
        HardwareVersion = $Entity.Text('config.version')
        GuestId         = $Entity.Text('config.guestId')
        ExtensionData   = New-Object VMware.Vim.VirtualMachine -Property @{
            MoRef   = $Entity.MoRef
            Name    = $Entity.Text('name')
            Parent  = $parent
            Runtime = New-Object VMware.Vim.VirtualMachineRuntimeInfo -Property @{
                Host        = $hostRef
                PowerState  = $Entity.Text('runtime.powerState')
                FeatureMask = $Entity.Array[VMware.Vim.HostFeatureMask]('runtime.featureMask')
            }
            Config  = New-Object VMware.Vim.VirtualMachineConfigInfo -Property @{
                Name        = $Entity.Text('name')
                Version     = $Entity.Text('config.version')
                GuestId     = $Entity.Text('config.guestId')
                ExtraConfig = $Entity.Array[VMware.Vim.OptionValue]('config.extraConfig')
            }
        }
    }
}

function ConvertTo-ClusterImpl {
    param($Server, $Entity)
    $id = $Entity.MoRef.ToString()
    $parent = $Entity.Ref('parent')
    New-Object VMware.VimAutomation.ViCore.Impl.V1.Inventory.ClusterImpl -Property @{
        Id            = $id
        Uid           = New-Uid $Server 'Cluster' $id
        Name          = $Entity.Text('name')
        ParentId      = if ($parent) { $parent.ToString() } else { $null }
        EVCMode       = $Entity.Text('summary.currentEVCModeKey')
        ExtensionData = New-Object VMware.Vim.ClusterComputeResource -Property @{ MoRef = $Entity.MoRef; Name = $Entity.Text('name'); Parent = $parent; Host = $Entity.Refs('host') }
    }
}

function Test-Under {
    # Whether an entity is (or is inside) one of the container references: its folder chain, and for a VM its host's.
    param($Entity, [string[]] $Containers, $Inventory)
    $seen = @{}
    $pending = New-Object System.Collections.Generic.Queue[object]
    $pending.Enqueue($Entity)
    while ($pending.Count) {
        $current = $pending.Dequeue()
        $key = $current.MoRef.ToString()
        if ($seen[$key]) { continue }
        $seen[$key] = $true
        if ($Containers -contains $key) { return $true }
        foreach ($next in @($current.Ref('parent'), $current.Ref('runtime.host'))) {
            if ($next -and $Inventory[$next.ToString()]) { $pending.Enqueue($Inventory[$next.ToString()]) }
        }
    }
    $false
}

function Resolve-Location {
    # -Location as PowerCLI takes it: inventory objects (their Id) or names of folders, datacenters, clusters, hosts.
    param($Location, $Inventory, [string] $Command)
    foreach ($item in $Location) {
        if ($item -is [string]) {
            $found = @($Inventory.Values | Where-Object { $_.MoRef.Type -ne 'VirtualMachine' -and $_.Text('name') -like $item })
            if (-not $found) {
                Write-Error -Message "${Command}: Could not find VIContainer with name '$item'." -ErrorId 'Core_ObnSelector_SelectObjectByNameCore_ObjectNotFound' -Category ObjectNotFound -TargetObject $item
            }
            foreach ($entity in $found) { $entity.MoRef.ToString() }
        }
        elseif ($item.Id) { [string]$item.Id }
    }
}

function Select-ByName {
    param($Objects, [string[]] $Name, [string] $Kind, [string] $Command)
    if (-not $Name) { return $Objects }
    foreach ($pattern in $Name) {
        $matched = @($Objects | Where-Object { $_.Name -like $pattern })
        if (-not $matched -and -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($pattern)) {
            Write-Error -Message "${Command}: $Kind with name '$pattern' was not found using the specified filter(s)." -ErrorId "Core_OutputHelper_WriteNotFoundError" -Category ObjectNotFound -TargetObject $pattern
        }
        $matched
    }
}

function Get-VMHost {
    [CmdletBinding()]
    [OutputType([VMware.VimAutomation.ViCore.Impl.V1.Inventory.VMHostImpl])]
    param(
        [Parameter(Position = 0)] [string[]] $Name,
        [Parameter(ValueFromPipeline)] [object[]] $Location,
        [object[]] $Server
    )
    begin { $locations = New-Object System.Collections.Generic.List[object] }
    process { if ($Location) { $locations.AddRange([object[]]$Location) } }
    end {
        foreach ($target in Resolve-TargetServer $Server 'Get-VMHost') {
            $inventory = Read-Inventory $target
            $containers = if ($locations.Count) { @(Resolve-Location $locations $inventory 'Get-VMHost') } else { $null }
            $hosts = foreach ($entity in $inventory.Values | Where-Object { $_.MoRef.Type -eq 'HostSystem' } | Sort-Object { $_.Text('name') }) {
                if ($null -eq $containers -or (Test-Under $entity $containers $inventory)) { ConvertTo-VMHostImpl $target $entity $inventory }
            }
            Select-ByName @($hosts) $Name 'VMHost' 'Get-VMHost'
        }
    }
}

function Get-VM {
    [CmdletBinding()]
    [OutputType([VMware.VimAutomation.ViCore.Impl.V1.VM.UniversalVirtualMachineImpl])]
    param(
        [Parameter(Position = 0)] [string[]] $Name,
        [Parameter(ValueFromPipeline)] [object[]] $Location,
        [object[]] $Server
    )
    begin { $locations = New-Object System.Collections.Generic.List[object] }
    process { if ($Location) { $locations.AddRange([object[]]$Location) } }
    end {
        foreach ($target in Resolve-TargetServer $Server 'Get-VM') {
            $inventory = Read-Inventory $target
            $containers = if ($locations.Count) { @(Resolve-Location $locations $inventory 'Get-VM') } else { $null }
            if ($null -ne $containers -and -not $containers) { continue }
            $vms = foreach ($entity in $inventory.Values | Where-Object { $_.MoRef.Type -eq 'VirtualMachine' } | Sort-Object { $_.Text('name') }) {
                if ($null -eq $containers -or (Test-Under $entity $containers $inventory)) { ConvertTo-VirtualMachineImpl $target $entity $inventory }
            }
            Select-ByName @($vms) $Name 'VM' 'Get-VM'
        }
    }
}

function Set-VM {
    # PowerCLI's Set-VM, for what tests need of it: -Name renames the VM (Rename_Task) on the server it came from.
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType([VMware.VimAutomation.ViCore.Impl.V1.VM.UniversalVirtualMachineImpl])]
    param(
        [Parameter(Mandatory, ValueFromPipeline)] [VMware.VimAutomation.ViCore.Impl.V1.VM.UniversalVirtualMachineImpl[]] $VM,
        [Parameter(Mandatory)] [string] $Name
    )
    process {
        foreach ($item in $VM) {
            $server = $global:DefaultVIServers | Where-Object { $item.Uid.StartsWith($_.Id, [StringComparison]::OrdinalIgnoreCase) } | Select-Object -First 1
            if (-not $server) { throw "Set-VM: the server of $($item.Name) is not connected." }
            if ($PSCmdlet.ShouldProcess($item.Name, "Rename to $Name")) {
                $script:Clients[$server.Id].Rename($item.ExtensionData.MoRef, $Name)
                Get-VM $Name -Server $server
            }
        }
    }
}

function Get-Cluster {
    [CmdletBinding()]
    [OutputType([VMware.VimAutomation.ViCore.Impl.V1.Inventory.ClusterImpl])]
    param(
        [Parameter(Position = 0)] [string[]] $Name,
        [object[]] $Server
    )
    foreach ($target in Resolve-TargetServer $Server 'Get-Cluster') {
        $inventory = Read-Inventory $target
        $clusters = foreach ($entity in $inventory.Values | Where-Object { $_.MoRef.Type -eq 'ClusterComputeResource' } | Sort-Object { $_.Text('name') }) {
            ConvertTo-ClusterImpl $target $entity
        }
        Select-ByName @($clusters) $Name 'Cluster' 'Get-Cluster'
    }
}

function New-FakeVMHost {
    <#
    .SYNOPSIS
    A VMHostImpl as Get-VMHost returned it earlier, without asking a server: for a host since removed, or one
    of a vCenter that is not there. -Server is a VIServerImpl or the server part of a Uid (/VIServer=user@vc01:443/).
    #>
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $MoRef, $Server = '/VIServer=administrator@vsphere.local@vc01:443/')
    $reference = New-Object VMware.Vim.ManagedObjectReference ('HostSystem', $MoRef)
    $serverId = if ($Server -is [string]) { $Server } else { $Server.Id }
    New-Object VMware.VimAutomation.ViCore.Impl.V1.Inventory.VMHostImpl -Property @{
        Id            = $reference.ToString()
        Uid           = '{0}VMHost={1}/' -f $serverId, $reference
        Name          = $Name
        ExtensionData = New-Object VMware.Vim.HostSystem -Property @{ MoRef = $reference; Name = $Name }
    }
}

function New-FakeVM {
    <# .SYNOPSIS A UniversalVirtualMachineImpl as Get-VM returned it earlier, without asking a server (see New-FakeVMHost). #>
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string] $MoRef, $Server = '/VIServer=administrator@vsphere.local@vc01:443/')
    $reference = New-Object VMware.Vim.ManagedObjectReference ('VirtualMachine', $MoRef)
    $serverId = if ($Server -is [string]) { $Server } else { $Server.Id }
    New-Object VMware.VimAutomation.ViCore.Impl.V1.VM.UniversalVirtualMachineImpl -Property @{
        Id            = $reference.ToString()
        Uid           = '{0}VirtualMachine={1}/' -f $serverId, $reference
        Name          = $Name
        ExtensionData = New-Object VMware.Vim.VirtualMachine -Property @{ MoRef = $reference; Name = $Name }
    }
}

Export-ModuleMember -Function Add-FakeVIServer, Get-FakeVIServerClient, Connect-VIServer, Disconnect-VIServer, Get-VMHost, Get-VM, Set-VM, Get-Cluster, New-FakeVMHost, New-FakeVM
