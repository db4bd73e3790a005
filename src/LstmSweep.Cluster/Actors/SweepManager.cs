using Akka.Actor;
using Akka.Actor.Internal;
using Akka.Event;
using Akka.Pattern;
using Akka.Persistence;
using LstmSweep.Cluster.Persistence.Stored;
using LstmSweep.Cluster.Persistence;
using LstmSweep.Cluster.Protocol;

namespace LstmSweep.Cluster.Actors;

/// <summary>
/// The one owner of sweeps and the one router of work: a cluster singleton on the coordinator nodes, and in
/// `lstmsweep run` the same actor owning that run's one sweep. Each sweep is a <see cref="SweepCoordinator"/> child,
/// persistence id "sweep-&lt;id&gt;". In a cluster the manager journals the ids it owns (<see cref="SweepRegistered"/>,
/// persistence id "sweep-manager", with a snapshot every <c>lstmsweep.snapshot-every</c> registrations), so after a
/// restart, or a hand-over to another coordinator node, it starts every sweep again and each coordinator recovers.
///
/// Workers pull from the manager: a <see cref="RequestWork"/> goes to one sweep with work (its coordinator then answers
/// the worker directly), or, when none has any, is answered here with an empty <see cref="WorkAssigned"/> and the
/// worker kept in the one idle registry, told <see cref="WorkAvailable"/> once some sweep has work again. Which sweeps
/// have work each coordinator says itself (<see cref="SweepWorkStatus"/>).
///
/// No sweep can take the manager down: a coordinator that fails (its journal cannot be read or written, or it throws)
/// stops alone and starts again with backoff, the sweep answering <see cref="SweepUnavailable"/> meanwhile; a sweep
/// whose coordinator cannot start at all is refused at submit time (<see cref="SweepRejected"/>), before it is journalled.
/// </summary>
public sealed class SweepManager : ReceivePersistentActor, IWithTimers
{
    public const string ManagerPersistenceId = PersistenceIds.Manager;

    /// <summary>Embedded mode's id: never written (the run owns the one sweep it was given), so never listed as a sweep.</summary>
    const string EmbeddedPersistenceId = "manager-embedded";

    /// <summary>A stopped coordinator starts again after this, doubled for each failure in a row, up to <see cref="MaxBackoff"/>.</summary>
    public static readonly TimeSpan MinBackoff = TimeSpan.FromSeconds(0.5);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>A coordinator that ran this long before it failed starts a new count of failures in a row.</summary>
    static readonly TimeSpan HealthyAfter = TimeSpan.FromSeconds(60);

    readonly ILoggingAdapter _log = Context.GetLogger();
    readonly string? _embeddedSweep;
    readonly int _snapshotEvery;
    readonly List<string> _sweepIds = new();
    readonly Dictionary<string, IActorRef> _coordinators = new();
    readonly Dictionary<IActorRef, string> _sweepOf = new();
    readonly HashSet<string> _withWork = new();
    readonly HashSet<IActorRef> _idleWorkers = new();

    /// <summary>Owned sweeps whose coordinator is not running now, with why (answered to every command for them).</summary>
    readonly Dictionary<string, string> _unavailable = new();

    /// <summary>Per sweep: failures in a row, and when its coordinator was last started.</summary>
    readonly Dictionary<string, (int Failures, DateTime StartedAt)> _starts = new();

    /// <summary>Why a coordinator is about to stop, as it said (journal failures) or as its supervision saw (exceptions).</summary>
    readonly Dictionary<string, string> _stopReasons = new();
    int _nextSweep;

    /// <summary>The restarts scheduled after a coordinator stopped: cancelled with the manager, keyed by sweep.</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="embeddedSweep">`lstmsweep run`: own only this sweep, and journal nothing of the manager's own.</param>
    public static Props Props(string? embeddedSweep = null) => Akka.Actor.Props.Create(() => new SweepManager(embeddedSweep));

    /// <summary>
    /// The manager as a node or a run hosts it: under a backoff supervisor, so a journal failure of the manager's own
    /// (its recovery, a registration not written) stops it only until it starts again and recovers.
    /// </summary>
    public static Props Supervised(string? embeddedSweep = null) => BackoffSupervisor.Props(
        Backoff.OnStop(Props(embeddedSweep), "manager", MinBackoff, MaxBackoff, 0.2, maxNrOfRetries: -1).WithDefaultStoppingStrategy());

