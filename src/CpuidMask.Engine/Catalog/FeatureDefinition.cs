using System;
using System.Collections.Generic;
using System.Globalization;
using CpuidMask.Engine.Collections;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Catalog
{
    /// <summary>Whose manual defines a bit. Bits of a vendor's own leaves mean nothing on the other's CPUs.</summary>
    public enum FeatureVendor
    {
        Any,
        Intel,
        Amd,
    }

    /// <summary>What a bit describes, which decides whether it can matter for migration.</summary>
    public enum FeatureKind
    {
        /// <summary>Instructions or architectural behaviour a guest can use.</summary>
        InstructionSet,
        /// <summary>An XSAVE state component (leaf 0xD): the guest needs it to save that state.</summary>
        StateComponent,
        /// <summary>A bit that mirrors what the operating system switched on (OSXSAVE, OSPKE).</summary>
        OsControlled,
        /// <summary>Power management, topology, monitoring: describes the host, not the guest's ISA.</summary>
        Informational,
    }

    /// <summary>
    /// Whether VMware's monitor lets a guest see a bit, after VMware's own CPUID table (x86cpuid.h in
    /// open-vm-tools): a VM sees a feature only from the virtual hardware version that first exposes it.
    /// Only FromHardwareVersion depends on the VM's version (<see cref="FeatureDefinition.IsOutOfReachAt"/>); the
    /// catalog refuses a tracked feature of any other kind, so those never block a vMotion at any version and a host
    /// difference in them stays informational, with the reason it has at every version.
    /// </summary>
    public enum GuestExposure
    {
        /// <summary>
        /// VMs of <see cref="FeatureDefinition.MinHardwareVersion"/> and later can see it; for older VMs it is out of
        /// reach: a host difference in it neither blocks a vMotion nor needs masking.
        /// </summary>
        FromHardwareVersion,
        /// <summary>VMware's table knows the bit, but no released virtual hardware version exposes it yet.</summary>
        Future,
        /// <summary>The monitor never passes the host's bit to a guest.</summary>
        Never,
        /// <summary>The bit is in a leaf VMware does not mask: the monitor fills that leaf in itself.</summary>
        Unmasked,
        /// <summary>VMware's table has no field at this bit: nothing says a version keeps it from a guest.</summary>
        Unlisted,
    }

    /// <summary>One CPUID feature flag as the catalog defines it.</summary>
    public sealed class FeatureDefinition
    {
        public FeatureDefinition(
            string name,
            uint leaf,
            uint subleaf,
            CpuidRegister register,
            int bit,
            FeatureVendor vendor,
            FeatureKind kind,
            bool tracked,
            string description,
            string? vSphereKey = null,
            string? linuxFlag = null,
            IReadOnlyList<string>? aliases = null,
            IReadOnlyList<string>? vmotionLabels = null,
            IReadOnlyList<string>? requires = null,
            GuestExposure exposure = GuestExposure.Unlisted,
            int? minHardwareVersion = null,
            bool sharesVSphereKey = false)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            Leaf = leaf;
            Subleaf = subleaf;
            Register = register;
            Bit = bit >= 0 && bit <= 31 ? bit : throw new ArgumentOutOfRangeException(nameof(bit));
            Vendor = vendor;
            Kind = kind;
            Tracked = tracked;
            Description = description ?? string.Empty;
            VSphereKey = vSphereKey;
            LinuxFlag = linuxFlag;
            Aliases = aliases.ToItemList();
            VmotionLabels = vmotionLabels.ToItemList();
            Requires = requires.ToItemList();
            if ((exposure == GuestExposure.FromHardwareVersion) != minHardwareVersion.HasValue || minHardwareVersion < 1)
            {
                throw new ArgumentException("A feature has a first hardware version exactly when it is exposed from one.", nameof(minHardwareVersion));
            }

            Exposure = exposure;
            MinHardwareVersion = minHardwareVersion;
            if (sharesVSphereKey && (vSphereKey == null || vendor == FeatureVendor.Any))
            {
                throw new ArgumentException("Only one vendor's feature with a vSphere key can share the key with the other vendor's.", nameof(sharesVSphereKey));
            }

            SharesVSphereKey = sharesVSphereKey;
        }

        /// <summary>Canonical name, e.g. <c>AVX2</c>, <c>PREFETCHW</c>, <c>XSAVE_YMM</c>.</summary>
        public string Name { get; }

        public uint Leaf { get; }

        public uint Subleaf { get; }

        public CpuidRegister Register { get; }

        public int Bit { get; }

        public LeafKey LeafKey => new LeafKey(Leaf, Subleaf);

        public FeatureVendor Vendor { get; }

        public FeatureKind Kind { get; }

        /// <summary>Whether vCenter compares this bit when it checks a vMotion.</summary>
        public bool Tracked { get; }

        public string Description { get; }

        /// <summary>The HostFeatureCapability / featMask key, e.g. <c>cpuid.AVX2</c>; null where vSphere has none.</summary>
        public string? VSphereKey { get; }

        /// <summary>
        /// Whether vSphere gives the same key to the other vendor's own bit: cpuid.IBRS is leaf 7 EDX bit 26 on an
        /// Intel host and Fn8000_0008 EBX bit 14 on an AMD one. Such a key names this feature only on its vendor's CPUs.
        /// </summary>
        public bool SharesVSphereKey { get; }

        /// <summary>The flag Linux shows in /proc/cpuinfo, e.g. <c>avx2</c>.</summary>
        public string? LinuxFlag { get; }

        /// <summary>Other names the feature goes by.</summary>
        public IReadOnlyList<string> Aliases { get; }

        /// <summary>The words vCenter uses for the feature in its vMotion compatibility errors.</summary>
        public IReadOnlyList<string> VmotionLabels { get; }

        /// <summary>Canonical names of the features this one builds on.</summary>
        public IReadOnlyList<string> Requires { get; }

        /// <summary>Whether and from which virtual hardware version VMware's monitor shows the bit to a guest.</summary>
        public GuestExposure Exposure { get; }

        /// <summary>
        /// The first virtual hardware version (the N of vmx-N) whose VMs can see the feature; a VM of an older
        /// version never sees it, whatever its host has. Null unless <see cref="Exposure"/> is FromHardwareVersion.
        /// </summary>
        public int? MinHardwareVersion { get; }

        /// <summary>
        /// Whether a VM of this virtual hardware version cannot see the feature because its version is older than
        /// <see cref="MinHardwareVersion"/>: then the host's bit never reaches the guest, so a difference in it
        /// between hosts cannot block the VM's vMotion and hiding it changes nothing for that VM. False for the
        /// other kinds of <see cref="Exposure"/>, which no version changes.
        /// </summary>
        public bool IsOutOfReachAt(int hardwareVersion) =>
            Exposure == GuestExposure.FromHardwareVersion && MinHardwareVersion > hardwareVersion;

        /// <summary>The name used after <c>featMask.vm.cpuid.</c>, from the vSphere key; null without one.</summary>
        public string? FeatMaskName =>
            VSphereKey != null && VSphereKey.StartsWith("cpuid.", StringComparison.OrdinalIgnoreCase)
                ? VSphereKey.Substring("cpuid.".Length)
                : null;

        /// <summary>
        /// The vSphere key that means this feature on a CPU of the given vendor: <see cref="VSphereKey"/>, except that
        /// a key the other vendor's bit shares (<see cref="SharesVSphereKey"/>) means that bit there, so null.
        /// </summary>
        public string? VSphereKeyOn(string cpuVendor) => SharesVSphereKey && !AppliesTo(cpuVendor) ? null : VSphereKey;

        /// <summary>The featMask name of <see cref="VSphereKeyOn"/>: null where vSphere has no name for the bit on that vendor.</summary>
        public string? FeatMaskNameOn(string cpuVendor) => SharesVSphereKey && !AppliesTo(cpuVendor) ? null : FeatMaskName;

        /// <summary>"leaf 0x1 ecx bit 28", "leaf 0x7.1 eax bit 4".</summary>
        public string Location =>
            string.Format(CultureInfo.InvariantCulture, "leaf {0} {1} bit {2}", LeafKey, Register.ToName(), Bit);

        /// <summary>The label vCenter shows, else the canonical name.</summary>
        public string DisplayName => VmotionLabels.Count > 0 ? VmotionLabels[0] : Name;

        /// <summary>Whether the bit means this feature on a CPU of the given vendor string.</summary>
        public bool AppliesTo(string cpuVendor) => Vendor switch
        {
            FeatureVendor.Intel => cpuVendor == "GenuineIntel" || cpuVendor == "CentaurHauls" || cpuVendor == "  Shanghai  ",
            FeatureVendor.Amd => cpuVendor == "AuthenticAMD" || cpuVendor == "HygonGenuine",
            _ => true,
        };

        public override string ToString() => $"{Name} ({Location})";
    }
}
