using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CpuidMask.Engine.Catalog;
using CpuidMask.Engine.Masks;
using CpuidMask.Engine.Model;

namespace CpuidMask.Engine.Compliance
{
    /// <summary>
    /// Decides, for each VM, which hosts of its scope it can vMotion to now and whether its masks fit the scope as it
    /// is: one engine for Test-VmCpuidMask and 'cpuidmask check'. Hosts are grouped into classes of equal
    /// capability first, so the work grows with VMs times classes, not VMs times hosts.
    /// </summary>
    public sealed class ComplianceChecker
    {
        private readonly FeatureCatalog _catalog;
        private readonly FeatureDefinition[] _tracked;
        private readonly Dictionary<FeatureDefinition, int> _index;
        private readonly Dictionary<string, EvcModeDefinition> _modes;

        public ComplianceChecker(FeatureCatalog? catalog = null, IEnumerable<EvcModeDefinition>? evcModes = null)
        {
            _catalog = catalog ?? FeatureCatalog.Default;
            _tracked = _catalog.Features.Where(f => f.Tracked).ToArray();
            _index = new Dictionary<FeatureDefinition, int>();
            for (int i = 0; i < _tracked.Length; i++)
            {
                _index[_tracked[i]] = i;
            }

            _modes = new Dictionary<string, EvcModeDefinition>(StringComparer.OrdinalIgnoreCase);
            foreach (var mode in evcModes ?? Enumerable.Empty<EvcModeDefinition>())
            {
                _modes[mode.Key] = mode;
            }
        }

        /// <summary>Checks every VM against its scope among <paramref name="hosts"/> (default: its own cluster).</summary>
        public IReadOnlyList<VmCompliance> Check(IReadOnlyList<ComplianceVm> vms, IReadOnlyList<ComplianceHost> hosts, ComplianceScope? scope = null)
        {
            if (vms == null)
            {
                throw new ArgumentNullException(nameof(vms));
            }

            if (hosts == null)
            {
                throw new ArgumentNullException(nameof(hosts));
            }

            scope ??= ComplianceScope.OwnCluster;
            var run = new Run(this, hosts, scope);
            return vms.Select(run.CheckVm).ToArray();
        }

        /// <summary>One check: the host classes, built once, and the scopes, resolved once per cluster or vendor.</summary>
        private sealed class Run
        {
            private readonly ComplianceChecker _owner;
            private readonly ComplianceScope _scope;
            private readonly IReadOnlyList<ComplianceHost> _hosts;
            private readonly Dictionary<ComplianceHost, CapabilityClass> _classOf = new Dictionary<ComplianceHost, CapabilityClass>();
            private readonly Dictionary<string, ComplianceHost[]> _byName = new Dictionary<string, ComplianceHost[]>(StringComparer.OrdinalIgnoreCase);
            private readonly Dictionary<string, ComplianceHost[]> _scopes = new Dictionary<string, ComplianceHost[]>(StringComparer.OrdinalIgnoreCase);
            private readonly ComplianceHost[]? _namedScope;
            private readonly Dictionary<(ComplianceHost[], CapabilityClass, int?), ScopeFacts> _facts = new Dictionary<(ComplianceHost[], CapabilityClass, int?), ScopeFacts>();

