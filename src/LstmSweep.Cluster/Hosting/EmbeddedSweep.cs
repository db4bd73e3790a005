using System.Threading.Channels;
using Akka.Actor;
using LstmSweep.Cluster.Actors;
using LstmSweep.Cluster.Persistence;
using LstmSweep.Cluster.Protocol;
using LstmSweep.Core.Sweeps;

namespace LstmSweep.Cluster.Hosting;

/// <summary>
/// `lstmsweep run`: the sweep manager (owning this one sweep), its coordinator and a worker with local slots in one
/// process, on one database. The same actors and the same routing a cluster runs: the worker pulls from the manager.
/// Journal events of the sweep stream out through <see cref="Events"/>.
/// </summary>
public sealed class EmbeddedSweep : IAsyncDisposable
{
    static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(60);

    readonly ActorSystem _system;
    readonly IActorRef _manager;
    readonly IReadOnlyList<string> _slotDevices;
    readonly Channel<ISweepEvent> _events = Channel.CreateUnbounded<ISweepEvent>(new UnboundedChannelOptions { SingleReader = true });
    IActorRef? _worker;

    public string SweepId { get; }

    /// <summary>The sweep's journal events as they are persisted, ending after SweepFinished.</summary>
    public ChannelReader<ISweepEvent> Events => _events.Reader;

    readonly string? _checkpointRoot;

    EmbeddedSweep(DatabaseTarget database, string sweepId, IReadOnlyList<string> slotDevices, string? checkpointRoot)
    {
        _checkpointRoot = checkpointRoot;
        SweepId = sweepId;
        _slotDevices = slotDevices;
        database.PrepareForWriting();
        _system = SweepSystem.Create(database);
        var listener = _system.ActorOf(Props.Create(() => new EventRelay(sweepId, _events.Writer)), "progress");
        _system.EventStream.Subscribe(listener, typeof(ISweepEvent));
        _manager = _system.ActorOf(SweepManager.Props(embeddedSweep: sweepId), "sweep-manager");
    }

    public static EmbeddedSweep Open(DatabaseTarget database, string sweepId, IReadOnlyList<string> slotDevices, string? checkpointRoot)
        => new(database, sweepId, slotDevices, checkpointRoot);

    /// <summary>The sweep as the coordinator knows it (after recovery from the journal).</summary>
    public Task<SweepState> StateAsync() => _manager.Ask<SweepState>(new GetSweepState(SweepId), AskTimeout);

    public async Task SubmitAsync(SweepSubmitted header, IReadOnlyList<TrialScheduled> trials)
    {
        await _manager.Ask<SweepAccepted>(new SubmitSweep(header, trials), AskTimeout);
        StartWorker();
    }

    /// <summary>Starts the local worker: from here on trials run.</summary>
    public void StartWorker()
        => _worker ??= _system.ActorOf(WorkerAgent.Props(_manager, $"{Environment.MachineName}/{Environment.ProcessId}", _slotDevices, _checkpointRoot), "worker");

    public Task CancelAsync() => _manager.Ask<SweepAccepted>(new CancelSweep(SweepId), AskTimeout);

    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        await _system.Terminate();
    }

    /// <summary>Copies this sweep's events from the local event stream into the channel.</summary>
    sealed class EventRelay : ReceiveActor
    {
        public EventRelay(string sweepId, ChannelWriter<ISweepEvent> writer)
        {
            Receive<ISweepEvent>(e => e.SweepId == sweepId, e =>
            {
                writer.TryWrite(e);
                if (e is SweepFinished) writer.TryComplete();
            });
        }
    }
}
