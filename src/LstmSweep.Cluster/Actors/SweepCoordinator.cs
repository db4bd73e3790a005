using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using LstmSweep.Cluster.Persistence.Stored;
using LstmSweep.Cluster.Persistence;
using LstmSweep.Cluster.Protocol;
using LstmSweep.Cluster.Telemetry;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;
using static LstmSweep.Core.Sweeps.SweepCommand;

namespace LstmSweep.Cluster.Actors;

/// <summary>
/// The single writer of one sweep's journal, and plumbing only: each message becomes a command for
/// <see cref="SweepDecider"/>, whose events are persisted before anything acts on them; then the coordinator routes
/// (assignments to the worker that asked, stops to the workers running pruned or cancelled attempts), keeps which worker
/// runs which attempt, watches workers, records telemetry and saves a snapshot of the state every
/// <c>lstmsweep.snapshot-every</c> events. After a restart it recovers from the newest snapshot and the events after it.
/// </summary>
public sealed class SweepCoordinator : ReceivePersistentActor
{
    /// <summary>HOCON: save a snapshot of the sweep's state after this many events (0: never).</summary>
    public const string SnapshotEverySetting = "lstmsweep.snapshot-every";
    public const int DefaultSnapshotEvery = 1000;

    readonly ILoggingAdapter _log = Context.GetLogger();
    readonly IActorRef? _manager;
    readonly int _snapshotEvery;
    SweepState _state;

    /// <summary>
    /// The state as far as the journal has it (<see cref="_state"/> may be ahead by decided events still being written):
    /// what a snapshot saves, so that the events after its sequence number are exactly those it lacks.
    /// </summary>
    SweepState _journalled;

    /// <summary>Who runs each running attempt (not persisted: after a restart, running attempts are requeued).</summary>
    readonly Dictionary<int, (int Attempt, IActorRef Worker)> _runningOn = new();

    readonly HashSet<IActorRef> _watchedWorkers = new();
    bool? _toldHasWork;
    long _eventsSinceSnapshot;

    /// <summary>What this coordinator exports (docs/metrics.md) and the sweep's span; registered while it lives.</summary>
    SweepTelemetry _telemetry = null!;

    /// <param name="manager">
    /// Told <see cref="SweepWorkStatus"/> whenever the sweep starts or stops having work, and handed back the work
    /// requests this sweep cannot serve: it keeps the one registry of idle workers. Without one (tests), an empty
    /// answer is all a worker gets.
    /// </param>
    /// <param name="snapshotEvery">Overrides <see cref="SnapshotEverySetting"/> (null: the setting, default 1,000).</param>
    public static Props Props(string sweepId, IActorRef? manager = null, int? snapshotEvery = null)
        => Akka.Actor.Props.Create(() => new SweepCoordinator(sweepId, manager, snapshotEvery));

    public static string PersistenceIdFor(string sweepId) => PersistenceIds.ForSweep(sweepId);

    public SweepCoordinator(string sweepId, IActorRef? manager, int? snapshotEvery)
    {
        _state = _journalled = SweepState.Empty(sweepId);
        _manager = manager;
        _snapshotEvery = snapshotEvery ?? Context.System.Settings.Config.GetInt(SnapshotEverySetting, DefaultSnapshotEvery);
        PersistenceId = PersistenceIdFor(sweepId);

        Recover<SnapshotOffer>(offer => _state = ((StoredSweepState)offer.Snapshot).ToState());
        Recover<ISweepEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ =>
        {
            _journalled = _state;
            _telemetry.Recovered(_state);
            Execute(new Recover(DateTimeOffset.UtcNow));
        });

