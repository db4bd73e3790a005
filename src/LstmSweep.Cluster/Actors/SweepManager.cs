using Akka.Actor;
using Akka.Event;
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
/// </summary>
public sealed class SweepManager : ReceivePersistentActor
{
    public const string ManagerPersistenceId = PersistenceIds.Manager;

    /// <summary>Embedded mode's id: never written (the run owns the one sweep it was given), so never listed as a sweep.</summary>
    const string EmbeddedPersistenceId = "manager-embedded";

    readonly ILoggingAdapter _log = Context.GetLogger();
    readonly string? _embeddedSweep;
    readonly int _snapshotEvery;
    readonly List<string> _sweepIds = new();
    readonly Dictionary<string, IActorRef> _coordinators = new();
    readonly HashSet<string> _withWork = new();
    readonly HashSet<IActorRef> _idleWorkers = new();
    int _nextSweep;

    /// <param name="embeddedSweep">`lstmsweep run`: own only this sweep, and journal nothing of the manager's own.</param>
    public static Props Props(string? embeddedSweep = null) => Akka.Actor.Props.Create(() => new SweepManager(embeddedSweep));

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
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(f => _log.Warning("sweep manager: snapshot not saved: {0}", f.Cause.Message));
    }

    public override string PersistenceId { get; }

    void Submit(SubmitSweep submit)
    {
        var id = submit.Header.SweepId;
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
        var sender = Sender;
        Persist(new SweepRegistered(id), r =>
        {
            _sweepIds.Add(r.SweepId);
            StartCoordinator(r.SweepId).Tell(submit, sender);
            if (_snapshotEvery > 0 && LastSequenceNr % _snapshotEvery == 0)
                SaveSnapshot(new StoredManagerState { SweepIds = _sweepIds.ToList() });
        });
    }

    IActorRef StartCoordinator(string sweepId)
    {
        var coordinator = Context.ActorOf(SweepCoordinator.Props(sweepId, Self), SweepCoordinator.PersistenceIdFor(sweepId));
        _coordinators[sweepId] = coordinator;
        return coordinator;
    }

    void ForwardTo(string sweepId, object message)
    {
        if (_coordinators.TryGetValue(sweepId, out var coordinator)) coordinator.Forward(message);
        else Sender.Tell(new SweepUnknown(sweepId));
    }

    void Track(SweepWorkStatus status)
    {
        if (!_coordinators.ContainsKey(status.SweepId)) return;
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
        var candidates = _sweepIds.Where(_withWork.Contains).ToList();
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
