using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Sweeps;

/// <summary>
/// The journal of one sweep: every state change of the sweep and its trials, in the order the coordinator (their single
/// writer) decided them. <see cref="SweepState"/> folds them into the current picture; nothing else is stored.
/// </summary>
public interface ISweepEvent
{
    string SweepId { get; }
}

/// <summary>
/// A sweep was accepted: its validated spec as given (text) and as resolved (<paramref name="Spec"/>, from which a
/// restarted coordinator rebuilds its sampler and scheduler).
/// </summary>
public sealed record SweepSubmitted(
    string SweepId, string Name, TaskSpec Task, Objective Objective, SearchStrategy Strategy, long Seed,
    string SpecText, DateTimeOffset At, SweepSpec? Spec = null) : ISweepEvent;

/// <summary>A trial was added to the sweep, waiting for a slot.</summary>
public sealed record TrialScheduled(string SweepId, int TrialId, TrialConfig Config, long Seed) : ISweepEvent;

/// <summary>Attempt <paramref name="Attempt"/> (1-based) of a trial started on a worker.</summary>
public sealed record TrialStarted(string SweepId, int TrialId, int Attempt, string Worker, DateTimeOffset At) : ISweepEvent;

/// <summary>A running attempt finished one epoch.</summary>
public sealed record EpochReported(
    string SweepId, int TrialId, int Attempt, int Epoch, double Loss, double Accuracy, double TrainLoss) : ISweepEvent;

/// <summary>
/// An attempt ended: complete, failed (<paramref name="Failure"/> says why, <paramref name="Error"/> in words),
/// cancelled, pruned or paused by the scheduler. Also ends a paused trial as pruned when the sweep ends without
/// promoting it (then <paramref name="Attempt"/> is its last attempt's).
/// </summary>
public sealed record TrialFinished(
    string SweepId, int TrialId, int Attempt, TrialStatus Status, double? Loss, double? Accuracy, int EpochsRun,
    long DurationMs, string? Error, DateTimeOffset At, int ResumedFromEpoch = 0, FailureKind? Failure = null) : ISweepEvent;

/// <summary>
/// A running attempt went back to waiting: <paramref name="Kind"/> says why (and whether it counts against the trial's
/// retries), <paramref name="Reason"/> says it in words for people.
/// </summary>
public sealed record TrialRequeued(
    string SweepId, int TrialId, int Attempt, string Reason, RequeueReason Kind = RequeueReason.Returned) : ISweepEvent;

/// <summary>
/// ASHA (pause variant) promoted a trial it had paused at a rung: it waits for a slot again and resumes from its
/// checkpoint, not from epoch 0.
/// </summary>
public sealed record TrialPromoted(string SweepId, int TrialId, int FromEpoch) : ISweepEvent;

/// <summary>The sweep ended: every trial finished, or it was cancelled.</summary>
public sealed record SweepFinished(string SweepId, SweepStatus Status, DateTimeOffset At) : ISweepEvent;

/// <summary>A user asked to stop the sweep: waiting trials are cancelled, running ones are stopped.</summary>
public sealed record SweepCancelRequested(string SweepId, DateTimeOffset At) : ISweepEvent;
