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
    }
}
