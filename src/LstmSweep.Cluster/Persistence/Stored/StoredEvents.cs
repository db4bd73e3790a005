using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;

namespace LstmSweep.Cluster.Persistence.Stored;

// The journal's rows, one DTO per event: what is stored is these property names (snake_case), never a Core record's.
// Properties added later must have the default an older row (which lacks them) reads as.

public sealed record StoredSweepSubmitted
{
    public string SweepId { get; init; } = "";
    public string Name { get; init; } = "";
    public StoredTask Task { get; init; } = new();
    public Objective Objective { get; init; }
    public SearchStrategy Strategy { get; init; }
    public long Seed { get; init; }
    public string SpecText { get; init; } = "";
    public DateTimeOffset At { get; init; }
    public StoredSpec? Spec { get; init; }

    public static StoredSweepSubmitted From(SweepSubmitted e) => new()
    {
        SweepId = e.SweepId, Name = e.Name, Task = StoredTask.From(e.Task), Objective = e.Objective, Strategy = e.Strategy,
        Seed = e.Seed, SpecText = e.SpecText, At = e.At, Spec = e.Spec is { } spec ? StoredSpec.From(spec) : null,
    };

    public SweepSubmitted ToEvent() => new(SweepId, Name, Task.ToTask(), Objective, Strategy, Seed, SpecText, At, Spec?.ToSpec());
}

public sealed record StoredTrialScheduled
{
    public string SweepId { get; init; } = "";
    public int TrialId { get; init; }
    public StoredTrialConfig Config { get; init; } = new();
    public long Seed { get; init; }

    public static StoredTrialScheduled From(TrialScheduled e) => new() { SweepId = e.SweepId, TrialId = e.TrialId, Config = StoredTrialConfig.From(e.Config), Seed = e.Seed };
    public TrialScheduled ToEvent() => new(SweepId, TrialId, Config.ToConfig(), Seed);
}

public sealed record StoredTrialStarted
{
    public string SweepId { get; init; } = "";
    public int TrialId { get; init; }
    public int Attempt { get; init; }
    public string Worker { get; init; } = "";
    public DateTimeOffset At { get; init; }

    public static StoredTrialStarted From(TrialStarted e) => new() { SweepId = e.SweepId, TrialId = e.TrialId, Attempt = e.Attempt, Worker = e.Worker, At = e.At };
    public TrialStarted ToEvent() => new(SweepId, TrialId, Attempt, Worker, At);
}

public sealed record StoredEpochReported
{
    public string SweepId { get; init; } = "";
    public int TrialId { get; init; }
    public int Attempt { get; init; }
    public int Epoch { get; init; }
    public double Loss { get; init; }
    public double Accuracy { get; init; }
    public double TrainLoss { get; init; }

    public static StoredEpochReported From(EpochReported e) => new()
    {
        SweepId = e.SweepId, TrialId = e.TrialId, Attempt = e.Attempt, Epoch = e.Epoch, Loss = e.Loss, Accuracy = e.Accuracy, TrainLoss = e.TrainLoss,
    };
    public EpochReported ToEvent() => new(SweepId, TrialId, Attempt, Epoch, Loss, Accuracy, TrainLoss);
}

/// <summary>v2 adds <see cref="Failure"/> and the status paused (v1 stored a paused trial as pruned, see <see cref="V1Upcaster"/>).</summary>
public sealed record StoredTrialFinished
{
    public string SweepId { get; init; } = "";
    public int TrialId { get; init; }
    public int Attempt { get; init; }
    public TrialStatus Status { get; init; }
    public double? Loss { get; init; }
    public double? Accuracy { get; init; }
    public int EpochsRun { get; init; }
    public long DurationMs { get; init; }
    public string? Error { get; init; }
    public DateTimeOffset At { get; init; }
    public int ResumedFromEpoch { get; init; }
    public FailureKind? Failure { get; init; }

    public static StoredTrialFinished From(TrialFinished e) => new()
    {
        SweepId = e.SweepId, TrialId = e.TrialId, Attempt = e.Attempt, Status = e.Status, Loss = e.Loss, Accuracy = e.Accuracy,
        EpochsRun = e.EpochsRun, DurationMs = e.DurationMs, Error = e.Error, At = e.At, ResumedFromEpoch = e.ResumedFromEpoch,
        Failure = e.Failure,
    };
    public TrialFinished ToEvent() => new(SweepId, TrialId, Attempt, Status, Loss, Accuracy, EpochsRun, DurationMs, Error, At, ResumedFromEpoch, Failure);
}

