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

        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private readonly ConcurrentQueue<Advice> _warnings = new ConcurrentQueue<Advice>();

        /// <summary>Warnings raised on other threads (the vSphere client's), written by <see cref="Wait{T}"/> on the pipeline thread.</summary>
        private protected Action<Advice> QueueWarning => _warnings.Enqueue;
        // One activity per command; nested progress is not needed for a flat loop.
        private const int ProgressActivityId = 0x43505544;

        private FeatureCatalog? _catalog;
        private ProgressRecord? _progress;
        private bool _disposed;

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
        /// Runs an asynchronous vSphere call to completion on the pipeline thread's behalf; Ctrl+C cancels
        /// it. Warnings the call raised are written once it returns (WriteWarning only works on this thread).
        /// </summary>
        protected T Wait<T>(Func<CancellationToken, Task<T>> call)
        {
            var token = _stopping.Token;
            try
            {
                return Task.Run(() => call(token), token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            finally
            {
                FlushWarnings();
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
        /// finished, <paramref name="current"/> next. Shown by the host only when the loop takes a while;
        /// <see cref="CompleteProgress"/> clears it.
        /// </summary>
        private protected void ReportProgress(string activity, string current, int done, int total)
        {
            // A new record each time: a host may keep the ones written (a runspace's Streams.Progress does).
            _progress = new ProgressRecord(ProgressActivityId, activity, $"{current} ({done + 1} of {total})")
            {
                PercentComplete = total > 0 ? Math.Min(100, done * 100 / total) : -1,
            };
            WriteProgress(_progress);
        }

        /// <summary>Ends the progress bar <see cref="ReportProgress"/> started, if any.</summary>
        private protected void CompleteProgress()
        {
            if (_progress == null)
            {
                return;
            }

            WriteProgress(new ProgressRecord(ProgressActivityId, _progress.Activity, _progress.StatusDescription)
            {
                PercentComplete = 100,
                RecordType = ProgressRecordType.Completed,
            });
            _progress = null;
        }

        private protected void FlushWarnings()
        {
            while (_warnings.TryDequeue(out var warning))
            {
                WriteWarning(RemedyWording.Describe(warning));
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
