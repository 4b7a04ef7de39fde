using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using CpuidMask.Engine;
using CpuidMask.Engine.Masks;
using CpuidMask.Vim.Masks;

namespace CpuidMask.Cli
{
    /// <summary>
    /// What 'apply' and 'undo' report for one VM: how the change ended (applied, unchanged, what-if, not applied,
    /// unknown, not attempted, failed), what it changed, its undo file, and the error. Printed as text as the VMs
    /// finish, in the order they were given, or collected as one JSON array (--json) for scripts.
    /// </summary>
    internal sealed class VmChangeReport
    {
        public VmChangeReport(string vm, string server)
        {
            Vm = vm;
            Server = server;
        }

        public string Vm { get; }

        public string Server { get; }

        public string? MoRef { get; set; }

        /// <summary>applied, unchanged, what-if, not-applied, unknown, not-attempted or failed.</summary>
        public string Status { get; set; } = "failed";

        public bool? Verified { get; set; }

        public IReadOnlyList<KeyChange> Changes { get; set; } = Array.Empty<KeyChange>();

        public string? EvcMode { get; set; }

        public string? UndoFile { get; set; }

        public CpuidMaskException? Error { get; set; }

        /// <summary>Whether the VM is not where it should be: a failure, an unknown outcome, or a VM never reached.</summary>
        public bool Failed => Status == "failed" || Status == "unknown" || Status == "not-attempted" || Status == "not-applied";

        /// <summary>The report of a mask write or undo that ran to its end.</summary>
        public static VmChangeReport From(MaskApplyResult result, string? undoFile) => new VmChangeReport(result.VmName, result.Server)
        {
            MoRef = result.MoRef.ToString(),
            Status = StatusOf(result.Status),
            Verified = result.Status == MaskApplyStatus.WhatIf ? (bool?)null : result.Verified,
            Changes = result.Changes,
            UndoFile = result.Written ? undoFile : null,
        };

        /// <summary>The report of a per-VM EVC change that ran to its end.</summary>
        public static VmChangeReport From(PerVmEvcResult result, string? undoFile) => new VmChangeReport(result.VmName, result.Server)
        {
            MoRef = result.MoRef.ToString(),
            Status = StatusOf(result.Status),
            Verified = result.Status == MaskApplyStatus.WhatIf ? (bool?)null : result.Verified,
            EvcMode = result.Request.EvcModeKey,
            UndoFile = result.Status == MaskApplyStatus.Applied ? undoFile : null,
        };

        private static string StatusOf(MaskApplyStatus status) => status switch
        {
            MaskApplyStatus.Unchanged => "unchanged",
            MaskApplyStatus.WhatIf => "what-if",
            _ => "applied",
        };

        /// <summary>The report of a change that failed, whose answer was lost, or that the run never reached.</summary>
        public static VmChangeReport Failure(string vm, string server, Exception? error, bool attempted, string? undoFile)
        {
            var report = new VmChangeReport(vm, server);
            switch (error)
            {
                case null when !attempted:
                case OperationCanceledException _ when !attempted:
                    report.Status = "not-attempted";
                    break;
                case VmWriteInterruptedException lost:
                    report.Status = lost.Outcome switch
                    {
                        VmChangeOutcome.Applied => "applied",
                        VmChangeOutcome.NotApplied => "not-applied",
                        _ => "unknown",
                    };
                    report.Verified = false;
                    report.Changes = lost.UndoRecord is MaskUndoRecord mask ? mask.Changes : Array.Empty<KeyChange>();
                    report.UndoFile = undoFile;
                    report.Error = lost;
                    break;
                case MaskNotPersistedException notKept:
                    report = From(notKept.Result, undoFile);
                    report.Verified = false;
                    report.Error = notKept;
                    report.Status = "failed";
                    break;
                case PerVmEvcNotPersistedException notKept:
                    report = From(notKept.Result, undoFile);
                    report.Verified = false;
                    report.Error = notKept;
                    report.Status = "failed";
                    break;
                case CpuidMaskException known:
                    // Refused by vSphere after its undo record was written: the file says not-applied.
                    report.Error = known;
                    report.UndoFile = undoFile;
                    break;
                case OperationCanceledException _:
                    report.Status = "unknown";
                    report.Error = new CpuidMaskException("VmWriteInterrupted", ErrorKind.ConnectionError, "the run was stopped while this VM was being changed; read it before retrying.", vm);
                    break;
                default:
                    report.Error = new CpuidMaskException("UnexpectedError", ErrorKind.InvalidOperation, error!.Message, vm, error);
                    report.UndoFile = undoFile;
                    break;
            }

            return report;
        }

        public JsonObject ToJson() => new JsonObject
        {
            ["vm"] = Vm,
            ["moref"] = MoRef,
            ["server"] = Server,
            ["status"] = Status,
            ["verified"] = Verified,
            ["evcMode"] = EvcMode,
            ["changes"] = new JsonArray(Changes.Select(c => (JsonNode)new JsonObject { ["key"] = c.Key, ["previous"] = c.PreviousValue, ["applied"] = c.NewValue }).ToArray()),
            ["undoFile"] = UndoFile,
            ["error"] = Error == null ? null : new JsonObject { ["id"] = Error.ErrorId, ["message"] = RemedyWording.Describe(Error) },
        };
    }

