using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using CpuidMask.Engine.Masks;
using CpuidMask.Vim;
using CpuidMask.Vim.Inventory;
using CpuidMask.Vim.Masks;
using CpuidMask.Vim.Types;

namespace CpuidMask.Fuzz.Tests.Soap
{
    /// <summary>One answer vCenter gives in a scenario: the method asked and the recorded response (HTTP 500 for a fault).</summary>
    internal sealed class SoapAnswer
    {
        public SoapAnswer(string method, string file)
        {
            Method = method;
            File = file;
            Text = System.IO.File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "soap", file));
            Status = file.StartsWith("Fault_", StringComparison.Ordinal) ? HttpStatusCode.InternalServerError : HttpStatusCode.OK;
        }

        public string Method { get; }

        public string File { get; }

        public string Text { get; }

        public HttpStatusCode Status { get; }
    }

    /// <summary>A request the client sent, kept so the oracle can see what it would have written.</summary>
    internal sealed class SentRequest
    {
        public SentRequest(string method, XElement call)
        {
            Method = method;
            Call = call;
        }

        public string Method { get; }

        public XElement Call { get; }

        public string[] Values(string localName) => Call.Descendants().Where(e => e.Name.LocalName == localName).Select(e => e.Value).ToArray();
    }

    /// <summary>
    /// Stands in for vCenter with a script of answers, one of them possibly damaged. A call past the end of the script,
    /// or another method than the script expects, is a dropped connection (HttpRequestException), as a real vCenter that
    /// went away would be: so a client that polls a task a damaged answer left running ends instead of waiting.
    /// </summary>
    internal sealed class ScriptedVimServer : HttpMessageHandler
    {
        private readonly Queue<(string Method, string Text, HttpStatusCode Status)> _script;

        public ScriptedVimServer(IEnumerable<(string Method, string Text, HttpStatusCode Status)> script) => _script = new Queue<(string, string, HttpStatusCode)>(script);

        public List<SentRequest> Requests { get; } = new List<SentRequest>();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string body = request.Content == null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
            XNamespace soap = "http://schemas.xmlsoap.org/soap/envelope/";
            var call = XDocument.Parse(body).Root!.Element(soap + "Body")!.Elements().Single();
            Requests.Add(new SentRequest(call.Name.LocalName, call));
            if (_script.Count == 0 || _script.Peek().Method != call.Name.LocalName)
            {
                throw new HttpRequestException($"the fuzz server has no answer to {call.Name.LocalName} (the connection dropped)");
            }

            var (_, text, status) = _script.Dequeue();
            var response = new HttpResponseMessage(status) { Content = new StringContent(text, Encoding.UTF8, "text/xml") };
            if (call.Name.LocalName == "RetrieveServiceContent")
            {
                response.Headers.Add("Set-Cookie", "vmware_soap_session=\"52f5b1a8e3c94d07a1b2c3d4e5f60718\"; Path=/; HttpOnly; Secure;");
            }

            return response;
        }
    }

    /// <summary>What the client does in one scenario, and the answers vCenter gives to it when nothing is damaged.</summary>
    internal sealed class SoapScenario
    {
        public static readonly ManagedObjectReference App01 = new ManagedObjectReference("VirtualMachine", "vm-42");

        private static readonly Lazy<IReadOnlyList<SoapScenario>> Scenarios = new Lazy<IReadOnlyList<SoapScenario>>(Load);

        private readonly Func<VimClient, Task<string>> _work;

        private SoapScenario(string name, Func<VimClient, Task<string>> work, params (string Method, string File)[] answers)
        {
            Name = name;
            _work = work;
            Answers = new[] { new SoapAnswer("RetrieveServiceContent", name.EndsWith("65", StringComparison.Ordinal) ? "RetrieveServiceContent_VC65.xml" : "RetrieveServiceContent_VC80.xml"), new SoapAnswer("Login", "Login.xml") }
                .Concat(answers.Select(a => new SoapAnswer(a.Method, a.File)))
                .ToArray();
        }

        public static IReadOnlyList<SoapScenario> All => Scenarios.Value;

        public string Name { get; }

        public IReadOnlyList<SoapAnswer> Answers { get; }

        /// <summary>Whether the scenario writes to a VM, so that what it sends is judged.</summary>
        public bool Writes => Answers.Any(a => a.Method == "ReconfigVM_Task");

        public override string ToString() => Name;

        /// <summary>Connects with the answers given and does the scenario's work; a summary of what came back.</summary>
        public async Task<string> RunAsync(ScriptedVimServer server)
        {
            var options = new VimConnectionOptions("vc01.example.com")
            {
                UserName = "cpuidmask@vsphere.local",
                Password = "S3cr3t&<pw>\"'Zq9",
                MessageHandler = server,
                TaskPollInterval = TimeSpan.FromMilliseconds(1),
            };
            using var client = await VimClient.ConnectAsync(options).ConfigureAwait(false);
            return await _work(client).ConfigureAwait(false);
        }

        private static IReadOnlyList<SoapScenario> Load()
        {
            var hideAvx2 = VmMask.ParseVmx("cpuid.7.ebx = \"-------------------------------0\"", "fuzz mask");
            var read = new[] { ("RetrievePropertiesEx", "RetrievePropertiesEx_Vms.xml"), ("RetrievePropertiesEx", "RetrievePropertiesEx_VmHostNames.xml") };
            return new[]
            {
                new SoapScenario("connect-logout", async c => { await c.LogoutAsync().ConfigureAwait(false); return "logged out"; }, ("Logout", "Logout.xml")),
                new SoapScenario("connect-logout-65", async c => { await c.LogoutAsync().ConfigureAwait(false); return "logged out"; }, ("Logout", "Logout.xml")),
                new SoapScenario(
                    "read-hosts",
                    async c => string.Join(", ", (await new HostInventory(c).ReadHostsAsync().ConfigureAwait(false)).Select(h => h.Name)),
                    ("CreateContainerView", "CreateContainerView.xml"),
                    ("RetrievePropertiesEx", "RetrievePropertiesEx_Hosts_Page1.xml"),
                    ("ContinueRetrievePropertiesEx", "ContinueRetrievePropertiesEx_Hosts_Page2.xml"),
                    ("DestroyView", "DestroyView.xml"),
                    ("RetrievePropertiesEx", "RetrievePropertiesEx_ClusterNames.xml")),
                new SoapScenario(
                    "read-evc-modes",
                    async c => string.Join(", ", (await new HostInventory(c).ReadSupportedEvcModesAsync().ConfigureAwait(false)).Select(m => m.Key)),
                    ("RetrievePropertiesEx", "RetrievePropertiesEx_ServiceInstanceCapability.xml")),
                new SoapScenario(
                    "read-vm-masks",
                    async c => string.Join(", ", (await new VmMaskService(c).ReadAsync(new[] { App01 }).ConfigureAwait(false)).Select(m => m.Name)),
                    read),
                new SoapScenario(
                    "apply-mask",
                    async c => (await new VmMaskService(c).ApplyAsync(App01, hideAvx2).ConfigureAwait(false)).Status.ToString(),
                    read.Concat(new[] { ("ReconfigVM_Task", "ReconfigVM_Task.xml"), ("RetrievePropertiesEx", "Task_Success.xml"), ("RetrievePropertiesEx", "RetrievePropertiesEx_Vms.xml") }).ToArray()),
                new SoapScenario(
                    "apply-mask-refused",
                    async c => (await new VmMaskService(c).ApplyAsync(App01, hideAvx2).ConfigureAwait(false)).Status.ToString(),
                    read.Concat(new[] { ("ReconfigVM_Task", "Fault_ConcurrentAccess.xml") }).ToArray()),
                new SoapScenario(
                    "apply-mask-task-error",
                    async c => (await new VmMaskService(c).ApplyAsync(App01, hideAvx2).ConfigureAwait(false)).Status.ToString(),
                    read.Concat(new[] { ("ReconfigVM_Task", "ReconfigVM_Task.xml"), ("RetrievePropertiesEx", "Task_Running.xml"), ("RetrievePropertiesEx", "Task_Error_InvalidPowerState.xml") }).ToArray()),
            };
        }
    }
}
