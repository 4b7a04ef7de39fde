using System;
using System.Diagnostics;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using System.Text.Json;
using System.Xml.Linq;
using Xunit;

namespace CpuidMask.Integration.Tests
{
    /// <summary>A simulator of its own for the harness tests, whose faults and latency must not reach other tests.</summary>
    public sealed class HarnessFixture : VcsimServer
    {
        public HarnessFixture()
            : base(new VcsimOptions())
        {
        }
    }

    /// <summary>
    /// The test harness around the simulator (tests/vcsim): each fault, the latency settings and the
    /// independent reader do what tests/vcsim/README.md promises, seen through a raw SOAP client
    /// (<see cref="VcsimSoap"/>) and readvms.py, without CpuidMask's own vSphere client.
    /// </summary>
    public sealed class HarnessTests : IClassFixture<HarnessFixture>
    {
        private static readonly XNamespace Vim = "urn:vim25";
        private readonly HarnessFixture _vcsim;

        public HarnessTests(HarnessFixture vcsim)
        {
            _vcsim = vcsim;
            _vcsim.ClearFaults();
            _vcsim.SetDelay(TimeSpan.Zero);
            _vcsim.SetTaskDuration(TimeSpan.Zero);
        }

        [Fact]
        public async Task DropAnswer_ReconfigureIsPerformed_ButTheClientSeesTheConnectionClose()
        {
            var soap = await VcsimSoap.LoginAsync(_vcsim);
            var before = _vcsim.ReadVm("vm-web01");
            var fault = _vcsim.AddFault("drop-answer ReconfigVM_Task on vm-web01");
            int requests = _vcsim.RequestCount;

            await Assert.ThrowsAsync<HttpRequestException>(() => soap.ReconfigureAsync(before.Moref, "harness.drop", "performed", before.ChangeVersion));

            var after = _vcsim.ReadVm("vm-web01");
            Assert.Equal("performed", after.Option("harness.drop"));
            Assert.NotEqual(before.ChangeVersion, after.ChangeVersion);
            Assert.Equal(1, fault.Fired);
            Assert.Equal(new[] { "ReconfigVM_Task" }, _vcsim.RequestsSince(requests));
            Assert.Contains($"fault {fault.Id} (drop-answer ReconfigVM_Task on vm-web01): ReconfigVM_Task on {before.Moref}, occurrence 1", _vcsim.StandardError);
        }

        [Fact]
        public async Task KillBefore_ReconfigureIsNotPerformed_AndTheClientSeesTheConnectionClose()
        {
            var soap = await VcsimSoap.LoginAsync(_vcsim);
            var before = _vcsim.ReadVm("vm-web02");
            var fault = _vcsim.AddFault("kill-before ReconfigVM_Task on vm-web02");

            await Assert.ThrowsAsync<HttpRequestException>(() => soap.ReconfigureAsync(before.Moref, "harness.kill", "performed", before.ChangeVersion));

            var after = _vcsim.ReadVm("vm-web02");
            Assert.Null(after.Option("harness.kill"));
            Assert.Equal(before.ChangeVersion, after.ChangeVersion);
            Assert.Equal(before.ExtraConfig, after.ExtraConfig);
            Assert.Equal(1, fault.Fired);
        }

        [Fact]
        public async Task Freeze_HoldsTheCallUntilReleased_ThenPerformsIt()
        {
            var soap = await VcsimSoap.LoginAsync(_vcsim);
            var before = _vcsim.ReadVm("vm-app01");
            var fault = _vcsim.AddFault("freeze ReconfigVM_Task on vm-app01");

            var call = soap.ReconfigureAsync(before.Moref, "harness.freeze", "performed", before.ChangeVersion);
            fault.WaitFor("held", 1);
            await Task.Delay(200);

            Assert.False(call.IsCompleted);
            Assert.Null(_vcsim.ReadVm("vm-app01").Option("harness.freeze"));
            Assert.Equal(1, fault.Release());
            var answer = await call;
            Assert.Equal(200, answer.Status);
            Assert.Equal("success", (await soap.WaitForTaskAsync(VcsimSoap.TaskOf(answer), TimeSpan.FromSeconds(10))).State);
            Assert.Equal("performed", _vcsim.ReadVm("vm-app01").Option("harness.freeze"));
            Assert.Equal(0, fault.Held);
        }

