namespace LstmSweep.Core.Search;

/// <summary>How to rebuild a scheduler's state from the inputs it was given.</summary>
public static class SchedulerReplay
{
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
