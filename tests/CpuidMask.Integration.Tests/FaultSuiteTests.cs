using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using CpuidMask.Vim.Masks;
using Xunit;

namespace CpuidMask.Integration.Tests
{
    /// <summary>
    /// A simulator of its own for the fault suite: the shared inventory's hosts and EVC modes, and eight powered-off VMs
    /// per scenario (vm-SCENARIO-01..08), so that every scenario starts from VMs no other test touched.
    /// </summary>
    public sealed class FaultSuiteFixture : VcsimServer
    {
        public static readonly string[] Scenarios = { "drop", "kill", "freeze", "logout", "guard", "unguarded", "dies", "evc", "slow", "garbage", "check" };

        public FaultSuiteFixture()
            : base(new VcsimOptions { Inventory = WriteInventory() })
        {
        }

        private static string WriteInventory()
        {
            var inventory = JsonNode.Parse(File.ReadAllText(RepoPaths.Inventory))!.AsObject();
            var vms = new JsonArray();
            foreach (string scenario in Scenarios)
            {
                for (int i = 1; i <= 8; i++)
                {
                    vms.Add(new JsonObject
                    {
                        ["name"] = $"vm-{scenario}-{i:D2}",
                        ["host"] = scenario == "evc" ? "esx-skylake-01" : "esx-avoton-01",
                        ["powerState"] = "poweredOff",
                        ["version"] = scenario == "evc" ? "vmx-19" : "vmx-13",
                        ["guestId"] = "otherGuest64",
                        ["extraConfig"] = new JsonArray(new JsonObject { ["key"] = "guestinfo.owner", ["value"] = "faults" }),
                    });
                }
            }

            inventory["vms"] = vms;
            string path = Path.Combine(Path.GetTempPath(), "cpuidmask-faults-" + Guid.NewGuid().ToString("N") + ".json");
            File.WriteAllText(path, inventory.ToJsonString());
            return path;
        }
    }

    /// <summary>
    /// The write path under faults (issue 10): a lost answer, a connection cut before the call, a frozen server against
    /// --timeout, an ended session, a vCenter that stops answering mid-run, and answers without config.changeVersion.
    /// Every VM is then read with an independent client (pyVmomi, tests/vcsim/readvms.py), and what the run reported and
    /// the undo files hold must match what the VMs really hold: no VM is changed without an undo file, and nothing else of a
    /// VM is lost.
    /// </summary>
    public sealed class FaultSuiteTests : IClassFixture<FaultSuiteFixture>, IDisposable
    {
        private const string WorkedAll = "vm-*";
        private readonly FaultSuiteFixture _vcsim;
        private readonly string _dir = VcsimCli.TempDirectory();

        public FaultSuiteTests(FaultSuiteFixture vcsim)
        {
            _vcsim = vcsim;
            _vcsim.ClearFaults();
            _vcsim.ReleaseAll();
        }

        private string MaskFile => VcsimCli.WriteWorkedMask(_dir);

        public void Dispose()
        {
            _vcsim.ClearFaults();
            _vcsim.ReleaseAll();
            _vcsim.SetTaskDuration(TimeSpan.Zero);
            Directory.Delete(_dir, true);
        }

        [Fact]
        public void DroppedAnswer_TheVmIsReadAgainAndReportedApplied_TheRestNotAttempted()
        {
            var fault = _vcsim.AddFault("drop-answer ReconfigVM_Task at 4");

            var reports = Apply("drop");

            Assert.Equal(1, fault.Fired);
            Assert.Equal(new[] { "applied", "applied", "applied", "applied", "not-attempted", "not-attempted", "not-attempted", "not-attempted" }, Statuses(reports));
            Assert.Equal("VmWriteInterrupted", (string)reports[3]!["error"]!["id"]!);
            Assert.Contains("shows the change in place", (string)reports[3]!["error"]!["message"]!);
            AssertReportsMatchTheVms("drop", reports);
        }

