using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using CpuidMask.Engine;
using CpuidMask.Engine.Model;
using CpuidMask.Vim.Inventory;
using CpuidMask.Vim.Types;

namespace CpuidMask.Cli.Commands
{
    internal sealed class HostsCommand : Command
    {
        public override string Name => "hosts";

        public override string Summary => "List a vCenter's hosts: CPU, connection state, EVC modes";

        public override string Help =>
@"Usage: cpuidmask hosts --server URL [--user U] [--host NAME...] [--json]

Lists every host of a vCenter (or only the named ones; wildcards such as 'esx-*' are
allowed) with its cluster, connection state, CPU vendor, brand, family/model, its maximum
and current EVC mode, and the EVC modes it supports (of the modes the vCenter knows,
those of its vendor up to its maximum). Hosts that are not connected are listed with
their state (their CPU data may be missing or stale) and noted on stderr.

All hosts are read in a constant number of round trips, however many there are.

Options:
  --host NAME...       only these hosts (names or wildcards; a name that matches no host
                       is an error naming it)
  --json               machine-readable output

" + VCenterOptions.HelpText + @"
Exit codes: 0 success, 2 bad input or any vCenter error (the message names the server).

Example:
  CPUIDMASK_PASSWORD=... cpuidmask hosts --server vc01.example.com --user administrator@vsphere.local
";

        public override IEnumerable<string> Switches => VCenterOptions.Switches.Concat(new[] { "--json" });

        public override IEnumerable<string> SingleValueOptions => VCenterOptions.SingleValueOptions;

        public override IEnumerable<string> MultiValueOptions => new[] { "--host" };

        public override int Run(Arguments args, CliContext context)
        {
            if (args.Positionals.Count > 0)
            {
                throw Arguments.Usage($"hosts takes no FILEs ('{args.Positionals[0]}'); name hosts with --host.");
            }

            var vcenter = VCenterOptions.From(args, context);
            IReadOnlyList<HostCpuRecord> hosts;
            IReadOnlyList<EVCMode> modes;
            string server;
            using (var client = vcenter.Connect(context))
            {
                server = client.ServerName;
                var inventory = new HostInventory(client);
                var names = args.Values("--host");
                hosts = VimCall.Run(() => inventory.ReadHostsAsync(names.Count == 0 ? null : names));
                modes = VimCall.Run(() => inventory.ReadSupportedEvcModesAsync());
            }

            var rows = hosts.Select(h => new HostRow(h, modes)).ToArray();
            foreach (var row in rows.Where(r => !r.Host.IsConnected))
            {
                context.Err.WriteLine($"cpuidmask hosts: note: {row.Host.Name} is {row.Host.ConnectionState ?? "in an unknown state"} on {server}; its CPU data may be missing or stale, and 'mask --host' refuses it.");
            }

            if (args.Has("--json"))
            {
                Render.WriteJson(context.Out, new JsonObject
                {
                    ["server"] = server,
                    ["hosts"] = new JsonArray(rows.Select(r => (JsonNode)r.ToJson()).ToArray()),
                    ["evcModes"] = new JsonArray(modes.Select(m => (JsonNode)new JsonObject
                    {
                        ["key"] = m.Key,
                        ["label"] = m.Label,
                        ["vendor"] = m.Vendor,
                        ["vendorTier"] = m.VendorTier,
                    }).ToArray()),
                });
                return Program.ExitOk;
            }

            var o = context.Out;
            if (rows.Length == 0)
            {
                o.WriteLine($"No hosts on {server} match.");
                return Program.ExitOk;
            }

            var table = new TextTable("NAME", "CLUSTER", "STATE", "VENDOR", "CPU", "FAMILY/MODEL", "MAX EVC", "CURRENT EVC");
            foreach (var r in rows)
            {
                table.Add(r.Host.Name, r.Host.Cluster ?? "-", r.Host.ConnectionState ?? "unknown", r.Vendor ?? "-", r.Brand ?? "-", r.FamilyModel ?? "-", r.Host.MaxEVCModeKey ?? "-", r.Host.CurrentEVCModeKey ?? "-");
            }

            table.Write(o);
            o.WriteLine();
            if (modes.Count == 0)
            {
                o.WriteLine($"EVC modes: {server} lists none (an ESXi host reached directly lists none).");
            }
            else
            {
                o.WriteLine("EVC modes each host supports (of the " + modes.Count.ToString(CultureInfo.InvariantCulture) + " the vCenter knows):");
                foreach (var r in rows)
                {
                    o.WriteLine($"  {r.Host.Name}: {(r.SupportedEvcModes.Count == 0 ? "(none known)" : string.Join(", ", r.SupportedEvcModes))}");
                }
            }

            return Program.ExitOk;
        }

        private sealed class HostRow
        {
            public HostRow(HostCpuRecord host, IReadOnlyList<EVCMode> modes)
            {
                Host = host;
                Brand = host.CpuModel;
                if (host.HasCpuData)
                {
                    try
                    {
                        Profile = host.ToProfile();
                        Vendor = Profile.Vendor;
                        Brand = Profile.Brand.Length > 0 ? Profile.Brand : Brand;
                        FamilyModel = string.Format(CultureInfo.InvariantCulture, "0x{0:X}/0x{1:X}", Profile.Family, Profile.Model);
                    }
                    catch (CpuidMaskException)
                    {
                        // A host whose data cannot be decoded is still listed; 'mask --host' reports why.
                    }
                }

                var max = modes.FirstOrDefault(m => string.Equals(m.Key, host.MaxEVCModeKey, StringComparison.OrdinalIgnoreCase));
                SupportedEvcModes = max == null
                    ? Array.Empty<string>()
                    : modes.Where(m => string.Equals(m.Vendor, max.Vendor, StringComparison.OrdinalIgnoreCase) && (m.VendorTier ?? 0) <= (max.VendorTier ?? 0))
                        .OrderBy(m => m.VendorTier ?? 0)
                        .Select(m => m.Key)
                        .ToArray();
            }

            public HostCpuRecord Host { get; }

            public CpuidProfile? Profile { get; }

            public string? Vendor { get; }

            public string? Brand { get; }

            public string? FamilyModel { get; }

            public IReadOnlyList<string> SupportedEvcModes { get; }

            public JsonObject ToJson() => new JsonObject
            {
                ["name"] = Host.Name,
                ["moref"] = Host.MoRef.ToString(),
                ["cluster"] = Host.Cluster,
                ["connectionState"] = Host.ConnectionState,
                ["vendor"] = Vendor,
                ["brand"] = Brand,
                ["family"] = Profile?.Family,
                ["model"] = Profile?.Model,
                ["stepping"] = Profile?.Stepping,
                ["maxEVCModeKey"] = Host.MaxEVCModeKey,
                ["currentEVCModeKey"] = Host.CurrentEVCModeKey,
                ["supportedEVCModes"] = new JsonArray(SupportedEvcModes.Select(k => (JsonNode)JsonValue.Create(k)!).ToArray()),
                ["hasCpuData"] = Host.HasCpuData,
            };
        }
    }
}
