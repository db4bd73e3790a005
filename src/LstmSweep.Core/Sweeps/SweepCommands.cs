using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Sweeps;

/// <summary>
/// What may happen to a sweep, as its coordinator hears it: the input of <see cref="SweepDecider.Decide"/>. Each carries
/// the time it happened, so deciding stays pure.
/// </summary>
public interface ISweepCommand
{
    DateTimeOffset At { get; }
}

/// <summary>One attempt of one trial.</summary>
public readonly record struct TrialAttempt(int TrialId, int Attempt);

/// <summary>How an attempt ended, as its worker reports it.</summary>
public sealed record AttemptOutcome(
    TrialStatus Status, double? Loss, double? Accuracy, int EpochsRun, long DurationMs, string? Error,
    FailureKind? Failure = null, int ResumedFromEpoch = 0);

public static class SweepCommand
{
    /// <summary>Start the sweep with its header and the trials planned up front (none for TPE).</summary>
    public sealed record Submit(SweepSubmitted Header, IReadOnlyList<TrialScheduled> Trials, DateTimeOffset At) : ISweepCommand;

    /// <summary>Worker <paramref name="Worker"/> has <paramref name="FreeSlots"/> free slots.</summary>
    public sealed record RequestWork(string Worker, int FreeSlots, DateTimeOffset At) : ISweepCommand;

    /// <summary>A running attempt finished an epoch.</summary>
    public sealed record ReportEpoch(int TrialId, int Attempt, EpochMetrics Metrics, DateTimeOffset At) : ISweepCommand;

    /// <summary>A running attempt ended on its worker.</summary>
    public sealed record EndAttempt(int TrialId, int Attempt, AttemptOutcome Outcome, DateTimeOffset At) : ISweepCommand;

    /// <summary>The worker running these attempts died or left unannounced: they will never report.</summary>
    public sealed record LoseAttempts(IReadOnlyList<TrialAttempt> Attempts, DateTimeOffset At) : ISweepCommand;

    /// <summary>A worker handed an attempt back unrun or unfinished.</summary>
    public sealed record ReturnAttempt(int TrialId, int Attempt, string Reason, DateTimeOffset At) : ISweepCommand;

    /// <summary>A user asked to stop the sweep.</summary>
    public sealed record Cancel(DateTimeOffset At) : ISweepCommand;

    /// <summary>The coordinator has recovered the sweep from its journal after a restart.</summary>
    public sealed record Recover(DateTimeOffset At) : ISweepCommand;
}
