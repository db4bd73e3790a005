using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using LstmSweep.Cluster.Protocol;
using LstmSweep.Core.Sweeps;

namespace LstmSweep.Cluster.Actors;

/// <summary>
/// The cluster's one owner of sweeps (a cluster singleton on the coordinator nodes). Each sweep is a
/// <see cref="SweepCoordinator"/> child, persistence id "sweep-&lt;id&gt;", unchanged from `lstmsweep run`. The manager
/// journals the ids it owns (<see cref="SweepRegistered"/>, persistence id "sweep-manager"), so after a restart, or a
/// hand-over to another coordinator node, it starts every sweep again and each coordinator recovers from its journal.
///
/// Workers pull from the manager: a <see cref="RequestWork"/> is forwarded to one sweep with waiting trials (the
/// coordinator then answers the worker directly and remembers it), or, when none has any, answered here with an empty
/// <see cref="WorkAssigned"/> and the worker told <see cref="WorkAvailable"/> once some sweep has work again. The
/// manager knows which sweeps have work from the events its children publish on the local event stream.
/// </summary>
public sealed class SweepManager : ReceivePersistentActor
{
    public const string ManagerPersistenceId = "sweep-manager";

    readonly ILoggingAdapter _log = Context.GetLogger();
    readonly List<string> _sweepIds = new();
    readonly Dictionary<string, IActorRef> _coordinators = new();
    readonly Dictionary<string, SweepState> _states = new();
    readonly HashSet<IActorRef> _idleWorkers = new();
    int _nextSweep;

    public static Props Props() => Akka.Actor.Props.Create(() => new SweepManager());

    public SweepManager()
    {
        Recover<SweepRegistered>(r => { if (!_sweepIds.Contains(r.SweepId)) _sweepIds.Add(r.SweepId); });
        Recover<RecoveryCompleted>(_ =>
        {
            foreach (var id in _sweepIds) StartCoordinator(id);
            if (_sweepIds.Count > 0) _log.Info("sweep manager: recovering {0} sweep(s)", _sweepIds.Count);
        });

        Command<SubmitSweep>(Submit);
        Command<RequestWork>(Route);
        Command<CancelSweep>(c => ForwardTo(c.SweepId, c));
        Command<GetSweepState>(g => ForwardTo(g.SweepId, g));
        Command<SweepState>(s => Track(s));
        Command<ISweepEvent>(e => Observe(e));
    }

    public override string PersistenceId => ManagerPersistenceId;

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(ISweepEvent));
        base.PreStart();
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        base.PostStop();
    }

    void Submit(SubmitSweep submit)
    {
        var id = submit.Header.SweepId;
        if (_coordinators.TryGetValue(id, out var known))
        {
            known.Forward(submit);
            return;
        }
        var sender = Sender;
        Persist(new SweepRegistered(id), r =>
        {
            _sweepIds.Add(r.SweepId);
            StartCoordinator(r.SweepId).Tell(submit, sender);
        });
    }

    IActorRef StartCoordinator(string sweepId)
    {
        var coordinator = Context.ActorOf(SweepCoordinator.Props(sweepId), SweepCoordinator.PersistenceIdFor(sweepId));
        _coordinators[sweepId] = coordinator;
        coordinator.Tell(new GetSweepState(sweepId)); // answered after its recovery: what it has to do
        return coordinator;
    }

    void ForwardTo(string sweepId, object message)
    {
        if (_coordinators.TryGetValue(sweepId, out var coordinator)) coordinator.Forward(message);
        else Sender.Tell(new SweepUnknown(sweepId));
    }

    void Track(SweepState state)
    {
        if (!_coordinators.ContainsKey(state.SweepId)) return;
        _states[state.SweepId] = state;
        if (HasWork(state)) NotifyIdleWorkers();
    }

    void Observe(ISweepEvent e)
    {
        if (!_coordinators.ContainsKey(e.SweepId)) return;
        // Until its coordinator has answered GetSweepState, a recovered sweep's state is unknown here: that answer
        // comes after the events it persists on recovery, and replaces whatever this would fold.
        if (!_states.TryGetValue(e.SweepId, out var state))
        {
            if (e is not SweepSubmitted) return;
            state = SweepState.Empty(e.SweepId);
        }
        try
        {
            state = state.Apply(e);
        }
        catch (Exception ex)
        {
            _log.Warning("sweep manager: could not follow {0} of sweep {1}: {2}", e.GetType().Name, e.SweepId, ex.Message);
            _coordinators[e.SweepId].Tell(new GetSweepState(e.SweepId));
            return;
        }
        _states[e.SweepId] = state;
        if (e is TrialScheduled or TrialRequeued or TrialPromoted or SweepSubmitted or TrialFinished && HasWork(state))
            NotifyIdleWorkers();
    }

    /// <summary>Waiting trials, or (TPE) trials still to be suggested.</summary>
    static bool HasWork(SweepState s)
        => s.IsSubmitted && !s.IsFinished && !s.CancelRequested && (s.WaitingTrials.Any() || s.TrialsNotYetScheduled > 0);

    /// <summary>Round robin over the sweeps with work, so concurrent sweeps share the workers.</summary>
    void Route(RequestWork request)
    {
        var candidates = _sweepIds.Where(id => _states.TryGetValue(id, out var s) && HasWork(s)).ToList();
        if (candidates.Count == 0)
        {
            _idleWorkers.Add(request.Worker);
            request.Worker.Tell(new WorkAssigned([]));
            return;
        }
        _idleWorkers.Remove(request.Worker);
        var chosen = candidates[_nextSweep++ % candidates.Count];
        _coordinators[chosen].Tell(request);
    }

    void NotifyIdleWorkers()
    {
        foreach (var worker in _idleWorkers) worker.Tell(new WorkAvailable(""));
        _idleWorkers.Clear();
    }
}