        [Fact]
        public async Task Freeze_ForADuration_DelaysThatCallOnly()
        {
            var soap = new VcsimSoap(_vcsim);
            await soap.RetrieveServiceContentAsync(); // the first HTTPS request of a process is slow
            _vcsim.AddFault("freeze RetrieveServiceContent at 2 for 1s");

            var first = await Timed(soap.RetrieveServiceContentAsync);
            var second = await Timed(soap.RetrieveServiceContentAsync);
            var third = await Timed(soap.RetrieveServiceContentAsync);

            Assert.All(new[] { first, second, third }, t => Assert.Equal(200, t.Answer.Status));
            Assert.True(second.Elapsed >= TimeSpan.FromSeconds(1), $"the frozen call took {second.Elapsed}");
            Assert.True(first.Elapsed < TimeSpan.FromSeconds(1) && third.Elapsed < TimeSpan.FromSeconds(1), $"{first.Elapsed}, {third.Elapsed}");
        }

        [Fact]
        public async Task Logout_TheCallAndEveryLaterCallOfThatSessionGetNotAuthenticated_ANewLoginWorks()
        {
            var soap = await VcsimSoap.LoginAsync(_vcsim);
            var fault = _vcsim.AddFault("logout RetrievePropertiesEx");
            string vm = _vcsim.ReadVm("vm-app02").Moref;

            var faulted = await soap.RetrieveAsync("VirtualMachine", vm, "name");
            var later = await soap.RetrieveAsync("VirtualMachine", vm, "name");
            await soap.LoginAsync();
            var again = await soap.RetrieveAsync("VirtualMachine", vm, "name");

            Assert.Equal("NotAuthenticated", faulted.FaultType());
            Assert.Contains("The session is not authenticated.", faulted.Text);
            Assert.Equal("NotAuthenticated", later.FaultType());
            Assert.Equal(200, again.Status);
            Assert.Equal("vm-app02", VcsimSoap.PropertyValue(again, "name"));
            Assert.Equal(1, fault.Fired);
        }

        [Fact]
        public async Task Logout_ByTheClient_TheOldCookieGetsNotAuthenticatedEvenForRetrieveProperties()
        {
            // vcsim answers RetrievePropertiesEx without a session; vCenter refuses a logged-out cookie.
            var soap = await VcsimSoap.LoginAsync(_vcsim);
            var logout = await soap.CallAsync("<Logout xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this></Logout>");

            var after = await soap.RetrieveAsync("VirtualMachine", _vcsim.ReadVm("vm-app02").Moref, "name");

            Assert.Equal(200, logout.Status);
            Assert.Equal("NotAuthenticated", after.FaultType());
        }

        [Fact]
        public async Task StripChangeVersion_TheAnswerLacksIt_TheVmStillHasIt()
        {
            var soap = await VcsimSoap.LoginAsync(_vcsim);
            var vm = _vcsim.ReadVm("vm-legacy01");
            var fault = _vcsim.AddFault("strip-change-version RetrievePropertiesEx every");

            var props = await soap.RetrieveAsync("VirtualMachine", vm.Moref, "name", "config.changeVersion");
            var config = await soap.RetrieveAsync("VirtualMachine", vm.Moref, "config");
            _vcsim.ClearFaults();
            var clean = await soap.RetrieveAsync("VirtualMachine", vm.Moref, "config.changeVersion");

            Assert.Equal("vm-legacy01", VcsimSoap.PropertyValue(props, "name"));
            Assert.Null(VcsimSoap.PropertyValue(props, "config.changeVersion"));
            Assert.DoesNotContain("changeVersion", config.Text);
            Assert.Contains("<extraConfig", config.Text);
            Assert.Equal(2, fault.Fired);
            Assert.NotNull(vm.ChangeVersion);
            Assert.Equal(vm.ChangeVersion, VcsimSoap.PropertyValue(clean, "config.changeVersion"));
            Assert.Equal(vm.ChangeVersion, _vcsim.ReadVm("vm-legacy01").ChangeVersion);
        }

