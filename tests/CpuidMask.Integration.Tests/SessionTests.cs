using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using Xunit;

namespace CpuidMask.Integration.Tests
{
    /// <summary>Reusing a session someone else opened (PowerCLI's SessionSecret), from the environment.</summary>
    [Collection("vcsim")]
    public class SessionTests
    {
        private readonly VcsimFixture _vcsim;

        public SessionTests(VcsimFixture vcsim) => _vcsim = vcsim;

        [Fact]
        public async Task Session_FromTheEnvironment_IsUsedWithoutLoginAndNeverLoggedOut()
        {
            string cookie = await LoginAsync();
            var env = new Dictionary<string, string?> { ["CPUIDMASK_SESSION"] = cookie };

            var run = VcsimCli.RunRaw(_vcsim, env, new[] { "vm-mask", "--server", _vcsim.Url, "--thumbprint", _vcsim.Thumbprint, "--vm", "vm-amd01" });

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("vm-amd01", run.Out);
            Assert.DoesNotContain("Login", run.Requests);
            Assert.DoesNotContain("Logout", run.Requests);
            Assert.DoesNotContain(cookie, run.Out + run.Err);
        }

        [Fact]
        public void Session_NotLoggedIn_ClearErrorExitTwo()
        {
            var env = new Dictionary<string, string?> { ["CPUIDMASK_SESSION"] = "0123456789abcdef0123456789abcdef01234567" };

            var run = VcsimCli.RunRaw(_vcsim, env, new[] { "hosts", "--server", _vcsim.Url, "--thumbprint", _vcsim.Thumbprint });

            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Contains("127.0.0.1", run.Err);
            Assert.Contains("error NotAuthenticated", run.Err);
            Assert.DoesNotContain("0123456789abcdef0123456789abcdef01234567", run.Err);
        }

        /// <summary>Logs in the way another tool would, and returns the vmware_soap_session value.</summary>
        private async Task<string> LoginAsync()
        {
            using var handler = new HttpClientHandler
            {
                UseCookies = false,
                ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
                    certificate != null && string.Join(":", SHA256.HashData(certificate.RawData).Select(b => b.ToString("X2"))) == _vcsim.Thumbprint,
            };
            using var http = new HttpClient(handler);
            string envelope(string body) =>
                "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:vim=\"urn:vim25\"><soapenv:Body>" + body + "</soapenv:Body></soapenv:Envelope>";
            async Task<HttpResponseMessage> post(string body, string? cookie)
            {
                var request = new HttpRequestMessage(HttpMethod.Post, _vcsim.Url) { Content = new StringContent(envelope(body), Encoding.UTF8, "text/xml") };
                request.Headers.TryAddWithoutValidation("SOAPAction", "urn:vim25/7.0.3.0");
                if (cookie != null)
                {
                    request.Headers.TryAddWithoutValidation("Cookie", "vmware_soap_session=" + cookie);
                }

                var response = await http.SendAsync(request);
                response.EnsureSuccessStatusCode();
                return response;
            }

            var login = await post(
                $"<vim:Login><vim:_this type=\"SessionManager\">SessionManager</vim:_this><vim:userName>{_vcsim.User}</vim:userName><vim:password>{_vcsim.Password}</vim:password></vim:Login>",
                null);
            string setCookie = login.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("vmware_soap_session=", StringComparison.Ordinal));
            string value = setCookie.Substring("vmware_soap_session=".Length).Split(';')[0];
            return value.Trim('"');
        }
    }
}