        Command<SubmitSweep>(s =>
        {
            if (IsCollision(s.Header))
            {
                Sender.Tell(new SweepRejected(_state.SweepId, $"the sweep id '{_state.SweepId}' is taken by another sweep", IdTaken: true));
                return;
            }
            Execute(new Submit(s.Header, s.Trials, DateTimeOffset.UtcNow), Reply(Sender));
        });
        Command<CancelSweep>(_ => Execute(new Cancel(DateTimeOffset.UtcNow), Reply(Sender)));
        Command<Protocol.RequestWork>(Assign);
        Command<TrialEpoch>(e => Execute(new ReportEpoch(e.TrialId, e.Attempt, e.Metrics, DateTimeOffset.UtcNow)));
        Command<TrialResult>(r => Execute(new EndAttempt(r.TrialId, r.Attempt, new AttemptOutcome(r.Status, r.Loss, r.Accuracy,
            r.EpochsRun, r.DurationMs, r.Error, r.Failure, r.ResumedFromEpoch), DateTimeOffset.UtcNow)));
        Command<TrialReturned>(r => Execute(new ReturnAttempt(r.TrialId, r.Attempt, r.Reason, DateTimeOffset.UtcNow)));
        Command<GetSweepState>(_ => Sender.Tell(_state));
        Command<Terminated>(t => WorkerLost(t.ActorRef));
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1, DateTime.MaxValue)));
        Command<SaveSnapshotFailure>(f => _log.Warning("sweep {0}: snapshot not saved: {1}", _state.SweepId, f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning("sweep {0}: old snapshots not deleted: {1}", _state.SweepId, f.Cause.Message));
    }

    public override string PersistenceId { get; }

    protected override void PreStart()
    {
        var self = (ActorRefWithCell)Self;
        _telemetry = new SweepTelemetry(_state.SweepId, () => self.Underlying.NumberOfMessages);
        base.PreStart();
    }

    protected override void PostStop()
    {
        _telemetry.Dispose();
        base.PostStop();
    }

    /// <summary>
    /// A submit repeated (the same header, e.g. a retried message) is accepted again; a different sweep under an id this
    /// journal already holds is a collision, never answered with the other sweep's id.
    /// </summary>
    bool IsCollision(SweepSubmitted header)
        => _state.IsSubmitted && (_state.SubmittedAt != header.At || _state.SpecText != header.SpecText);

    // A journal that fails stops this coordinator (Akka stops a persistent actor whose recovery or write failed; a
    // rejected write is made to stop too, since the state was advanced before the write). The manager hears why first,
    // and starts it again with backoff: it recovers what was written, and requeues the attempts that were running.
    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _manager?.Tell(new CoordinatorJournalFailed(_state.SweepId, $"its journal could not be read: {reason.Message}"));
        base.OnRecoveryFailure(reason, message);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _manager?.Tell(new CoordinatorJournalFailed(_state.SweepId, $"a journal write failed: {cause.Message}"));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _manager?.Tell(new CoordinatorJournalFailed(_state.SweepId, $"the journal rejected a write: {cause.Message}"));
        base.OnPersistRejected(cause, @event, sequenceNr);
        Context.Stop(Self);
    }

    Action<IReadOnlyList<ISweepEvent>> Reply(IActorRef sender) => _ => sender.Tell(new SweepAccepted(_state.SweepId));

    void Assign(Protocol.RequestWork request)
    {
        if (_watchedWorkers.Add(request.Worker)) Context.Watch(request.Worker);
        Execute(new SweepCommand.RequestWork(request.WorkerName, request.FreeSlots, DateTimeOffset.UtcNow), events =>
        {
            var started = events.OfType<TrialStarted>().ToList();
            if (started.Count == 0 && _manager is not null && !_state.HasWork)
            {
                _manager.Tell(request); // after the status saying so: the manager routes it elsewhere or keeps it idle
                return;
            }
            foreach (var s in started) _runningOn[s.TrialId] = (s.Attempt, request.Worker);
            request.Worker.Tell(new WorkAssigned(started.Select(s => new AssignTrial(_state.SweepId, s.TrialId, s.Attempt,
                _state.Task!, _state.Trials[s.TrialId].Config, _state.Trials[s.TrialId].Seed, Self,
                _state.Spec?.CheckpointEvery ?? SweepSpec.DefaultCheckpointEvery, _telemetry.TraceParent,
                _state.Spec?.EvalEvery ?? SweepSpec.EvalEveryBeforeTheKey, RungsOf(s.TrialId))).ToList()));
        });
    }

    /// <summary>The epochs at which the scheduler judges this trial: it must evaluate there whatever its cadence.</summary>
    IReadOnlyList<int>? RungsOf(int trialId) =>
        _state.Spec?.Asha is { } asha ? asha.RungEpochs(asha.BracketOf(trialId)) : null;

    /// <summary>A worker died or left: the attempts it ran will never report.</summary>
    void WorkerLost(IActorRef worker)
    {
        _watchedWorkers.Remove(worker);
        var lost = _runningOn.Where(p => p.Value.Worker.Equals(worker)).Select(p => new TrialAttempt(p.Key, p.Value.Attempt)).ToList();
        foreach (var a in lost) _runningOn.Remove(a.TrialId);
        if (lost.Count > 0) Execute(new LoseAttempts(lost, DateTimeOffset.UtcNow));
    }

    /// <summary>
    /// Decides, applies and persists, then acts once the last event is journalled. The state is advanced at once, so
    /// the next command (epoch reports are persisted asynchronously and do not wait) is decided on what was decided; a
    /// journal failure stops the actor, which its manager starts again with backoff (it recovers what was written). Nothing persists from inside a persist
    /// handler: Akka.NET's eventsourced actors can stall on it.
    /// </summary>
    void Execute(ISweepCommand command, Action<IReadOnlyList<ISweepEvent>>? after = null)
    {
        var events = SweepDecider.Decide(_state, command);
        foreach (var e in events)
        {
            var before = _state;
            _state = _state.Apply(e);
            _telemetry.Record(e, before, _state);
        }
        _telemetry.Observe(_state);
        if (events.Count == 0)
        {
            Persisted(events, after);
            return;
        }
        var start = Stopwatch.GetTimestamp();
        int left = events.Count;
        void Handler(ISweepEvent e)
        {
            _journalled = _journalled.Apply(e);
            Context.System.EventStream.Publish(e);
            if (--left > 0) return;
            SweepTelemetry.JournalWritten(Stopwatch.GetElapsedTime(start));
            Persisted(events, after);
        }
        // Epoch reports are progress, not decisions: written asynchronously so a fast trial never waits on the disk.
        if (events is [EpochReported only]) PersistAsync(only, Handler);
        else PersistAll(events, Handler);
    }

    void Persisted(IReadOnlyList<ISweepEvent> events, Action<IReadOnlyList<ISweepEvent>>? after)
    {
        foreach (var e in events) Route(e);
        if (_manager is not null && _toldHasWork != _state.HasWork)
            _manager.Tell(new SweepWorkStatus(_state.SweepId, (_toldHasWork = _state.HasWork).Value));
        after?.Invoke(events);
        _eventsSinceSnapshot += events.Count;
        if (_snapshotEvery > 0 && _eventsSinceSnapshot >= _snapshotEvery)
        {
            _eventsSinceSnapshot = 0;
            SaveSnapshot(StoredSweepState.From(_journalled));
        }
    }

    /// <summary>Workers hear what the journal now says about the attempts they run.</summary>
    void Route(ISweepEvent e)
    {
        switch (e)
        {
            case SweepCancelRequested:
                foreach (var (trialId, (attempt, worker)) in _runningOn) worker.Tell(new CancelTrial(_state.SweepId, trialId, attempt));
                break;
            case TrialFinished f when _runningOn.TryGetValue(f.TrialId, out var run) && run.Attempt == f.Attempt:
                _runningOn.Remove(f.TrialId);
                // Stopped by the scheduler: whatever the attempt reports afterwards is ignored.
                if (f.Status is TrialStatus.Pruned or TrialStatus.Paused) run.Worker.Tell(new CancelTrial(_state.SweepId, f.TrialId, f.Attempt));
                break;
            case TrialRequeued q when _runningOn.TryGetValue(q.TrialId, out var run) && run.Attempt == q.Attempt:
                _runningOn.Remove(q.TrialId);
                break;
        }
    }
}
