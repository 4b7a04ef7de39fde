using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using CpuidMask.Engine;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Json;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;
using CpuidMask.Fuzz.Tests.Dumps;

namespace CpuidMask.Fuzz.Tests.Masks
{
    /// <summary>The forms a mask is given in: what <c>cpuidmask apply --mask-file</c> and <c>Set-VmCpuidMask -Mask</c> read.</summary>
    internal enum MaskForm
    {
        /// <summary><c>cpuidmask mask --format vmx</c>: one register line per key.</summary>
        Vmx,

        /// <summary><c>cpuidmask mask --format featmask</c>: named feature masks.</summary>
        FeatMask,

        /// <summary>Register and named feature lines with a comment header and blank lines, as a user keeps them.</summary>
        Annotated,

        /// <summary>The same lines in other spellings the rules allow: case, leading zeros, subleaf 0, grouped values.</summary>
        Respelled,

        /// <summary><c>cpuidmask mask --format json</c>, explanation and proof included.</summary>
        Json,

        /// <summary>A hand-written JSON mask: only an "extraConfig" object, register and named keys.</summary>
        JsonExtraConfig,
    }

    /// <summary>One entry of a seed: where its key and value are in the text, and its canonical key.</summary>
    internal sealed class MaskSeedEntry
    {
        public MaskSeedEntry(int line, int keyStart, int keyLength, int valueStart, int valueLength, string canonicalKey)
        {
            Line = line;
            KeyStart = keyStart;
            KeyLength = keyLength;
            ValueStart = valueStart;
            ValueLength = valueLength;
            CanonicalKey = canonicalKey;
        }

        /// <summary>0-based line.</summary>
        public int Line { get; }

        public int KeyStart { get; }

        public int KeyLength { get; }

        public int ValueStart { get; }

        public int ValueLength { get; }

        public string CanonicalKey { get; }

        public bool IsRegister => !CanonicalKey.StartsWith(MaskReference.FeatMaskPrefix, StringComparison.Ordinal);
    }

    /// <summary>One unmutated mask input: real data in one form, and what it reads as.</summary>
    internal sealed class MaskSeed
    {
        public MaskSeed(string name, MaskForm form, string text)
        {
            Name = name;
            Form = form;
            Text = text;
            Lines = text.Split('\n');
            SourceName = "mask-" + name.Replace('/', '-') + (IsJson ? ".json" : ".vmx");
            Mask = MaskFile.Read(text, SourceName);
            Entries = MaskReference.EntriesOf(Mask);
            EntrySpans = IsJson ? JsonEntries() : VmxEntries();
            StringChars = IsJson ? JsonStringChars(text) : new bool[text.Length];
        }

        public string Name { get; }

        public MaskForm Form { get; }

        public bool IsJson => Form == MaskForm.Json || Form == MaskForm.JsonExtraConfig;

        public string Text { get; }

        public string[] Lines { get; }

        /// <summary>The file name errors must name.</summary>
        public string SourceName { get; }

        /// <summary>What the engine reads the seed as; the oracle compares neutral mutations with it.</summary>
        public VmMask Mask { get; }

        public IReadOnlyDictionary<string, string> Entries { get; }

        public IReadOnlyList<MaskSeedEntry> EntrySpans { get; }

        /// <summary>For JSON: characters inside a string that are written plainly (not quotes, not part of an escape).</summary>
        public bool[] StringChars { get; }

        public int LineStart(int line) => Lines.Take(line).Sum(l => l.Length + 1);

        public override string ToString() => Name;

        private IReadOnlyList<MaskSeedEntry> VmxEntries()
        {
            var entries = new List<MaskSeedEntry>();
            for (int i = 0; i < Lines.Length; i++)
            {
                string line = Lines[i];
                int equals = line.IndexOf('=');
                int open = line.IndexOf('"');
                int close = line.LastIndexOf('"');
                if (line.TrimStart().StartsWith("#", StringComparison.Ordinal) || equals < 0 || open < 0 || close <= open)
                {
                    continue;
                }

                string key = line.Substring(0, equals).Trim();
                int keyStart = line.IndexOf(key, StringComparison.Ordinal);
                entries.Add(new MaskSeedEntry(i, LineStart(i) + keyStart, key.Length, LineStart(i) + open + 1, close - open - 1, MaskReference.CanonicalKey(key)!));
            }

            return entries;
        }

