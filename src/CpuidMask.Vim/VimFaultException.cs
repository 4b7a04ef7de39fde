using System;
using System.Collections.Generic;
using System.Xml.Linq;
using CpuidMask.Engine;
using CpuidMask.Vim.Soap;
using CpuidMask.Vim.Types;

namespace CpuidMask.Vim
{
    /// <summary>
    /// A fault vSphere returned, from a call or from a task. The error id is the fault's type name
    /// (InvalidLogin, ConcurrentAccess...), so scripts can match on what vSphere said.
    /// </summary>
    public sealed class VimFaultException : CpuidMaskException
    {
        internal VimFaultException(string faultType, string? faultString, string method, Uri server, XElement? fault, string message)
            : base(faultType, KindOf(faultType), message, server.ToString())
        {
            FaultType = faultType;
            FaultString = faultString;
            Method = method;
            Server = server;
            FaultObject = ManagedObjectReference.FromXml(fault?.Child("obj") ?? fault?.Child("object") ?? fault?.Child("entity"));
            PrivilegeId = fault?.Text("privilegeId");
            InvalidProperty = fault?.Text("invalidProperty") ?? (faultType == "InvalidProperty" ? fault?.Text("name") : null);
        }

        /// <summary>The vim25 fault type, e.g. "InvalidPowerState".</summary>
        public string FaultType { get; }

        /// <summary>The server's own message (faultstring or localizedMessage), credentials removed.</summary>
        public string? FaultString { get; }

        /// <summary>The wire method that failed, e.g. "ReconfigVM_Task" or a task's "VirtualMachine.reconfigure".</summary>
        public string Method { get; }

        public Uri Server { get; }

        /// <summary>The object the fault names, when it names one (ManagedObjectNotFound.obj, NoPermission.object).</summary>
        public ManagedObjectReference? FaultObject { get; }

        /// <summary>NoPermission's missing privilege, e.g. "VirtualMachine.Config.AdvancedConfig".</summary>
        public string? PrivilegeId { get; }

        /// <summary>InvalidArgument.invalidProperty / InvalidProperty.name.</summary>
        public string? InvalidProperty { get; }

        private static readonly Dictionary<string, ErrorKind> Kinds = new Dictionary<string, ErrorKind>(StringComparer.Ordinal)
        {
            ["InvalidLogin"] = ErrorKind.AuthenticationError,
            ["NotAuthenticated"] = ErrorKind.AuthenticationError,
            ["PasswordExpired"] = ErrorKind.AuthenticationError,
            ["NoClientCertificate"] = ErrorKind.AuthenticationError,
            ["ManagedObjectNotFound"] = ErrorKind.ObjectNotFound,
            ["NotFound"] = ErrorKind.ObjectNotFound,
            ["FileNotFound"] = ErrorKind.ObjectNotFound,
            ["InvalidPowerState"] = ErrorKind.InvalidOperation,
            ["InvalidState"] = ErrorKind.InvalidOperation,
            ["InvalidHostState"] = ErrorKind.InvalidOperation,
            ["InvalidVmState"] = ErrorKind.InvalidOperation,
            ["ConcurrentAccess"] = ErrorKind.InvalidOperation,
            ["TaskInProgress"] = ErrorKind.InvalidOperation,
            ["RequestCanceled"] = ErrorKind.InvalidOperation,
            ["NoPermission"] = ErrorKind.SecurityError,
            ["RestrictedVersion"] = ErrorKind.SecurityError,
            ["InvalidArgument"] = ErrorKind.InvalidArgument,
            ["InvalidProperty"] = ErrorKind.InvalidArgument,
            ["InvalidType"] = ErrorKind.InvalidArgument,
            ["InvalidRequest"] = ErrorKind.InvalidArgument,
            ["InvalidName"] = ErrorKind.InvalidArgument,
            ["MethodNotFound"] = ErrorKind.NotImplemented,
            ["NotSupported"] = ErrorKind.NotImplemented,
            ["NotImplemented"] = ErrorKind.NotImplemented,
            ["HostNotConnected"] = ErrorKind.ResourceUnavailable,
            ["HostCommunication"] = ErrorKind.ResourceUnavailable,
            ["HostNotReachable"] = ErrorKind.ResourceUnavailable,
        };

        /// <summary>The error kind a fault type maps to; faults not listed are refused operations.</summary>
        public static ErrorKind KindOf(string faultType) =>
            Kinds.TryGetValue(faultType, out var kind) ? kind : ErrorKind.InvalidOperation;

        /// <summary>What to do about a fault, in a sentence; empty when vSphere's own text says it all.</summary>
        internal static string AdviceFor(string faultType, XElement? fault) => faultType switch
        {
            "InvalidLogin" => "Check the user name (e.g. administrator@vsphere.local) and the password.",
            "NotAuthenticated" => "The session is not logged in or has expired; connect again.",
            "NoPermission" => fault?.Text("privilegeId") is string privilege
                ? $"The account lacks the privilege {privilege}; ask a vSphere administrator to grant it or use another account."
                : "The account lacks a privilege this needs; ask a vSphere administrator or use another account.",
            "ManagedObjectNotFound" => "The object no longer exists (removed or re-registered); read the inventory again.",
            "InvalidPowerState" => "Power the VM off first; CPUID masks can only be changed while it is off.",
            "ConcurrentAccess" => "Someone changed the object meanwhile; read it again and retry.",
            "TaskInProgress" => "Another task is running on the object; wait for it to finish and retry.",
            "InvalidProperty" => "This vSphere version does not know a requested property.",
            "NotSupported" => "This vSphere version or object does not support the operation.",
            _ => string.Empty,
        };
    }
}