    /// <summary>
    /// Writes reports in input order as the VMs finish (a VM that finishes early waits for the ones before it), as
    /// text on the way or as one JSON array at the end.
    /// </summary>
    internal sealed class VmChangeReportWriter
    {
        private readonly CliContext _context;
        private readonly string _command;
        private readonly bool _json;
        private readonly SortedDictionary<int, IReadOnlyList<VmChangeReport>> _waiting = new SortedDictionary<int, IReadOnlyList<VmChangeReport>>();
        private readonly List<VmChangeReport> _all = new List<VmChangeReport>();
        private readonly object _lock = new object();
        private int _next;

        public VmChangeReportWriter(CliContext context, string command, bool json)
        {
            _context = context;
            _command = command;
            _json = json;
        }

        public bool AnyFailed
        {
            get
            {
                lock (_lock)
                {
                    return _all.Any(r => r.Failed);
                }
            }
        }

        /// <summary>Takes the reports of the item at <paramref name="index"/> and writes every one now in order.</summary>
        public void Add(int index, IReadOnlyList<VmChangeReport> reports, Action<TextWriter>? details = null)
        {
            lock (_lock)
            {
                _waiting[index] = reports;
                if (details != null && !_json)
                {
                    _details[index] = details;
                }

                while (_waiting.TryGetValue(_next, out var ready))
                {
                    _waiting.Remove(_next);
                    _details.TryGetValue(_next, out var write);
                    _details.Remove(_next);
                    foreach (var report in ready)
                    {
                        _all.Add(report);
                        if (!_json)
                        {
                            WriteText(report, write);
                        }
                    }

                    _next++;
                }
            }
        }

        /// <summary>The JSON array, with --json; call once every item is in.</summary>
        public void Finish()
        {
            if (_json)
            {
                lock (_lock)
                {
                    Render.WriteJson(_context.Out, new JsonArray(_all.Select(r => (JsonNode)r.ToJson()).ToArray()));
                }
            }
        }

        private readonly Dictionary<int, Action<TextWriter>> _details = new Dictionary<int, Action<TextWriter>>();

        private void WriteText(VmChangeReport report, Action<TextWriter>? details)
        {
            var o = _context.Out;
            details?.Invoke(o);
            switch (report.Status)
            {
                case "not-attempted":
                    o.WriteLine($"{report.Vm}: not attempted: the run stopped before this VM (lost connection, --timeout or Ctrl+C); nothing was sent for it.");
                    break;
                case "failed" when report.UndoFile != null:
                case "applied" when report.Error != null:
                case "not-applied":
                case "unknown":
                    o.WriteLine($"{report.Vm}: outcome {report.Status.Replace('-', ' ')}" + (report.UndoFile == null ? string.Empty : $"; undo file: {report.UndoFile}"));
                    break;
            }

            if (report.UndoFile != null && report.Error == null)
            {
                o.WriteLine($"  undo file: {report.UndoFile}");
            }

            if (report.Error != null)
            {
                _context.Err.WriteLine($"cpuidmask {_command}: {report.Vm}: {RemedyWording.Describe(report.Error)}");
                _context.Err.WriteLine($"  (error {report.Error.ErrorId})");
            }
        }
    }

    /// <summary>The --timeout and Ctrl+C of a run that changes VMs, as one token.</summary>
    internal sealed class RunDeadline : IDisposable
    {
        private readonly CancellationTokenSource _source;

        public RunDeadline(Arguments args)
        {
            _source = new CancellationTokenSource();
            string? text = args.Value("--timeout");
            if (text != null)
            {
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) || seconds < 1)
                {
                    throw Arguments.Usage($"--timeout takes a number of seconds (1 or more), not '{text}'.");
                }

                _source.CancelAfter(TimeSpan.FromSeconds(seconds));
            }

            Console.CancelKeyPress += OnCancel;
        }

        public CancellationToken Token => _source.Token;

        public void Dispose()
        {
            Console.CancelKeyPress -= OnCancel;
            _source.Dispose();
        }

        /// <summary>--parallel N: at most N VMs changed at once (default 8).</summary>
        public static int Parallelism(Arguments args)
        {
            string? text = args.Value("--parallel");
            if (text == null)
            {
                return VmBatch.DefaultParallelism;
            }

            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && n <= 64
                ? n
                : throw Arguments.Usage($"--parallel takes a number from 1 to 64, not '{text}'.");
        }

        // The first Ctrl+C stops starting VMs and lets the ones under way finish their answer or be read again;
        // a second one ends the program at once.
        private void OnCancel(object? sender, ConsoleCancelEventArgs e)
        {
            if (!_source.IsCancellationRequested)
            {
                e.Cancel = true;
                _source.Cancel();
            }
        }
    }
}
