using System;
using System.IO;
using Xunit;

namespace CpuidMask.Integration.Tests
{
    public class VcsimInventoryTests
    {
        [Fact]
        public void Inventory_CommittedFile_EqualsWhatTheRealDumpsGenerate()
        {
            string generated = VcsimInventory.Generate();
            if (Environment.GetEnvironmentVariable("CPUIDMASK_UPDATE_INVENTORY") == "1")
            {
                File.WriteAllText(RepoPaths.Inventory, generated);
            }

            Assert.True(File.Exists(RepoPaths.Inventory), "tests/vcsim/inventory.json is missing; run the tests once with CPUIDMASK_UPDATE_INVENTORY=1.");
            string committed = File.ReadAllText(RepoPaths.Inventory).Replace("\r\n", "\n");
            Assert.True(
                committed == generated,
                "tests/vcsim/inventory.json differs from what the dumps and VcsimInventory.cs generate; rerun with CPUIDMASK_UPDATE_INVENTORY=1 and review the diff.");
        }

        [Fact]
        public void ComplianceInventory_CommittedFile_EqualsWhatTheRealDumpsGenerate()
        {
            string generated = VcsimComplianceInventory.Generate();
            if (Environment.GetEnvironmentVariable("CPUIDMASK_UPDATE_INVENTORY") == "1")
            {
                File.WriteAllText(RepoPaths.ComplianceInventory, generated);
            }

            Assert.True(File.Exists(RepoPaths.ComplianceInventory), "tests/vcsim/compliance.json is missing; run the tests once with CPUIDMASK_UPDATE_INVENTORY=1.");
            string committed = File.ReadAllText(RepoPaths.ComplianceInventory).Replace("\r\n", "\n");
            Assert.True(
                committed == generated,
                "tests/vcsim/compliance.json differs from what the dumps and VcsimComplianceInventory.cs generate; rerun with CPUIDMASK_UPDATE_INVENTORY=1 and review the diff.");
        }
    }
}