        [Theory]
        [InlineData("truncate", "vm-amd01")]
        [InlineData("garbage", "vm-stale01")]
        [InlineData("content-type", "vm-idem01")]
        public async Task CorruptAnswer_TheCallIsPerformed_TheAnswerIsCorrupted(string kind, string vmName)
        {
            var soap = await VcsimSoap.LoginAsync(_vcsim);
            var before = _vcsim.ReadVm(vmName);
            var fault = _vcsim.AddFault($"{kind} ReconfigVM_Task on {vmName}");

            var answer = await soap.ReconfigureAsync(before.Moref, "harness." + kind, "performed", before.ChangeVersion);

            Assert.Equal(1, fault.Fired);
            Assert.Equal("performed", _vcsim.ReadVm(vmName).Option("harness." + kind));
            Assert.Equal(200, answer.Status);
            switch (kind)
            {
                case "truncate":
                    Assert.StartsWith("<?xml", answer.Text);
                    Assert.False(VcsimSoap.IsXml(answer.Body), answer.Text);
                    break;
                case "garbage":
                    Assert.Equal("text/xml", answer.ContentType);
                    Assert.False(VcsimSoap.IsXml(answer.Body), answer.Text);
                    break;
                case "content-type":
                    Assert.Equal("text/html", answer.ContentType);
                    Assert.StartsWith("task-", VcsimSoap.TaskOf(answer));
                    break;
            }
        }

        [Fact]
        public async Task Occurrences_AtFiresOnce_FromWithTimesFiresThatMany_CountedFromArming()
        {
            var soap = new VcsimSoap(_vcsim);
            await soap.RetrieveServiceContentAsync(); // before arming: not counted
            var third = _vcsim.AddFault("kill-before RetrieveServiceContent at 3");
            var range = _vcsim.AddFault("content-type RetrieveServiceContent from 4 times 2");

            var outcomes = new string[7];
            for (int i = 0; i < outcomes.Length; i++)
            {
                try
                {
                    outcomes[i] = (await soap.RetrieveServiceContentAsync()).ContentType!;
                }
                catch (HttpRequestException)
                {
                    outcomes[i] = "closed";
                }
            }

            Assert.Equal(new[] { "text/xml", "text/xml", "closed", "text/html", "text/html", "text/xml", "text/xml" }, outcomes);
            Assert.Equal((7, 1), (third.Seen, third.Fired));
            Assert.Equal((7, 2), (range.Seen, range.Fired));
        }

        [Fact]
        public void Control_BadCommands_AreRefusedWithTheReason_AndArmNothing()
        {
            var kind = Assert.Throws<InvalidOperationException>(() => _vcsim.AddFault("explode ReconfigVM_Task"));
            var method = Assert.Throws<InvalidOperationException>(() => _vcsim.AddFault("drop-answer ReconfigVm_Task"));
            var vm = Assert.Throws<InvalidOperationException>(() => _vcsim.AddFault("drop-answer ReconfigVM_Task on vm-nosuch"));
            var duration = Assert.Throws<InvalidOperationException>(() => _vcsim.AddFault("drop-answer ReconfigVM_Task for 1s"));
            var command = Assert.Throws<InvalidOperationException>(() => _vcsim.Command("explode"));

            Assert.Contains("unknown fault kind \"explode\"", kind.Message);
            Assert.Contains("\"ReconfigVm_Task\" is not a vim25 method", method.Message);
            Assert.Contains("no VM has that name or moref", vm.Message);
            Assert.Contains("only for freeze", duration.Message);
            Assert.Contains("unknown command \"explode\"", command.Message);
            Assert.Equal("0", _vcsim.Status()["active"]);
        }

