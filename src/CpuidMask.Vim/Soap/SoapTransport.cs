using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using System.Xml;
using System.Xml.Linq;
using CpuidMask.Engine;
using CpuidMask.Vim.Tls;

namespace CpuidMask.Vim.Soap
{
    /// <summary>
    /// SOAP 1.1 over HTTPS POST to /sdk: builds the envelope, carries the session cookie, turns SOAP
    /// faults into <see cref="VimFaultException"/> and network trouble into ConnectionError
    /// <see cref="CpuidMaskException"/>s that say what to do. Knows no vim25 method.
    /// </summary>
    internal sealed class SoapTransport : IDisposable
    {
        public const string CookieName = "vmware_soap_session";

        private readonly HttpClient _http;
        private readonly ServerCertificatePolicy? _policy;
        private readonly Action<string>? _trace;
        private readonly TimeSpan _timeout;
        private readonly object _gate = new object();

        [DebuggerBrowsable(DebuggerBrowsableState.Never)]
        private string? _cookie;

        public SoapTransport(
            Uri server,
            HttpMessageHandler handler,
            ServerCertificatePolicy? policy,
            SecretRedactor redactor,
            TimeSpan timeout,
            Action<string>? trace,
            string version)
        {
            Server = server;
            _policy = policy;
            Redactor = redactor;
            _timeout = timeout <= TimeSpan.Zero ? TimeSpan.FromSeconds(60) : timeout;
            _trace = trace;
            Version = version;
            // Each request gets its own timeout below, so a timeout can be told apart from the caller
            // cancelling.
            _http = new HttpClient(handler, disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        }

        public Uri Server { get; }

        /// <summary>The vim25 version in SOAPAction; RetrieveServiceContent's about.apiVersion once known.</summary>
        public string Version { get; set; }

        public SecretRedactor Redactor { get; }

        /// <summary>The cookie value as sent (including the quotes vSphere puts around it), or null.</summary>
        [DebuggerBrowsable(DebuggerBrowsableState.Never)]
        internal string? SessionCookie
        {
            get
            {
                lock (_gate)
                {
                    return _cookie;
                }
            }
        }

        /// <summary>Uses an existing session. vSphere sets the value in quotes; both forms are accepted.</summary>
        public void SetSessionCookie(string value)
        {
            string bare = value.Trim().Trim('"');
            Redactor.Add(bare);
            lock (_gate)
            {
                _cookie = "\"" + bare + "\"";
            }
        }

        public void Dispose() => _http.Dispose();

        /// <summary>Calls one vim25 method; returns its &lt;MethodResponse&gt; element.</summary>
        public async Task<XElement> InvokeAsync(string method, IEnumerable<object?> parameters, CancellationToken cancellationToken)
        {
            var (response, _) = await SendAsync(method, parameters, chunked: false, cancellationToken).ConfigureAwait(false);
            using (response)
            {
                string text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                return ReadResponse(method, response, text);
            }
        }

        /// <summary>
        /// Calls one vim25 method and hands <paramref name="readResponse"/> a reader on its
        /// &lt;MethodResponse&gt; element, so a large answer (a page of hosts) is decoded piece by piece
        /// instead of as one tree, from a body held in small chunks (<see cref="ChunkedBody"/>). Faults and
        /// answers that are not SOAP fail exactly as with
        /// <see cref="InvokeAsync(string, IEnumerable{object?}, CancellationToken)"/>, a truncated document included.
        /// </summary>
        public async Task<T> InvokeAsync<T>(string method, IEnumerable<object?> parameters, Func<XmlReader, T> readResponse, CancellationToken cancellationToken)
        {
            var (response, received) = await SendAsync(method, parameters, chunked: true, cancellationToken).ConfigureAwait(false);
            using (response)
            using (var body = received!)
            {
                var encoding = TextEncoding(response);
                if (!response.IsSuccessStatusCode)
                {
                    // Faults come with HTTP 500 and are small: the tree path reports them (it throws for any status but success).
                    ReadResponse(method, response, body.ReadAllText(encoding));
                }

                string? parseError = null;
                body.ReleaseAsRead = true;
                try
                {
                    using var reader = VimXml.CreateReader(body);
                    if (reader.MoveToContent() == XmlNodeType.Element && reader.LocalName == "Envelope" && reader.NamespaceURI == VimXml.Soap.NamespaceName)
                    {
                        var result = ReadBody(method, reader, readResponse);

                        // The rest of the document must be well-formed too: a truncated answer is not an answer.
                        while (reader.Read())
                        {
                        }

                        return result;
                    }

                    // Not an envelope: read on, so a parse error further down is reported as the tree path reports it.
                    while (reader.Read())
                    {
                    }
                }
                catch (XmlException ex)
                {
                    parseError = ex.Message;
                }

                throw NotSoap(method, response, body.ReadAllText(encoding), parseError);
            }
        }

        // The charset the server declared, as ReadAsStringAsync would decode it; UTF-8 when none or unknown.
        private static Encoding TextEncoding(HttpResponseMessage response)
        {
            string? charset = response.Content.Headers.ContentType?.CharSet?.Trim('"');
            try
            {
                return string.IsNullOrEmpty(charset) ? new UTF8Encoding(false) : Encoding.GetEncoding(charset);
            }
            catch (ArgumentException)
            {
                return new UTF8Encoding(false);
            }
        }

        private T ReadBody<T>(string method, XmlReader reader, Func<XmlReader, T> readResponse)
        {
            // On <Envelope>: find <Body> among its children, then its first element.
            bool inBody = false;
            if (!reader.IsEmptyElement)
            {
                int envelopeDepth = reader.Depth;
                reader.Read();
                while (!(reader.NodeType == XmlNodeType.EndElement && reader.Depth == envelopeDepth))
                {
                    if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Body" && reader.NamespaceURI == VimXml.Soap.NamespaceName)
                    {
                        inBody = !reader.IsEmptyElement;
                        if (inBody)
                        {
                            reader.Read();
                        }

                        break;
                    }

                    if (reader.NodeType == XmlNodeType.Element)
                    {
                        reader.Skip();
                    }
                    else
                    {
                        reader.Read();
                    }
                }
            }

            while (inBody && reader.NodeType != XmlNodeType.Element && reader.NodeType != XmlNodeType.EndElement)
            {
                reader.Read();
            }

            bool hasFirst = inBody && reader.NodeType == XmlNodeType.Element;
            if (hasFirst && reader.LocalName == "Fault" && reader.NamespaceURI == VimXml.Soap.NamespaceName)
            {
                throw Fault(method, (XElement)XNode.ReadFrom(reader));
            }

            if (!hasFirst || reader.LocalName != method + "Response")
            {
                throw new CpuidMaskException(
                    VimErrorIds.ResponseMalformed,
                    ErrorKind.InvalidData,
                    $"{Server} answered {method} with <{(hasFirst ? reader.LocalName : "nothing")}> instead of <{method}Response>. Check that the address points at vCenter or ESXi.",
                    Server.ToString());
            }

            return readResponse(reader);
        }

        // Sends one call and returns the response with its body read (buffered by HttpClient, or into chunks),
        // all within the timeout; network trouble becomes a ConnectionError.
        private async Task<(HttpResponseMessage Response, ChunkedBody? Body)> SendAsync(string method, IEnumerable<object?> parameters, bool chunked, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string envelope = BuildEnvelope(method, parameters);
            using var request = new HttpRequestMessage(HttpMethod.Post, Server)
            {
                Content = new StringContent(envelope, new UTF8Encoding(false), "text/xml"),
            };
            request.Headers.TryAddWithoutValidation("SOAPAction", "urn:vim25/" + Version);
            request.Headers.TryAddWithoutValidation("User-Agent", "CpuidMask");
            string? cookie = SessionCookie;
            if (cookie != null)
            {
                request.Headers.TryAddWithoutValidation("Cookie", CookieName + "=" + cookie);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_timeout);
            int rejectionsBefore = _policy?.RejectionCount ?? 0;
            var watch = Stopwatch.StartNew();
            HttpResponseMessage? response = null;
            ChunkedBody? body = null;
            try
            {
                response = await _http.SendAsync(request, chunked ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                if (chunked)
                {
                    using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                    body = await ChunkedBody.ReadAsync(stream, timeout.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                response?.Dispose();
                throw;
            }
            catch (Exception ex) when (ex is OperationCanceledException || ex is HttpRequestException || ex is IOException || ex is WebException || ex is SocketException || ex is AuthenticationException)
            {
                response?.Dispose();
                _trace?.Invoke($"POST {Server} {method} -> failed after {watch.ElapsedMilliseconds} ms: {ex.GetType().Name}");
                throw TransportError(method, ex, rejectionsBefore);
            }

            _trace?.Invoke($"POST {Server} {method} -> {(int)response.StatusCode} in {watch.ElapsedMilliseconds} ms");
            TakeCookie(response);
            return (response, body);
        }

        internal static string BuildEnvelope(string method, IEnumerable<object?> parameters)
        {
            // The default namespace is declared on the method element so unprefixed xsi:type values
            // (TraversalSpec) resolve to urn:vim25, as the server's XSD reader expects.
            var call = new XElement(VimXml.Vim + method, new XAttribute("xmlns", VimXml.Vim.NamespaceName), parameters);
            var envelope = new XElement(
                VimXml.Soap + "Envelope",
                new XAttribute(XNamespace.Xmlns + "soapenv", VimXml.Soap.NamespaceName),
                new XAttribute(XNamespace.Xmlns + "xsd", VimXml.Xsd.NamespaceName),
                new XAttribute(XNamespace.Xmlns + "xsi", VimXml.Xsi.NamespaceName),
                new XElement(VimXml.Soap + "Body", call));
            return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + envelope.ToString(SaveOptions.DisableFormatting);
        }

        private void TakeCookie(HttpResponseMessage response)
        {
            if (!response.Headers.TryGetValues("Set-Cookie", out var values))
            {
                return;
            }

            foreach (string header in values)
            {
                foreach (string part in header.Split(';'))
                {
                    string pair = part.Trim();
                    if (pair.StartsWith(CookieName + "=", StringComparison.Ordinal))
                    {
                        string value = pair.Substring(CookieName.Length + 1);
                        if (value.Trim('"').Length == 0)
                        {
                            continue;
                        }

                        Redactor.Add(value);
                        Redactor.Add(value.Trim('"'));
                        lock (_gate)
                        {
                            _cookie = value;
                        }
                    }
                }
            }
        }

        private XElement ReadResponse(string method, HttpResponseMessage response, string text)
        {
            XDocument? document = null;
            string? parseError = null;
            try
            {
                document = VimXml.Parse(text);
            }
            catch (XmlException ex)
            {
                parseError = ex.Message;
            }

            var envelope = document?.Root;
            if (envelope == null || envelope.Name != VimXml.Soap + "Envelope")
            {
                throw NotSoap(method, response, text, parseError);
            }

            var body = envelope.Element(VimXml.Soap + "Body");
            var first = body?.Elements().FirstOrDefault();
            if (first != null && first.Name == VimXml.Soap + "Fault")
            {
                throw Fault(method, first);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw NotSoap(method, response, text, null);
            }

            if (first == null || first.Name.LocalName != method + "Response")
            {
                throw new CpuidMaskException(
                    VimErrorIds.ResponseMalformed,
                    ErrorKind.InvalidData,
                    $"{Server} answered {method} with <{first?.Name.LocalName ?? "nothing"}> instead of <{method}Response>. Check that the address points at vCenter or ESXi.",
                    Server.ToString());
            }

            return first;
        }

        internal VimFaultException Fault(string method, XElement fault)
        {
            string? faultString = fault.Child("faultstring")?.Value;
            var detail = fault.Child("detail")?.Elements().FirstOrDefault();
            string type = detail?.XsiType() ?? StripFaultSuffix(detail?.Name.LocalName) ?? "SoapFault";
            return CreateFault(type, faultString, method, detail);
        }

        /// <summary>A fault as an exception; <c>action</c> names what failed when it is more than the method (a task on a VM).</summary>
        internal VimFaultException CreateFault(string type, string? faultString, string method, XElement? detail, string? action = null)
        {
            string? text = string.IsNullOrWhiteSpace(faultString) ? null : Redactor.Redact(faultString!.Trim());
            string advice = VimFaultException.AdviceFor(type, detail);
            string message = $"{Server.Host} refused {action ?? method}: {text ?? type} [{type}]" + (advice.Length > 0 ? " " + advice : string.Empty);
            return new VimFaultException(type, text, method, Server, detail, Redactor.Redact(message));
        }

        private static string? StripFaultSuffix(string? name) =>
            name == null ? null : name.EndsWith("Fault", StringComparison.Ordinal) && name.Length > 5 ? name.Substring(0, name.Length - 5) : name;

        private CpuidMaskException NotSoap(string method, HttpResponseMessage response, string text, string? parseError)
        {
            string contentType = response.Content.Headers.ContentType?.MediaType ?? "no content type";
            string status = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
            string title = HtmlTitle(text);
            string what = title.Length > 0 ? $"an {contentType} page \"{title}\"" : text.Trim().Length == 0 ? "an empty body" : contentType;
            string hint = (int)response.StatusCode >= 300 && (int)response.StatusCode < 400
                ? $"It redirects to {response.Headers.Location}; use that address."
                : (int)response.StatusCode == 503 || (int)response.StatusCode == 502
                    ? "The vCenter services may still be starting or be overloaded; wait and retry."
                    : "Check that the address points at vCenter or ESXi (the SDK lives at https://<server>/sdk).";
            string message = $"{Server} answered {method} with {status} and {what} instead of a SOAP response" +
                (parseError != null && title.Length == 0 && contentType.Contains("xml") ? $" ({parseError})" : string.Empty) + ". " + hint;
            var kind = (int)response.StatusCode >= 500 ? ErrorKind.ResourceUnavailable : ErrorKind.InvalidData;
            return new CpuidMaskException(VimErrorIds.NotSoap, kind, Redactor.Redact(message), Server.ToString());
        }

        private static string HtmlTitle(string text)
        {
            int start = text.IndexOf("<title>", StringComparison.OrdinalIgnoreCase);
            int end = start < 0 ? -1 : text.IndexOf("</title>", start, StringComparison.OrdinalIgnoreCase);
            if (end < 0)
            {
                return string.Empty;
            }

            string title = text.Substring(start + 7, end - start - 7).Trim();
            return title.Length > 120 ? title.Substring(0, 120) : title;
        }

        private CpuidMaskException TransportError(string method, Exception ex, int rejectionsBefore)
        {
            string server = Server.ToString();
            if (_policy != null && _policy.RejectionCount != rejectionsBefore)
            {
                string presented = _policy.LastPresentedThumbprint is string p ? CertificateThumbprint.Format(p) : "(none presented)";
                if (_policy.PinnedThumbprint != null)
                {
                    return new CpuidMaskException(
                        VimErrorIds.ThumbprintMismatch,
                        ErrorKind.ConnectionError,
                        $"The certificate of {server} has SHA-256 thumbprint {presented}, but {CertificateThumbprint.Format(_policy.PinnedThumbprint)} was pinned. " +
                        "The certificate was replaced, or someone is intercepting the connection; confirm the new thumbprint with the vCenter administrator before pinning it.",
                        server,
                        ex);
                }

                return new CpuidMaskException(
                    VimErrorIds.CertificateRejected,
                    ErrorKind.ConnectionError,
                    $"The certificate of {server} is not trusted ({_policy.LastRejection}); its SHA-256 thumbprint is {presented}. " +
                    "Fix the certificate (trust the VMCA root or install a CA-signed one), or, once you have confirmed this thumbprint with the vCenter administrator, pin it.",
                    server,
                    ex)
                {
                    Remedy = new Remedy(RemedyKind.PinThumbprint, presented),
                };
            }

            if (ex is OperationCanceledException)
            {
                return new CpuidMaskException(
                    VimErrorIds.Timeout,
                    ErrorKind.ConnectionError,
                    $"{server} did not answer {method} within {_timeout.TotalSeconds:0.#} s. Check the address and that TCP port {Server.Port} is open; a vCenter under heavy load may answer later, so try again.",
                    server,
                    ex);
            }

            string why = Describe(ex);
            return new CpuidMaskException(
                VimErrorIds.Unreachable,
                ErrorKind.ConnectionError,
                $"Cannot reach {server}: {why}",
                server,
                ex);
        }

        private string Describe(Exception ex)
        {
            for (var e = ex; e != null; e = e.InnerException)
            {
                if (e is SocketException socket)
                {
                    switch (socket.SocketErrorCode)
                    {
                        case SocketError.HostNotFound:
                        case SocketError.NoData:
                        case SocketError.TryAgain:
                            return $"the name {Server.Host} does not resolve. Check the spelling and DNS, or use the IP address.";
                        case SocketError.ConnectionRefused:
                            return $"the connection to port {Server.Port} was refused. Check the address and port, and that the vCenter services are running.";
                        case SocketError.TimedOut:
                        case SocketError.HostUnreachable:
                        case SocketError.NetworkUnreachable:
                            return $"no route to {Server.Host}:{Server.Port} ({socket.SocketErrorCode}). Check the address, the network and firewalls (TCP {Server.Port}).";
                    }
                }

                if (e is WebException web)
                {
                    switch (web.Status)
                    {
                        case WebExceptionStatus.NameResolutionFailure:
                            return $"the name {Server.Host} does not resolve. Check the spelling and DNS, or use the IP address.";
                        case WebExceptionStatus.ConnectFailure:
                            return $"could not connect to port {Server.Port}. Check the address and port, and that the vCenter services are running.";
                    }
                }

                if (e is AuthenticationException)
                {
                    return $"the TLS handshake failed ({e.Message}). The server may require a TLS version this system has disabled.";
                }
            }

            var innermost = ex;
            while (innermost.InnerException != null)
            {
                innermost = innermost.InnerException;
            }

            return $"{Redactor.Redact(innermost.Message).TrimEnd('.')}. Check the address, port {Server.Port} and firewalls.";
        }
    }
}