/// <summary>v2 adds <see cref="Kind"/>; <see cref="Reason"/> is free text for people (v1 had only the text, see <see cref="V1Upcaster"/>).</summary>
public sealed record StoredTrialRequeued
{
    public string SweepId { get; init; } = "";
    public int TrialId { get; init; }
    public int Attempt { get; init; }
    public RequeueReason? Kind { get; init; }
    public string Reason { get; init; } = "";

    public static StoredTrialRequeued From(TrialRequeued e) => new() { SweepId = e.SweepId, TrialId = e.TrialId, Attempt = e.Attempt, Kind = e.Kind, Reason = e.Reason };
    public TrialRequeued ToEvent() => new(SweepId, TrialId, Attempt, Reason, Kind ?? RequeueReason.Returned);
}

public sealed record StoredTrialPromoted
{
    public string SweepId { get; init; } = "";
    public int TrialId { get; init; }
    public int FromEpoch { get; init; }

    public static StoredTrialPromoted From(TrialPromoted e) => new() { SweepId = e.SweepId, TrialId = e.TrialId, FromEpoch = e.FromEpoch };
    public TrialPromoted ToEvent() => new(SweepId, TrialId, FromEpoch);
}

public sealed record StoredSweepCancelRequested
{
    public string SweepId { get; init; } = "";
    public DateTimeOffset At { get; init; }

    public static StoredSweepCancelRequested From(SweepCancelRequested e) => new() { SweepId = e.SweepId, At = e.At };
    public SweepCancelRequested ToEvent() => new(SweepId, At);
}

public sealed record StoredSweepFinished
{
    public string SweepId { get; init; } = "";
    public SweepStatus Status { get; init; }
    public DateTimeOffset At { get; init; }

    public static StoredSweepFinished From(SweepFinished e) => new() { SweepId = e.SweepId, Status = e.Status, At = e.At };
    public SweepFinished ToEvent() => new(SweepId, Status, At);
}

/// <summary>
/// Reads v1 rows, written before the journal had types for these meanings, into their v2 form. The only code that reads
/// meaning from stored text, and only from rows of that older version: the wording below is what the code of that
/// version wrote, and v2 rows say the same in their own fields.
/// </summary>
public static class V1Upcaster
{
    const string V1FailedPrefix = "failed: ";
    const string V1LostSuffix = " was lost";
    const string V1PausedPrefix = "paused at epoch ";
    static readonly string[] V1NonFiniteLoss = ["training loss became", "evaluation loss became"];

    public static StoredTrialRequeued Requeued(StoredTrialRequeued row) => row with
    {
        Kind = row.Reason.StartsWith(V1FailedPrefix, StringComparison.Ordinal) ? RequeueReason.FailedRetry
            : row.Reason == SweepDecider.InterruptedReason ? RequeueReason.Interrupted
            : row.Reason.StartsWith("worker ", StringComparison.Ordinal) && row.Reason.EndsWith(V1LostSuffix, StringComparison.Ordinal) ? RequeueReason.WorkerLost
            : RequeueReason.Returned,
    };

    /// <summary>
    /// A trial result from a worker node of the version before failure kinds (no <c>failure</c> field): its kind read
    /// from the wording that version's trainer used, so an old node's NaN is not retried. A newer node always sends
    /// the kind of a failed result.
    /// </summary>
    public static Protocol.TrialResult Result(Protocol.TrialResult result)
        => result is { Status: TrialStatus.Failed, Failure: null }
            ? result with { Failure = V1NonFiniteLoss.Any(p => (result.Error ?? "").StartsWith(p, StringComparison.Ordinal)) ? FailureKind.NonFiniteLoss : FailureKind.Error }
            : result;

    public static StoredTrialFinished Finished(StoredTrialFinished row)
    {
        var error = row.Error ?? "";
        if (row.Status == TrialStatus.Pruned && error.StartsWith(V1PausedPrefix, StringComparison.Ordinal))
            return row with { Status = TrialStatus.Paused };
        if (row.Status != TrialStatus.Failed) return row;
        return row with
        {
            Failure = V1NonFiniteLoss.Any(p => error.StartsWith(p, StringComparison.Ordinal)) ? FailureKind.NonFiniteLoss
                : error.StartsWith("lost ", StringComparison.Ordinal) ? FailureKind.WorkerLost
                : FailureKind.Error,
        };
    }
}
