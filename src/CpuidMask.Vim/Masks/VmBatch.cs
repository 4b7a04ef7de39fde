using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CpuidMask.Engine;

namespace CpuidMask.Vim.Masks
{
    /// <summary>How one item of a <see cref="VmBatch"/> ended.</summary>
    public sealed class VmBatchResult<TItem, TResult>
    {
        internal VmBatchResult(int index, TItem item, TResult? result, Exception? error, bool attempted)
        {
            Index = index;
            Item = item;
            Result = result;
            Error = error;
            Attempted = attempted;
        }

        /// <summary>The item's place in the input.</summary>
        public int Index { get; }

        public TItem Item { get; }

        /// <summary>The work's result; default when it failed or was not attempted.</summary>
        public TResult? Result { get; }

        /// <summary>Why the work failed; null when it succeeded or was not attempted.</summary>
        public Exception? Error { get; }

        /// <summary>False when the batch stopped (lost connection, deadline, Ctrl+C) before this item started: nothing was sent for it.</summary>
        public bool Attempted { get; }
    }

    /// <summary>
    /// Runs one change per VM with at most N at once (each VM still one guarded write, read back and verified), in the
    /// order the VMs were given. A failure of one VM is that VM's; a failure that says the connection is gone (lost
    /// answer, unreachable server, ended session), the deadline, or Ctrl+C stops the batch: items not yet started are
    /// reported not attempted instead of each waiting for a server that will not answer.
    /// </summary>
    public static class VmBatch
    {
        /// <summary>A sensible bound: enough to overlap vCenter's task latency, few enough not to crowd its task queue.</summary>
        public const int DefaultParallelism = 8;

        /// <summary>
        /// Runs <paramref name="work"/> for every item, at most <paramref name="parallelism"/> at once, starting them in
        /// input order; <paramref name="completed"/> is called (on a worker thread) as each item ends, in any order.
        /// Returns every item's result in input order.
        /// </summary>
        public static async Task<IReadOnlyList<VmBatchResult<TItem, TResult>>> RunAsync<TItem, TResult>(
            IReadOnlyList<TItem> items,
            Func<TItem, CancellationToken, Task<TResult>> work,
            int parallelism,
            CancellationToken cancellationToken,
            Action<VmBatchResult<TItem, TResult>>? completed = null)
        {
            if (parallelism < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(parallelism), "At least one change at a time.");
            }

            var results = new VmBatchResult<TItem, TResult>[items.Count];
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var slots = new SemaphoreSlim(parallelism);
            var running = new List<Task>();
            for (int i = 0; i < items.Count; i++)
            {
                try
                {
                    await slots.WaitAsync(stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                if (stop.IsCancellationRequested)
                {
                    slots.Release();
                    break;
                }

                int index = i;
                running.Add(Task.Run(async () =>
                {
                    VmBatchResult<TItem, TResult> outcome;
                    try
                    {
                        var result = await work(items[index], stop.Token).ConfigureAwait(false);
                        outcome = new VmBatchResult<TItem, TResult>(index, items[index], result, null, attempted: true);
                    }
                    catch (Exception ex)
                    {
                        outcome = new VmBatchResult<TItem, TResult>(index, items[index], default, ex, attempted: true);
                        if (StopsTheBatch(ex))
                        {
                            stop.Cancel();
                        }
                    }
                    finally
                    {
                        slots.Release();
                    }

                    results[index] = outcome;
                    completed?.Invoke(outcome);
                }));
            }

            await Task.WhenAll(running).ConfigureAwait(false);
            for (int i = 0; i < results.Length; i++)
            {
                if (results[i] == null)
                {
                    results[i] = new VmBatchResult<TItem, TResult>(i, items[i], default, null, attempted: false);
                    completed?.Invoke(results[i]);
                }
            }

            return results;
        }

        /// <summary>
        /// Whether an error means the next VM would fare no better: the connection or session is gone, or the run was
        /// cut short. A refusal about one VM (powered on, changed meanwhile, no permission on it) is not.
        /// </summary>
        public static bool StopsTheBatch(Exception ex) => ex switch
        {
            VmWriteInterruptedException _ => true,
            OperationCanceledException _ => true,
            { InnerException: Exception inner } when !(ex is CpuidMaskException) => StopsTheBatch(inner),
            VimFaultException fault => fault.FaultType == "NotAuthenticated",
            CpuidMaskException error => error.Kind == ErrorKind.ConnectionError || error.Kind == ErrorKind.AuthenticationError,
            _ => false,
        };
    }
}
