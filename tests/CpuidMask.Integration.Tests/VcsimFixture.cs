using Xunit;

namespace CpuidMask.Integration.Tests
{
    /// <summary>
    /// Starts the vCenter simulator once for every test in the "vcsim" collection, with the committed
    /// inventory built from real CPU dumps, and stops it at the end. Each test touches its own VMs; no
    /// test of the collection arms faults or latency (a test that does starts its own <see cref="VcsimServer"/>).
    /// </summary>
    public sealed class VcsimFixture : VcsimServer
    {
        public VcsimFixture()
            : base(new VcsimOptions())
        {
        }
    }

    [CollectionDefinition("vcsim")]
    public sealed class VcsimCollection : ICollectionFixture<VcsimFixture>
    {
    }
}
