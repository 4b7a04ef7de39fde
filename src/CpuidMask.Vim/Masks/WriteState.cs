using System;
using CpuidMask.Engine;

namespace CpuidMask.Vim.Masks
{
    /// <summary>What the write paths of both services agree on about a change whose answer may be lost.</summary>
    internal static class WriteState
    {
        /// <summary>How long reading a VM again after a lost answer may take, on a deadline of its own.</summary>
        public static readonly TimeSpan RereadTimeout = TimeSpan.FromSeconds(30);

        /// <summary>
        /// Whether a failure leaves it open if the change was made: the connection broke, the server did not answer in
        /// time, the run's deadline or Ctrl+C cut the wait short, or the task outlived our wait. A vSphere fault (an
        /// answer) is not in doubt: the call was refused or its task failed.
        /// </summary>
        public static bool InDoubt(Exception ex) => ex switch
        {
            VimFaultException _ => false,
            OperationCanceledException _ => true,
            CpuidMaskException cm => cm.Kind == ErrorKind.ConnectionError || cm.ErrorId == VimErrorIds.TaskTimeout || cm.ErrorId == VimErrorIds.ResponseMalformed || cm.ErrorId == VimErrorIds.NotSoap,
            System.Net.Http.HttpRequestException _ => true,
            System.IO.IOException _ => true,
            _ => false,
        };
    }
}
