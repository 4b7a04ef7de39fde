using System;
using System.Diagnostics;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using System.Xml;
using System.Xml.Linq;

namespace CpuidMask.Integration.Tests
{
    /// <summary>What the simulator answered to one SOAP request, as bytes: a corrupted answer stays inspectable.</summary>
    public sealed record SoapAnswer(int Status, string? ContentType, byte[] Body)
    {
        public string Text => Encoding.UTF8.GetString(Body);

        /// <summary>The answer as XML; throws XmlException when it is not XML.</summary>
        public XDocument Xml() => XDocument.Parse(Text);

        /// <summary>The vim25 fault type of a SOAP fault answer (e.g. "NotAuthenticated"), or null.</summary>
        public string? FaultType()
        {
            if (Status != 500)
            {
                return null;
            }

            var detail = Xml().Descendants().FirstOrDefault(e => e.Name.LocalName.EndsWith("Fault", StringComparison.Ordinal) && e.Parent?.Name.LocalName == "detail");
            return detail?.Name.LocalName.Substring(0, detail.Name.LocalName.Length - "Fault".Length);
        }

        public override string ToString() => $"HTTP {Status} {ContentType}\n{Text}";
    }

    /// <summary>
    /// A minimal vim25 SOAP client for tests of the simulator harness, sharing no code with CpuidMask.Vim, so
    /// that a fault is seen as the wire shows it. Each request goes on a new connection, so a fault that closes
    /// a connection touches that request alone; the session cookie is carried by hand.
    /// </summary>
    public sealed class VcsimSoap
    {
        private static readonly XNamespace Vim = "urn:vim25";
        private readonly VcsimServer _server;

        public VcsimSoap(VcsimServer server) => _server = server;

        /// <summary>The vmware_soap_session cookie value, once logged in.</summary>
        public string? Cookie { get; private set; }

        public static async Task<VcsimSoap> LoginAsync(VcsimServer server)
        {
            var soap = new VcsimSoap(server);
            await soap.LoginAsync();
            return soap;
        }

        public async Task LoginAsync()
        {
            var answer = await CallAsync(
                $"<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this><userName>{Escape(_server.User)}</userName><password>{Escape(_server.Password)}</password></Login>");
            if (answer.Status != 200)
            {
                throw new InvalidOperationException("Login failed: " + answer);
            }
        }

        /// <summary>Sends one SOAP body on a new connection and returns the answer, whatever its status or content.</summary>
        public async Task<SoapAnswer> CallAsync(string body, CancellationToken cancellationToken = default)
        {
            using var handler = new SocketsHttpHandler
            {
                UseCookies = false,
                SslOptions =
                {
                    // Pin the simulator's certificate by its SHA-256 thumbprint.
                    RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                        certificate != null && string.Equals(
                            string.Join(":", SHA256.HashData(certificate.GetRawCertData()).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture))),
                            _server.Thumbprint,
                            StringComparison.Ordinal),
                },
            };
            using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
            using var request = new HttpRequestMessage(HttpMethod.Post, _server.Url)
            {
                Content = new StringContent(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" " +
                    "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>" +
                    body + "</soapenv:Body></soapenv:Envelope>",
                    Encoding.UTF8,
                    "text/xml"),
            };
            request.Headers.TryAddWithoutValidation("SOAPAction", "urn:vim25/7.0.3.0");
            if (Cookie != null)
            {
                request.Headers.TryAddWithoutValidation("Cookie", "vmware_soap_session=" + Cookie);
            }

            using var response = await http.SendAsync(request, cancellationToken);
            byte[] bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var cookies))
            {
                foreach (string cookie in cookies)
                {
                    string pair = cookie.Split(';')[0].Trim();
                    if (pair.StartsWith("vmware_soap_session=", StringComparison.Ordinal))
                    {
                        Cookie = pair.Substring("vmware_soap_session=".Length).Trim('"');
                    }
                }
            }

            return new SoapAnswer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, bytes);
        }

        public Task<SoapAnswer> RetrieveServiceContentAsync() =>
            CallAsync("<RetrieveServiceContent xmlns=\"urn:vim25\"><_this type=\"ServiceInstance\">ServiceInstance</_this></RetrieveServiceContent>");

        /// <summary>RetrievePropertiesEx of some properties of one object.</summary>
        public Task<SoapAnswer> RetrieveAsync(string type, string moref, params string[] paths) =>
            CallAsync(
                "<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">propertyCollector</_this><specSet><propSet>" +
                $"<type>{type}</type>" + string.Concat(paths.Select(p => $"<pathSet>{p}</pathSet>")) +
                $"</propSet><objectSet><obj type=\"{type}\">{Escape(moref)}</obj></objectSet></specSet><options/></RetrievePropertiesEx>");

        /// <summary>ReconfigVM_Task setting one extraConfig key, guarded by changeVersion when given.</summary>
        public Task<SoapAnswer> ReconfigureAsync(string vm, string key, string value, string? changeVersion) =>
            CallAsync(
                $"<ReconfigVM_Task xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">{Escape(vm)}</_this><spec>" +
                (changeVersion != null ? $"<changeVersion>{Escape(changeVersion)}</changeVersion>" : string.Empty) +
                $"<extraConfig xsi:type=\"OptionValue\"><key>{Escape(key)}</key><value xsi:type=\"xsd:string\">{Escape(value)}</value></extraConfig>" +
                "</spec></ReconfigVM_Task>");

        /// <summary>The task moref in a *_Task answer.</summary>
        public static string TaskOf(SoapAnswer answer) =>
            answer.Xml().Descendants(Vim + "returnval").Single(e => (string?)e.Attribute("type") == "Task").Value;

        /// <summary>A task's info.state ("queued", "running", "success", "error") and its fault type, if any.</summary>
        public async Task<(string State, string? Fault)> TaskStateAsync(string task)
        {
            var answer = await RetrieveAsync("Task", task, "info");
            if (answer.Status != 200)
            {
                throw new InvalidOperationException($"Reading {task}: {answer}");
            }

            var info = answer.Xml().Descendants(Vim + "val").Single();
            string state = info.Element(Vim + "state")!.Value;
            string? fault = info.Element(Vim + "error")?.Element(Vim + "fault")?.Attributes().FirstOrDefault(a => a.Name.LocalName == "type")?.Value;
            return (state, fault);
        }

        /// <summary>Polls a task until it is no longer queued or running; returns its last state and the time waited.</summary>
        public async Task<(string State, string? Fault, TimeSpan Waited)> WaitForTaskAsync(string task, TimeSpan timeout)
        {
            var watch = Stopwatch.StartNew();
            while (true)
            {
                var (state, fault) = await TaskStateAsync(task);
                if ((state != "queued" && state != "running") || watch.Elapsed > timeout)
                {
                    return (state, fault, watch.Elapsed);
                }

                await Task.Delay(20);
            }
        }

        /// <summary>The value of one property in a RetrievePropertiesEx answer, or null when the answer lacks it.</summary>
        public static string? PropertyValue(SoapAnswer answer, string path) =>
            answer.Xml().Descendants(Vim + "propSet").FirstOrDefault(p => p.Element(Vim + "name")?.Value == path)?.Element(Vim + "val")?.Value;

        /// <summary>True when the bytes are well-formed XML.</summary>
        public static bool IsXml(byte[] body)
        {
            try
            {
                XDocument.Parse(Encoding.UTF8.GetString(body));
                return true;
            }
            catch (XmlException)
            {
                return false;
            }
        }

        private static string Escape(string text) => System.Security.SecurityElement.Escape(text);
    }
}
