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
    int ResumedFromEpoch = 0)
{
    public bool IsFinished => Status is TrialStatus.Complete or TrialStatus.Failed or TrialStatus.Cancelled or TrialStatus.Pruned;
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
            PlannedTrials = s.Spec is { } spec ? Samplers.TrialCount(spec) : 0,
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
        EpochReported r => UpdateAttempt(r.TrialId, r.Attempt, trial => trial with
        {
            LastEpoch = new EpochMetrics(r.Epoch, r.Loss, r.Accuracy, r.TrainLoss), EpochsRun = r.Epoch,
        }),
        TrialFinished { Status: TrialStatus.Cancelled } c when Trials.TryGetValue(c.TrialId, out var w) && w.Status == TrialStatus.Waiting
            => Update(c.TrialId, trial => trial with { Status = TrialStatus.Cancelled, Error = c.Error }),
        TrialFinished f => UpdateAttempt(f.TrialId, f.Attempt, trial => trial with
        {
            Status = f.Status, Loss = f.Loss, Accuracy = f.Accuracy, EpochsRun = f.EpochsRun, DurationMs = f.DurationMs,
            Error = f.Error, ResumedFromEpoch = f.ResumedFromEpoch,
        }),
        TrialRequeued q => UpdateAttempt(q.TrialId, q.Attempt, trial => trial with
        {
            Status = TrialStatus.Waiting, Error = q.Reason, Worker = null, LastEpoch = null, EpochsRun = 0,
        }),
        TrialPromoted p => Update(p.TrialId, trial => trial.Status == TrialStatus.Pruned
            ? trial with { Status = TrialStatus.Waiting, Error = null, Worker = null, LastEpoch = null }
            : trial),
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

    /// <summary>How many more trials the sampler may still suggest.</summary>
    public int TrialsNotYetScheduled => Math.Max(0, PlannedTrials - Trials.Count);

    /// <summary>What the sampler learns from: every scheduled trial, with its objective once it has one.</summary>
    public IReadOnlyList<Search.TrialObservation> History()
        => Trials.Values.Select(t => new Search.TrialObservation(t.TrialId, t.Config, t.Status,
            t.Status is TrialStatus.Complete or TrialStatus.Pruned ? ObjectiveOf(t) : null)).ToList();

    public int Count(TrialStatus status) => Trials.Values.Count(t => t.Status == status);

    /// <summary>The status a sweep ends with once every trial has finished.</summary>
    public SweepStatus OutcomeWhenAllFinished()
    {
        if (CancelRequested) return SweepStatus.Cancelled;
        return Trials.Values.Any(t => t.Status == TrialStatus.Complete) ? SweepStatus.Completed : SweepStatus.Failed;
    }

    /// <summary>Objective value of a trial (accuracy or loss), if it has one.</summary>
    public double? ObjectiveOf(TrialState trial) => Objective == Objective.Accuracy ? trial.Accuracy : trial.Loss;

    /// <summary>Complete trials, best first (accuracy descending or loss ascending; ties by trial id).</summary>
    public IReadOnlyList<TrialState> Leaderboard()
    {
        var complete = Trials.Values.Where(t => t.Status == TrialStatus.Complete && ObjectiveOf(t) is double v && double.IsFinite(v));
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
