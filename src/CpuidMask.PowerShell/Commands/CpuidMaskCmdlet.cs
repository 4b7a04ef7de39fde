using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CpuidMask.Engine;
using CpuidMask.Engine.Catalog;
using CpuidMask.PowerShell.Input;
using CpuidMask.Vim;
using CpuidMask.Vim.Inventory;

namespace CpuidMask.PowerShell.Commands
{
    /// <summary>
    /// What every CpuidMask cmdlet shares: engine errors turned into ErrorRecords (per-item failures are
    /// written and the loop goes on; a broken precondition ends the command), the feature catalog, Ctrl+C and
    /// warnings for long calls, confirmation and progress. The vCenter cmdlets build on <see cref="VCenterCmdlet"/>.
    /// </summary>
    public abstract class CpuidMaskCmdlet : PSCmdlet, IDisposable
    {
        /// <summary>Reads PowerCLI objects, deserialized objects and hashtables through PowerShell's own view of them.</summary>
        internal static readonly PropertyReader Read = ReadProperty;

        // One activity per command; nested progress is not needed for a flat loop.
        private const int ProgressActivityId = 0x43505544;
        private const string ReadActivity = "Reading vCenter inventory";

        /// <summary>How often the pipeline thread looks for queued warnings and progress when nothing wakes it earlier.</summary>
        private static readonly TimeSpan PumpInterval = TimeSpan.FromMilliseconds(250);

        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private readonly ConcurrentQueue<Advice> _warnings = new ConcurrentQueue<Advice>();
        private readonly ConcurrentQueue<InventoryReadProgress> _reads = new ConcurrentQueue<InventoryReadProgress>();

        // Released by other threads whenever they queue something for the pipeline thread; extra releases only cost a
        // loop that finds nothing to write.
        private readonly SemaphoreSlim _wake = new SemaphoreSlim(0);

        private FeatureCatalog? _catalog;
        private ProgressRecord? _progress;

        // The total of the counted loop the bar shows (ReportProgress), so that its end can say all of them are done.
        private int? _progressTotal;
        private bool _readProgressShown;
        private bool _disposed;

        protected CpuidMaskCmdlet() => ReadProgress = new QueuedReadProgress(this);

        /// <summary>Warnings raised on other threads (the vSphere client's), written by <see cref="Wait{T}"/> on the pipeline thread.</summary>
        private protected Action<Advice> QueueWarning => advice =>
        {
            _warnings.Enqueue(advice);
            Wake();
        };

        /// <summary>
        /// For the inventories a command reads through (<see cref="HostInventory"/>, <see cref="VmInventory"/>,
        /// <see cref="ComplianceInventory"/>): their page-by-page progress, reported on the vSphere client's threads,
        /// is written by <see cref="Wait{T}"/> on the pipeline thread (WriteProgress works only there) and cleared when the call returns.
        /// </summary>
        private protected IProgress<InventoryReadProgress> ReadProgress { get; }

        /// <summary>The feature catalog; a catalog that does not load ends the command.</summary>
        protected FeatureCatalog Catalog
        {
            get
            {
                if (_catalog == null)
                {
                    try
                    {
                        _catalog = FeatureCatalog.Default;
                    }
                    catch (CpuidMaskException ex)
                    {
                        throw Terminate(ex);
                    }
                }

                return _catalog!;
            }
        }

        /// <summary>
        /// A -HardwareVersion value (14 or vmx-14, one the catalog lists) as its number, or null (the newest) when it was
        /// not given; anything else ends the command with HardwareVersionInvalid naming the parameter and the versions.
        /// </summary>
        protected int? ParseHardwareVersion(string? value, FeatureCatalog catalog)
        {
            if (value == null)
            {
                return null;
            }

            try
            {
                return catalog.ParseHardwareVersion(value, "-HardwareVersion").Number;
            }
            catch (CpuidMaskException ex)
            {
                throw Terminate(ex, value);
            }
        }

        /// <summary>Cancelled by Ctrl+C (StopProcessing).</summary>
        protected CancellationToken StopToken => _stopping.Token;

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Dispose(true);
            _stopping.Dispose();
            _wake.Dispose();
            GC.SuppressFinalize(this);
        }

        /// <summary>Releases what a derived command holds (vCenter sessions).</summary>
        protected virtual void Dispose(bool disposing)
        {
        }

        protected override void StopProcessing()
        {
            try
            {
                _stopping.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The command already finished.
            }
        }

