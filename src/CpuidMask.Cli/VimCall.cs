using System;
using System.Threading.Tasks;

namespace CpuidMask.Cli
{
    /// <summary>Runs a vSphere client call (asynchronous library code) to completion for the synchronous commands.</summary>
    internal static class VimCall
    {
        /// <summary>Runs <paramref name="call"/> on the thread pool, without the caller's synchronization context, and waits for it.</summary>
        public static T Run<T>(Func<Task<T>> call) => Task.Run(call).GetAwaiter().GetResult();
    }
}