            public Run(ComplianceChecker owner, IReadOnlyList<ComplianceHost> hosts, ComplianceScope scope)
            {
                _owner = owner;
                _scope = scope;
                _hosts = hosts;
                var classes = new Dictionary<string, CapabilityClass>(StringComparer.Ordinal);
                foreach (var host in hosts)
                {
                    if (host.IsConnected && host.Profile != null)
                    {
                        var built = CapabilityClass.Build(host, owner._tracked, owner._catalog, owner._modes);
                        if (!classes.TryGetValue(built.Signature, out var shared))
                        {
                            classes[built.Signature] = shared = built;
                        }

                        _classOf[host] = shared;
                    }
                }

                foreach (var group in hosts.GroupBy(h => h.Name, StringComparer.OrdinalIgnoreCase))
                {
                    _byName[group.Key] = group.ToArray();
                }

                if (scope.Kind == ComplianceScopeKind.Hosts)
                {
                    var missing = scope.HostNames.Where(n => !_byName.ContainsKey(n)).ToArray();
                    if (missing.Length > 0)
                    {
                        throw new CpuidMaskException(
                            "ScopeHostNotFound",
                            ErrorKind.ObjectNotFound,
                            $"The scope names host{(missing.Length == 1 ? string.Empty : "s")} {string.Join(", ", missing)}, which {(missing.Length == 1 ? "is" : "are")} not among the hosts read. Check the name{(missing.Length == 1 ? string.Empty : "s")}, or leave the scope to the VMs' clusters.",
                            missing.Length == 1 ? (object)missing[0] : missing);
                    }

                    _namedScope = scope.HostNames.SelectMany(n => _byName[n]).Distinct().ToArray();
                }
            }

            public VmCompliance CheckVm(ComplianceVm vm)
            {
                var home = FindHome(vm);
                if (home == null)
                {
                    return Unknown(vm, vm.HostName == null
                        ? "vCenter names no host for it"
                        : $"its host {vm.HostName} is not among the hosts read", ComplianceFixKind.Manual, "Read its host too (or all hosts) and check again.", "-");
                }

                var (scopeHosts, scopeText) = ScopeOf(home);
                var result = CheckKnownHost(vm, home, scopeHosts, scopeText);
                result.Cluster = home.Cluster;
                return result;
            }

            private VmCompliance CheckKnownHost(ComplianceVm vm, ComplianceHost home, ComplianceHost[] scopeHosts, string scopeText)
            {
                if (!home.IsConnected)
                {
                    return Unknown(vm, $"its host {home.Name} is {home.ConnectionState}: vCenter has no current CPU data for it and cannot move the VM", ComplianceFixKind.Manual, $"Reconnect {home.Name} in vCenter and check again.", scopeText);
                }

                if (!_classOf.TryGetValue(home, out var homeClass))
                {
                    return Unknown(vm, $"vCenter has no CPU data for its host {home.Name}", ComplianceFixKind.Manual, $"Check {home.Name} in vCenter (hardware.cpuFeature and config.featureCapability are empty) and check again.", scopeText);
                }

                if (vm.StoredMaskError != null)
                {
                    return Unknown(vm, "its stored CPUID masks cannot be read: " + vm.StoredMaskError, ComplianceFixKind.RepairMasks, string.Empty, scopeText);
                }

                // VMs of one cluster, host class and hardware version share the scope's classes and minimal mask.
                var key = (scopeHosts, homeClass, vm.HardwareVersion);
                if (!_facts.TryGetValue(key, out var facts))
                {
                    var classes = scopeHosts.Where(h => h.IsConnected && _classOf.ContainsKey(h)).Select(h => _classOf[h])
                        .Where(c => c.Vendor == homeClass.Vendor).Concat(new[] { homeClass }).Distinct().ToArray();
                    _facts[key] = facts = new ScopeFacts(_owner, classes, vm.HardwareVersion);
                }

                return new VmCheck(_owner, vm, home, homeClass, scopeHosts.Where(h => !ReferenceEquals(h, home)).ToArray(), scopeText, _classOf, facts).Decide();
            }

            private ComplianceHost? FindHome(ComplianceVm vm)
            {
                if (vm.HostName == null || !_byName.TryGetValue(vm.HostName, out var named))
                {
                    return null;
                }

                return named.FirstOrDefault(h => string.Equals(h.Server, vm.Server, StringComparison.OrdinalIgnoreCase)) ?? (named.Length == 1 ? named[0] : null);
            }

