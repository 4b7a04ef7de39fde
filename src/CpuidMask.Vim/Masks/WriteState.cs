using System;
using System.Threading;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Vim.Types;

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

        /// <summary>
        /// Whether a change whose answer was lost may still take effect after the VM was read again: a task was created
        /// (it runs on without us), or the call was cut short by a deadline rather than a broken connection (the
        /// server may not have got to it yet). Then a VM that still shows the previous values is Unknown, not NotApplied.
        /// </summary>
        public static bool MayStillTakeEffect(Exception ex, bool taskCreated) =>
            taskCreated
            || ex is OperationCanceledException
            || (ex is CpuidMaskException cm && (cm.ErrorId == VimErrorIds.Timeout || cm.ErrorId == VimErrorIds.TaskTimeout));

        /// <summary>
        /// Whether, after a lost answer, to wait for the VM's unfinished tasks before reading it again: yes when the
        /// connection broke or the answer was unreadable (the server may have made the task, which then runs on); no
        /// when the run's own deadline, Ctrl+C or the task wait ran out, which waiting longer would defeat.
        /// </summary>
        public static bool WaitForTasks(Exception ex) =>
            !(ex is OperationCanceledException)
            && !(ex is CpuidMaskException cm && (cm.ErrorId == VimErrorIds.Timeout || cm.ErrorId == VimErrorIds.TaskTimeout));

        /// <summary>
        /// Waits, on <paramref name="token"/>, for the change's own task when it is known, else for every task queued
        /// or running on the VM now (TaskManager.recentTask), so that reading the VM afterwards sees what they did. A
        /// task that fails is done too. A task still unfinished when the token ends throws, and the outcome is unknown.
        /// </summary>
        public static async Task SettleTasksAsync(VimClient client, ManagedObjectReference vm, ManagedObjectReference? task, CancellationToken token)
        {
            var tasks = task != null ? new[] { task } : await client.UnfinishedTasksOnAsync(vm, token).ConfigureAwait(false);
            foreach (var pending in tasks)
            {
                try
                {
                    await client.WaitForTaskAsync(pending, RereadTimeout, token).ConfigureAwait(false);
                }
                catch (VimFaultException)
                {
                }
            }
        }

        /// <summary>Applied when the VM holds the change, else NotApplied, or Unknown when it holds neither or may still change.</summary>
        public static VmChangeOutcome Settle(bool holdsChange, bool holdsPrevious, bool mayStillTakeEffect) =>
            holdsChange ? VmChangeOutcome.Applied
            : holdsPrevious && !mayStillTakeEffect ? VmChangeOutcome.NotApplied
            : VmChangeOutcome.Unknown;
    }
}
