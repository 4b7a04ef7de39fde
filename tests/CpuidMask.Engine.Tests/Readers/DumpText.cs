using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using CpuidMask.Engine.Model;
using CpuidMask.Engine.Readers;

namespace CpuidMask.Engine.Tests.Readers
{
    /// <summary>
    /// Writes profiles read from real dumps in the other text formats the readers take, so tests (and the fuzz
    /// suite, which links this file) have every format with real CPUs' values and the readers can be held to
    /// reading back exactly what was written.
    /// </summary>
    internal static class DumpText
    {
        /// <summary>Linux <c>cpuid -r</c>: a "CPU n:" header per logical CPU, or none with <paramref name="headers"/> false.</summary>
        public static string LinuxCpuid(IEnumerable<CpuidProfile> cpus, bool headers = true, bool subleafColumn = true)
        {
            var text = new StringBuilder();
            int index = 0;
            foreach (var cpu in cpus)
            {
                if (headers)
                {
                    text.Append("CPU ").Append(index.ToString(CultureInfo.InvariantCulture)).Append(":\n");
                }

                foreach (var leaf in cpu.Leaves.Where(l => subleafColumn || l.Subleaf == 0))
                {
                    var r = leaf.Registers;
                    text.Append("   0x").Append(Hex(leaf.Leaf, lower: true));
                    if (subleafColumn)
                    {
                        text.Append(" 0x").Append(leaf.Subleaf.ToString("x2", CultureInfo.InvariantCulture));
                    }

                    text.Append(": eax=0x").Append(Hex(r.Eax, true)).Append(" ebx=0x").Append(Hex(r.Ebx, true))
                        .Append(" ecx=0x").Append(Hex(r.Ecx, true)).Append(" edx=0x").Append(Hex(r.Edx, true)).Append('\n');
                }

                index++;
            }

            return text.ToString();
        }

        /// <summary>The hostCPUID section of a vmware.log for each host, as a vMotion log records them one after another.</summary>
        public static string VmwareLog(IEnumerable<CpuidProfile> hosts, bool withGuestLines = true)
        {
            var text = new StringBuilder();
            int second = 0;
            string Stamp() => string.Format(CultureInfo.InvariantCulture, "2024-01-02T03:04:{0:00}.{1:000}Z In(05) vmx ", (second / 1000) % 60, second++ % 1000);
            text.Append(Stamp()).Append("Log for VMware ESX pid=2102845 version=8.0.2 build=build-22380479 option=Release\n");
            foreach (var host in hosts)
            {
                text.Append(Stamp()).Append("hostCPUID vendor: ").Append(host.Vendor).Append('\n');
                text.Append(Stamp()).Append("hostCPUID family: 0x").Append(host.Family.ToString("x", CultureInfo.InvariantCulture))
                    .Append(" model: ").Append(host.Model.ToString(CultureInfo.InvariantCulture)).Append(" stepping: 0x").Append(host.Stepping.ToString("x", CultureInfo.InvariantCulture)).Append('\n');
                text.Append(Stamp()).Append("hostCPUID name: ").Append(host.Brand).Append('\n');
                foreach (var leaf in host.Leaves)
                {
                    var r = leaf.Registers;
                    text.Append(Stamp()).Append("hostCPUID level ").Append(Hex(leaf.Leaf, true)).Append(", ").Append(leaf.Subleaf.ToString(CultureInfo.InvariantCulture))
                        .Append(": 0x").Append(Hex(r.Eax, true)).Append(" 0x").Append(Hex(r.Ebx, true)).Append(" 0x").Append(Hex(r.Ecx, true)).Append(" 0x").Append(Hex(r.Edx, true)).Append('\n');
                }

                if (withGuestLines)
                {
                    foreach (var leaf in host.Leaves.Take(6))
                    {
                        var r = leaf.Registers;
                        text.Append(Stamp()).Append("guestCPUID level ").Append(Hex(leaf.Leaf, true)).Append(", ").Append(leaf.Subleaf.ToString(CultureInfo.InvariantCulture))
                            .Append(": 0x").Append(Hex(r.Eax & 0x0FFFFFFF, true)).Append(" 0x").Append(Hex(r.Ebx, true)).Append(" 0x").Append(Hex(r.Ecx & 0x7FFFFFFF, true)).Append(" 0x").Append(Hex(r.Edx, true)).Append('\n');
                    }
                }

                text.Append(Stamp()).Append("CPUID Maximum Physical Address Bits supported across all CPUs: 46\n");
            }

            return text.ToString();
        }