            private (ComplianceHost[] Hosts, string Text) ScopeOf(ComplianceHost home)
            {
                string? vendor = _classOf.TryGetValue(home, out var homeClass) ? homeClass.Vendor : home.Vendor;
                switch (_scope.Kind)
                {
                    case ComplianceScopeKind.Hosts:
                        return (_namedScope!, "hosts " + string.Join(", ", _scope.HostNames));
                    case ComplianceScopeKind.AllHosts:
                        return (Cached("all|" + vendor, () => _hosts.Where(h => h.Vendor == null || h.Vendor == vendor).ToArray()), $"all {vendor ?? "unknown-vendor"} hosts");
                    default:
                        if (home.Cluster != null)
                        {
                            return (
                                Cached("cluster|" + home.Server + "|" + home.Cluster, () => _hosts.Where(h => SameServer(h, home) && string.Equals(h.Cluster, home.Cluster, StringComparison.OrdinalIgnoreCase)).ToArray()),
                                "cluster " + home.Cluster);
                        }

                        // A standalone host has no cluster to bound the VM's moves: every connected host of its
                        // vCenter that it could move to at all (same CPU vendor) is a candidate.
                        return (
                            Cached("standalone|" + home.Server + "|" + vendor, () => _hosts.Where(h => SameServer(h, home) && h.IsConnected && h.Vendor != null && h.Vendor == vendor).ToArray()),
                            $"standalone host: connected {vendor ?? "unknown-vendor"} hosts of {home.Server}");
                }
            }

            private ComplianceHost[] Cached(string key, Func<ComplianceHost[]> build)
            {
                if (!_scopes.TryGetValue(key, out var hosts))
                {
                    _scopes[key] = hosts = build();
                }

                return hosts;
            }

            private static bool SameServer(ComplianceHost a, ComplianceHost b) => string.Equals(a.Server, b.Server, StringComparison.OrdinalIgnoreCase);

            private static VmCompliance Unknown(ComplianceVm vm, string reason, ComplianceFixKind fixKind, string fix, string scope) =>
                new VmCompliance(vm, ComplianceStatus.Unknown, reason, scope, Array.Empty<DestinationVerdict>()) { FixKind = fixKind, ManualFix = fix };
        }

        /// <summary>
        /// What a scope means for VMs of one host class and virtual hardware version: the classes of its hosts, the
        /// features its minimal mask hides (those some hosts have and others lack, and whatever builds on them) and
        /// that mask, and the features every host has.
        /// </summary>
        private sealed class ScopeFacts
        {
            public ScopeFacts(ComplianceChecker o, CapabilityClass[] classes, int? hardwareVersion)
            {
                int n = o._tracked.Length;
                Classes = classes;
                Exposed = new bool[n];
                Required = new bool[n];
                OnEveryHost = new bool[n];
                var present = new bool[n];
                var queue = new Queue<int>();
                for (int i = 0; i < n; i++)
                {
                    var f = o._tracked[i];

                    // A VM older than the feature's first virtual hardware version never sees it (x86cpuid.h).
                    Exposed[i] = hardwareVersion == null || f.MinHardwareVersion == null || hardwareVersion >= f.MinHardwareVersion;
                    bool any = false, missing = false, all = true;
                    foreach (var c in classes)
                    {
                        any |= c.States[i] == FeatureState.Present;
                        missing |= c.States[i] == FeatureState.Absent;
                        all &= c.States[i] == FeatureState.Present;
                    }

                    OnEveryHost[i] = all;
                    present[i] = any;
                    if (Exposed[i] && any && missing)
                    {
                        Required[i] = true;
                        queue.Enqueue(i);
                    }
                }

                while (queue.Count > 0)
                {
                    foreach (var dependent in o._catalog.DirectDependents(o._tracked[queue.Dequeue()]))
                    {
                        if (o._index.TryGetValue(dependent, out int d) && !Required[d] && present[d] && Exposed[d])
                        {
                            Required[d] = true;
                            queue.Enqueue(d);
                        }
                    }
                }

                var registers = new Dictionary<MaskKey, RegisterMask>();
                for (int i = 0; i < n; i++)
                {
                    if (Required[i])
                    {
                        var f = o._tracked[i];
                        var key = new MaskKey(f.Leaf, f.Subleaf, f.Register);
                        registers[key] = (registers.TryGetValue(key, out var current) ? current : RegisterMask.Empty).With(f.Bit, MaskChar.Zero);
                    }
                }

                Mask = new VmMask(registers);
            }

