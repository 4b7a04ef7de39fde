using System;
using System.Globalization;
using CpuidMask.Engine;
using CpuidMask.Engine.Json;
using CpuidMask.Vim.Types;

namespace CpuidMask.Vim.Masks
{
    /// <summary>How a change to a VM ended, as its undo record says.</summary>
    public enum VmChangeOutcome
    {
        /// <summary>Recorded before the change was sent (write-ahead); the change may be under way, or the run died.</summary>
        Pending,

        /// <summary>The change was made (and, where the VM could be read back, verified).</summary>
        Applied,

        /// <summary>The change was not made: vSphere refused it, or the VM read afterwards still holds the previous values.</summary>
        NotApplied,

        /// <summary>The answer was lost and the VM could not be read afterwards, or holds part of the change: read it before undoing.</summary>
        Unknown,
    }

    /// <summary>
    /// What puts one VM back as it was before a change this tool made: written before the change is sent (outcome
    /// Pending) and completed afterwards, as the undo file 'cpuidmask apply' writes and 'cpuidmask undo' and
    /// Undo-VmCpuidMask read. Two kinds: CPUID mask keys in extraConfig (<see cref="MaskUndoRecord"/>) and a per-VM EVC
    /// mask (<see cref="EvcUndoRecord"/>). A record names its VM by name and reference on one server; an undo
    /// refuses a VM that is not the same. It never holds credentials.
    /// </summary>
    public abstract class VmUndoRecord
    {
        private const string AppliedAtFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

        private protected VmUndoRecord(string server, string vm, ManagedObjectReference? moRef, DateTimeOffset appliedAt, VmChangeOutcome? outcome)
        {
            Server = string.IsNullOrWhiteSpace(server) ? throw new ArgumentException("An undo record needs the server.", nameof(server)) : server;
            Vm = string.IsNullOrWhiteSpace(vm) ? throw new ArgumentException("An undo record needs the VM's name.", nameof(vm)) : vm;
            MoRef = moRef;
            AppliedAt = appliedAt.ToUniversalTime();
            Outcome = outcome;
        }

        /// <summary>The vCenter (or ESXi) host name the change was made on.</summary>
        public string Server { get; }

        /// <summary>The VM's name when the change was made.</summary>
        public string Vm { get; }

        /// <summary>The VM's reference; undo finds the VM by it, and checks that it still has <see cref="Vm"/>'s name.</summary>
        public ManagedObjectReference? MoRef { get; }

        /// <summary>When the change was made (UTC).</summary>
        public DateTimeOffset AppliedAt { get; }

        /// <summary>How the change ended; null in records written before outcomes were kept.</summary>
        public VmChangeOutcome? Outcome { get; }

        /// <summary>The file (or other input) the record was read from, for messages; null for a record made in this run.</summary>
        public string? Source { get; private set; }

        /// <summary>The record and where it came from, as the messages of an undo name it.</summary>
        public string Describe() => Source == null ? $"the undo record of VM '{Vm}'" : $"undo record {Source}";

        /// <summary>"extraConfig" or "perVmEvc": the <c>kind</c> of the JSON.</summary>
        public abstract string Kind { get; }

        /// <summary>The same record with another outcome.</summary>
        public abstract VmUndoRecord WithOutcome(VmChangeOutcome outcome);

        /// <summary>The undo file's JSON (indented, LF line ends).</summary>
        public string ToJson()
        {
            var obj = new JsonDomObject()
                .Add("kind", Kind)
                .Add("server", Server)
                .Add("vm", Vm)
                .Add("moref", MoRef?.ToString())
                .Add("appliedAt", AppliedAt.UtcDateTime.ToString(AppliedAtFormat, CultureInfo.InvariantCulture))
                .Add("outcome", Outcome == null ? null : OutcomeText(Outcome.Value));
            AddChanges(obj);
            return obj.ToJson(indented: true) + "\n";
        }