        [Fact]
        public async Task Delay_EveryRequestWaitsIt_ConcurrentRequestsWaitSideBySide()
        {
            var soap = new VcsimSoap(_vcsim);
            _vcsim.SetDelay(TimeSpan.FromMilliseconds(500));

            var one = await Timed(soap.RetrieveServiceContentAsync);
            var watch = Stopwatch.StartNew();
            var parallel = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Timed(soap.RetrieveServiceContentAsync)));
            var all = watch.Elapsed;

            Assert.Equal("500ms", _vcsim.Status()["delay"]);
            Assert.True(one.Elapsed >= TimeSpan.FromMilliseconds(500), $"one request took {one.Elapsed}");
            Assert.All(parallel, t => Assert.True(t.Elapsed >= TimeSpan.FromMilliseconds(500), $"a request took {t.Elapsed}"));
            // Serialized, 8 requests would take at least 4 s.
            Assert.True(all < TimeSpan.FromMilliseconds(2500), $"8 concurrent requests took {all}");
        }

        [Fact]
        public async Task TaskDuration_TheTaskRunsThatLong_TheChangeLandsWhenItSucceeds_TasksRunSideBySide()
        {
            var soap = await VcsimSoap.LoginAsync(_vcsim);
            _vcsim.SetTaskDuration(TimeSpan.FromMilliseconds(1500));
            var vms = _vcsim.ReadVms("vm-batch01", "vm-file01", "vm-doc04");

            var watch = Stopwatch.StartNew();
            var answers = await Task.WhenAll(vms.Select(vm => soap.ReconfigureAsync(vm.Moref, "harness.task", "performed", vm.ChangeVersion)));
            var returned = watch.Elapsed;
            var states = await Task.WhenAll(answers.Select(a => soap.TaskStateAsync(VcsimSoap.TaskOf(a))));
            var whileRunning = _vcsim.ReadVms("vm-batch01", "vm-file01", "vm-doc04");
            var done = await Task.WhenAll(answers.Select(a => soap.WaitForTaskAsync(VcsimSoap.TaskOf(a), TimeSpan.FromSeconds(10))));
            var finished = watch.Elapsed;
            var after = _vcsim.ReadVms("vm-batch01", "vm-file01", "vm-doc04");

            Assert.True(returned < TimeSpan.FromSeconds(1), $"ReconfigVM_Task returned after {returned}");
            Assert.All(states, s => Assert.Equal("running", s.State));
            Assert.All(whileRunning, vm => Assert.Null(vm.Option("harness.task")));
            Assert.All(done, d => Assert.Equal("success", d.State));
            Assert.True(finished >= TimeSpan.FromMilliseconds(1500), $"the tasks finished after {finished}");
            // One after the other, three 1.5 s tasks would take 4.5 s.
            Assert.True(finished < TimeSpan.FromMilliseconds(3500), $"three tasks took {finished}");
            Assert.All(after, vm => Assert.Equal("performed", vm.Option("harness.task")));
            Assert.All(after.Zip(vms), p => Assert.NotEqual(p.Second.ChangeVersion, p.First.ChangeVersion));
        }

        [Fact]
        public async Task TaskDuration_AStaleChangeVersionFailsWhenTheTaskRuns()
        {
            var soap = await VcsimSoap.LoginAsync(_vcsim);
            _vcsim.SetTaskDuration(TimeSpan.FromMilliseconds(300));
            var vm = _vcsim.ReadVm("vm-doc05");

            var first = await soap.ReconfigureAsync(vm.Moref, "harness.race", "first", vm.ChangeVersion);
            var second = await soap.ReconfigureAsync(vm.Moref, "harness.race", "second", vm.ChangeVersion);
            var firstDone = await soap.WaitForTaskAsync(VcsimSoap.TaskOf(first), TimeSpan.FromSeconds(10));
            var secondDone = await soap.WaitForTaskAsync(VcsimSoap.TaskOf(second), TimeSpan.FromSeconds(10));

            Assert.Equal(("success", (string?)null), (firstDone.State, firstDone.Fault));
            Assert.Equal(("error", "ConcurrentAccess"), (secondDone.State, secondDone.Fault));
            Assert.Equal("first", _vcsim.ReadVm("vm-doc05").Option("harness.race"));
        }

        [Fact]
        public async Task Flags_DelayAndTaskDuration_AreInForceFromTheStart()
        {
            using var slow = new VcsimServer(new VcsimOptions { Delay = TimeSpan.FromMilliseconds(250), TaskDuration = TimeSpan.FromMilliseconds(1500) });
            var soap = new VcsimSoap(slow);

            var timed = await Timed(soap.RetrieveServiceContentAsync);

            Assert.Equal("250ms", slow.Status()["delay"]);
            Assert.Equal("1.5s", slow.Status()["task-duration"]);
            Assert.True(timed.Elapsed >= TimeSpan.FromMilliseconds(250), $"the request took {timed.Elapsed}");
        }

        [Fact]
        public async Task ReadVms_AgreesWithTheSimulatorsOwnAnswers_ForEveryVm()
        {
            var soap = await VcsimSoap.LoginAsync(_vcsim);

            var vms = _vcsim.ReadVms();

            using var inventory = JsonDocument.Parse(System.IO.File.ReadAllText(_vcsim.Inventory));
            Assert.Equal(inventory.RootElement.GetProperty("vms").GetArrayLength(), vms.Count);
            Assert.Equal(vms.Select(v => v.Name).OrderBy(n => n, StringComparer.Ordinal), vms.Select(v => v.Name));
            Assert.Contains(vms, v => v.FeatureMask.Length > 0);
            foreach (var vm in vms)
            {
                var answer = await soap.RetrieveAsync("VirtualMachine", vm.Moref, "name", "config.changeVersion", "config.extraConfig", "runtime.featureMask");
                var propSets = answer.Xml().Descendants(Vim + "propSet").ToDictionary(p => p.Element(Vim + "name")!.Value, p => p.Element(Vim + "val")!);
                Assert.Equal(vm.Name, propSets["name"].Value);
                Assert.Equal(vm.ChangeVersion, propSets["config.changeVersion"].Value);
                Assert.Equal(
                    propSets["config.extraConfig"].Elements().Select(o => new VcsimOption(o.Element(Vim + "key")!.Value, o.Element(Vim + "value")?.Value)),
                    vm.ExtraConfig);
                Assert.Equal(
                    propSets["runtime.featureMask"].Elements().Select(m => new VcsimFeatureMask(m.Element(Vim + "key")!.Value, m.Element(Vim + "featureName")!.Value, m.Element(Vim + "value")!.Value)),
                    vm.FeatureMask);
            }
        }

        [Fact]
        public void ReadVms_ReadsTheRealStateWhileFaultsAreArmed_AndAddsNoRequestLogLines()
        {
            _vcsim.AddFault("strip-change-version RetrievePropertiesEx every");
            _vcsim.AddFault("kill-before * from 50");
            int requests = _vcsim.RequestCount;

            var direct = _vcsim.ReadVm("vm-doc03");
            int afterDirect = _vcsim.RequestCount;
            var through = _vcsim.ReadVms(throughFaults: true, "vm-doc03").Single();

            Assert.NotNull(direct.ChangeVersion);
            Assert.Equal(requests, afterDirect);
            Assert.Null(through.ChangeVersion);
            Assert.Equal(direct.ExtraConfig, through.ExtraConfig);
            Assert.True(_vcsim.RequestCount > afterDirect);
        }

        private static async Task<(SoapAnswer Answer, TimeSpan Elapsed)> Timed(Func<Task<SoapAnswer>> call)
        {
            var watch = Stopwatch.StartNew();
            var answer = await call();
            return (answer, watch.Elapsed);
        }

    }
}