            public CapabilityClass[] Classes { get; }

            public bool[] Exposed { get; }

            public bool[] Required { get; }

            public bool[] OnEveryHost { get; }

            public VmMask Mask { get; }
        }

        /// <summary>The decision for one VM whose host is known.</summary>
        private sealed class VmCheck
        {
            private readonly ComplianceChecker _o;
            private readonly ComplianceVm _vm;
            private readonly ComplianceHost _home;
            private readonly CapabilityClass _homeClass;
            private readonly ComplianceHost[] _destinations;
            private readonly string _scopeText;
            private readonly Dictionary<ComplianceHost, CapabilityClass> _classOf;
            private readonly ScopeFacts _facts;
            private readonly bool[] _exposed;
            private readonly bool[] _maskHides;
            private readonly bool[] _evcHides;
            private readonly bool[] _view;

            public VmCheck(ComplianceChecker owner, ComplianceVm vm, ComplianceHost home, CapabilityClass homeClass, ComplianceHost[] destinations, string scopeText, Dictionary<ComplianceHost, CapabilityClass> classOf, ScopeFacts facts)
            {
                _facts = facts;
                _o = owner;
                _vm = vm;
                _home = home;
                _homeClass = homeClass;
                _destinations = destinations;
                _scopeText = scopeText;
                _classOf = classOf;
                int n = owner._tracked.Length;
                _exposed = facts.Exposed;
                _maskHides = new bool[n];
                _evcHides = new bool[n];
                _view = new bool[n];
                var evc = vm.HasPerVmEvc ? ToDictionary(vm.PerVmEvcMask) : null;
                string vendor = homeClass.Vendor;
                for (int i = 0; i < n; i++)
                {
                    var f = owner._tracked[i];

                    _evcHides[i] = PerVmEvcHides(evc, f, vendor);
                    _maskHides[i] = StoredMaskHides(vm.StoredMask, f, vendor) || _evcHides[i];
                    _view[i] = _exposed[i] && !_maskHides[i] && homeClass.States[i] == FeatureState.Present;
                }
            }

