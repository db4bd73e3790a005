namespace LstmSweep.Core.Search;

/// <summary>The default scheduler: every trial trains all its epochs, in the order the sampler suggests them.</summary>
public sealed class FifoScheduler : ITrialScheduler
{
    public static FifoScheduler Instance { get; } = new();

    public SchedulerStep Report(RungState state, EpochObservation report) => new(SchedulerDecision.Continue, state);

    public IReadOnlyList<RungEntry> PromotableTrials(RungState state) => [];

    public RungState Promote(RungState state, TrialPromotion promotion) =>
        throw new ArgumentException($"trial {promotion.TrialNumber} is not paused: the fifo scheduler pauses no trial", nameof(promotion));
}
