using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using CpuidMask.Engine;
using CpuidMask.Vim.Soap;
using CpuidMask.Vim.Tests.Fakes;
using CpuidMask.Vim.Types;
using Xunit;

namespace CpuidMask.Vim.Tests
{
    public class TransportTests
    {
        [Fact]
        public void Envelope_IsSoap11WithTheMethodInTheVim25DefaultNamespace()
        {
            string text = SoapTransport.BuildEnvelope("RetrieveServiceContent", new object[] { ManagedObjectReference.ServiceInstance.ToXml("_this") });

            Assert.StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope", text);
            Assert.Contains("<RetrieveServiceContent xmlns=\"urn:vim25\"><_this type=\"ServiceInstance\">ServiceInstance</_this></RetrieveServiceContent>", text);
            var doc = XDocument.Parse(text);
            Assert.Equal(XName.Get("Envelope", "http://schemas.xmlsoap.org/soap/envelope/"), doc.Root!.Name);
        }

        [Fact]
        public async Task NonSoapAnswer_503Html_SaysWhatTheServerSentAndWhatToDo()
        {
            var server = new FakeVimServer().ReplyWith(
                "RetrieveServiceContent",
                _ => FakeVimServer.Response(Recorded.Text("NonSoap_503.html"), HttpStatusCode.ServiceUnavailable, mediaType: "text/html"));

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => VimClient.ConnectAsync(TestConnections.Options(server)));

            Assert.Equal(VimErrorIds.NotSoap, ex.ErrorId);
            Assert.Equal(ErrorKind.ResourceUnavailable, ex.Kind);
            Assert.Contains("https://vc01.example.com/sdk", ex.Message);
            Assert.Contains("503", ex.Message);
            Assert.Contains("503 Service Unavailable", ex.Message);
            Assert.Contains("wait and retry", ex.Message);
        }

        [Fact]
        public async Task NonSoapAnswer_Redirect_NamesWhereItPoints()
        {
            var server = new FakeVimServer().ReplyWith("RetrieveServiceContent", _ =>
            {
                var response = FakeVimServer.Response(string.Empty, HttpStatusCode.Found, mediaType: "text/plain");
                response.Headers.Location = new Uri("https://vc01.example.com/ui/");
                return response;
            });

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => VimClient.ConnectAsync(TestConnections.Options(server)));

            Assert.Equal(VimErrorIds.NotSoap, ex.ErrorId);
            Assert.Contains("https://vc01.example.com/ui/", ex.Message);
        }

        [Fact]
        public async Task NonSoapAnswer_200WithOtherXml_IsNotSoap()
        {
            var server = new FakeVimServer().ReplyWith("RetrieveServiceContent", _ => FakeVimServer.Response("<html><body>hello</body></html>"));

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => VimClient.ConnectAsync(TestConnections.Options(server)));

            Assert.Equal(VimErrorIds.NotSoap, ex.ErrorId);
            Assert.Equal(ErrorKind.InvalidData, ex.Kind);
        }

        [Fact]
        public async Task SoapAnswerForAnotherMethod_IsMalformed()
        {
            var server = new FakeVimServer().Reply("RetrieveServiceContent", "Login.xml");

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => VimClient.ConnectAsync(TestConnections.Options(server)));

            Assert.Equal(VimErrorIds.ResponseMalformed, ex.ErrorId);
            Assert.Contains("RetrieveServiceContentResponse", ex.Message);
        }

        [Fact]
        public async Task ResponseWithDtd_IsRefusedRatherThanExpanded()
        {
            const string evil = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>";
            var server = new FakeVimServer().ReplyWith("RetrieveServiceContent", _ => FakeVimServer.Response(evil));

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => VimClient.ConnectAsync(TestConnections.Options(server)));

            Assert.Equal(VimErrorIds.NotSoap, ex.ErrorId);
            Assert.DoesNotContain("root:", ex.Message);
        }

        // Found by the fuzz suite: XmlReader took seconds (quadratic in the depth) to say which of 20,000 unclosed
        // elements were open, and the message listed them all.
        [Fact]
        public async Task AnswerNestingElementsWithoutEnd_IsNotSoapAtOnce_WithAShortMessage()
        {
            string deep = string.Concat(System.Linq.Enumerable.Repeat("<a>", 50_000));
            var server = new FakeVimServer().ReplyWith("RetrieveServiceContent", _ => FakeVimServer.Response(deep));
            var watch = System.Diagnostics.Stopwatch.StartNew();

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => VimClient.ConnectAsync(TestConnections.Options(server)));

            Assert.Equal(VimErrorIds.NotSoap, ex.ErrorId);
            Assert.Contains("nested more than 1000 levels deep", ex.Message);
            Assert.True(ex.Message.Length < 1000, ex.Message.Length + " characters");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), watch.Elapsed.ToString());
        }

        [Fact]
        public async Task HandlerTimingOut_IsVCenterTimeout_NotACallerCancellation()
        {
            var server = new FakeVimServer().ReplyWith("RetrieveServiceContent", _ => throw new TaskCanceledException("timed out"));

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => VimClient.ConnectAsync(TestConnections.Options(server)));

            Assert.Equal(VimErrorIds.Timeout, ex.ErrorId);
            Assert.Equal(ErrorKind.ConnectionError, ex.Kind);
            Assert.Contains("https://vc01.example.com/sdk", ex.Message);
        }

        [Fact]
        public async Task CallerCancelling_IsAnOperationCanceledException()
        {
            var server = new FakeVimServer().ScriptLogin();
            using var cts = new CancellationTokenSource();
            cts.Cancel();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => VimClient.ConnectAsync(TestConnections.Options(server), cts.Token));
        }

        [Fact]
        public async Task HttpRequestFailure_IsVCenterUnreachable_NamingTheServer()
        {
            var server = new FakeVimServer().ReplyWith(
                "RetrieveServiceContent",
                _ => throw new System.Net.Http.HttpRequestException("Name or service not known", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound)));

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => VimClient.ConnectAsync(TestConnections.Options(server)));

            Assert.Equal(VimErrorIds.Unreachable, ex.ErrorId);
            Assert.Equal(ErrorKind.ConnectionError, ex.Kind);
            Assert.Contains("vc01.example.com does not resolve", ex.Message);
        }
    }
}