            public VmCompliance Decide()
            {
                bool fromRequirement = _vm.IsRunning && _vm.FeatureRequirement.Count > 0;
                var perClass = new Dictionary<CapabilityClass, (MoveOutcome Outcome, IReadOnlyList<BlockingFeature> Blockers, string? Reason)>();
                var viewPerClass = new Dictionary<CapabilityClass, (MoveOutcome Outcome, IReadOnlyList<BlockingFeature> Blockers, string? Reason)>();
                var destinations = new List<DestinationVerdict>(_destinations.Length);
                bool viewBlocked = false;
                bool vendorBlocked = false;
                foreach (var host in _destinations)
                {
                    if (!host.IsConnected)
                    {
                        destinations.Add(new DestinationVerdict(host, MoveOutcome.Unknown, Array.Empty<BlockingFeature>(), $"{host.ConnectionState}: vCenter cannot move VMs to it now"));
                        continue;
                    }

                    if (!_classOf.TryGetValue(host, out var cls))
                    {
                        destinations.Add(new DestinationVerdict(host, MoveOutcome.Unknown, Array.Empty<BlockingFeature>(), "vCenter has no CPU data for it"));
                        continue;
                    }

                    if (!viewPerClass.TryGetValue(cls, out var viewVerdict))
                    {
                        viewPerClass[cls] = viewVerdict = CheckView(cls);
                    }

                    viewBlocked |= viewVerdict.Outcome == MoveOutcome.Blocked;
                    vendorBlocked |= cls.Vendor != _homeClass.Vendor;
                    var verdict = viewVerdict;
                    if (fromRequirement && !perClass.TryGetValue(cls, out verdict))
                    {
                        perClass[cls] = verdict = CheckRequirement(cls);
                    }

                    string? reason = verdict.Reason;
                    if (cls.EvcNote != null)
                    {
                        reason = reason == null ? cls.EvcNote : reason + "; " + cls.EvcNote;
                    }

                    destinations.Add(new DestinationVerdict(host, verdict.Outcome, verdict.Blockers, reason));
                }

                bool nowBlocked = destinations.Any(d => d.Outcome == MoveOutcome.Blocked);
                var scopeClasses = _facts.Classes;
                var required = _facts.Required;
                var needless = new List<FeatureDefinition>();
                var notHidden = new List<FeatureDefinition>();
                for (int i = 0; i < required.Length; i++)
                {
                    if (required[i] && !_maskHides[i])
                    {
                        notHidden.Add(_o._tracked[i]);
                    }

                    if (_maskHides[i] && !required[i] && _exposed[i] && _facts.OnEveryHost[i])
                    {
                        needless.Add(_o._tracked[i]);
                    }
                }

                // Per-VM EVC hides whole baselines: what a mode hides beyond the scope's needs is only "for nothing"
                // when another mode that fits the scope hides less.
                if (needless.Count > 0 && needless.All(f => _evcHides[_o._index[f]]))
                {
                    var better = BestEvcMode(required, scopeClasses);
                    if (better == null || HiddenBy(better) >= _evcHides.Where((h, i) => h && _exposed[i]).Count())
                    {
                        needless.Clear();
                    }
                }

                var scopeMask = _facts.Mask;
                bool hasMask = _vm.HasStoredMask || _vm.HasPerVmEvc;
                int unknownCount = destinations.Count(d => d.Outcome == MoveOutcome.Unknown);
                string basis = fromRequirement
                    ? "runtime.featureRequirement (what the running VM needs)"
                    : _vm.IsRunning
                        ? $"its masks on {_home.Name} (the running VM reports no featureRequirement)"
                        : $"what it would see after power-on on {_home.Name} under its masks";

                ComplianceStatus status;
                string reasonText;
                var fix = (Kind: ComplianceFixKind.None, Text: string.Empty, EvcMode: (EvcModeDefinition?)null);
                if (vendorBlocked)
                {
                    var other = destinations.Where(d => _classOf.TryGetValue(d.Host, out var c) && c.Vendor != _homeClass.Vendor).Select(d => d.HostName).ToArray();
                    status = ComplianceStatus.Blocked;
                    reasonText = $"{Names(other)} {(other.Length == 1 ? "has" : "have")} CPUs of another vendor than {_home.Name} ({_homeClass.Vendor}); no mask makes that move possible";
                    fix = (ComplianceFixKind.Manual, "Leave hosts of another CPU vendor out of the scope: vMotion between CPU vendors is never possible.", null);
                }
                else if (notHidden.Count > 0 || viewBlocked)
                {
                    status = hasMask ? ComplianceStatus.Stale : ComplianceStatus.Unmasked;
                    var blockedHosts = destinations.Where(d => d.Outcome == MoveOutcome.Blocked).Select(d => d.HostName).ToArray();
                    string what = notHidden.Count > 0
                        ? $"features not on every host of its scope are not hidden: {Labels(notHidden)}"
                        : "a host of its scope lacks features it would see";
                    reasonText = (hasMask ? "its masks no longer fit its scope: " : "it has no CPUID masks, and ") + what
                        + (blockedHosts.Length > 0 ? $"; blocked now to {Names(blockedHosts)}" : string.Empty);
                    fix = MaskFix(scopeMask, required, scopeClasses);
                }
                else if (_vm.IsRunning && nowBlocked)
                {
                    status = ComplianceStatus.PendingPowerCycle;
                    reasonText = $"it runs with features its masks now hide, and cannot move to {Names(destinations.Where(d => d.Outcome == MoveOutcome.Blocked).Select(d => d.HostName).ToArray())} until it is powered off and on";
                    fix = PowerCycleFix;
                }
                else if (fromRequirement && RunningDiffers() is string difference)
                {
                    status = ComplianceStatus.PendingPowerCycle;
                    reasonText = difference;
                    fix = PowerCycleFix;
                }
                else if (needless.Count > 0)
                {
                    status = ComplianceStatus.Wider;
                    reasonText = $"its masks hide features every host of its scope offers: {Labels(needless)}";
                    fix = MaskFix(scopeMask, required, scopeClasses);
                }
                else
                {
                    status = ComplianceStatus.Compliant;
                    reasonText = destinations.Count == 0
                        ? "its scope has no other host"
                        : hasMask ? "it can move to every connected host of its scope, and its masks fit the scope" : "it can move to every connected host of its scope without masks";
                }

                if (unknownCount > 0)
                {
                    reasonText += $" ({unknownCount} host{(unknownCount == 1 ? string.Empty : "s")} not checked: {Names(destinations.Where(d => d.Outcome == MoveOutcome.Unknown).Select(d => $"{d.HostName}, {d.Reason}").ToArray())})";
                }

                return new VmCompliance(_vm, status, reasonText, _scopeText, destinations)
                {
                    Basis = basis,
                    HiddenNeedlessly = needless,
                    NotHidden = notHidden,
                    ScopeMask = scopeMask,
                    FixKind = fix.Kind,
                    FixEvcMode = fix.EvcMode?.Key,
                    FixEvcModeLabel = fix.EvcMode?.Label,
                    ManualFix = fix.Text,
                };
            }

