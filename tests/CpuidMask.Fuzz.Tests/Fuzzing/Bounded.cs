using System;
using System.Threading.Tasks;
using CpuidMask.Engine;

namespace CpuidMask.Fuzz.Tests.Fuzzing
{
    /// <summary>What one fuzzed input came to: a value, or the engine's refusal with its error id.</summary>
    internal sealed class Outcome<T>
        where T : class
    {
        private Outcome(T? value, CpuidMaskException? refusal)
        {
            Value = value;
            Refusal = refusal;
        }

        public T? Value { get; }

        public CpuidMaskException? Refusal { get; }

        public bool Accepted => Refusal == null;

        public static Outcome<T> Of(T value) => new Outcome<T>(value, null);

        public static Outcome<T> Refused(CpuidMaskException refusal) => new Outcome<T>(null, refusal);

        public override string ToString() => Accepted ? "accepted" : "refused (" + Refusal!.ErrorId + ")";
    }

    /// <summary>
    /// Runs the code under test on one input with a time bound. The engine may refuse an input only with its own
    /// <see cref="CpuidMaskException"/>; any other exception is a crash, and not returning in time is a hang.
    /// Both fail the property with the input's description, so FsCheck reports the case and its replay seed.
    /// </summary>
    internal static class Bounded
    {
        /// <summary>
        /// Far above what any input takes (milliseconds), so a loaded CI machine does not flake, and far below
        /// "forever".
        /// </summary>
        public static readonly TimeSpan PerInput = TimeSpan.FromSeconds(5);

        public static Outcome<T> Run<T>(Func<T> code, Func<string> describe)
            where T : class
        {
            var task = Task.Run(code);
            if (Task.WhenAny(task, Task.Delay(PerInput)).GetAwaiter().GetResult() != task)
            {
                throw new FuzzFailure($"HANG: no result within {PerInput.TotalSeconds:0} s for {describe()}");
            }

            try
            {
                return Outcome<T>.Of(task.GetAwaiter().GetResult());
            }
            catch (CpuidMaskException refusal)
            {
                if (string.IsNullOrWhiteSpace(refusal.ErrorId) || string.IsNullOrWhiteSpace(refusal.Message))
                {
                    throw new FuzzFailure($"Refusal without an error id or message for {describe()}", refusal);
                }

                return Outcome<T>.Refused(refusal);
            }
            catch (Exception crash)
            {
                throw new FuzzFailure($"CRASH: {crash.GetType().Name} instead of a CpuidMaskException for {describe()}", crash);
            }
        }
    }

    /// <summary>A property's verdict on one input, with everything needed to reproduce it.</summary>
    internal sealed class FuzzFailure : Exception
    {
        public FuzzFailure(string message, Exception? inner = null)
            : base(message, inner)
        {
        }
    }
}
