using System;
using System.Linq;
using CpuidMask.Fuzz.Tests.Fuzzing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace CpuidMask.Fuzz.Tests.Soap
{
    /// <summary>
    /// Damaged vim25 answers (cut, garbage, elements missing, repeated or of another type, numbers beyond every range,
    /// no changeVersion) fed to the whole client: connecting, reading hosts, EVC modes and VMs, applying a mask. Each scenario ends
    /// in a result or the client's CpuidMaskException (a fault, ResponseMalformed, NotSoap ...), never another exception
    /// and never a hang; and a write is sent only for the VM asked for, guarded by the changeVersion the VM was read with.
    /// </summary>
    public class SoapFuzzProperties
    {
        [Fact]
        public void Scenarios_RunCleanlyOnTheRecordedAnswers()
        {
            foreach (var scenario in SoapScenario.All)
            {
                var server = new ScriptedVimServer(scenario.Answers.Select(a => (a.Method, a.Text, a.Status)));
                var outcome = Bounded.Run(() => scenario.RunAsync(server).GetAwaiter().GetResult(), () => scenario.Name);

                // The applies end in the fault, the task error or the read-back (it shows the VM unchanged); the rest succeed.
                Assert.True(outcome.Accepted || scenario.Name.StartsWith("apply-mask", StringComparison.Ordinal), scenario.Name + ": " + outcome.Refusal?.Message);
                // Every answer is asked for, in order (disposing the client logs out besides).
                Assert.Equal(scenario.Answers.Select(a => a.Method), server.Requests.Select(r => r.Method).Take(scenario.Answers.Count));
            }
        }

        [Property(MaxTest = 700)]
        public Property DamagedAnswers_EndInAResultOrTheClientsError() =>
            Prop.ForAll(
                SoapCase.Over(SoapScenario.All),
                @case =>
                {
                    var (script, what) = @case.Apply();
                    string Describe() => $"{@case.Scenario.Name} after {@case.Kind}, {what}";
                    var server = new ScriptedVimServer(script);
                    var outcome = Bounded.Run(() => @case.Scenario.RunAsync(server).GetAwaiter().GetResult(), Describe);
                    foreach (var write in server.Requests.Where(r => r.Method == "ReconfigVM_Task"))
                    {
                        string[] target = write.Call.Elements().Where(e => e.Name.LocalName == "_this").Select(e => e.Value).ToArray();
                        string[] guard = write.Values("changeVersion");
                        if (!target.SequenceEqual(new[] { SoapScenario.App01.Value }) || guard.Length != 1 || guard[0].Trim().Length == 0)
                        {
                            throw new FuzzFailure($"UNSOUND: a write to [{string.Join(", ", target)}] guarded by [{string.Join(", ", guard)}]; {Describe()}");
                        }
                    }

                    return true.Collect($"{@case.Scenario.Name} {outcome}");
                });
    }
}