        /// <summary>An InstLatx64/AIDA64 report: header lines, one block per logical CPU, subleaf tags on leaves with several subleaves.</summary>
        public static string InstLatx64(IEnumerable<CpuidProfile> cpus)
        {
            var text = new StringBuilder("------[ Versions ]------\n\nProgram Version : AIDA64 Engineer v7.00.6700\n\n");
            int index = 0;
            foreach (var cpu in cpus)
            {
                text.Append("------[ CPUID Registers / Logical CPU #").Append(index.ToString(CultureInfo.InvariantCulture)).Append(" ]------\n\n");
                var repeated = new HashSet<uint>(cpu.Leaves.Where(l => l.Subleaf != 0).Select(l => l.Leaf));
                foreach (var leaf in cpu.Leaves)
                {
                    var r = leaf.Registers;
                    text.Append("CPUID ").Append(Hex(leaf.Leaf, false)).Append(": ").Append(Hex(r.Eax, false)).Append('-').Append(Hex(r.Ebx, false))
                        .Append('-').Append(Hex(r.Ecx, false)).Append('-').Append(Hex(r.Edx, false));
                    if (repeated.Contains(leaf.Leaf))
                    {
                        text.Append(" [SL ").Append(leaf.Subleaf.ToString("X2", CultureInfo.InvariantCulture)).Append(']');
                    }

                    text.Append('\n');
                }

                text.Append("\n------[ MSR Registers / Logical CPU #").Append(index.ToString(CultureInfo.InvariantCulture)).Append(" ]------\n\nMSR 0000001B: 0000-0000-FEE0-0900\n\n");
                index++;
            }

            return text.ToString();
        }

        /// <summary>Boot CD output: the identification lines and the four registers as pairs or as a table.</summary>
        public static string BootCd(CpuidProfile cpu, bool table)
        {
            uint ecx1 = cpu.TryGet(1, 0, CpuidRegister.Ecx)!.Value;
            uint edx1 = cpu.TryGet(1, 0, CpuidRegister.Edx)!.Value;
            uint ecx81 = cpu.TryGet(0x80000001, 0, CpuidRegister.Ecx)!.Value;
            uint edx81 = cpu.TryGet(0x80000001, 0, CpuidRegister.Edx)!.Value;
            string vendor = cpu.IsIntel ? "Intel" : cpu.Vendor == "AuthenticAMD" ? "AMD" : cpu.Vendor;
            var text = new StringBuilder("VMware CPU Identification Utility\n");
            text.Append(string.Format(CultureInfo.InvariantCulture, "Family: {0:x2} Model: {1:x2} Stepping: {2:x}\n\n", cpu.Family, cpu.Model, cpu.Stepping));
            if (table)
            {
                text.Append("ID1ECX    ID1EDX    ID81ECX   ID81EDX\n");
                text.Append(string.Format(CultureInfo.InvariantCulture, "0x{0:x8} 0x{1:x8} 0x{2:x8} 0x{3:x8}\n\n", ecx1, edx1, ecx81, edx81));
            }
            else
            {
                text.Append(string.Format(CultureInfo.InvariantCulture, "ID1ECX 0x{0:x8}\nID1EDX 0x{1:x8}\nID81ECX 0x{2:x8}  ID81EDX 0x{3:x8}\n", ecx1, edx1, ecx81, edx81));
            }

            text.Append("Vendor                   : ").Append(vendor).Append("\nBrand String             : \"").Append(cpu.Brand).Append("\"\n");
            return text.ToString();
        }

        /// <summary>A vSphere HostSystem export (hardware.cpuFeature and config.featureCapability) per host.</summary>
        public static string VSphereJson(IEnumerable<CpuidProfile> hosts)
        {
            var text = new StringBuilder("[\n");
            int index = 0;
            foreach (var host in hosts)
            {
                var data = VSphereHostData.FromProfile(host);
                if (index > 0)
                {
                    text.Append(",\n");
                }

                text.Append("  {\n    \"name\": \"esx").Append(index.ToString(CultureInfo.InvariantCulture)).Append(".lab.local\",\n    \"hardware\": {\n      \"cpuFeature\": [\n");
                text.Append(string.Join(",\n", data.CpuFeature.Select(r =>
                    $"        {{\n          \"level\": {r.Level.ToString(CultureInfo.InvariantCulture)},\n          \"vendor\": null,\n          \"eax\": \"{r.Eax}\",\n          \"ebx\": \"{r.Ebx}\",\n          \"ecx\": \"{r.Ecx}\",\n          \"edx\": \"{r.Edx}\"\n        }}")));
                text.Append("\n      ],\n      \"cpuPkg\": [{ \"description\": \"").Append(host.Brand).Append("\" }]\n    },\n    \"config\": {\n      \"featureCapability\": [\n");
                text.Append(string.Join(",\n", data.FeatureCapability.Select(c =>
                    $"        {{\n          \"key\": \"{c.Key}\",\n          \"featureName\": \"{c.Key}\",\n          \"value\": \"{c.Value}\"\n        }}")));
                text.Append("\n      ]\n    }\n  }");
                index++;
            }

            return text.Append("\n]\n").ToString();
        }

        private static string Hex(uint value, bool lower) => value.ToString(lower ? "x8" : "X8", CultureInfo.InvariantCulture);
    }
}
