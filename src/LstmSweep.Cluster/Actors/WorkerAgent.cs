using Akka.Actor;
using LstmSweep.Cluster.Protocol;
using LstmSweep.Cluster.Telemetry;

namespace LstmSweep.Cluster.Actors;

/// <summary>
/// One per worker process: owns its slots (CPU threads or GPUs) and pulls work, asking the coordinator for as many
/// trials as it has free slots, so no worker is ever pushed more than it can run. At most one request is in flight:
/// slots that free up while it travels are asked for once its answer is in. Each assigned trial runs in its own
/// <see cref="TrialActor"/>; when one stops, the slot is free and the agent asks again.
/// </summary>
public sealed class WorkerAgent : ReceiveActor, IWithTimers
{
    readonly IActorRef _coordinator;
    readonly string _workerName;
    readonly IReadOnlyList<string> _slotDevices;
    readonly string? _checkpointRoot;
    /// <summary>One record per running attempt: its trial actor, what it runs and the slot it holds.</summary>
    readonly Dictionary<IActorRef, RunningAttempt> _running = new();
    sealed record RunningAttempt(AssignTrial Assignment, int Slot);
    SlotMeter _slotMeter = null!;
    bool _requestInFlight;
    bool _draining;

    /// <summary>A request whose answer was lost (a coordinator that died, say) must not stop this worker asking.</summary>
    static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);
    sealed record RequestTimedOut;

    public static Props Props(IActorRef coordinator, string workerName, IReadOnlyList<string> slotDevices, string? checkpointRoot)
        => Akka.Actor.Props.Create(() => new WorkerAgent(coordinator, workerName, slotDevices, checkpointRoot));

    /// <param name="slotDevices">One entry per slot: the device a trial in that slot trains on ("cpu", "cuda:0", ...).</param>
    /// <param name="checkpointRoot">Where trials keep checkpoints (shared by every worker of a cluster), or null for none.</param>
    public WorkerAgent(IActorRef coordinator, string workerName, IReadOnlyList<string> slotDevices, string? checkpointRoot)
    {
        _checkpointRoot = checkpointRoot;
        _coordinator = coordinator;
        _workerName = workerName;
        _slotDevices = slotDevices;

        Receive<WorkAssigned>(assigned =>
        {
            _requestInFlight = false;
            Timers.Cancel(nameof(RequestTimedOut));
            foreach (var trial in assigned.Trials) Start(trial);
            // An empty answer means nothing waits now: the coordinator says WorkAvailable when something does.
            if (assigned.Trials.Count > 0) AskForWork();
        });
        Receive<WorkAvailable>(_ => AskForWork());
        Receive<RequestTimedOut>(_ =>
        {
            _requestInFlight = false;
            AskForWork();
        });
        Receive<CancelTrial>(c =>
        {
            foreach (var (trial, run) in _running)
                if (run.Assignment is var a && a.SweepId == c.SweepId && a.TrialId == c.TrialId && a.Attempt == c.Attempt) trial.Tell(c);
        });
        Receive<Terminated>(t =>
        {
            if (_running.ContainsKey(t.ActorRef)) SlotFreed(t.ActorRef);
            else CoordinatorGone(t.ActorRef);
        });
        Receive<DrainWorker>(_ => Drain());
    }

    /// <summary>
    /// The worker is leaving (graceful shutdown): every running attempt goes back to its coordinator as
    /// <see cref="TrialReturned"/>, so it waits for another worker at once instead of after failure detection.
    /// </summary>
    void Drain()
    {
        _draining = true;
        Timers.Cancel(nameof(RequestTimedOut));
        int returned = 0;
        foreach (var (trial, (a, _)) in _running.ToList())
        {
            a.Coordinator.Tell(new TrialReturned(a.SweepId, a.TrialId, a.Attempt, $"worker {_workerName} left the cluster"));
            Context.Unwatch(trial);
            Context.Stop(trial);
            returned++;
        }
        _running.Clear();
        _slotMeter.Busy = 0;
        Sender.Tell(new WorkerDrained(returned));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    int FreeSlots => _slotDevices.Count - _running.Count;

    protected override void PreStart()
    {
        _slotMeter = SlotMeters.Register(_slotDevices.Count);
        AskForWork();
    }

    protected override void PostStop() => _slotMeter.Dispose();

    void AskForWork()
    {
        if (FreeSlots <= 0 || _requestInFlight || _draining) return;
        _requestInFlight = true;
        Timers.StartSingleTimer(nameof(RequestTimedOut), new RequestTimedOut(), RequestTimeout);
        _coordinator.Tell(new RequestWork(Self, _workerName, FreeSlots));
    }

    void Start(AssignTrial assignment)
    {
        var slot = _draining ? -1 : Enumerable.Range(0, _slotDevices.Count).Except(_running.Values.Select(r => r.Slot)).FirstOrDefault(-1);
        if (slot < 0)
        {
            // More work than slots can only come from a coordinator that lost track: hand the attempt back.
            assignment.Coordinator.Tell(new TrialReturned(assignment.SweepId, assignment.TrialId, assignment.Attempt,
                $"worker {_workerName} had no free slot"));
            return;
        }
        var trial = Context.ActorOf(TrialActor.Props(assignment, _slotDevices[slot], _checkpointRoot), TrialActorName(assignment));
        Context.Watch(trial);
        Context.Watch(assignment.Coordinator); // idempotent: one watch per coordinator
        _running[trial] = new RunningAttempt(assignment, slot);
        _slotMeter.Busy = _running.Count;
    }

    /// <summary>
    /// "trial-SWEEP-TRIAL-ATTEMPT", or for a sweep id no actor name can hold (journalled before names were checked to
    /// the end) the same with the id's hash.
    /// </summary>
    static string TrialActorName(AssignTrial a)
    {
        var name = $"trial-{a.SweepId}-{a.TrialId}-{a.Attempt}";
        return ActorPath.IsValidPathElement(name) ? name : $"trial-{SweepManager.CoordinatorName(a.SweepId)}-{a.TrialId}-{a.Attempt}";
    }

    /// <summary>
    /// The coordinator that assigned some running attempts stopped (a journal failure, its node gone): it requeues them
    /// when it recovers, and would ignore what they report, so they stop now and free their slots for work.
    /// </summary>
    void CoordinatorGone(IActorRef coordinator)
    {
        foreach (var (trial, run) in _running)
            if (run.Assignment.Coordinator.Equals(coordinator)) Context.Stop(trial);
    }

    void SlotFreed(IActorRef trial)
    {
        _running.Remove(trial);
        _slotMeter.Busy = _running.Count;
        AskForWork();
    }
}
