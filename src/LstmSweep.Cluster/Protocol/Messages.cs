using Akka.Actor;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;

namespace LstmSweep.Cluster.Protocol;

/// <summary>
/// Marks every message of ours that may cross the network, so one serializer (JSON with explicit manifests) handles
/// them all and renaming a CLR type breaks nothing. They carry primitives, records of primitives and actor refs only.
/// </summary>
public interface ISweepProtocol;

// ---- Commands to a sweep coordinator -------------------------------------------------------------------------------

/// <summary>Start a sweep: the header event and its trials, persisted together. Idempotent for the same sweep id.</summary>
public sealed record SubmitSweep(SweepSubmitted Header, IReadOnlyList<TrialScheduled> Trials) : ISweepProtocol;

public sealed record SweepAccepted(string SweepId) : ISweepProtocol;

/// <summary>Stop the sweep: waiting trials are cancelled and running ones stopped.</summary>
public sealed record CancelSweep(string SweepId) : ISweepProtocol;

public sealed record GetSweepState(string SweepId) : ISweepProtocol;

// ---- Work pulling: worker agents ask, the coordinator assigns ------------------------------------------------------

/// <summary>
/// A worker has <paramref name="FreeSlots"/> free slots and asks for up to that many trials. Every request is answered
/// by exactly one <see cref="WorkAssigned"/>, and a worker has at most one request in flight, so slots freed while a
/// request travels are never counted twice.
/// </summary>
public sealed record RequestWork(IActorRef Worker, string WorkerName, int FreeSlots) : ISweepProtocol;

/// <summary>The answer to a <see cref="RequestWork"/>: the attempts to run, possibly none (then the worker is told
/// <see cref="WorkAvailable"/> once there is work).</summary>
public sealed record WorkAssigned(IReadOnlyList<AssignTrial> Trials) : ISweepProtocol;

/// <summary>Sent to workers that asked when there was nothing to do, once there is.</summary>
public sealed record WorkAvailable(string SweepId) : ISweepProtocol;

/// <summary>
/// Train attempt <paramref name="Attempt"/> of a trial. <paramref name="TraceParent"/>: the sweep's span (W3C
/// traceparent) when tracing is on, so the trial's span joins the sweep's trace on whichever node it runs.
/// <paramref name="EvalEvery"/> and <paramref name="EvaluateAt"/>: the evaluation cadence and the epochs evaluated
/// whatever it says (the trial's ASHA rungs); a sender from before them meant every epoch.
/// </summary>
public sealed record AssignTrial(
    string SweepId, int TrialId, int Attempt, TaskSpec Task, TrialConfig Config, long Seed, IActorRef Coordinator,
    int CheckpointEvery = SweepSpec.DefaultCheckpointEvery, string? TraceParent = null,
    int EvalEvery = SweepSpec.EvalEveryBeforeTheKey, IReadOnlyList<int>? EvaluateAt = null)
    : ISweepProtocol;

/// <summary>A worker gives an attempt back unrun or unfinished (no free slot, or it is leaving): it waits again.</summary>
public sealed record TrialReturned(string SweepId, int TrialId, int Attempt, string Reason) : ISweepProtocol;

/// <summary>Ask the worker running this attempt to stop it (its result comes back as cancelled).</summary>
public sealed record CancelTrial(string SweepId, int TrialId, int Attempt) : ISweepProtocol;

// ---- Trial progress and results, from trial actors to the coordinator ----------------------------------------------

public sealed record TrialEpoch(string SweepId, int TrialId, int Attempt, EpochMetrics Metrics) : ISweepProtocol;

public sealed record TrialResult(
    string SweepId, int TrialId, int Attempt, TrialStatus Status, double? Loss, double? Accuracy, int EpochsRun,
    long DurationMs, string? Error, int ResumedFromEpoch = 0, FailureKind? Failure = null) : ISweepProtocol;

// ---- The cluster's sweep manager (a singleton on the coordinator nodes) --------------------------------------------

/// <summary>The manager's own journal (persistence id "sweep-manager"): a sweep it owns, to recover after a restart.</summary>
public sealed record SweepRegistered(string SweepId) : ISweepProtocol;

/// <summary>
/// A coordinator tells its manager whether a worker asking now could get a trial from its sweep: after recovery, and
/// whenever that changes. The manager routes work requests by it, without following the sweep's events itself.
/// </summary>
public sealed record SweepWorkStatus(string SweepId, bool HasWork) : ISweepProtocol;

/// <summary>The answer to a command for a sweep the manager does not know.</summary>
public sealed record SweepUnknown(string SweepId) : ISweepProtocol;

/// <summary>A worker leaving the cluster hands its running attempts back before it goes (answered with <see cref="WorkerDrained"/>).</summary>
public sealed record DrainWorker : ISweepProtocol;

public sealed record WorkerDrained(int Returned) : ISweepProtocol;

// ---- Failures a sweep survives -------------------------------------------------------------------------------------

/// <summary>
/// The answer to a <see cref="SubmitSweep"/> that was not taken: the id belongs to another sweep (a collision: the
/// caller picks a new id), or the sweep's coordinator cannot start. Nothing was journalled for it.
/// </summary>
public sealed record SweepRejected(string SweepId, string Reason, bool IdTaken = false) : ISweepProtocol;

/// <summary>
/// The answer to a command for a sweep the manager owns but whose coordinator is not running now: its journal failed
/// (it is being restarted with backoff) or cannot be read at all (a row this version cannot decode). The other sweeps
/// go on; this one answers again once its coordinator is back.
/// </summary>
public sealed record SweepUnavailable(string SweepId, string Reason) : ISweepProtocol;

/// <summary>
/// A coordinator tells its manager, just before it stops, why its journal failed it (recovery, a write rejected or
/// failed). Published on the event stream too, with the retry the manager scheduled, as <see cref="SweepJournalFailed"/>.
/// </summary>
public sealed record CoordinatorJournalFailed(string SweepId, string Reason) : ISweepProtocol;

/// <summary>
/// On the local event stream: the journal failed this sweep's coordinator (or the sweep manager, when
/// <paramref name="SweepId"/> is null) for the <paramref name="Failures"/>-th time in a row; it starts again, recovering
/// from the journal, after <paramref name="RetryIn"/>. `lstmsweep run` gives up after a few and exits non-zero.
/// </summary>
public sealed record SweepJournalFailed(string? SweepId, string Reason, int Failures, TimeSpan RetryIn);
