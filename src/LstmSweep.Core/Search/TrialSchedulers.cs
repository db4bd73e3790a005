using LstmSweep.Core.Spec;

namespace LstmSweep.Core.Search;

/// <summary>The scheduler a spec asks for, and how to rebuild its state from the inputs it was given.</summary>
public static class TrialSchedulers
{
    /// <summary>Fifo, or ASHA with the spec's <c>asha:</c> block and objective direction.</summary>
    public static ITrialScheduler For(SweepSpec spec) => spec.Scheduler switch
    {
        SchedulerKind.Fifo => FifoScheduler.Instance,
        SchedulerKind.Asha => new AshaScheduler(
            spec.Asha ?? throw new ArgumentException("scheduler asha needs the asha settings", nameof(spec)), spec.Objective),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Scheduler, "unknown scheduler"),
    };

    /// <summary>
    /// The state after the given inputs, in the order they were first applied: what a restarted coordinator calls on
    /// the inputs it journalled, to go on with the state (and so the decisions) it had.
    /// </summary>
    public static RungState Replay(this ITrialScheduler scheduler, IEnumerable<SchedulerInput> inputs) =>
        inputs.Aggregate(RungState.Empty, (state, input) => input switch
        {
            EpochObservation report => scheduler.Report(state, report).State,
            TrialPromotion promotion => scheduler.Promote(state, promotion),
            _ => throw new ArgumentException($"unknown scheduler input {input.GetType().Name}", nameof(inputs)),
        });
}
