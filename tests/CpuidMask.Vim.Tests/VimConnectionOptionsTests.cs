using System;
using CpuidMask.Engine;
using Xunit;

namespace CpuidMask.Vim.Tests
{
    public class VimConnectionOptionsTests
    {
        [Theory]
        [InlineData("vc01", "https://vc01/sdk")]
        [InlineData("vc01:443", "https://vc01/sdk")]
        [InlineData("vc01.example.com:8443", "https://vc01.example.com:8443/sdk")]
        [InlineData("https://vc01/sdk", "https://vc01/sdk")]
        [InlineData("https://vc01/sdk/", "https://vc01/sdk")]
        [InlineData("https://vc01", "https://vc01/sdk")]
        [InlineData(" 10.0.0.5 ", "https://10.0.0.5/sdk")]
        [InlineData("[fd00::5]:443", "https://[fd00::5]/sdk")]
        public void ParseServer_AcceptsWhatUsersType(string typed, string expected)
        {
            Assert.Equal(new Uri(expected), VimConnectionOptions.ParseServer(typed));
        }

        [Theory]
        [InlineData("")]
        [InlineData("   ")]
        [InlineData("http://vc01/sdk")]
        [InlineData("https://")]
        public void ParseServer_RejectsWhatIsNotAnHttpsAddress(string typed)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => VimConnectionOptions.ParseServer(typed));

            Assert.Equal(VimErrorIds.AddressInvalid, ex.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        }

        [Fact]
        public void ParseServer_WithCredentialsInTheUrl_RejectsWithoutRepeatingThem()
        {
            var ex = Assert.Throws<CpuidMaskException>(() => VimConnectionOptions.ParseServer("https://root:Hunter22@vc01/sdk"));

            Assert.Equal(VimErrorIds.AddressInvalid, ex.ErrorId);
            Assert.DoesNotContain("Hunter22", ex.Message);
            Assert.DoesNotContain("Hunter22", ex.Target?.ToString());
        }

        [Fact]
        public void Defaults_AreVerifiedTlsAndAMinuteTimeout()
        {
            var options = new VimConnectionOptions("vc01");

            Assert.False(options.Insecure);
            Assert.Null(options.Thumbprint);
            Assert.Equal(TimeSpan.FromSeconds(60), options.Timeout);
            Assert.Equal("6.7", options.BootstrapApiVersion);
        }
    }
}
