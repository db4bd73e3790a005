using System.Collections.Immutable;
using LstmSweep.Core.Search;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;

namespace LstmSweep.Cluster.Persistence.Stored;

/// <summary>Marks what the snapshot store keeps, so our serializer (with its manifests) writes it.</summary>
public interface IStoredSnapshot;

/// <summary>A coordinator's snapshot (manifest <see cref="JournalSchema.SweepSnapshot"/>): the whole <see cref="SweepState"/>, rungs and retry budgets included.</summary>
public sealed record StoredSweepState : IStoredSnapshot
{
    public string SweepId { get; init; } = "";
    public string Name { get; init; } = "";
    public StoredTask? Task { get; init; }
    public Objective Objective { get; init; }
    public SearchStrategy Strategy { get; init; }
    public long Seed { get; init; }
    public string SpecText { get; init; } = "";
    public SweepStatus Status { get; init; }
    public bool CancelRequested { get; init; }
    public DateTimeOffset? SubmittedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public StoredSpec? Spec { get; init; }
    public int PlannedTrials { get; init; }
    public IReadOnlyList<StoredTrialState> Trials { get; init; } = [];
    public IReadOnlyList<StoredRungEntry> Rungs { get; init; } = [];

    public static StoredSweepState From(SweepState s) => new()
    {
        SweepId = s.SweepId, Name = s.Name, Task = s.Task is { } t ? StoredTask.From(t) : null, Objective = s.Objective,
        Strategy = s.Strategy, Seed = s.Seed, SpecText = s.SpecText, Status = s.Status, CancelRequested = s.CancelRequested,
        SubmittedAt = s.SubmittedAt, FinishedAt = s.FinishedAt, Spec = s.Spec is { } spec ? StoredSpec.From(spec) : null,
        PlannedTrials = s.PlannedTrials, Trials = s.Trials.Values.Select(StoredTrialState.From).ToList(),
        Rungs = s.Rungs.Entries.Select(StoredRungEntry.From).ToList(),
    };

    public SweepState ToState() => new SweepState(SweepId, Name, Task?.ToTask(), Objective, Strategy, Seed, SpecText, Status,
        CancelRequested, SubmittedAt, FinishedAt,
        Trials.Select(t => t.ToState()).ToImmutableSortedDictionary(t => t.TrialId, t => t), Spec?.ToSpec(), PlannedTrials)
    {
        Rungs = new RungState(Rungs.Select(r => r.ToEntry()).ToImmutableList()),
    };
}

public sealed record StoredTrialState
{
    public int TrialId { get; init; }
    public StoredTrialConfig Config { get; init; } = new();
    public long Seed { get; init; }
    public TrialStatus Status { get; init; }
    public int Attempts { get; init; }
    public double? Loss { get; init; }
    public double? Accuracy { get; init; }
    public int EpochsRun { get; init; }
    public long DurationMs { get; init; }
    public string? Error { get; init; }
    public string? Worker { get; init; }
    public StoredEpochMetrics? LastEpoch { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public int ResumedFromEpoch { get; init; }
    public int FailedAttempts { get; init; }
    public int LostAttempts { get; init; }
    public FailureKind? Failure { get; init; }

    public static StoredTrialState From(TrialState t) => new()
    {
        TrialId = t.TrialId, Config = StoredTrialConfig.From(t.Config), Seed = t.Seed, Status = t.Status, Attempts = t.Attempts,
        Loss = t.Loss, Accuracy = t.Accuracy, EpochsRun = t.EpochsRun, DurationMs = t.DurationMs, Error = t.Error, Worker = t.Worker,
        LastEpoch = t.LastEpoch is { } e ? new StoredEpochMetrics { Epoch = e.Epoch, Loss = e.Loss, Accuracy = e.Accuracy, TrainLoss = e.TrainLoss } : null,
        StartedAt = t.StartedAt, ResumedFromEpoch = t.ResumedFromEpoch, FailedAttempts = t.FailedAttempts,
        LostAttempts = t.LostAttempts, Failure = t.Failure,
    };

    public TrialState ToState() => new(TrialId, Config.ToConfig(), Seed, Status, Attempts, Loss, Accuracy, EpochsRun, DurationMs,
        Error, Worker, LastEpoch is { } e ? new EpochMetrics(e.Epoch, e.Loss, e.Accuracy, e.TrainLoss) : null, StartedAt,
        ResumedFromEpoch, FailedAttempts, LostAttempts, Failure);
}

public sealed record StoredEpochMetrics
{
    public int Epoch { get; init; }
    public double Loss { get; init; }
    public double Accuracy { get; init; }
    public double TrainLoss { get; init; }
}

public sealed record StoredRungEntry
{
    public int TrialNumber { get; init; }
    public int Bracket { get; init; }
    public int Epoch { get; init; }
    public double Objective { get; init; }
    public RungOutcome Outcome { get; init; }

    public static StoredRungEntry From(RungEntry e) => new()
    {
        TrialNumber = e.TrialNumber, Bracket = e.Bracket, Epoch = e.Epoch, Objective = e.Objective, Outcome = e.Outcome,
    };
    public RungEntry ToEntry() => new(TrialNumber, Bracket, Epoch, Objective, Outcome);
}

/// <summary>The sweep manager's snapshot (manifest sweep-manager-snapshot.v1): the sweeps it owns, in the order registered.</summary>
public sealed record StoredManagerState : IStoredSnapshot
{
    public IReadOnlyList<string> SweepIds { get; init; } = [];
}
