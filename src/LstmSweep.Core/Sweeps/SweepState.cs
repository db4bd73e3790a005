using System.Collections.Immutable;
using LstmSweep.Core.Search;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Sweeps;

/// <summary>One trial as the journal tells it.</summary>
public sealed record TrialState(
    int TrialId,
    TrialConfig Config,
    long Seed,
    TrialStatus Status,
    int Attempts,
    double? Loss,
    double? Accuracy,
    int EpochsRun,
    long DurationMs,
    string? Error,
    string? Worker,
    EpochMetrics? LastEpoch,
    DateTimeOffset? StartedAt = null,
    int ResumedFromEpoch = 0,
    int FailedAttempts = 0,
    int LostAttempts = 0,
    FailureKind? Failure = null)
{
    public bool IsFinished => Status is TrialStatus.Complete or TrialStatus.Failed or TrialStatus.Cancelled or TrialStatus.Pruned;

    /// <summary>Finished, or paused at a rung: nothing runs it unless the scheduler promotes it.</summary>
    public bool IsSettled => IsFinished || Status == TrialStatus.Paused;

    /// <summary>Attempts that count against the spec's <c>retries</c>: failed (and retried) or lost with a worker.</summary>
    public int SpentAttempts => FailedAttempts + LostAttempts;
}