        [Fact]
        public void DroppedAnswerWhileTheTaskStillRuns_TheRunWaitsForTheVmsTaskBeforeReadingIt_AndReportsApplied()
        {
            // The server made the task, then the connection dropped: read at once, the VM would still show the old
            // values and "not applied" would be wrong, for the task lands seconds later.
            _vcsim.SetTaskDuration(TimeSpan.FromSeconds(3));
            var fault = _vcsim.AddFault("drop-answer ReconfigVM_Task at 2");

            var reports = Apply("slow");

            Assert.Equal(1, fault.Fired);
            Assert.Equal(new[] { "applied", "applied", "not-attempted" }, Statuses(reports).Take(3));
            Assert.Contains("shows the change in place", (string)reports[1]!["error"]!["message"]!);
            AssertReportsMatchTheVms("slow", reports);
        }

        [Fact]
        public void UnreadableAnswerToTheWrite_TheRunWaitsForTheVmsTaskAndReadsItAgain_ReportsApplied()
        {
            _vcsim.SetTaskDuration(TimeSpan.FromSeconds(1));
            var garbage = _vcsim.AddFault("garbage ReconfigVM_Task at 2");

            var reports = Apply("garbage");

            Assert.Equal(1, garbage.Fired);
            Assert.Equal("applied", (string)reports[1]!["status"]!);
            Assert.Equal("VmWriteInterrupted", (string)reports[1]!["error"]!["id"]!);
            AssertReportsMatchTheVms("garbage", reports);
        }

        [Fact]
        public void TruncatedAnswerToTheReadBack_TheChangeIsReportedAppliedButUnverified()
        {
            // Each VM: one RetrievePropertiesEx reads it (the run reads all VMs in one), one reads it back after the write.
            var cut = _vcsim.AddFault("truncate RetrievePropertiesEx on vm-check-03 from 2 times 1");

            var reports = Apply("check");

            Assert.Equal(1, cut.Fired);
            Assert.Equal("applied", (string)reports[2]!["status"]!);
            Assert.False((bool)reports[2]!["verified"]!);
            AssertReportsMatchTheVms("check", reports);
        }

        [Fact]
        public void ConnectionCutBeforeTheCall_TheVmIsReadAgainAndReportedNotApplied_WithItsUndoFile()
        {
            var fault = _vcsim.AddFault("kill-before ReconfigVM_Task at 4");

            var reports = Apply("kill");

            Assert.Equal(1, fault.Fired);
            Assert.Equal(new[] { "applied", "applied", "applied", "not-applied", "not-attempted", "not-attempted", "not-attempted", "not-attempted" }, Statuses(reports));
            AssertReportsMatchTheVms("kill", reports);
        }

        [Fact]
        public void FrozenServer_TimeoutStopsTheRun_TheVmUnderWayIsUnknown_AndItsUndoFileUndoesWhatLandsLater()
        {
            var fault = _vcsim.AddFault("freeze ReconfigVM_Task at 4");
            var watch = Stopwatch.StartNew();

            var reports = Apply("freeze", "--timeout", "4");

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"the run took {watch.Elapsed}: the deadline must cut the frozen call short");
            Assert.Equal(new[] { "applied", "applied", "applied", "unknown", "not-attempted", "not-attempted", "not-attempted", "not-attempted" }, Statuses(reports));
            AssertReportsMatchTheVms("freeze", reports);

            // The held call is performed once released, after the run reported it unknown: its undo file still undoes it.
            fault.Release();
            WaitUntil(() => _vcsim.ReadVm("vm-freeze-04").Option("cpuid.1.ecx") != null);
            string undoFile = (string)reports[3]!["undoFile"]!;
            Assert.Equal(VmChangeOutcome.Unknown, VmUndoRecord.Parse(File.ReadAllText(undoFile), undoFile).Outcome);
            var undo = VcsimCli.Run(_vcsim, "undo", "--undo-file", undoFile);
            Assert.True(undo.ExitCode == 0, undo.ToString());
            Assert.Null(_vcsim.ReadVm("vm-freeze-04").Option("cpuid.1.ecx"));
            Assert.Equal("faults", _vcsim.ReadVm("vm-freeze-04").Option("guestinfo.owner"));
        }