    public SweepManager(string? embeddedSweep)
    {
        _embeddedSweep = embeddedSweep;
        _snapshotEvery = Context.System.Settings.Config.GetInt(SweepCoordinator.SnapshotEverySetting, SweepCoordinator.DefaultSnapshotEvery);
        PersistenceId = embeddedSweep is null ? ManagerPersistenceId : EmbeddedPersistenceId;

        Recover<SnapshotOffer>(o => _sweepIds.AddRange(((StoredManagerState)o.Snapshot).SweepIds.Except(_sweepIds)));
        Recover<SweepRegistered>(r => { if (!_sweepIds.Contains(r.SweepId)) _sweepIds.Add(r.SweepId); });
        Recover<RecoveryCompleted>(_ =>
        {
            if (_embeddedSweep is not null) _sweepIds.Add(_embeddedSweep);
            foreach (var id in _sweepIds) StartCoordinator(id);
            if (_sweepIds.Count > 0) _log.Info("sweep manager: recovering {0} sweep(s)", _sweepIds.Count);
        });

        Command<SubmitSweep>(Submit);
        Command<RequestWork>(Route);
        Command<CancelSweep>(c => ForwardTo(c.SweepId, c));
        Command<GetSweepState>(g => ForwardTo(g.SweepId, g));
        Command<SweepWorkStatus>(Track);
        Command<CoordinatorJournalFailed>(f => _stopReasons[f.SweepId] = f.Reason);
        Command<Terminated>(t => CoordinatorStopped(t.ActorRef));
        Command<RestartCoordinator>(r => { if (!_coordinators.ContainsKey(r.SweepId)) StartCoordinator(r.SweepId); });
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(f => _log.Warning("sweep manager: snapshot not saved: {0}", f.Cause.Message));
    }

    public override string PersistenceId { get; }

    /// <summary>
    /// Whatever one coordinator throws stops that coordinator alone (never this manager, never another sweep); it is
    /// started again with backoff by <see cref="CoordinatorStopped"/>, recovering from its journal.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() => new StopAndRemember(this);

    sealed class StopAndRemember(SweepManager manager) : OneForOneStrategy(_ => Directive.Stop)
    {
        public override void ProcessFailure(IActorContext context, bool restart, IActorRef child, Exception cause,
            ChildRestartStats stats, IReadOnlyCollection<ChildRestartStats> children)
        {
            if (manager._sweepOf.TryGetValue(child, out var id)) manager._stopReasons.TryAdd(id, $"its coordinator failed: {cause.Message}");
            base.ProcessFailure(context, restart, child, cause, stats, children);
        }
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        Context.System.EventStream.Publish(new SweepJournalFailed(null, $"the sweep manager's journal could not be read: {reason.Message}", 1, MinBackoff));
        base.OnRecoveryFailure(reason, message);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        Context.System.EventStream.Publish(new SweepJournalFailed(null, $"the sweep manager's journal write failed: {cause.Message}", 1, MinBackoff));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    void Submit(SubmitSweep submit)
    {
        var id = submit.Header.SweepId;
        if (_unavailable.TryGetValue(id, out var why))
        {
            Sender.Tell(new SweepRejected(id, $"sweep '{id}' already exists and is unavailable: {why}", IdTaken: true));
            return;
        }
        if (_coordinators.TryGetValue(id, out var known))
        {
            known.Forward(submit);
            return;
        }
        if (_embeddedSweep is not null)
        {
            Sender.Tell(new SweepUnknown(id)); // a run owns the one sweep it was opened for
            return;
        }
        // Started before it is registered: a sweep whose coordinator cannot even start is refused now, not journalled
        // to fail at every recovery.
        if (StartCoordinator(id) is not { } coordinator)
        {
            Sender.Tell(new SweepRejected(id, $"sweep '{id}' cannot start: {_unavailable[id]}"));
            _unavailable.Remove(id);
            return;
        }
        var sender = Sender;
        Persist(new SweepRegistered(id), r =>
        {
            _sweepIds.Add(r.SweepId);
            coordinator.Tell(submit, sender);
            if (_snapshotEvery > 0 && LastSequenceNr % _snapshotEvery == 0)
                SaveSnapshot(new StoredManagerState { SweepIds = _sweepIds.ToList() });
        });
    }