            private (ComplianceFixKind, string, EvcModeDefinition?) PowerCycleFix => (
                ComplianceFixKind.PowerCycle,
                _vm.HasPerVmEvc || _vm.HasStoredMask
                    ? "Power the VM off and on again (a restart of the guest is not enough) so its stored masks take effect."
                    : "Power the VM off and on again (a restart of the guest is not enough) so it runs with the features of its current masks.",
                null);

            // The fix's sentence is made from its kind (ComplianceFixText), so each shell can put its own commands in it.
            private (ComplianceFixKind, string, EvcModeDefinition?) MaskFix(VmMask scopeMask, bool[] required, CapabilityClass[] scopeClasses)
            {
                if (_vm.HasPerVmEvc && BestEvcMode(required, scopeClasses) is EvcModeDefinition mode)
                {
                    return (ComplianceFixKind.ApplyEvcMode, string.Empty, mode);
                }

                return (scopeMask.IsEmpty ? ComplianceFixKind.RemoveMasks : ComplianceFixKind.ApplyMask, string.Empty, null);
            }

            // The per-VM EVC mode of the VM's vendor that hides everything the scope needs hidden, keeps only features
            // every host of the scope has, and of those hides the fewest.
            private EvcModeDefinition? BestEvcMode(bool[] required, CapabilityClass[] scopeClasses)
            {
                EvcModeDefinition? best = null;
                int bestHidden = int.MaxValue;
                foreach (var mode in _o._modes.Values.Where(m => m.AppliesTo(_homeClass.Vendor)))
                {
                    var masks = ToDictionary(mode.FeatureMask);
                    int hiddenCount = 0;
                    bool fits = true;
                    for (int i = 0; i < _o._tracked.Length && fits; i++)
                    {
                        bool hides = PerVmEvcHides(masks, _o._tracked[i], _homeClass.Vendor);
                        hiddenCount += hides && _exposed[i] ? 1 : 0;
                        fits = (!required[i] || hides) && (hides || !_exposed[i] || _o._tracked[i].VSphereKeyOn(_homeClass.Vendor) == null
                            || scopeClasses.All(c => c.States[i] != FeatureState.Absent) || scopeClasses.All(c => c.States[i] != FeatureState.Present));
                    }

                    if (fits && hiddenCount < bestHidden)
                    {
                        best = mode;
                        bestHidden = hiddenCount;
                    }
                }

                return best;
            }

