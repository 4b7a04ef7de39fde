using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CpuidMask.Vim.Tests.Fakes
{
    internal static class TestCertificates
    {
        /// <summary>A self-signed server certificate for localhost, with its private key usable by SslStream.</summary>
        public static X509Certificate2 SelfSigned(string subject = "CN=localhost")
        {
            using var rsa = RSA.Create(2048);
            var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("localhost");
            san.AddIpAddress(System.Net.IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
            using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            // Round-trip through PFX so the key is not ephemeral (SslStream needs that on some platforms).
            return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
        }

        public static string Sha256(X509Certificate2 certificate) => Convert.ToHexString(SHA256.HashData(certificate.RawData));
    }
}
