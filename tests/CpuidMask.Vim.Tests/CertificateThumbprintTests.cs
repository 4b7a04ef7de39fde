using CpuidMask.Vim.Tests.Fakes;
using CpuidMask.Vim.Tls;
using Xunit;

namespace CpuidMask.Vim.Tests
{
    public class CertificateThumbprintTests
    {
        private const string Hex = "3F2A9C0B7D6E5F4A3B2C1D0E9F8A7B6C5D4E3F2A1B0C9D8E7F6A5B4C3D2E1F00";

        [Theory]
        [InlineData(Hex)]
        [InlineData("3f2a9c0b7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f00")]
        [InlineData("3F:2A:9C:0B:7D:6E:5F:4A:3B:2C:1D:0E:9F:8A:7B:6C:5D:4E:3F:2A:1B:0C:9D:8E:7F:6A:5B:4C:3D:2E:1F:00")]
        [InlineData("3f:2a:9c:0b:7d:6e:5f:4a:3b:2c:1d:0e:9f:8a:7b:6c:5d:4e:3f:2a:1b:0c:9d:8e:7f:6a:5b:4c:3d:2e:1f:00")]
        [InlineData(" 3F 2A 9C 0B 7D 6E 5F 4A 3B 2C 1D 0E 9F 8A 7B 6C 5D 4E 3F 2A 1B 0C 9D 8E 7F 6A 5B 4C 3D 2E 1F 00 ")]
        public void Matches_IgnoresCaseAndSeparators(string written)
        {
            Assert.True(CertificateThumbprint.Matches(written, Hex));
            Assert.True(CertificateThumbprint.Matches(Hex, written));
            Assert.Equal(Hex, CertificateThumbprint.Normalize(written));
        }

        [Theory]
        [InlineData("3F2A9C0B7D6E5F4A3B2C1D0E9F8A7B6C5D4E3F2A1B0C9D8E7F6A5B4C3D2E1F01")]
        [InlineData("3F2A9C0B7D6E5F4A3B2C1D0E9F8A7B6C5D4E3F2A")]
        [InlineData("not a thumbprint")]
        [InlineData("")]
        [InlineData(null)]
        public void Matches_IsFalseForAnotherOrMalformedThumbprint(string? written)
        {
            Assert.False(CertificateThumbprint.Matches(written, Hex));
        }

        [Theory]
        [InlineData("3F2A9C0B7D6E5F4A3B2C1D0E9F8A7B6C5D4E3F2A")]
        [InlineData("3F2A9C0B7D6E5F4A3B2C1D0E9F8A7B6C5D4E3F2A1B0C9D8E7F6A5B4C3D2E1F0G")]
        [InlineData("3F2A9C0B7D6E5F4A3B2C1D0E9F8A7B6C5D4E3F2A1B0C9D8E7F6A5B4C3D2E1F0011")]
        public void Normalize_RejectsWhatIsNotSha256(string written)
        {
            Assert.Null(CertificateThumbprint.Normalize(written));
        }

        [Fact]
        public void Format_GroupsBytesWithColons()
        {
            Assert.Equal("3F:2A:9C:0B:7D:6E:5F:4A:3B:2C:1D:0E:9F:8A:7B:6C:5D:4E:3F:2A:1B:0C:9D:8E:7F:6A:5B:4C:3D:2E:1F:00", CertificateThumbprint.Format(Hex.ToLowerInvariant()));
        }

        [Fact]
        public void Compute_IsTheSha256OfTheDerCertificate()
        {
            var certificate = TestCertificates.SelfSigned();

            Assert.Equal(TestCertificates.Sha256(certificate), CertificateThumbprint.Compute(certificate));
        }
    }
}