        [Fact]
        public void SessionEndedMidRun_TheRefusedVmFailsWithItsUndoFileSayingNotApplied_TheRestNotAttempted()
        {
            var fault = _vcsim.AddFault("logout ReconfigVM_Task at 4");

            var reports = Apply("logout");

            Assert.Equal(1, fault.Fired);
            Assert.Equal(new[] { "applied", "applied", "applied", "failed", "not-attempted", "not-attempted", "not-attempted", "not-attempted" }, Statuses(reports));
            Assert.Equal("NotAuthenticated", (string)reports[3]!["error"]!["id"]!);
            Assert.NotNull((string?)reports[3]!["undoFile"]);
            AssertReportsMatchTheVms("logout", reports);
        }

        [Fact]
        public async System.Threading.Tasks.Task VCenterStopsAnsweringMidRun_TheVmUnderWayIsUnknown_NoneOfTheRestWaits()
        {
            var hold = _vcsim.AddFault("freeze ReconfigVM_Task at 4");
            var run = System.Threading.Tasks.Task.Run(() => Apply("dies", "--timeout", "5"));
            hold.WaitFor("held", 1, TimeSpan.FromSeconds(20));

            // From here on vCenter answers nothing at all: the run's reading of the VM again fails too.
            _vcsim.AddFault("kill-before * every");
            var reports = await run;
            _vcsim.ClearFaults();
            hold.Release();

            Assert.Equal(new[] { "applied", "applied", "applied", "unknown", "not-attempted", "not-attempted", "not-attempted", "not-attempted" }, Statuses(reports));
            Assert.Contains("could not be read again", (string)reports[3]!["error"]!["message"]!);
            WaitUntil(() => _vcsim.ReadVm("vm-dies-04").Option("cpuid.1.ecx") != null);
            AssertReportsMatchTheVms("dies", reports, settled: new Dictionary<int, string> { [3] = "applied" });
        }