        /// <summary>
        /// Reads an undo file's JSON, of either kind (a file without "kind" is an extraConfig record, as older
        /// versions wrote). Everything is checked as any input is: the server and VM name are there, the reference
        /// is a VirtualMachine's, every key is a CPUID mask key once, every value is one that key can hold. Errors (id
        /// UndoRecordInvalid, or JsonMalformed for bad JSON) name <paramref name="sourceName"/> and the line.
        /// </summary>
        public static VmUndoRecord Parse(string json, string sourceName)
        {
            var root = JsonDomNode.Parse(json ?? throw new ArgumentNullException(nameof(json)), sourceName);
            if (root is not JsonDomObject obj)
            {
                throw Invalid(sourceName, root, "expected a JSON object with kind, server, vm, moref, appliedAt and the changes, as 'cpuidmask apply' writes.");
            }

            string kind = obj.Get("kind") switch
            {
                null => MaskUndoRecord.KindName,
                JsonDomString text => text.Value,
                var other => throw Invalid(sourceName, other, "\"kind\" must be \"extraConfig\" or \"perVmEvc\"."),
            };
            var header = ReadHeader(obj, sourceName);
            VmUndoRecord record = kind switch
            {
                MaskUndoRecord.KindName => MaskUndoRecord.Read(obj, header, sourceName),
                EvcUndoRecord.KindName => EvcUndoRecord.Read(obj, header, sourceName),
                _ => throw Invalid(sourceName, obj.Get("kind")!, $"\"kind\" is '{kind}'; it must be \"extraConfig\" or \"perVmEvc\"."),
            };
            record.Source = sourceName;
            return record;
        }

        public static string OutcomeText(VmChangeOutcome outcome) => outcome switch
        {
            VmChangeOutcome.Pending => "pending",
            VmChangeOutcome.Applied => "applied",
            VmChangeOutcome.NotApplied => "not-applied",
            _ => "unknown",
        };

        private protected abstract void AddChanges(JsonDomObject obj);

        private protected static string RequiredString(JsonDomObject obj, string name, string sourceName) =>
            obj.Get(name) is JsonDomString s && s.Value.Trim().Length > 0
                ? s.Value
                : throw Invalid(sourceName, obj.Get(name) ?? obj, $"\"{name}\" is missing or not a non-empty string.");

        private protected static string? OptionalString(JsonDomObject obj, string name, string sourceName) => obj.Get(name) switch
        {
            null => null,
            JsonDomNull _ => null,
            JsonDomString s => s.Value,
            var other => throw Invalid(sourceName, other, $"\"{name}\" must be a string or null."),
        };

        private protected static CpuidMaskException Invalid(string sourceName, JsonDomNode at, string message) =>
            new CpuidMaskException(
                VimErrorIds.UndoRecordInvalid,
                ErrorKind.InvalidData,
                (at.Line > 0
                    ? string.Format(CultureInfo.InvariantCulture, "{0} line {1}, column {2}: ", sourceName, at.Line, at.Column)
                    : sourceName + ": ") + "not a usable undo record: " + message,
                sourceName);

        private static Header ReadHeader(JsonDomObject obj, string sourceName)
        {
            string server = RequiredString(obj, "server", sourceName);
            string vm = RequiredString(obj, "vm", sourceName);
            ManagedObjectReference? moRef = null;
            switch (obj.Get("moref"))
            {
                case null:
                case JsonDomNull _:
                    break;
                case JsonDomString text when ManagedObjectReference.TryParse(text.Value, out moRef) && moRef!.Type == "VirtualMachine":
                    break;
                case var other:
                    throw Invalid(sourceName, other, $"\"moref\" must be a VM's reference such as VirtualMachine:vm-42.");
            }

            var appliedAt = DateTimeOffset.MinValue;
            switch (obj.Get("appliedAt"))
            {
                case null:
                case JsonDomNull _:
                    break;
                case JsonDomString at when DateTimeOffset.TryParse(at.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out appliedAt):
                    break;
                case var other:
                    throw Invalid(sourceName, other, "\"appliedAt\" must be a UTC time such as 2025-01-31T09:14:03Z.");
            }

            VmChangeOutcome? outcome = obj.Get("outcome") switch
            {
                null => null,
                JsonDomNull _ => null,
                JsonDomString text when text.Value == "pending" => VmChangeOutcome.Pending,
                JsonDomString text when text.Value == "applied" => VmChangeOutcome.Applied,
                JsonDomString text when text.Value == "not-applied" => VmChangeOutcome.NotApplied,
                JsonDomString text when text.Value == "unknown" => VmChangeOutcome.Unknown,
                var other => throw Invalid(sourceName, other, "\"outcome\" must be pending, applied, not-applied or unknown."),
            };
            return new Header(server, vm, moRef, appliedAt, outcome);
        }

        internal sealed class Header
        {
            public Header(string server, string vm, ManagedObjectReference? moRef, DateTimeOffset appliedAt, VmChangeOutcome? outcome)
            {
                Server = server;
                Vm = vm;
                MoRef = moRef;
                AppliedAt = appliedAt;
                Outcome = outcome;
            }

            public string Server { get; }

            public string Vm { get; }

            public ManagedObjectReference? MoRef { get; }

            public DateTimeOffset AppliedAt { get; }

            public VmChangeOutcome? Outcome { get; }
        }
    }
}
