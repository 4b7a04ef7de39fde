using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using CpuidMask.Engine.Analysis;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Model;

namespace CpuidMask.Cli
{
    /// <summary>Text and JSON renderings shared by the commands.</summary>
    internal static class Render
    {
        private static readonly JsonSerializerOptions Indented = new JsonSerializerOptions { WriteIndented = true };

        public static void WriteJson(TextWriter writer, JsonNode node) => writer.WriteLine(node.ToJsonString(Indented));

        public static JsonObject Feature(FeatureDefinition f) => new JsonObject
        {
            ["name"] = f.Name,
            ["label"] = f.DisplayName,
            ["leaf"] = LeafKey.FormatLeaf(f.Leaf),
            ["subleaf"] = f.Subleaf,
            ["register"] = f.Register.ToName(),
            ["bit"] = f.Bit,
            ["vsphereKey"] = f.VSphereKey,
            ["description"] = f.Description,
        };

        public static JsonObject Host(CpuidProfile p) => new JsonObject
        {
            ["name"] = p.Name,
            ["source"] = p.Source,
            ["vendor"] = p.Vendor,
            ["brand"] = p.Brand,
        };

        /// <summary>Up to this many directions each get a table of blockers; more get a line each.</summary>
        public const int DirectionsInFull = 12;

        public static JsonArray Strings(IEnumerable<string> values) => new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());

        public static JsonObject Class(HostClass c) => new JsonObject
        {
            ["name"] = c.Name,
            ["hosts"] = Strings(c.HostNames),
        };

        public static JsonObject Direction(MigrationCheck check) => new JsonObject
        {
            ["source"] = check.Source,
            ["destination"] = check.Destination,
            ["sourceHosts"] = Strings(check.SourceHosts),
            ["destinationHosts"] = Strings(check.DestinationHosts),
            ["allowed"] = check.Allowed,
            ["vendorMismatch"] = check.VendorMismatch,
            ["blockers"] = new JsonArray(check.Blockers.Select(b => (JsonNode)Feature(b.Feature)).ToArray()),
            ["unverified"] = new JsonArray(check.Unverified.Select(b => (JsonNode)Feature(b.Feature)).ToArray()),
            ["outOfReach"] = new JsonArray(check.OutOfReach.Select(b => (JsonNode)Feature(b.Feature)).ToArray()),
        };

        public static JsonArray OutOfReach(IReadOnlyList<OutOfReachDifference> differences) =>
            new JsonArray(differences.Select(d => (JsonNode)new JsonObject
            {
                ["feature"] = Feature(d.Feature),
                ["firstHardwareVersion"] = d.FirstHardwareVersion,
                ["presentOn"] = new JsonArray(d.PresentOn.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()),
                ["absentOn"] = new JsonArray(d.AbsentOn.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()),
                ["wouldHide"] = d.WouldHide?.ToString(),
                ["reason"] = d.Reason,
            }).ToArray());

