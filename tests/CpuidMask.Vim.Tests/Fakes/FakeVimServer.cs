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

namespace CpuidMask.Vim.Tests.Fakes
{
    /// <summary>One request the client sent, as the server saw it.</summary>
    public sealed class SeenRequest
    {
        public SeenRequest(HttpRequestMessage request, string body)
        {
            Uri = request.RequestUri!;
            Body = body;
            SoapAction = request.Headers.TryGetValues("SOAPAction", out var action) ? action.Single() : null;
            Cookie = request.Headers.TryGetValues("Cookie", out var cookie) ? string.Join("; ", cookie) : null;
            ContentType = request.Content?.Headers.ContentType?.ToString();
            Headers = request.Headers.ToString() + request.Content?.Headers.ToString();
            Xml = XDocument.Parse(body);
            XNamespace soap = "http://schemas.xmlsoap.org/soap/envelope/";
            Call = Xml.Root!.Element(soap + "Body")!.Elements().Single();
        }

        public Uri Uri { get; }

        public string Body { get; }

        public string? SoapAction { get; }

        public string? Cookie { get; }

        public string? ContentType { get; }

        /// <summary>All headers as text, for "nothing secret in here" checks.</summary>
        public string Headers { get; }

        public XDocument Xml { get; }

        /// <summary>The method element inside soapenv:Body.</summary>
        public XElement Call { get; }

        public string Method => Call.Name.LocalName;

        /// <summary>Texts of the direct-or-nested elements with this local name, in document order.</summary>
        public string[] Values(string localName) => Call.Descendants().Where(e => e.Name.LocalName == localName).Select(e => e.Value).ToArray();
    }

    /// <summary>
    /// Stands in for vCenter: answers each request with the next scripted response (usually a recorded
    /// file) and keeps what it was sent, so the whole client runs without a server.
    /// </summary>
    public sealed class FakeVimServer : HttpMessageHandler
    {
        private readonly Queue<(string? Expect, Func<SeenRequest, HttpResponseMessage> Reply)> _script = new();

        public List<SeenRequest> Requests { get; } = new();

        public IEnumerable<string> Methods => Requests.Select(r => r.Method);

        public int Remaining => _script.Count;

        /// <summary>Answers the next call (which must be <paramref name="method"/>) with a recorded file.</summary>
        public FakeVimServer Reply(string method, string recordedFile, HttpStatusCode status = HttpStatusCode.OK, string? setCookie = null)
        {
            string text = Recorded.Text(recordedFile);
            return ReplyWith(method, _ => Response(text, status, setCookie));
        }

        /// <summary>Answers with a SOAP fault from a recorded file, as vSphere does: HTTP 500.</summary>
        public FakeVimServer Fault(string method, string recordedFile) => Reply(method, recordedFile, HttpStatusCode.InternalServerError);

        public FakeVimServer ReplyWith(string? method, Func<SeenRequest, HttpResponseMessage> reply)
        {
            _script.Enqueue((method, reply));
            return this;
        }

        /// <summary>The usual opening: RetrieveServiceContent (which sets the cookie) and Login.</summary>
        public FakeVimServer ScriptLogin(string cookie = "\"52f5b1a8e3c94d07a1b2c3d4e5f60718\"", string serviceContent = "RetrieveServiceContent_VC80.xml") =>
            Reply("RetrieveServiceContent", serviceContent, setCookie: $"vmware_soap_session={cookie}; Path=/; HttpOnly; Secure;")
                .Reply("Login", "Login.xml");

        public static HttpResponseMessage Response(string text, HttpStatusCode status = HttpStatusCode.OK, string? setCookie = null, string mediaType = "text/xml")
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(text, Encoding.UTF8, mediaType) };
            if (setCookie != null)
            {
                response.Headers.Add("Set-Cookie", setCookie);
            }

            return response;
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string body = request.Content == null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
            var seen = new SeenRequest(request, body);
            Requests.Add(seen);
            if (_script.Count == 0)
            {
                throw new InvalidOperationException($"The fake server was not told how to answer call #{Requests.Count}, {seen.Method}.");
            }

            var (expect, reply) = _script.Dequeue();
            if (expect != null && expect != seen.Method)
            {
                throw new InvalidOperationException($"Call #{Requests.Count} was {seen.Method}; the script expected {expect}.");
            }

            return reply(seen);
        }
    }

    public static class Recorded
    {
        public static string Text(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Recorded", file));
    }
}