            private int HiddenBy(EvcModeDefinition mode)
            {
                var masks = ToDictionary(mode.FeatureMask);
                return _o._tracked.Where((f, i) => _exposed[i] && PerVmEvcHides(masks, f, _homeClass.Vendor)).Count();
            }

            private (MoveOutcome, IReadOnlyList<BlockingFeature>, string?) CheckView(CapabilityClass destination)
            {
                if (destination.Vendor != _homeClass.Vendor)
                {
                    return (MoveOutcome.Blocked, Array.Empty<BlockingFeature>(), $"another CPU vendor ({destination.Vendor}, the VM's host is {_homeClass.Vendor})");
                }

                List<BlockingFeature>? blockers = null;
                List<string>? unknown = null;
                for (int i = 0; i < _view.Length; i++)
                {
                    if (!_view[i] || destination.States[i] == FeatureState.Present)
                    {
                        continue;
                    }

                    var f = _o._tracked[i];
                    string key = f.VSphereKeyOn(_homeClass.Vendor) ?? f.Name;
                    if (destination.States[i] == FeatureState.Absent)
                    {
                        (blockers ??= new List<BlockingFeature>()).Add(new BlockingFeature(key, f.DisplayName, "Bool:Min:1", "0", f));
                    }
                    else
                    {
                        (unknown ??= new List<string>()).Add(f.DisplayName);
                    }
                }

                return Outcome(blockers, unknown);
            }

            // vCenter's own test: every requirement of the running VM against the destination's capability values.
            private (MoveOutcome, IReadOnlyList<BlockingFeature>, string?) CheckRequirement(CapabilityClass destination)
            {
                if (destination.Vendor != _homeClass.Vendor)
                {
                    return (MoveOutcome.Blocked, Array.Empty<BlockingFeature>(), $"another CPU vendor ({destination.Vendor}, the VM's host is {_homeClass.Vendor})");
                }

                List<BlockingFeature>? blockers = null;
                List<string>? unknown = null;
                foreach (var requirement in _vm.FeatureRequirement)
                {
                    _o._catalog.TryFind(requirement.Key, out var feature);
                    string label = feature != null && string.Equals(feature.VSphereKeyOn(_homeClass.Vendor), requirement.Key, StringComparison.OrdinalIgnoreCase)
                        ? feature.DisplayName
                        : requirement.FeatureName;
                    if (!FeatureValue.TryParseRequirement(requirement.Value, out var op, out long needed))
                    {
                        (unknown ??= new List<string>()).Add($"{label} ({requirement.Value} not understood)");
                        continue;
                    }

                    if (!destination.Values.TryGetValue(requirement.Key, out long offered))
                    {
                        // A host that does not report the key at all cannot be shown to meet it; a requirement that any
                        // value meets (Min:0) is met regardless.
                        if (!(op == RequirementOperator.Min && needed <= 0))
                        {
                            (unknown ??= new List<string>()).Add(label);
                        }

                        continue;
                    }

                    if (!FeatureValue.Meets(op, needed, offered))
                    {
                        (blockers ??= new List<BlockingFeature>()).Add(new BlockingFeature(requirement.Key, label, requirement.Value, FormatValue(offered), feature));
                    }
                }

                return Outcome(blockers, unknown);
            }

