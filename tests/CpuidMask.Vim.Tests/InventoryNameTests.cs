using CpuidMask.Engine;
using CpuidMask.Vim.Inventory;
using CpuidMask.Vim.Types;
using Xunit;

namespace CpuidMask.Vim.Tests
{
    public class InventoryNameTests
    {
        [Theory]
        [InlineData("app01", "app01", true)]
        [InlineData("app01", "APP01", true)]
        [InlineData("app01", "app011", false)]
        [InlineData("app*", "app01", true)]
        [InlineData("app*", "web01", false)]
        [InlineData("*01", "web01", true)]
        [InlineData("app0?", "app07", true)]
        [InlineData("app0?", "app007", false)]
        [InlineData("esx0[1-2]*", "esx02.example.com", true)]
        [InlineData("esx0[1-2]*", "esx03.example.com", false)]
        [InlineData("db.prod", "dbxprod", false)]
        [InlineData("web(1)", "web(1)", true)]
        [InlineData("a`*b", "a*b", true)]
        [InlineData("a`*b", "axxb", false)]
        public void NamePattern_MatchesLikePowerShellWildcards(string pattern, string name, bool expected)
        {
            Assert.Equal(expected, new NamePattern(pattern).Matches(name));
        }

        [Theory]
        [InlineData("web%2f01", "web/01")]
        [InlineData("a%5cb", "a\\b")]
        [InlineData("100%25", "100%")]
        [InlineData("50%off", "50%off")]
        [InlineData("plain", "plain")]
        public void EntityName_UnescapesWhatvSphereEscapes(string wire, string shown)
        {
            Assert.Equal(shown, EntityName.Unescape(wire));
        }

        [Theory]
        [InlineData("VirtualMachine-vm-42", "VirtualMachine", "vm-42")]
        [InlineData("HostSystem:host-10", "HostSystem", "host-10")]
        [InlineData("ContainerView:session[52b1]52e1", "ContainerView", "session[52b1]52e1")]
        public void ManagedObjectReference_ParsesPowerCliIdsAndGovcForm(string text, string type, string value)
        {
            var parsed = ManagedObjectReference.Parse(text);

            Assert.Equal(type, parsed.Type);
            Assert.Equal(value, parsed.Value);
        }

        [Theory]
        [InlineData("vm42")]
        [InlineData("-vm-42")]
        [InlineData("VirtualMachine-")]
        [InlineData("")]
        public void ManagedObjectReference_RejectsTextWithoutTypeAndValue(string text)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => ManagedObjectReference.Parse(text));

            Assert.Equal(VimErrorIds.MoRefInvalid, ex.ErrorId);
        }
    }
}