        private IReadOnlyList<MaskSeedEntry> JsonEntries()
        {
            var entries = new List<MaskSeedEntry>();
            int first = Array.FindIndex(Lines, l => l.Trim() == "\"extraConfig\": {");
            for (int i = first + 1; first >= 0 && i < Lines.Length && Lines[i].Trim().StartsWith("\"", StringComparison.Ordinal); i++)
            {
                string line = Lines[i];
                int keyOpen = line.IndexOf('"');
                int keyClose = line.IndexOf('"', keyOpen + 1);
                int valueOpen = line.IndexOf('"', keyClose + 1);
                int valueClose = line.IndexOf('"', valueOpen + 1);
                string key = line.Substring(keyOpen + 1, keyClose - keyOpen - 1);
                entries.Add(new MaskSeedEntry(i, LineStart(i) + keyOpen + 1, key.Length, LineStart(i) + valueOpen + 1, valueClose - valueOpen - 1, MaskReference.CanonicalKey(key)!));
            }

            return entries;
        }

        private static bool[] JsonStringChars(string text)
        {
            var plain = new bool[text.Length];
            bool inString = false;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (!inString)
                {
                    inString = c == '"';
                }
                else if (c == '\\')
                {
                    i += text[i + 1] == 'u' ? 5 : 1;
                }
                else if (c == '"')
                {
                    inString = false;
                }
                else
                {
                    plain[i] = true;
                }
            }

