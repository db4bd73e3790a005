using Akka.Actor;
using LstmSweep.Cluster.Protocol;

namespace LstmSweep.Cluster.Actors;

/// <summary>
/// One per worker process: owns its slots (CPU threads or GPUs) and pulls work, asking the coordinator for as many
/// trials as it has free slots, so no worker is ever pushed more than it can run. Each assigned trial runs in its own
/// <see cref="TrialActor"/>; when one stops, the slot is free and the agent asks again.
/// </summary>
public sealed class WorkerAgent : ReceiveActor
{
    readonly IActorRef _coordinator;
    readonly string _workerName;
    readonly IReadOnlyList<string> _slotDevices;
    readonly Dictionary<IActorRef, int> _slotByTrial = new();
    readonly Dictionary<(string SweepId, int TrialId, int Attempt), IActorRef> _trials = new();

    public static Props Props(IActorRef coordinator, string workerName, IReadOnlyList<string> slotDevices)
        => Akka.Actor.Props.Create(() => new WorkerAgent(coordinator, workerName, slotDevices));

    /// <param name="slotDevices">One entry per slot: the device a trial in that slot trains on ("cpu", "cuda:0", ...).</param>
    public WorkerAgent(IActorRef coordinator, string workerName, IReadOnlyList<string> slotDevices)
    {
        _coordinator = coordinator;
        _workerName = workerName;
        _slotDevices = slotDevices;

        Receive<AssignTrial>(Start);
        Receive<WorkAvailable>(_ => AskForWork());
        Receive<CancelTrial>(c =>
        {
            if (_trials.TryGetValue((c.SweepId, c.TrialId, c.Attempt), out var trial)) trial.Tell(c);
        });
        Receive<Terminated>(t => SlotFreed(t.ActorRef));
    }

    int FreeSlots => _slotDevices.Count - _slotByTrial.Count;

    protected override void PreStart() => AskForWork();

    void AskForWork()
    {
        if (FreeSlots > 0) _coordinator.Tell(new RequestWork(Self, _workerName, FreeSlots));
    }

    void Start(AssignTrial assignment)
    {
        var slot = Enumerable.Range(0, _slotDevices.Count).Except(_slotByTrial.Values).FirstOrDefault(-1);
        if (slot < 0)
        {
            // More work than slots can only come from a coordinator that lost track; its attempt is requeued when
            // this one reports it cancelled.
            assignment.Coordinator.Tell(new TrialResult(assignment.SweepId, assignment.TrialId, assignment.Attempt,
                Core.Trials.TrialStatus.Cancelled, null, null, 0, 0, "worker had no free slot"));
            return;
        }
        var trial = Context.ActorOf(TrialActor.Props(assignment, _slotDevices[slot]),
            $"trial-{assignment.SweepId}-{assignment.TrialId}-{assignment.Attempt}");
        Context.Watch(trial);
        _slotByTrial[trial] = slot;
        _trials[(assignment.SweepId, assignment.TrialId, assignment.Attempt)] = trial;
    }

    void SlotFreed(IActorRef trial)
    {
        _slotByTrial.Remove(trial);
        foreach (var key in _trials.Where(p => p.Value.Equals(trial)).Select(p => p.Key).ToList()) _trials.Remove(key);
        AskForWork();
    }
}