        [Fact]
        public void AnswerWithoutChangeVersion_NothingIsWritten_AndAllowUnguardedWritesAfterReadingAgain()
        {
            _vcsim.AddFault("strip-change-version RetrievePropertiesEx every");

            var refused = Apply("guard");
            var unguarded = Apply("unguarded", "--allow-unguarded");

            Assert.All(refused, r =>
            {
                Assert.Equal("failed", (string)r!["status"]!);
                Assert.Equal("VmChangeVersionMissing", (string)r["error"]!["id"]!);
                Assert.Contains("--allow-unguarded", (string)r["error"]!["message"]!);
            });
            Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "guard")));
            AssertReportsMatchTheVms("guard", refused);
            Assert.All(unguarded, r => Assert.Equal("applied", (string)r!["status"]!));
            AssertReportsMatchTheVms("unguarded", unguarded);
        }

        [Fact]
        public void PerVmEvc_DroppedAnswer_IsSettledByReadingTheVmAgain_AndItsUndoFileHoldsThePreviousMask()
        {
            _vcsim.AddFault("drop-answer ApplyEvcModeVM_Task at 2");

            var reports = Apply("evc", "--method", "PerVmEvc", "--baseline", "intel-haswell");

            Assert.Equal(new[] { "applied", "applied", "not-attempted" }, Statuses(reports).Take(3));
            var vms = _vcsim.ReadVms(Names("evc"));
            for (int i = 0; i < 8; i++)
            {
                bool applied = (string)reports[i]!["status"]! == "applied";
                Assert.Equal(applied, vms[i].FeatureMask.Length > 0);
                Assert.Equal(applied, reports[i]!["undoFile"] != null);
            }

            var record = Assert.IsType<EvcUndoRecord>(VmUndoRecord.Parse(File.ReadAllText((string)reports[1]!["undoFile"]!), "undo"));
            Assert.Empty(record.Previous);
            Assert.Equal(VmChangeOutcome.Applied, record.Outcome);
        }

        private JsonArray Apply(string scenario, params string[] extra)
        {
            string folder = Path.Combine(_dir, scenario);
            Directory.CreateDirectory(folder);
            var args = new List<string> { "--vm", $"vm-{scenario}-*", "--undo-file", folder, "--parallel", "1", "--json" };
            if (!extra.Contains("--method"))
            {
                args.AddRange(new[] { "--mask-file", MaskFile });
            }

            args.AddRange(extra);
            var run = VcsimCli.Run(_vcsim, "apply", args.ToArray());
            Assert.True(run.Out.TrimStart().StartsWith("[", StringComparison.Ordinal), run.ToString());
            var reports = JsonNode.Parse(run.Out)!.AsArray();
            Assert.Equal(Names(scenario), reports.Select(r => (string)r!["vm"]!));
            Assert.Equal(reports.All(r => (string)r!["status"]! == "applied") ? 0 : 2, run.ExitCode);
            return reports;
        }

        private static string[] Names(string scenario) => Enumerable.Range(1, 8).Select(i => $"vm-{scenario}-{i:D2}").ToArray();

        private static string[] Statuses(JsonArray reports) => reports.Select(r => (string)r!["status"]!).ToArray();

        /// <summary>
        /// What the independent reader sees must be what the run reported: a VM reported applied holds the whole mask and
        /// has an undo file saying so; one not applied or not attempted holds none of it; every undo file's outcome is the
        /// reported one; a VM that holds the mask always has an undo file; and no other key of any VM was touched.
        /// </summary>
        private void AssertReportsMatchTheVms(string scenario, JsonArray reports, IReadOnlyDictionary<int, string>? settled = null)
        {
            var vms = _vcsim.ReadVms(Names(scenario));
            var files = Directory.GetFiles(Path.Combine(_dir, scenario), "cpuidmask-undo-*.json");
            for (int i = 0; i < reports.Count; i++)
            {
                var report = reports[i]!;
                var vm = vms.Single(v => v.Name == (string)report["vm"]!);
                string status = (string)report["status"]!;
                string actual = settled != null && settled.TryGetValue(i, out var later) ? later : status;
                bool holdsMask = VcsimCli.WorkedCaseLines.All(line => vm.ExtraConfig.Any(o => $"{o.Key} = \"{o.Value}\"" == line));
                bool holdsNone = !vm.ExtraConfig.Any(o => o.Key.StartsWith("cpuid.", StringComparison.Ordinal));
                Assert.Equal("faults", vm.Option("guestinfo.owner"));
                switch (actual)
                {
                    case "applied":
                        Assert.True(holdsMask, $"{vm.Name} is reported applied but does not hold the mask");
                        break;
                    case "not-applied":
                    case "not-attempted":
                    case "failed":
                        Assert.True(holdsNone, $"{vm.Name} is reported {status} but holds mask keys");
                        break;
                }

                // Every VM the run sent a change for has an undo file whose outcome is the reported one; a VM refused by
                // vSphere (failed) has one if its record was written before the refusal, saying not-applied.
                string? undoFile = (string?)report["undoFile"];
                if (status == "not-attempted")
                {
                    Assert.Null(undoFile);
                }
                else if (status != "failed" || undoFile != null)
                {
                    Assert.NotNull(undoFile);
                    var record = VmUndoRecord.Parse(File.ReadAllText(undoFile!), undoFile!);
                    Assert.Equal(vm.Name, record.Vm);
                    Assert.Equal(vm.Moref, record.MoRef!.Value);
                    Assert.Equal(status == "failed" ? "not-applied" : status, VmUndoRecord.OutcomeText(record.Outcome!.Value));
                }

                if (!holdsNone)
                {
                    Assert.Contains(files, f => Path.GetFileName(f).StartsWith($"cpuidmask-undo-{vm.Name}-", StringComparison.Ordinal));
                }
            }

            Assert.Equal(reports.Count(r => r!["undoFile"] != null), files.Length);
        }

        private void WaitUntil(Func<bool> condition)
        {
            var watch = Stopwatch.StartNew();
            while (!condition())
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "timed out waiting for the simulator; its log:\n" + _vcsim.StandardError);
                System.Threading.Thread.Sleep(100);
            }
        }
    }
}