            return plain;
        }
    }

    /// <summary>
    /// The seeds: masks computed from the real dumps in tests/data/dumps and docs/samples (pairs and triples of hosts of
    /// one vendor, every baseline alone and with the hosts at or above it), each written in every form.
    /// </summary>
    internal static class MaskSeeds
    {
        private static readonly Lazy<IReadOnlyList<MaskSeed>> Seeds = new Lazy<IReadOnlyList<MaskSeed>>(Load);

        public static IReadOnlyList<MaskSeed> All => Seeds.Value;

        public static IReadOnlyList<MaskSeed> Of(params MaskForm[] forms) => All.Where(s => forms.Contains(s.Form)).ToArray();

        /// <summary>The generated masks the seeds are written from, for the undo and SOAP seeds.</summary>
        public static IReadOnlyList<(string Name, GeneratedMask Mask)> Generated => GeneratedMasks.Value;

        private static readonly Lazy<IReadOnlyList<(string Name, GeneratedMask Mask)>> GeneratedMasks = new Lazy<IReadOnlyList<(string, GeneratedMask)>>(Generate);

        private static IReadOnlyList<(string Name, GeneratedMask Mask)> Generate()
        {
            var hosts = Directory.GetFiles(Path.Combine(DumpSeeds.DataDir, "dumps"), "*.txt")
                .Concat(Directory.GetFiles(Path.Combine(DumpSeeds.DataDir, "samples"), "*.txt"))
                .OrderBy(p => p, StringComparer.Ordinal)
                .Select(p => ProfileReader.Read(p))
                .ToArray();
            var masks = new List<(string, GeneratedMask)>();
            var generator = new MaskGenerator();
            foreach (var vendor in hosts.GroupBy(h => h.Vendor))
            {
                var group = vendor.ToArray();
                for (int i = 0; i + 1 < group.Length; i++)
                {
                    var pair = new[] { group[i], group[(i * 5 + 3) % group.Length] }.Distinct().ToArray();
                    Add(masks, $"{Short(pair[0])}+{Short(pair[pair.Length - 1])}", () => generator.Generate(pair));
                    if (i % 3 == 0 && group.Length > 2)
                    {
                        var three = new[] { group[i], group[(i + 1) % group.Length], group[(i + 2) % group.Length] };
                        Add(masks, $"{Short(three[0])}+2", () => generator.Generate(three));
                    }
                }
            }

            var baselines = new BaselineMaskGenerator();
            foreach (var baseline in BaselineCatalog.Default.Baselines)
            {
                Add(masks, "baseline-" + baseline.Key, () => baselines.Generate(baseline));
                var above = hosts.Where(h => baseline.AppliesTo(h.Vendor)).Take(3).ToArray();
                Add(masks, "baseline-" + baseline.Key + "+hosts", () => baselines.Generate(baseline, above));
            }

            return masks;
        }

        private static void Add(List<(string, GeneratedMask)> masks, string name, Func<GeneratedMask> generate)
        {
            try
            {
                var mask = generate();
                if (!mask.Mask.IsEmpty)
                {
                    masks.Add((name, mask));
                }
            }
            catch (CpuidMaskException)
            {
                // A baseline above a host's CPU: not a mask anyone gets.
            }
        }

        private static string Short(CpuidProfile profile) => Path.GetFileNameWithoutExtension(profile.Name).Split('_').Skip(1).FirstOrDefault() ?? profile.Name;

        private static IReadOnlyList<MaskSeed> Load()
        {
            var seeds = new List<MaskSeed>();
            int n = 0;
            foreach (var (name, generated) in Generated)
            {
                var random = new Random(n++);
                var featMask = generated.FeatMask;
                seeds.Add(new MaskSeed(name + "/vmx", MaskForm.Vmx, string.Join("\n", generated.Mask.ToVmxLines()) + "\n"));
                if (!featMask.IsEmpty)
                {
                    seeds.Add(new MaskSeed(name + "/featmask", MaskForm.FeatMask, string.Join("\n", featMask.ToVmxLines()) + "\n"));
                }

                var both = new VmMask(generated.Mask.Registers, featMask.FeatureMasks);
                if (n % 2 == 0)
                {
                    seeds.Add(new MaskSeed(name + "/annotated", MaskForm.Annotated, Annotated(name, both)));
                    seeds.Add(new MaskSeed(name + "/respelled", MaskForm.Respelled, Respelled(both, random)));
                }

                if (n % 3 == 0)
                {
                    seeds.Add(new MaskSeed(name + "/json", MaskForm.Json, MaskJson.Write(generated) + "\n"));
                }

                if (n % 3 == 1)
                {
                    var extraConfig = new JsonDomObject();
                    foreach (var pair in both.ToExtraConfig())
                    {
                        extraConfig.Add(pair.Key, pair.Value);
                    }

                    seeds.Add(new MaskSeed(name + "/extraconfig", MaskForm.JsonExtraConfig, new JsonDomObject().Add("extraConfig", extraConfig).ToJson() + "\n"));
                }
            }

            return seeds;
        }

        private static string Annotated(string name, VmMask mask)
        {
            var text = new StringBuilder();
            text.Append("# CPUID mask for ").Append(name).Append('\n');
            text.Append("# written by cpuidmask; apply with: cpuidmask apply --mask-file this.vmx\n\n");
            foreach (string line in mask.ToVmxLines())
            {
                text.Append(line).Append('\n');
                if (line.StartsWith("cpuid.7.", StringComparison.Ordinal))
                {
                    text.Append('\n');
                }
            }

            return text.ToString();
        }

        /// <summary>Every key in another spelling of the same key, every register value grouped or in lower case, lines indented.</summary>
        private static string Respelled(VmMask mask, Random random)
        {
            var text = new StringBuilder();
            foreach (var pair in mask.ToExtraConfig())
            {
                var spellings = MaskReference.Spellings(MaskReference.CanonicalKey(pair.Key)!).ToArray();
                string key = spellings[random.Next(spellings.Length)];
                string value = pair.Value;
                if (!key.StartsWith("featmask", StringComparison.OrdinalIgnoreCase))
                {
                    value = random.Next(3) switch
                    {
                        0 => RegisterMask.Parse(value).Format(' '),
                        1 => RegisterMask.Parse(value).Format(':').ToLowerInvariant(),
                        _ => value.ToLowerInvariant(),
                    };
                }

                text.Append(random.Next(2) == 0 ? "  " : "\t").Append(key).Append(random.Next(2) == 0 ? " = " : "=").Append('"').Append(value).Append("\"\n");
            }

            return text.ToString();
        }
    }
}
