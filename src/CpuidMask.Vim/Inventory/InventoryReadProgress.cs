using System;
using System.Globalization;

namespace CpuidMask.Vim.Inventory
{
    /// <summary>The kind of inventory object a read is reading.</summary>
    public enum InventoryObjectKind
    {
        Host,
        Vm,
        Cluster,
    }

    /// <summary>
    /// How far one paged read of a vCenter's inventory got. The inventories report one after every page the server
    /// sends (RetrievePropertiesEx, then ContinueRetrievePropertiesEx while it has more), on the thread that read the
    /// page; a vCenter with thousands of VMs answers in pages of up to <see cref="PropertyCollector.PageSize"/>.
    /// </summary>
    public sealed class InventoryReadProgress
    {
        public InventoryReadProgress(string server, InventoryObjectKind kind, int read, int? total, bool namesOnly = false)
        {
            Server = server ?? throw new ArgumentNullException(nameof(server));
            Kind = kind;
            Read = read;
            Total = total;
            NamesOnly = namesOnly;
        }

        /// <summary>The vCenter (or ESXi host) read from.</summary>
        public string Server { get; }

        public InventoryObjectKind Kind { get; }

        /// <summary>Objects read so far by this read, the pages before included.</summary>
        public int Read { get; }

        /// <summary>
        /// How many objects the read asked for, when it asked for given objects (by reference, or the matches of names);
        /// null when it reads every object of its kind, whose number the server does not tell before the last page.
        /// </summary>
        public int? Total { get; }

        /// <summary>Only the names of every object of the kind, read to match names and wildcards; the matches' properties are a read of their own.</summary>
        public bool NamesOnly { get; }

        /// <summary>E.g. "vc01: 1,500 of 10,000 VMs read", "vc01: 1,500 VM names read".</summary>
        public override string ToString()
        {
            int last = Total ?? Read;
            string noun = Kind switch
            {
                InventoryObjectKind.Host => "host",
                InventoryObjectKind.Vm => "VM",
                _ => "cluster",
            };
            string counted = NamesOnly ? noun + (last == 1 ? " name" : " names") : noun + (last == 1 ? string.Empty : "s");
            string count = Total is int total
                ? string.Format(CultureInfo.CurrentCulture, "{0:N0} of {1:N0}", Read, total)
                : Read.ToString("N0", CultureInfo.CurrentCulture);
            return $"{Server}: {count} {counted} read";
        }

        /// <summary>
        /// The page callback for <see cref="PropertyCollector"/> that reports this kind of read to <paramref name="progress"/>;
        /// null when nobody listens.
        /// </summary>
        internal static IProgress<int>? ForPages(IProgress<InventoryReadProgress>? progress, string server, InventoryObjectKind kind, int? total, bool namesOnly = false) =>
            progress == null ? null : new PageRelay(read => progress.Report(new InventoryReadProgress(server, kind, read, total, namesOnly)));

        private sealed class PageRelay : IProgress<int>
        {
            private readonly Action<int> _report;

            public PageRelay(Action<int> report) => _report = report;

            public void Report(int value) => _report(value);
        }
    }
}