        /// <summary>
        /// Runs an asynchronous vSphere call to completion on the pipeline thread's behalf; Ctrl+C cancels it. While it
        /// runs, the warnings and read progress (<see cref="ReadProgress"/>) it raises on other threads are written here
        /// (WriteWarning and WriteProgress only work on this thread); the progress is cleared before the call's result or
        /// error goes on, so nothing is written under a stale progress bar.
        /// </summary>
        protected T Wait<T>(Func<CancellationToken, Task<T>> call)
        {
            var token = _stopping.Token;
            var task = Task.Run(() => call(token), token);
            task.ContinueWith(_ => Wake(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            try
            {
                while (!task.IsCompleted)
                {
                    AwaitWake();
                }

                return task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            finally
            {
                WriteQueued();
                if (_readProgressShown)
                {
                    _readProgressShown = false;

                    // After Ctrl+C WriteProgress throws PipelineStoppedException; the host clears the bar itself when
                    // the stopped pipeline ends.
                    if (!token.IsCancellationRequested)
                    {
                        CompleteProgress();
                    }
                }
            }
        }

        /// <summary>
        /// Blocks the pipeline thread until another thread has queued something (or a quarter second passed), then writes
        /// what was queued: the loop of every wait for work on other threads.
        /// </summary>
        private protected void AwaitWake()
        {
            _wake.Wait(PumpInterval);
            WriteQueued();
        }

        /// <summary>Lets <see cref="AwaitWake"/> return now: something was queued, or the awaited work finished.</summary>
        private protected void Wake()
        {
            try
            {
                _wake.Release();
            }
            catch (ObjectDisposedException)
            {
                // The command already finished; a late callback has nobody left to tell.
            }
        }

        /// <summary>ErrorKind to the ErrorCategory PowerShell shows and scripts filter on.</summary>
        internal static ErrorCategory CategoryOf(ErrorKind kind) => kind switch
        {
            ErrorKind.InvalidData => ErrorCategory.InvalidData,
            ErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
            ErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
            ErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
            ErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
            ErrorKind.AuthenticationError => ErrorCategory.AuthenticationError,
            ErrorKind.ConnectionError => ErrorCategory.ConnectionError,
            ErrorKind.SecurityError => ErrorCategory.SecurityError,
            ErrorKind.WriteError => ErrorCategory.WriteError,
            ErrorKind.NotImplemented => ErrorCategory.NotImplemented,
            _ => ErrorCategory.NotSpecified,
        };

        /// <summary>
        /// The ErrorRecord for an engine or vSphere error: its stable id (the FullyQualifiedErrorId starts
        /// with it), its category, and as target the item being processed, else the input the error names.
        /// </summary>
        internal static ErrorRecord ToErrorRecord(CpuidMaskException exception, object? item)
        {
            // A remedy named below is worded here, in this module's parameters; the original stays the inner exception.
            var reported = exception.Remedy == null
                ? exception
                : new CpuidMaskException(exception.ErrorId, exception.Kind, RemedyWording.Describe(exception), exception.Target, exception);
            return new ErrorRecord(reported, exception.ErrorId, CategoryOf(exception.Kind), Unwrap(item) ?? exception.Target);
        }

        /// <summary>A failure of one item: reported, and the command goes on with the next.</summary>
        protected void WriteItemError(CpuidMaskException exception, object? item) => WriteError(ToErrorRecord(exception, item));

        /// <summary>
        /// A broken precondition (no session, unreadable catalog, unusable input set) ends the command:
        /// <c>throw Terminate(ex)</c>. ThrowTerminatingError itself throws; the returned exception only
        /// tells the compiler that control does not go on.
        /// </summary>
        protected Exception Terminate(CpuidMaskException exception, object? item = null)
        {
            ThrowTerminatingError(ToErrorRecord(exception, item));
            return exception;
        }

        protected Exception Terminate(string errorId, ErrorKind kind, string message, object? target = null) =>
            Terminate(new CpuidMaskException(errorId, kind, message, target), target);

        /// <summary>The object inside a PSObject, except for property bags (PSCustomObject, deserialized objects).</summary>
        internal static object? Unwrap(object? value) =>
            value is PSObject wrapped && !(wrapped.BaseObject is PSCustomObject) ? wrapped.BaseObject : value;

        /// <summary>
        /// The items of a parameter value, nested arrays flattened and each item unwrapped: the elements of an
        /// array keep their PSObject wrappers ((Get-Content f) is an object[] of wrapped strings), so unwrapping
        /// only the array is not enough. Strings and dictionaries are items, not collections.
        /// </summary>
        internal static IEnumerable<object> UnwrapAll(object? value)
        {
            var item = Unwrap(value);
            if (item == null)
            {
                yield break;
            }

            if (item is IEnumerable many && !(item is string) && !(item is IDictionary))
            {
                foreach (var inner in many)
                {
                    foreach (var unwrapped in UnwrapAll(inner))
                    {
                        yield return unwrapped;
                    }
                }
            }
            else
            {
                yield return item;
            }
        }

        /// <summary>
        /// ShouldProcess, except that a session that cannot ask (pwsh -NonInteractive, a scheduled task, a job)
        /// ends the command with a message saying how to go on, instead of PowerShell's bare "Read and Prompt
        /// functionality is not available".
        /// </summary>
        private protected bool ShouldChange(string target, string action)
        {
            try
            {
                return ShouldProcess(target, action);
            }
            catch (Exception ex) when (ex is PSInvalidOperationException || ex is System.Management.Automation.Host.HostException)
            {
                throw Terminate(
                    "ConfirmationUnavailable",
                    ErrorKind.InvalidOperation,
                    $"{MyInvocation.MyCommand.Name} asks before it changes '{target}' ({action}), but this session cannot ask (pwsh -NonInteractive, a scheduled task or a job). " +
                    "Pass -Confirm:$false to go ahead without asking, or -WhatIf to see what would change; nothing was changed.",
                    target);
            }
        }

        /// <summary>
        /// Progress of a loop over VMs or hosts (Write-Progress): <paramref name="done"/> of <paramref name="total"/>
        /// finished, <paramref name="current"/> next ("vm02 (2 of 4)"), or once all are finished "4 of 4 done".
        /// Shown by the host only when the loop takes a while; <see cref="CompleteProgress"/> clears it.
        /// </summary>
        private protected void ReportProgress(string activity, string? current, int done, int total)
        {
            ShowProgress(
                activity,
                current == null || done >= total ? AllDone(total) : $"{current} ({done + 1} of {total})",
                total > 0 ? Math.Min(100, done * 100 / total) : -1);
            _progressTotal = total;
        }

        private static string AllDone(int total) => $"{total} of {total} done";

        /// <summary>One read's page as progress: "vc01: 1,500 of 10,000 VMs read", or without a total (-1 percent) "vc01: 1,500 VMs read".</summary>
        private void ReportReadProgress(InventoryReadProgress read)
        {
            ShowProgress(ReadActivity, read.ToString(), read.Total is int total && total > 0 ? Math.Min(100, read.Read * 100 / total) : -1);
            _progressTotal = null;
            _readProgressShown = true;
        }

        private void ShowProgress(string activity, string status, int percentComplete)
        {
            // A new record each time: a host may keep the ones written (a runspace's Streams.Progress does).
            _progress = new ProgressRecord(ProgressActivityId, activity, status) { PercentComplete = percentComplete };
            WriteProgress(_progress);
        }

        /// <summary>Ends the progress bar <see cref="ReportProgress"/> started, if any.</summary>
        private protected void CompleteProgress()
        {
            if (_progress == null)
            {
                return;
            }

            // A counted loop ends with all of it done, not with the last item it named as next.
            string status = _progressTotal is int total ? AllDone(total) : _progress.StatusDescription;
            WriteProgress(new ProgressRecord(ProgressActivityId, _progress.Activity, status)
            {
                PercentComplete = 100,
                RecordType = ProgressRecordType.Completed,
            });
            _progress = null;
            _progressTotal = null;
        }

        /// <summary>
        /// Writes the warnings and read progress other threads queued, in the order each was queued. Not once Ctrl+C
        /// stopped the pipeline: PowerShell takes nothing more then.
        /// </summary>
        private protected void WriteQueued()
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            while (_warnings.TryDequeue(out var warning))
            {
                WriteWarning(RemedyWording.Describe(warning));
            }

            while (_reads.TryDequeue(out var read))
            {
                ReportReadProgress(read);
            }
        }

        private sealed class QueuedReadProgress : IProgress<InventoryReadProgress>
        {
            private readonly CpuidMaskCmdlet _cmdlet;

            public QueuedReadProgress(CpuidMaskCmdlet cmdlet) => _cmdlet = cmdlet;

            public void Report(InventoryReadProgress value)
            {
                _cmdlet._reads.Enqueue(value);
                _cmdlet.Wake();
            }
        }

        private static object? ReadProperty(object target, string name)
        {
            var value = Unwrap(target);
            if (value is IDictionary dictionary)
            {
                return Unwrap(PropertyReaderExtensions.ReadDictionary(dictionary, name));
            }

            var wrapped = target as PSObject ?? PSObject.AsPSObject(value!);
            PSPropertyInfo? property;
            try
            {
                property = wrapped.Properties[name];
                return property == null ? null : Unwrap(property.Value);
            }
            catch (GetValueException)
            {
                return null;
            }
            catch (ExtendedTypeSystemException)
            {
                return null;
            }
        }
    }
}
