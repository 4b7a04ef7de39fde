using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Net.Security;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Vim.Tests.Fakes;
using CpuidMask.Vim.Tls;
using Xunit;

namespace CpuidMask.Vim.Tests
{
    /// <summary>The client's real HTTPS stack against a self-signed loopback server.</summary>
    public class TlsTests : IDisposable
    {
        private static readonly System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate = TestCertificates.SelfSigned();
        private readonly LoopbackTlsServer _server;

        public TlsTests()
        {
            _server = new LoopbackTlsServer(Certificate, body =>
                body.Contains("<RetrieveServiceContent") ? Recorded.Text("RetrieveServiceContent_VC80.xml")
                : body.Contains("<Login") ? Recorded.Text("Login.xml")
                : Recorded.Text("Logout.xml"));
        }

        public void Dispose() => _server.Dispose();

        private VimConnectionOptions Options(string? thumbprint = null, bool insecure = false, List<string>? warnings = null) =>
            new VimConnectionOptions(_server.Address)
            {
                UserName = TestConnections.User,
                Password = TestConnections.Password,
                Thumbprint = thumbprint,
                Insecure = insecure,
                Warn = warnings == null ? null : advice => warnings.Add(advice.Text),
                Timeout = TimeSpan.FromSeconds(20),
            };

        [Fact]
        public async Task ConnectAsync_SelfSignedCertificate_IsRejectedByDefault_WithItsThumbprintAndWhatToDo()
        {
            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => VimClient.ConnectAsync(Options()));

            Assert.Equal(VimErrorIds.CertificateRejected, ex.ErrorId);
            Assert.Equal(ErrorKind.ConnectionError, ex.Kind);
            Assert.Contains($"https://127.0.0.1:{_server.Port}/sdk", ex.Message);
            Assert.Contains(CertificateThumbprint.Format(TestCertificates.Sha256(Certificate)), ex.Message);
            Assert.Equal(RemedyKind.PinThumbprint, ex.Remedy!.Kind);
            Assert.Equal(CertificateThumbprint.Format(TestCertificates.Sha256(Certificate)), ex.Remedy.Detail);
            Assert.DoesNotContain("--thumbprint", ex.Message);
            Assert.DoesNotContain("-Thumbprint", ex.Message);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public async Task ConnectAsync_PinnedThumbprint_IsAcceptedInsteadOfCaValidation(bool withColons)
        {
            string hex = TestCertificates.Sha256(Certificate);
            string pin = withColons ? CertificateThumbprint.Format(hex).ToLowerInvariant() : hex;

            using var client = await VimClient.ConnectAsync(Options(thumbprint: pin));

            Assert.Equal("8.0.2.0", client.ServiceContent.About.ApiVersion);
            Assert.True(client.OwnsSession);
        }

        [Fact]
        public async Task ConnectAsync_PinnedThumbprintMismatch_NamesExpectedAndActual()
        {
            string wrong = new string('A', 64);

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => VimClient.ConnectAsync(Options(thumbprint: wrong)));

            Assert.Equal(VimErrorIds.ThumbprintMismatch, ex.ErrorId);
            Assert.Equal(ErrorKind.ConnectionError, ex.Kind);
            Assert.Contains(CertificateThumbprint.Format(wrong), ex.Message);
            Assert.Contains(CertificateThumbprint.Format(TestCertificates.Sha256(Certificate)), ex.Message);
        }

        [Fact]
        public async Task ConnectAsync_Insecure_AcceptsTheCertificateAndWarnsEachTime()
        {
            var warnings = new List<string>();

            using (await VimClient.ConnectAsync(Options(insecure: true, warnings: warnings)))
            {
            }

            using (await VimClient.ConnectAsync(Options(insecure: true, warnings: warnings)))
            {
            }

            Assert.Equal(2, warnings.Count);
        }

        [Fact]
        public async Task ConnectAsync_NothingListening_IsVCenterUnreachable()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();

            var options = new VimConnectionOptions($"127.0.0.1:{port}") { UserName = "u", Password = TestConnections.Password, Timeout = TimeSpan.FromSeconds(20) };
            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => VimClient.ConnectAsync(options));

            Assert.Equal(VimErrorIds.Unreachable, ex.ErrorId);
            Assert.Equal(ErrorKind.ConnectionError, ex.Kind);
            Assert.Contains($"https://127.0.0.1:{port}/sdk", ex.Message);
            Assert.Contains("refused", ex.Message);
        }

        [Fact]
        public async Task ConnectAsync_ServerThatNeverAnswers_IsVCenterTimeout()
        {
            using var silent = new LoopbackTlsServer(Certificate, _ => string.Empty, silent: true);
            var options = new VimConnectionOptions(silent.Address) { UserName = "u", Password = TestConnections.Password, Insecure = true, Timeout = TimeSpan.FromMilliseconds(500) };

            var ex = await Assert.ThrowsAsync<CpuidMaskException>(() => VimClient.ConnectAsync(options));

            Assert.Equal(VimErrorIds.Timeout, ex.ErrorId);
            Assert.Contains("0.5 s", ex.Message);
        }

        [Fact]
        public void Policy_Default_AcceptsOnlyPlatformValidCertificates()
        {
            var policy = new ServerCertificatePolicy(null, insecure: false);

            Assert.True(policy.Validate(Certificate, SslPolicyErrors.None));
            Assert.False(policy.Validate(Certificate, SslPolicyErrors.RemoteCertificateChainErrors));
            Assert.Equal(1, policy.RejectionCount);
        }

        [Fact]
        public void Policy_Pinned_IgnoresChainAndNameErrorsButNotAnotherCertificate()
        {
            var policy = new ServerCertificatePolicy(TestCertificates.Sha256(Certificate), insecure: false);
            var other = TestCertificates.SelfSigned("CN=other");

            Assert.True(policy.Validate(Certificate, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch));
            Assert.False(policy.Validate(other, SslPolicyErrors.None));
            Assert.False(policy.Validate(null, SslPolicyErrors.RemoteCertificateNotAvailable));
        }

        [Fact]
        public void Policy_Insecure_AcceptsAnything()
        {
            var policy = new ServerCertificatePolicy(null, insecure: true);

            Assert.True(policy.Validate(Certificate, SslPolicyErrors.RemoteCertificateChainErrors));
            Assert.Equal(TestCertificates.Sha256(Certificate), policy.LastPresentedThumbprint);
        }
    }
}