        /// <summary>The differences a VM of the guest view's version cannot see; nothing at the newest version.</summary>
        public static void OutOfReach(TextWriter o, IReadOnlyList<OutOfReachDifference> differences, int hardwareVersion)
        {
            if (differences.Count == 0)
            {
                return;
            }

            o.WriteLine();
            o.WriteLine($"Out of the VM's reach (a vmx-{hardwareVersion} VM never sees these, so they neither block it nor need masking):");
            var table = new TextTable("FEATURE", "LOCATION", "PRESENT ON", "ABSENT ON", "FIRST SEEN IN");
            foreach (var d in differences)
            {
                table.Add(d.Feature.Name, d.Feature.Location, string.Join(", ", d.PresentOn), string.Join(", ", d.AbsentOn), "vmx-" + d.FirstHardwareVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            table.Write(o);
        }

        /// <summary>"A -> B: allowed" or the list of blockers as a table.</summary>
        public static void Direction(TextWriter o, MigrationCheck check, bool underMask)
        {
            string verb = underMask ? "a VM powered on on " + check.Source + " moving to " + check.Destination : check.Source + " -> " + check.Destination;
            if (check.VendorMismatch != null)
            {
                o.WriteLine($"{verb}: BLOCKED: {check.VendorMismatch}");
                return;
            }

            if (check.Blockers.Count == 0)
            {
                o.WriteLine($"{verb}: allowed");
            }
            else
            {
                o.WriteLine($"{verb}: BLOCKED by {check.Blockers.Count} feature{(check.Blockers.Count == 1 ? string.Empty : "s")}");
                var table = new TextTable("FEATURE", "VCENTER SAYS", "LOCATION", "DESCRIPTION");
                foreach (var b in check.Blockers)
                {
                    table.Add(b.Feature.Name, b.Feature.DisplayName, b.Feature.Location, b.Feature.Description);
                }

                table.Write(o, "    ");
            }

            if (check.Unverified.Count > 0)
            {
                o.WriteLine($"    not verifiable ({check.Destination}'s data does not report them): {string.Join(", ", check.Unverified.Select(u => u.Name))}");
            }

            if (check.OutOfReach.Count > 0)
            {
                o.WriteLine($"    out of the VM's reach (its hardware version does not expose them): {string.Join(", ", check.OutOfReach.Select(u => u.Name))}");
            }
        }

        /// <summary>
        /// A proof's directions: the classes of several hosts first (if any), then each direction in full, or one
        /// line each when there are more than <see cref="DirectionsInFull"/>.
        /// </summary>
        public static void ProofDirections(TextWriter o, MaskProof proof)
        {
            Classes(o, proof.Classes, proof.Hosts.Count);
            if (proof.Classes.Count == 1 && proof.Hosts.Count > 1 && proof.Directions.Count == 0)
            {
                o.WriteLine("Every host offers the same tracked features: a VM moves freely between them.");
            }

            bool brief = proof.Directions.Count > DirectionsInFull;
            foreach (var direction in proof.Directions)
            {
                if (brief)
                {
                    DirectionLine(o, direction);
                }
                else
                {
                    Direction(o, direction, underMask: true);
                }
            }
        }

        /// <summary>"A -> B: allowed" or "A -> B: BLOCKED by X, Y" on one line.</summary>
        public static void DirectionLine(TextWriter o, MigrationCheck check)
        {
            string verdict = check.VendorMismatch != null
                ? "BLOCKED: " + check.VendorMismatch
                : check.Blockers.Count == 0 ? "allowed" : "BLOCKED by " + string.Join(", ", check.Blockers.Select(b => b.Name));
            string unverified = check.Unverified.Count == 0 ? string.Empty : "; not verifiable: " + string.Join(", ", check.Unverified.Select(u => u.Name));
            string beyond = check.OutOfReach.Count == 0 ? string.Empty : "; out of the VM's reach: " + string.Join(", ", check.OutOfReach.Select(u => u.Name));
            o.WriteLine($"{check.Source} -> {check.Destination}: {verdict}{unverified}{beyond}");
        }

        /// <summary>The classes of several hosts, when there are any (all hosts distinct: nothing).</summary>
        public static void Classes(TextWriter o, IReadOnlyList<HostClass> classes, int hosts)
        {
            if (classes.Count == 0 || classes.Count == hosts)
            {
                return;
            }

            o.WriteLine($"Classes ({classes.Count} for {hosts} hosts; hosts of a class offer the same tracked features):");
            foreach (var c in classes)
            {
                o.WriteLine($"  {c.Name}: {string.Join(", ", c.HostNames)}");
            }
        }

        public static void Informational(TextWriter o, IReadOnlyList<InformationalDifference> differences)
        {
            if (differences.Count == 0)
            {
                return;
            }

            o.WriteLine();
            o.WriteLine("Informational differences (vCenter does not compare these; they never block a vMotion):");
            var table = new TextTable("FEATURE", "LOCATION", "PRESENT ON", "ABSENT ON", "WHY IT DOES NOT MATTER");
            foreach (var d in differences)
            {
                table.Add(d.Feature.Name, d.Feature.Location, string.Join(", ", d.PresentOn), string.Join(", ", d.AbsentOn), d.Reason);
            }

            table.Write(o);
        }
    }
}