            private static (MoveOutcome, IReadOnlyList<BlockingFeature>, string?) Outcome(List<BlockingFeature>? blockers, List<string>? unknown)
            {
                if (blockers != null)
                {
                    return (MoveOutcome.Blocked, blockers, null);
                }

                return unknown != null
                    ? (MoveOutcome.Unknown, Array.Empty<BlockingFeature>(), "the host does not report " + string.Join(", ", unknown))
                    : (MoveOutcome.CanMove, Array.Empty<BlockingFeature>(), null);
            }

            // Whether the running VM's feature set (its featureRequirement) differs from what its masks give on its host now.
            private string? RunningDiffers()
            {
                var required = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var r in _vm.FeatureRequirement)
                {
                    if (FeatureValue.TryParseRequirement(r.Value, out var op, out long n) && op == RequirementOperator.Min && n > 0)
                    {
                        required.Add(r.Key);
                    }
                }

                var extra = new List<FeatureDefinition>();
                var missing = new List<FeatureDefinition>();
                for (int i = 0; i < _view.Length; i++)
                {
                    string? key = _o._tracked[i].VSphereKeyOn(_homeClass.Vendor);
                    if (key == null || !_exposed[i])
                    {
                        continue;
                    }

                    bool runs = required.Contains(key);
                    if (runs && _maskHides[i])
                    {
                        extra.Add(_o._tracked[i]);
                    }
                    else if (!runs && _view[i])
                    {
                        missing.Add(_o._tracked[i]);
                    }
                }

                if (extra.Count == 0 && missing.Count == 0)
                {
                    return null;
                }

                var parts = new List<string>();
                if (extra.Count > 0)
                {
                    parts.Add($"it runs with features its masks now hide: {Labels(extra)}");
                }

                if (missing.Count > 0)
                {
                    parts.Add($"its masks would now show features it runs without: {Labels(missing)}");
                }

                return string.Join("; ", parts) + "; the masks take effect at its next power-on";
            }

            private static bool StoredMaskHides(VmMask? mask, FeatureDefinition f, string vendor)
            {
                if (mask == null || mask.IsEmpty)
                {
                    return false;
                }

                string? featMask = f.FeatMaskNameOn(vendor);
                if (featMask != null && mask.FeatureMasks.TryGetValue(featMask, out var value) && VmMask.IsHide(value))
                {
                    return true;
                }

                return mask.CharFor(f.Leaf, f.Subleaf, f.Register, f.Bit, vendor).Hides();
            }

            // Per-VM EVC masks are complete (ApplyEvcModeVM_Task: completeMasks defaults to true, and "any unspecified
            // feature will not be exposed to the guest"), so a feature with a vSphere key that the mask does not list is hidden.
            private static bool PerVmEvcHides(Dictionary<string, string>? evc, FeatureDefinition f, string vendor)
            {
                if (evc == null)
                {
                    return false;
                }

                string? key = f.VSphereKeyOn(vendor);
                if (key == null)
                {
                    return false;
                }

                return !evc.TryGetValue(key, out var value) || (FeatureValue.TryParseNumber(value, out long n) && n == 0);
            }

            private static Dictionary<string, string> ToDictionary(IReadOnlyList<VSphereFeature> features)
            {
                var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var f in features)
                {
                    map[f.Key] = f.Value;
                }

                return map;
            }

            private static string FormatValue(long value) => value > 9 ? "0x" + value.ToString("x", CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);

            private static string Labels(IEnumerable<FeatureDefinition> features) => string.Join(", ", features.Select(f => f.DisplayName));

            // A reason is read by people: past ten hosts it names the first ten and counts the rest (every host is in
            // Destinations, and in the report's matrix).
            internal static string Names(IReadOnlyList<string> names) =>
                names.Count <= MaxNamesInReason
                    ? string.Join(", ", names)
                    : string.Join(", ", names.Take(MaxNamesInReason)) + $" and {names.Count - MaxNamesInReason} more";

            internal const int MaxNamesInReason = 10;
        }
    }
}
