using System;

namespace CpuidMask.Engine
{
    /// <summary>What kind of failure an error is; the PowerShell layer maps it to an ErrorCategory.</summary>
    public enum ErrorKind
    {
        InvalidData,
        InvalidArgument,
        ObjectNotFound,
        ResourceUnavailable,
        InvalidOperation,
        AuthenticationError,
        ConnectionError,
        SecurityError,
        WriteError,
        NotImplemented,
    }

    /// <summary>
    /// The one exception the engine throws for bad input or a refused operation. It carries a stable
    /// error id (asserted by tests and used as the PowerShell FullyQualifiedErrorId), a kind, and the
    /// input it is about, so every shell can report "which input, what is wrong, what to do".
    /// </summary>
    [Serializable]
    public class CpuidMaskException : Exception
    {
        public CpuidMaskException(string errorId, ErrorKind kind, string message, object? target = null, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Kind = kind;
            Target = target;
        }

        /// <summary>A stable identifier such as <c>DumpLineMalformed</c>.</summary>
        public string ErrorId { get; }

        public ErrorKind Kind { get; }

        /// <summary>The offending input: a file name, a mask text, a feature name, a VM name.</summary>
        public object? Target { get; }

        /// <summary>
        /// The way out through a shell option or command, for the shell to word and append to the message; null
        /// when the message itself says all there is to do.
        /// </summary>
        public Remedy? Remedy { get; init; }
    }
}