    /// <summary>Starts (or restarts) a sweep's coordinator; null, with the sweep marked unavailable, when it cannot start.</summary>
    IActorRef? StartCoordinator(string sweepId)
    {
        IActorRef coordinator;
        try
        {
            coordinator = Context.ActorOf(SweepCoordinator.Props(sweepId, Self), CoordinatorName(sweepId));
        }
        catch (Exception e) when (e is InvalidActorNameException or ArgumentException)
        {
            _log.Error("sweep {0}: its coordinator cannot start: {1}", sweepId, e.Message);
            _unavailable[sweepId] = $"its coordinator cannot start ({e.Message})";
            return null;
        }
        Context.Watch(coordinator);
        _coordinators[sweepId] = coordinator;
        _sweepOf[coordinator] = sweepId;
        _starts[sweepId] = (_starts.GetValueOrDefault(sweepId).Failures, DateTime.UtcNow);
        return coordinator;
    }

    /// <summary>
    /// The coordinator's actor name: "sweep-ID" as always, or, for an id no actor name can hold (a journal written
    /// before names were checked to the end, e.g. "poison\n"), a name derived from its hash, so such a sweep recovers too.
    /// </summary>
    public static string CoordinatorName(string sweepId)
    {
        var name = SweepCoordinator.PersistenceIdFor(sweepId);
        if (ActorPath.IsValidPathElement(name)) return name;
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(sweepId));
        return "sweep-id-" + Convert.ToHexString(hash, 0, 8).ToLowerInvariant();
    }

    /// <summary>A coordinator stopped (it never stops on its own): the sweep is unavailable until it starts again, with backoff.</summary>
    void CoordinatorStopped(IActorRef coordinator)
    {
        if (!_sweepOf.Remove(coordinator, out var sweepId)) return;
        _coordinators.Remove(sweepId);
        _withWork.Remove(sweepId);
        var reason = _stopReasons.Remove(sweepId, out var said) ? said : "its coordinator stopped";
        var (failures, startedAt) = _starts.GetValueOrDefault(sweepId);
        failures = DateTime.UtcNow - startedAt >= HealthyAfter ? 1 : failures + 1;
        var delay = BackoffAfter(failures);
        _starts[sweepId] = (failures, startedAt);
        _unavailable[sweepId] = $"{reason} (failure {failures} in a row; starting again in {delay.TotalSeconds:0.#} s)";
        _log.Warning("sweep {0}: {1}", sweepId, _unavailable[sweepId]);
        Context.System.EventStream.Publish(new SweepJournalFailed(sweepId, reason, failures, delay));
        Timers.StartSingleTimer(("restart", sweepId), new RestartCoordinator(sweepId), delay);
    }

    /// <summary>Doubling from <see cref="MinBackoff"/> to <see cref="MaxBackoff"/>, with up to 20% jitter so sweeps failed by one outage do not retry in step.</summary>
    static TimeSpan BackoffAfter(int failures)
    {
        var doubled = MinBackoff.TotalSeconds * Math.Pow(2, Math.Min(failures - 1, 16));
        return TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, doubled) * (1 + 0.2 * Random.Shared.NextDouble()));
    }

    sealed record RestartCoordinator(string SweepId);

    /// <summary>
    /// To the sweep's coordinator; for a sweep still unavailable (restarted after a failure and not yet recovered: a
    /// message it stashed while recovering would be lost if it failed again) the answer comes from here, at once.
    /// </summary>
    void ForwardTo(string sweepId, object message)
    {
        if (_unavailable.TryGetValue(sweepId, out var why)) Sender.Tell(new SweepUnavailable(sweepId, why));
        else if (_coordinators.TryGetValue(sweepId, out var coordinator)) coordinator.Forward(message);
        else Sender.Tell(new SweepUnknown(sweepId));
    }

    void Track(SweepWorkStatus status)
    {
        if (!_coordinators.ContainsKey(status.SweepId)) return;
        _unavailable.Remove(status.SweepId); // it recovered and decided: available again
        if (!status.HasWork)
        {
            _withWork.Remove(status.SweepId);
            return;
        }
        _withWork.Add(status.SweepId);
        foreach (var worker in _idleWorkers) worker.Tell(new WorkAvailable(status.SweepId));
        _idleWorkers.Clear();
    }

    /// <summary>Round robin over the sweeps with work, so concurrent sweeps share the workers.</summary>
    void Route(RequestWork request)
    {
        var candidates = _sweepIds.Where(id => _withWork.Contains(id) && _coordinators.ContainsKey(id)).ToList();
        if (candidates.Count == 0)
        {
            _idleWorkers.Add(request.Worker);
            request.Worker.Tell(new WorkAssigned([]));
            return;
        }
        _idleWorkers.Remove(request.Worker);
        _coordinators[candidates[_nextSweep++ % candidates.Count]].Tell(request);
    }
}
