using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;

namespace CpuidMask.Engine.Tests.Analysis
{
    /// <summary>The real CPU dumps shipped with the tests, read once per test run.</summary>
    internal static class DumpProfiles
    {
        private static readonly ConcurrentDictionary<string, CpuidProfile> Cache = new ConcurrentDictionary<string, CpuidProfile>();

        public static string Directory => Path.Combine(AppContext.BaseDirectory, "data", "dumps");

        public static IReadOnlyList<string> Names =>
            System.IO.Directory.GetFiles(Directory, "*.txt").Select(Path.GetFileNameWithoutExtension).OrderBy(n => n, StringComparer.Ordinal).ToArray()!;

        public static CpuidProfile Get(string name) =>
            Cache.GetOrAdd(name, n => ProfileReader.Read(Path.Combine(Directory, n + ".txt")));

        public static CpuidProfile Find(string fragment) =>
            Get(Names.Single(n => n.IndexOf(fragment, StringComparison.OrdinalIgnoreCase) >= 0));

        public static IReadOnlyList<CpuidProfile> All => Names.Select(Get).ToArray();
    }
}
