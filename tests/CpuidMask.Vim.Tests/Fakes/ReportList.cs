using System;
using System.Collections.Generic;

namespace CpuidMask.Vim.Tests.Fakes
{
    /// <summary>
    /// Keeps every report, in order, on the thread that reports it (System.Progress would post each one to the thread
    /// pool, so a test could look before the last arrived).
    /// </summary>
    internal sealed class ReportList<T> : IProgress<T>
    {
        public List<T> Items { get; } = new List<T>();

        public void Report(T value) => Items.Add(value);
    }
}
