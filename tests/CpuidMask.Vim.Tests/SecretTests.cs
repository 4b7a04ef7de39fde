using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Vim.Tests.Fakes;
using Xunit;

namespace CpuidMask.Vim.Tests
{
    /// <summary>The password and the session cookie never leave the client except where vSphere needs them.</summary>
    public class SecretTests
    {
        private static void AssertNoSecret(string? text)
        {
            Assert.NotNull(text);
            Assert.DoesNotContain(TestConnections.Password, text);
            Assert.DoesNotContain("S3cr3t", text);
            Assert.DoesNotContain(TestConnections.Cookie, text);
        }

        private static void AssertNoSecret(Exception ex)
        {
            AssertNoSecret(ex.Message);
            AssertNoSecret(ex.ToString());
            if (ex is CpuidMaskException cpuid)
            {
                AssertNoSecret(cpuid.Target?.ToString() ?? string.Empty);
            }
        }

        [Fact]
        public async Task Password_TravelsOnlyInTheLoginBody()
        {
            var server = new FakeVimServer();
            using (var client = await TestConnections.ConnectAsync(server))
            {
                server.Reply("RetrievePropertiesEx", "RetrievePropertiesEx_Empty.xml").Reply("Logout", "Logout.xml");
                await client.PropertyCollector.RetrieveAsync(new[] { new Types.ManagedObjectReference("HostSystem", "host-10") }, "HostSystem", new[] { "name" });
            }

            foreach (var request in server.Requests)
            {
                Assert.DoesNotContain("S3cr3t", request.Headers);
                Assert.DoesNotContain("S3cr3t", request.Uri.ToString());
                if (request.Method != "Login")
                {
                    Assert.DoesNotContain("S3cr3t", request.Body);
                }
            }

            Assert.Contains("S3cr3t", server.Requests.Single(r => r.Method == "Login").Body);
        }

        [Fact]
        public async Task TraceLines_NameMethodsButNoSecrets()
        {
            var trace = new List<string>();
            var server = new FakeVimServer().ScriptLogin().Reply("Logout", "Logout.xml");
            using (await VimClient.ConnectAsync(TestConnections.Options(server, trace: trace)))
            {
            }

            Assert.Contains(trace, t => t.Contains("Login -> 200"));
            Assert.Contains(trace, t => t.Contains("Logout -> 200"));
            Assert.All(trace, AssertNoSecret);
        }

        [Fact]
        public async Task InvalidLogin_MessageAndToString_HoldNoPassword()
        {
            var server = new FakeVimServer()
                .Reply("RetrieveServiceContent", "RetrieveServiceContent_VC80.xml", setCookie: $"vmware_soap_session=\"{TestConnections.Cookie}\"; Path=/; HttpOnly; Secure;")
                .Fault("Login", "Fault_InvalidLogin.xml");

            var ex = await Assert.ThrowsAsync<VimFaultException>(() => VimClient.ConnectAsync(TestConnections.Options(server)));

            AssertNoSecret(ex);
        }

        [Fact]
        public async Task FaultStringEchoingTheSecrets_IsRedacted()
        {
            string echo = $"<?xml version=\"1.0\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode>" +
                $"<faultstring>Bad password {System.Security.SecurityElement.Escape(TestConnections.Password)} for session {TestConnections.Cookie}</faultstring>" +
                "<detail><InvalidLoginFault xmlns=\"urn:vim25\" xsi:type=\"InvalidLogin\"></InvalidLoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>";
            var server = new FakeVimServer()
                .Reply("RetrieveServiceContent", "RetrieveServiceContent_VC80.xml", setCookie: $"vmware_soap_session=\"{TestConnections.Cookie}\"; Path=/; HttpOnly; Secure;")
                .ReplyWith("Login", _ => FakeVimServer.Response(echo, HttpStatusCode.InternalServerError));

            var ex = await Assert.ThrowsAsync<VimFaultException>(() => VimClient.ConnectAsync(TestConnections.Options(server)));

            AssertNoSecret(ex);
            AssertNoSecret(ex.FaultString);
            Assert.Contains("***", ex.Message);
        }

        [Fact]
        public async Task NonSoapPageEchoingTheCookie_IsRedacted()
        {
            var server = new FakeVimServer()
                .Reply("RetrieveServiceContent", "RetrieveServiceContent_VC80.xml", setCookie: $"vmware_soap_session=\"{TestConnections.Cookie}\"; Path=/; HttpOnly; Secure;")
                .ReplyWith("Login", _ => FakeVimServer.Response($"<html><head><title>Session {TestConnections.Cookie} gone</title></head></html>", HttpStatusCode.BadGateway, mediaType: "text/html"));

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => VimClient.ConnectAsync(TestConnections.Options(server)));

            Assert.Equal(VimErrorIds.NotSoap, ex.ErrorId);
            AssertNoSecret(ex);
        }

        [Fact]
        public async Task ExpiredBorrowedSession_ErrorHoldsNoCookie()
        {
            var server = new FakeVimServer()
                .Reply("RetrieveServiceContent", "RetrieveServiceContent_VC80.xml")
                .Fault("RetrievePropertiesEx", "Fault_NotAuthenticated.xml");

            var ex = await Assert.ThrowsAsync<VimFaultException>(() =>
                VimClient.ConnectAsync(new VimConnectionOptions(TestConnections.Server) { SessionCookie = TestConnections.Cookie, MessageHandler = server }));

            AssertNoSecret(ex);
        }

        [Fact]
        public async Task TransportError_HoldsNoSecret()
        {
            var server = new FakeVimServer().ReplyWith("RetrieveServiceContent", _ => throw new System.Net.Http.HttpRequestException("connection reset"));

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => VimClient.ConnectAsync(TestConnections.Options(server)));

            AssertNoSecret(ex);
        }

        [Fact]
        public async Task OptionsAndClient_ToString_HoldNoSecret()
        {
            var server = new FakeVimServer();
            var options = TestConnections.Options(server);
            var borrowed = new VimConnectionOptions(TestConnections.Server) { SessionCookie = TestConnections.Cookie };
            using var client = await TestConnections.ConnectAsync(server);

            AssertNoSecret(options.ToString());
            AssertNoSecret(borrowed.ToString());
            AssertNoSecret(client.ToString());
            AssertNoSecret(client.CurrentSession!.ToString());
            Assert.Contains("vc01.example.com", client.ToString());
        }

        [Fact]
        public void Options_SecretsCannotBeReadBackThroughThePublicApi()
        {
            var type = typeof(VimConnectionOptions);

            Assert.False(type.GetProperty(nameof(VimConnectionOptions.Password))!.GetGetMethod(nonPublic: false) != null);
            Assert.False(type.GetProperty(nameof(VimConnectionOptions.SessionCookie))!.GetGetMethod(nonPublic: false) != null);
        }
    }
}
