using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Search;

/// <summary>What a running trial does after an epoch report.</summary>
public enum SchedulerDecision
{
    /// <summary>Train on.</summary>
    Continue,
    /// <summary>Stop now for good: the trial ends pruned.</summary>
    Stop,
    /// <summary>Stop now but keep the checkpoint: the trial waits at its rung for a possible promotion.</summary>
    Pause,
}

/// <summary>
/// One input a scheduler folds into its state. The coordinator journals each input it gives a scheduler (or journals
/// what it derives them from), and on recovery rebuilds the same state with <see cref="SchedulerReplay.Replay"/>.
/// </summary>
public abstract record SchedulerInput(int TrialNumber);

/// <summary>Trial <paramref name="TrialNumber"/> reported the sweep's objective (accuracy or loss) after an epoch (1-based).</summary>
public sealed record EpochObservation(int TrialNumber, int Epoch, double Objective) : SchedulerInput(TrialNumber);

/// <summary>The coordinator promoted a paused trial (one of <see cref="ITrialScheduler.PromotableTrials"/>) and resumes it.</summary>
public sealed record TrialPromotion(int TrialNumber) : SchedulerInput(TrialNumber);

/// <summary>A scheduler's answer to a report: what the trial does, and the scheduler's state after the report.</summary>
public sealed record SchedulerStep(SchedulerDecision Decision, RungState State);

/// <summary>
/// When to stop a running trial (Optuna's pruner, Ray Tune's trial scheduler), kept apart from what to try
/// (<see cref="ISampler"/>). Pure: the scheduler holds only its settings; all it learns lives in the immutable
/// <see cref="RungState"/> it is handed and hands back, so the same inputs replayed give the same state and the same
/// decisions, and a restarted coordinator carries on exactly where it stopped.
/// </summary>
public interface ITrialScheduler
{
    /// <summary>
    /// Called on every epoch report of a running trial. The decision depends only on <paramref name="state"/> and the
    /// report; a report the state has already seen (a repeated message, a replay) gets the same decision again and
    /// leaves the state as it is.
    /// </summary>
    SchedulerStep Report(RungState state, EpochObservation report);

    /// <summary>
    /// Paused trials that have since earned a promotion, the ones to resume first first. Each entry is the rung the
    /// trial paused at: resume it from its checkpoint at that epoch. Empty for schedulers that never pause.
    /// </summary>
    IReadOnlyList<RungEntry> PromotableTrials(RungState state);

    /// <summary>Records that the coordinator resumed a promotable trial; promoting it again changes nothing.</summary>
    /// <exception cref="ArgumentException">The trial is not promotable in <paramref name="state"/>.</exception>
    RungState Promote(RungState state, TrialPromotion promotion);
}
