using System.Xml.Linq;
using CpuidMask.Vim.Soap;

namespace CpuidMask.Vim.Types
{
    public enum TaskInfoState
    {
        Unknown,
        Queued,
        Running,
        Success,
        Error,
    }

    /// <summary>Task.info: where a long-running operation stands.</summary>
    public sealed class TaskInfo
    {
        public string? Key { get; init; }

        public ManagedObjectReference? Task { get; init; }

        /// <summary>e.g. "VirtualMachine.reconfigure".</summary>
        public string? DescriptionId { get; init; }

        public ManagedObjectReference? Entity { get; init; }

        public string? EntityName { get; init; }

        public TaskInfoState State { get; init; }

        public bool Cancelled { get; init; }

        public LocalizedMethodFault? Error { get; init; }

        /// <summary>The task's result as sent (with xsi:type), or null; most reconfigure tasks return none.</summary>
        public XElement? Result { get; init; }

        public int? Progress { get; init; }

        internal static TaskInfo FromXml(XElement e) => new TaskInfo
        {
            Key = e.Text("key"),
            Task = ManagedObjectReference.FromXml(e.Child("task")),
            DescriptionId = e.Text("descriptionId"),
            Entity = ManagedObjectReference.FromXml(e.Child("entity")),
            EntityName = e.Text("entityName"),
            State = ParseState(e.Text("state")),
            Cancelled = e.Bool("cancelled") ?? false,
            Error = LocalizedMethodFault.FromXml(e.Child("error")),
            Result = e.Child("result"),
            Progress = e.Int("progress"),
        };

        private static TaskInfoState ParseState(string? text) => text switch
        {
            "queued" => TaskInfoState.Queued,
            "running" => TaskInfoState.Running,
            "success" => TaskInfoState.Success,
            "error" => TaskInfoState.Error,
            _ => TaskInfoState.Unknown,
        };
    }
}
