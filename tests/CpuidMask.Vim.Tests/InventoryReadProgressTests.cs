using System.Globalization;
using CpuidMask.Vim.Inventory;
using Xunit;

namespace CpuidMask.Vim.Tests
{
    public class InventoryReadProgressTests
    {
        [Theory]
        [InlineData(InventoryObjectKind.Vm, 1500, 10000, false, "vc01: 1,500 of 10,000 VMs read")]
        [InlineData(InventoryObjectKind.Vm, 1500, null, false, "vc01: 1,500 VMs read")]
        [InlineData(InventoryObjectKind.Vm, 1500, null, true, "vc01: 1,500 VM names read")]
        [InlineData(InventoryObjectKind.Host, 1, null, false, "vc01: 1 host read")]
        [InlineData(InventoryObjectKind.Host, 1, null, true, "vc01: 1 host name read")]
        [InlineData(InventoryObjectKind.Host, 3, 3, false, "vc01: 3 of 3 hosts read")]
        [InlineData(InventoryObjectKind.Cluster, 1, 1, false, "vc01: 1 of 1 cluster read")]
        [InlineData(InventoryObjectKind.Cluster, 0, null, false, "vc01: 0 clusters read")]
        public void ToString_SaysTheServerTheCountAndWhat(InventoryObjectKind kind, int read, int? total, bool namesOnly, string expected)
        {
            var saved = CultureInfo.CurrentCulture;
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            try
            {
                Assert.Equal(expected, new InventoryReadProgress("vc01", kind, read, total, namesOnly).ToString());
            }
            finally
            {
                CultureInfo.CurrentCulture = saved;
            }
        }
    }
}
