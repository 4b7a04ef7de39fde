using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Vim.Tests.Fakes;
using Xunit;

namespace CpuidMask.Vim.Tests
{
    public class VimClientTests
    {
        [Fact]
        public async Task ConnectAsync_WithCredentials_RetrievesServiceContentThenLogsIn()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);

            Assert.Equal(new[] { "RetrieveServiceContent", "Login" }, server.Methods);
            Assert.Equal(new Uri("https://vc01.example.com/sdk"), server.Requests[0].Uri);
            Assert.True(client.OwnsSession);
            Assert.Equal("VSPHERE.LOCAL\\cpuidmask", client.CurrentSession!.UserName);
            Assert.Equal("8.0.2.0", client.ServiceContent.About.ApiVersion);
            Assert.True(client.ServiceContent.About.IsVCenter);
            Assert.Equal("vc01.example.com", client.ServerName);
        }

        [Fact]
        public async Task ConnectAsync_SpeaksBootstrapVersion_ThenTheServersApiVersion()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);

            Assert.Equal("urn:vim25/6.7", server.Requests[0].SoapAction);
            Assert.Equal("urn:vim25/8.0.2.0", server.Requests[1].SoapAction);
        }

        [Fact]
        public async Task Login_RequestBody_CarriesUserNameAndEscapedPasswordInTheVim25Namespace()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);

            var login = server.Requests[1];
            Assert.Equal("urn:vim25", login.Call.Name.NamespaceName);
            Assert.Equal(new[] { "SessionManager" }, login.Values("_this"));
            Assert.Equal("SessionManager", login.Call.Elements().First().Attribute("type")!.Value);
            Assert.Equal(new[] { TestConnections.User }, login.Values("userName"));
            Assert.Equal(new[] { TestConnections.Password }, login.Values("password"));
            Assert.StartsWith("text/xml", login.ContentType);
        }

        [Fact]
        public async Task ConnectAsync_CookieSetByTheServer_IsSentBackOnEveryLaterCall()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server);

            Assert.Null(server.Requests[0].Cookie);
            Assert.Equal($"vmware_soap_session=\"{TestConnections.Cookie}\"", server.Requests[1].Cookie);
        }

        [Theory]
        [InlineData(TestConnections.Cookie)]
        [InlineData("\"" + TestConnections.Cookie + "\"")]
        public async Task ConnectAsync_WithBorrowedSession_SendsItsCookieAndChecksCurrentSession(string cookie)
        {
            var server = new FakeVimServer()
                .Reply("RetrieveServiceContent", "RetrieveServiceContent_VC80.xml")
                .Reply("RetrievePropertiesEx", "RetrievePropertiesEx_CurrentSession.xml");
            using var client = await VimClient.ConnectAsync(new VimConnectionOptions(TestConnections.Server) { SessionCookie = cookie, MessageHandler = server });

            Assert.Equal(new[] { "RetrieveServiceContent", "RetrievePropertiesEx" }, server.Methods);
            Assert.All(server.Requests, r => Assert.Equal($"vmware_soap_session=\"{TestConnections.Cookie}\"", r.Cookie));
            Assert.Equal(new[] { "currentSession" }, server.Requests[1].Values("pathSet"));
            Assert.False(client.OwnsSession);
            Assert.Equal("VSPHERE.LOCAL\\Administrator", client.CurrentSession!.UserName);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public async Task ConnectAsync_WithExpiredBorrowedSession_FailsWithNotAuthenticated(bool serverFaults)
        {
            var server = new FakeVimServer().Reply("RetrieveServiceContent", "RetrieveServiceContent_VC80.xml");
            if (serverFaults)
            {
                server.Fault("RetrievePropertiesEx", "Fault_NotAuthenticated.xml");
            }
            else
            {
                server.Reply("RetrievePropertiesEx", "RetrievePropertiesEx_NoCurrentSession.xml");
            }

            var ex = await Assert.ThrowsAsync<VimFaultException>(() =>
                VimClient.ConnectAsync(new VimConnectionOptions(TestConnections.Server) { SessionCookie = TestConnections.Cookie, MessageHandler = server }));

            Assert.Equal("NotAuthenticated", ex.ErrorId);
            Assert.Equal(ErrorKind.AuthenticationError, ex.Kind);
            Assert.Contains("existing session", ex.Message);
            Assert.Contains("not logged in", ex.Message);
            Assert.DoesNotContain(TestConnections.Cookie, ex.ToString());
        }

        [Fact]
        public async Task ConnectAsync_WithWrongPassword_ThrowsInvalidLoginAsAuthenticationError()
        {
            var server = new FakeVimServer()
                .Reply("RetrieveServiceContent", "RetrieveServiceContent_VC80.xml")
                .Fault("Login", "Fault_InvalidLogin.xml");

            var ex = await Assert.ThrowsAsync<VimFaultException>(() => VimClient.ConnectAsync(TestConnections.Options(server)));

            Assert.Equal("InvalidLogin", ex.ErrorId);
            Assert.Equal("InvalidLogin", ex.FaultType);
            Assert.Equal(ErrorKind.AuthenticationError, ex.Kind);
            Assert.Equal("Login", ex.Method);
            Assert.Contains("vc01.example.com", ex.Message);
            Assert.Contains("incorrect user name or password", ex.Message);
        }

        [Fact]
        public async Task Dispose_OfAnOwnedSession_LogsOut()
        {
            var server = new FakeVimServer();
            var client = await TestConnections.ConnectAsync(server);
            server.Reply("Logout", "Logout.xml");

            client.Dispose();

            Assert.Equal("Logout", server.Methods.Last());
            Assert.Equal(new[] { "SessionManager" }, server.Requests.Last().Values("_this"));
        }

        [Fact]
        public async Task Dispose_AfterLogoutAsync_DoesNotLogOutTwice()
        {
            var server = new FakeVimServer();
            var client = await TestConnections.ConnectAsync(server);
            server.Reply("Logout", "Logout.xml");

            await client.LogoutAsync();
            client.Dispose();

            Assert.Single(server.Methods, m => m == "Logout");
        }

        [Fact]
        public async Task Dispose_OfABorrowedSession_NeverLogsOut()
        {
            var server = new FakeVimServer()
                .Reply("RetrieveServiceContent", "RetrieveServiceContent_VC80.xml")
                .Reply("RetrievePropertiesEx", "RetrievePropertiesEx_CurrentSession.xml");
            var client = await VimClient.ConnectAsync(new VimConnectionOptions(TestConnections.Server) { SessionCookie = TestConnections.Cookie, MessageHandler = server });

            await client.LogoutAsync();
            client.Dispose();

            Assert.DoesNotContain("Logout", server.Methods);
        }

        [Fact]
        public async Task Dispose_WhenLogoutFails_DoesNotThrow()
        {
            var server = new FakeVimServer();
            var client = await TestConnections.ConnectAsync(server);
            server.Fault("Logout", "Fault_NotAuthenticated.xml");

            client.Dispose();

            Assert.Equal("Logout", server.Methods.Last());
        }

        [Fact]
        public async Task ConnectAsync_Insecure_WarnsOnEveryConnection()
        {
            var warnings = new List<Advice>();
            for (int i = 0; i < 2; i++)
            {
                var server = new FakeVimServer().ScriptLogin();
                var options = new VimConnectionOptions(TestConnections.Server)
                {
                    UserName = TestConnections.User,
                    Password = TestConnections.Password,
                    Insecure = true,
                    Warn = warnings.Add,
                    MessageHandler = server,
                };
                using var client = await VimClient.ConnectAsync(options);
            }

            Assert.Equal(2, warnings.Count);
            Assert.All(warnings, w => Assert.Contains("https://vc01.example.com/sdk", w.Text));
            Assert.All(warnings, w => Assert.Equal(RemedyKind.PinThumbprint, w.Remedy!.Kind));
        }

        [Fact]
        public async Task ConnectAsync_Verified_DoesNotWarn()
        {
            var warnings = new List<string>();
            var server = new FakeVimServer().ScriptLogin();
            using var client = await VimClient.ConnectAsync(TestConnections.Options(server, warnings));

            Assert.Empty(warnings);
        }

        [Fact]
        public async Task ConnectAsync_WithSessionAndPassword_IsRefusedBeforeAnyCall()
        {
            var server = new FakeVimServer();
            var options = new VimConnectionOptions(TestConnections.Server)
            {
                UserName = TestConnections.User,
                Password = TestConnections.Password,
                SessionCookie = TestConnections.Cookie,
                MessageHandler = server,
            };

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => VimClient.ConnectAsync(options));

            Assert.Equal(VimErrorIds.CredentialsInvalid, ex.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
            Assert.Empty(server.Requests);
        }

        [Fact]
        public async Task ConnectAsync_WithoutCredentials_IsRefusedBeforeAnyCall()
        {
            var server = new FakeVimServer();
            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() =>
                VimClient.ConnectAsync(new VimConnectionOptions(TestConnections.Server) { UserName = TestConnections.User, MessageHandler = server }));

            Assert.Equal(VimErrorIds.CredentialsInvalid, ex.ErrorId);
            Assert.Empty(server.Requests);
        }

        [Fact]
        public async Task ConnectAsync_WithThumbprintAndInsecure_IsRefused()
        {
            var options = new VimConnectionOptions(TestConnections.Server)
            {
                UserName = TestConnections.User,
                Password = TestConnections.Password,
                Insecure = true,
                Thumbprint = new string('A', 64),
                MessageHandler = new FakeVimServer(),
            };

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => VimClient.ConnectAsync(options));

            Assert.Equal(VimErrorIds.TlsOptionsInvalid, ex.ErrorId);
        }

        [Fact]
        public async Task ConnectAsync_WithSha1Thumbprint_ExplainsThatSha256IsNeeded()
        {
            var options = new VimConnectionOptions(TestConnections.Server)
            {
                UserName = TestConnections.User,
                Password = TestConnections.Password,
                Thumbprint = "A1:B2:C3:D4:E5:F6:07:18:29:3A:4B:5C:6D:7E:8F:90:A1:B2:C3:D4",
                MessageHandler = new FakeVimServer(),
            };

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => VimClient.ConnectAsync(options));

            Assert.Equal(VimErrorIds.TlsOptionsInvalid, ex.ErrorId);
            Assert.Contains("SHA-1", ex.Message);
            Assert.Contains("SHA-256", ex.Message);
        }

        [Fact]
        public async Task ConnectAsync_ToAnOlderServer_SwitchesToItsApiVersion()
        {
            var server = new FakeVimServer();
            using var client = await TestConnections.ConnectAsync(server, "RetrieveServiceContent_VC65.xml");

            Assert.Equal("urn:vim25/6.5", server.Requests[1].SoapAction);
        }
    }
}
