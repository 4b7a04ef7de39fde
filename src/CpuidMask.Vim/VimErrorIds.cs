namespace CpuidMask.Vim
{
    /// <summary>
    /// The stable error ids this library raises besides vSphere's own fault names (a
    /// <see cref="VimFaultException"/> uses the fault name itself, e.g. <c>InvalidLogin</c>).
    /// </summary>
    public static class VimErrorIds
    {
        /// <summary>The server address is not a host name, host:port or https URL.</summary>
        public const string AddressInvalid = "VCenterAddressInvalid";

        /// <summary>Neither credentials nor a session were given, or both were.</summary>
        public const string CredentialsInvalid = "VCenterCredentialsInvalid";

        /// <summary>The thumbprint is not 64 hex digits, or both a thumbprint and insecure were asked for.</summary>
        public const string TlsOptionsInvalid = "VCenterTlsOptionsInvalid";

        /// <summary>DNS failure, connection refused or reset, TLS handshake failure other than a certificate.</summary>
        public const string Unreachable = "VCenterUnreachable";

        /// <summary>No answer within the connection timeout.</summary>
        public const string Timeout = "VCenterTimeout";

        /// <summary>The certificate failed platform validation and no thumbprint was pinned.</summary>
        public const string CertificateRejected = "VCenterCertificateRejected";

        /// <summary>The certificate's SHA-256 thumbprint differs from the pinned one.</summary>
        public const string ThumbprintMismatch = "VCenterThumbprintMismatch";

        /// <summary>The server answered with something other than SOAP (an HTML error page, a redirect).</summary>
        public const string NotSoap = "VCenterResponseNotSoap";

        /// <summary>A SOAP answer lacked what the call returns.</summary>
        public const string ResponseMalformed = "VCenterResponseMalformed";

        /// <summary>A vSphere task did not finish within the time allowed.</summary>
        public const string TaskTimeout = "VCenterTaskTimeout";

        /// <summary>Text that should be a managed object reference is not one.</summary>
        public const string MoRefInvalid = "ManagedObjectReferenceInvalid";

        /// <summary>A named host does not exist.</summary>
        public const string HostNotFound = "HostNotFound";

        /// <summary>A named VM does not exist.</summary>
        public const string VmNotFound = "VmNotFound";

        /// <summary>A host has no CPU data (disconnected and never read).</summary>
        public const string HostCpuDataUnavailable = "HostCpuDataUnavailable";

        /// <summary>A host is not connected to vCenter, so its CPU data is unavailable or stale.</summary>
        public const string HostNotConnected = "HostNotConnected";

        /// <summary>A mask write was refused because the VM is powered on or suspended (and Force was not given).</summary>
        public const string VmPoweredOn = "VmPoweredOn";

        /// <summary>The VM changed between the read and the write (ConcurrentAccess); nothing was written.</summary>
        public const string VmChangedConcurrently = "VmChangedConcurrently";

        /// <summary>The VM read back after a write does not hold what was written.</summary>
        public const string MaskNotPersisted = "MaskNotPersisted";

        /// <summary>An undo was refused: a key no longer holds the value that was applied.</summary>
        public const string UndoConflict = "UndoConflict";

        /// <summary>An undo record was made on another server than the one connected.</summary>
        public const string UndoServerMismatch = "UndoServerMismatch";

        /// <summary>Per-VM EVC asked for on a VM below hardware version 14.</summary>
        public const string VmHardwareVersionTooOld = "VmHardwareVersionTooOld";

        /// <summary>Named feature masks (featMask.vm.cpuid.*) on a VM below hardware version 9, which ignores them.</summary>
        public const string FeatureMaskNeedsHardwareVersion = "HardwareVersionTooOld";

        /// <summary>The VM's capability.perVmEvcSupported is not true.</summary>
        public const string PerVmEvcNotSupported = "PerVmEvcNotSupported";

        /// <summary>An EVC mode key that neither the vCenter nor the baseline catalog knows.</summary>
        public const string EvcModeNotFound = "EvcModeNotFound";

        /// <summary>A change was sent but its answer lost; the outcome comes with it.</summary>
        public const string WriteInterrupted = "VmWriteInterrupted";

        /// <summary>vCenter's answer lacks config.changeVersion, the guard against lost updates.</summary>
        public const string ChangeVersionMissing = "VmChangeVersionMissing";

        /// <summary>An undo record names a VM that is not the one its reference points to now.</summary>
        public const string UndoVmMismatch = "UndoVmMismatch";

        /// <summary>The undo record could not be stored before a change, so the change was not made.</summary>
        public const string UndoJournalFailed = "UndoRecordNotWritten";

        /// <summary>A mask or EVC mode made for one CPU vendor, for a VM whose host has another vendor's CPU.</summary>
        public const string VendorMismatch = "CpuVendorMismatch";

        /// <summary>An undo file is not a usable undo record.</summary>
        public const string UndoRecordInvalid = "UndoRecordInvalid";
    }
}