/// <summary>
/// The whole sweep, folded from its events. Pure and immutable: the coordinator applies each event after persisting
/// it, and a reader (results, list) folds the same events from the journal, so both always agree.
/// </summary>
public sealed record SweepState(
    string SweepId,
    string Name,
    TaskSpec? Task,
    Objective Objective,
    SearchStrategy Strategy,
    long Seed,
    string SpecText,
    SweepStatus Status,
    bool CancelRequested,
    DateTimeOffset? SubmittedAt,
    DateTimeOffset? FinishedAt,
    ImmutableSortedDictionary<int, TrialState> Trials,
    SweepSpec? Spec = null,
    int PlannedTrials = 0)
{
    /// <summary>
    /// The scheduler's state, folded from the epoch reports of current attempts and the promotions, in journal order
    /// (so a replayed state reaches the same rungs, and so the same decisions).
    /// </summary>
    public RungState Rungs { get; init; } = RungState.Empty;

    /// <summary>The spec's scheduler (fifo for a sweep without a spec): pure, rebuilt from the spec.</summary>
    public ITrialScheduler Scheduler() => Spec is { } spec ? SweepSearch.For(spec).Scheduler : FifoScheduler.Instance;

    public static SweepState Empty(string sweepId) => new(
        sweepId, "", null, Objective.Accuracy, SearchStrategy.Grid, 0, "", SweepStatus.Running, false, null, null,
        ImmutableSortedDictionary<int, TrialState>.Empty);

    public bool IsSubmitted => SubmittedAt is not null;
    public bool IsFinished => Status != SweepStatus.Running;

    public SweepState Apply(ISweepEvent e) => e switch
    {
        SweepSubmitted s => this with
        {
            Name = s.Name, Task = s.Task, Objective = s.Objective, Strategy = s.Strategy, Seed = s.Seed,
            SpecText = s.SpecText, SubmittedAt = s.At, Status = SweepStatus.Running, Spec = s.Spec,
            PlannedTrials = s.Spec is { } spec ? SweepRepeats.PlannedTrials(spec) : 0,
        },
        TrialScheduled t => this with
        {
            Trials = Trials.SetItem(t.TrialId, new TrialState(
                t.TrialId, t.Config, t.Seed, TrialStatus.Waiting, 0, null, null, 0, 0, null, null, null)),
        },
        TrialStarted t => Update(t.TrialId, trial => trial with
        {
            Status = TrialStatus.Running, Attempts = t.Attempt, Worker = t.Worker, LastEpoch = null, EpochsRun = 0,
            StartedAt = t.At,
        }),
        EpochReported r when IsCurrentAttempt(r.TrialId, r.Attempt) => Update(r.TrialId, trial => trial with
        {
            LastEpoch = new EpochMetrics(r.Epoch, r.Loss, r.Accuracy, r.TrainLoss), EpochsRun = r.Epoch,
        }) with
        {
            Rungs = Scheduler().Report(Rungs, new EpochObservation(r.TrialId, r.Epoch, Objective == Objective.Accuracy ? r.Accuracy : r.Loss)).State,
        },
        TrialFinished { Status: TrialStatus.Cancelled } c when Trials.TryGetValue(c.TrialId, out var w) && w.Status == TrialStatus.Waiting
            => Update(c.TrialId, trial => trial with { Status = TrialStatus.Cancelled, Error = c.Error }),
        // A paused trial the sweep ended without promoting: pruned at the rung it paused at, its metrics kept.
        TrialFinished { Status: TrialStatus.Pruned } end when Trials.TryGetValue(end.TrialId, out var p) && p.Status == TrialStatus.Paused && p.Attempts == end.Attempt
            => Update(end.TrialId, trial => trial with { Status = TrialStatus.Pruned, Error = end.Error }),
        TrialFinished f => UpdateAttempt(f.TrialId, f.Attempt, trial => trial with
        {
            Status = f.Status, Loss = f.Loss, Accuracy = f.Accuracy, EpochsRun = f.EpochsRun, DurationMs = f.DurationMs,
            Error = f.Error, ResumedFromEpoch = f.ResumedFromEpoch, Failure = f.Status == TrialStatus.Failed ? f.Failure ?? FailureKind.Error : null,
        }),
        TrialRequeued q => UpdateAttempt(q.TrialId, q.Attempt, trial => trial with
        {
            Status = TrialStatus.Waiting, Error = q.Reason, Worker = null, LastEpoch = null, EpochsRun = 0,
            FailedAttempts = trial.FailedAttempts + (q.Kind == RequeueReason.FailedRetry ? 1 : 0),
            LostAttempts = trial.LostAttempts + (q.Kind == RequeueReason.WorkerLost ? 1 : 0),
        }),
        TrialPromoted p when Trials.TryGetValue(p.TrialId, out var paused) && paused.Status == TrialStatus.Paused => Update(p.TrialId,
            trial => trial with { Status = TrialStatus.Waiting, Error = null, Worker = null, LastEpoch = null }) with
        {
            Rungs = Scheduler().Promote(Rungs, new TrialPromotion(p.TrialId)),
        },
        SweepCancelRequested => this with { CancelRequested = true },
        SweepFinished f => this with { Status = f.Status, FinishedAt = f.At },
        _ => this,
    };

    public static SweepState Fold(string sweepId, IEnumerable<ISweepEvent> events)
        => events.Aggregate(Empty(sweepId), (state, e) => state.Apply(e));

    /// <summary>
    /// Whether an event about a trial attempt is current. Results and epochs of an attempt that is no longer the
    /// running one (a late or duplicate message from a lost attempt) must be ignored: the coordinator checks this
    /// before persisting, and <see cref="Apply"/> ignores such events too.
    /// </summary>
    public bool IsCurrentAttempt(int trialId, int attempt)
        => Trials.TryGetValue(trialId, out var trial) && trial.Status == TrialStatus.Running && trial.Attempts == attempt;

    public IEnumerable<TrialState> WaitingTrials => Trials.Values.Where(t => t.Status == TrialStatus.Waiting);
    public IEnumerable<TrialState> RunningTrials => Trials.Values.Where(t => t.Status == TrialStatus.Running);
    /// <summary>Every trial the sweep plans has been scheduled and has finished (samplers like TPE schedule as they go).</summary>
    public bool AllTrialsFinished => Trials.Count > 0 && Trials.Count >= PlannedTrials && Trials.Values.All(t => t.IsFinished);

    /// <summary>Every planned trial is scheduled and finished or paused: unless the scheduler promotes one, the sweep ends.</summary>
    public bool AllTrialsSettled => Trials.Count > 0 && Trials.Count >= PlannedTrials && Trials.Values.All(t => t.IsSettled);

    /// <summary>Whether a worker asking now could get a trial: waiting trials, or (TPE) trials still to be suggested.</summary>
    public bool HasWork => IsSubmitted && !IsFinished && !CancelRequested && (WaitingTrials.Any() || TrialsNotYetScheduled > 0);

    /// <summary>Trials paused at a rung, waiting for a promotion.</summary>
    public IEnumerable<TrialState> PausedTrials => Trials.Values.Where(t => t.Status == TrialStatus.Paused);

    /// <summary>How many more trials the sampler may still suggest.</summary>
    public int TrialsNotYetScheduled => Math.Max(0, PlannedTrials - Trials.Count);

    /// <summary>What the sampler learns from: every scheduled trial, with its objective once it has one.</summary>
    /// <remarks>With <c>repeats</c>, one observation per configuration with the mean of its repeats (<see cref="SweepRepeats.History"/>).</remarks>
    public IReadOnlyList<Search.TrialObservation> History()
        => SweepRepeats.History(Trials.Values.Select(t => new Search.TrialObservation(t.TrialId, t.Config, t.Status,
            t.Status is TrialStatus.Complete or TrialStatus.Pruned or TrialStatus.Paused ? ObjectiveOf(t) : null)).ToList(), SweepRepeats.Of(Spec));

    public int Count(TrialStatus status) => Trials.Values.Count(t => t.Status == status);

    /// <summary>The status a sweep ends with once every trial has finished.</summary>
    public SweepStatus OutcomeWhenAllFinished()
    {
        if (CancelRequested) return SweepStatus.Cancelled;
        return Trials.Values.Any(t => t.Status == TrialStatus.Complete) ? SweepStatus.Completed : SweepStatus.Failed;
    }

    /// <summary>Objective value of a trial (accuracy or loss), if it has one.</summary>
    public double? ObjectiveOf(TrialState trial) => Objective == Objective.Accuracy ? trial.Accuracy : trial.Loss;

    /// <summary>
    /// Complete trials, best first (accuracy descending or loss ascending; ties by trial id). With <c>repeats</c>,
    /// configurations by the mean of their repeats, and within one its repeats by their own objective.
    /// </summary>
    public IReadOnlyList<TrialState> Leaderboard()
    {
        var complete = Trials.Values.Where(t => t.Status == TrialStatus.Complete && ObjectiveOf(t) is double v && double.IsFinite(v));
        if (SweepRepeats.Stats(this) is { } stats)
        {
            var repeats = SweepRepeats.Of(Spec);
            var byMean = Objective == Objective.Accuracy
                ? complete.OrderByDescending(t => stats[SweepRepeats.ConfigurationOf(t.TrialId, repeats)].Mean)
                    .ThenBy(t => SweepRepeats.ConfigurationOf(t.TrialId, repeats)).ThenByDescending(t => t.Accuracy)
                : complete.OrderBy(t => stats[SweepRepeats.ConfigurationOf(t.TrialId, repeats)].Mean)
                    .ThenBy(t => SweepRepeats.ConfigurationOf(t.TrialId, repeats)).ThenBy(t => t.Loss);
            return byMean.ThenBy(t => t.TrialId).ToList();
        }
        var ordered = Objective == Objective.Accuracy
            ? complete.OrderByDescending(t => t.Accuracy).ThenBy(t => t.Loss).ThenBy(t => t.TrialId)
            : complete.OrderBy(t => t.Loss).ThenByDescending(t => t.Accuracy).ThenBy(t => t.TrialId);
        return ordered.ToList();
    }

    public TrialState? Best => Leaderboard().FirstOrDefault();

    SweepState Update(int trialId, Func<TrialState, TrialState> change)
        => Trials.TryGetValue(trialId, out var trial) ? this with { Trials = Trials.SetItem(trialId, change(trial)) } : this;

    SweepState UpdateAttempt(int trialId, int attempt, Func<TrialState, TrialState> change)
        => IsCurrentAttempt(trialId, attempt) ? Update(trialId, change) : this;
}
