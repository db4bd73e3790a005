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

    /// <summary>A state ask that may be lost with a coordinator that failed while recovering is sent again after this.</summary>
    static readonly TimeSpan RetryAskTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Set once the journal failed too often: every wait of this run ends with it.</summary>
    readonly TaskCompletionSource<SweepJournalException> _gaveUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Journal failures in a row (with no event written between them) after which a run gives up: the coordinator is
    /// started again with backoff each time (0.5 s, 1 s, 2 s, ...), so a short outage is survived, a lasting one reported.
    /// </summary>
    public const int JournalFailuresToGiveUp = 4;

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
        var listener = _system.ActorOf(Props.Create(() => new EventRelay(sweepId, _events.Writer, _gaveUp)), "progress");
        _system.EventStream.Subscribe(listener, typeof(ISweepEvent));
        _system.EventStream.Subscribe(listener, typeof(SweepJournalFailed));
        _manager = _system.ActorOf(SweepManager.Supervised(embeddedSweep: sweepId), "sweep-manager");
    }

    public static EmbeddedSweep Open(DatabaseTarget database, string sweepId, IReadOnlyList<string> slotDevices, string? checkpointRoot)
        => new(database, sweepId, slotDevices, checkpointRoot);

    /// <summary>
    /// The sweep as the coordinator knows it (after recovery from the journal). While the coordinator restarts after a
    /// journal failure (an ask sent while it recovers is lost with it) this asks again, until it answers, or the journal
    /// has failed <see cref="JournalFailuresToGiveUp"/> times in a row (<see cref="SweepJournalException"/>).
    /// </summary>
    public async Task<SweepState> StateAsync()
    {
        var deadline = DateTime.UtcNow + AskTimeout;
        while (true)
        {
            object? answer = null;
            try
            {
                answer = await AskOrGiveUpAsync(new GetSweepState(SweepId), RetryAskTimeout);
            }
            catch (AskTimeoutException) when (DateTime.UtcNow < deadline) { }
            switch (answer)
            {
                case SweepState state: return state;
                case null: continue;
                case SweepUnavailable when DateTime.UtcNow < deadline:
                    await Task.WhenAny(Task.Delay(SweepManager.MinBackoff), _gaveUp.Task);
                    continue;
                case SweepUnavailable u: throw new SweepJournalException(SweepId, u.Reason);
                default: throw new InvalidOperationException($"sweep {SweepId}: unexpected answer {answer}");
            }
        }
    }

    /// <summary>Submits the sweep and starts the worker; <see cref="SweepRejectedException"/> when it is refused (an id taken).</summary>
    public async Task SubmitAsync(SweepSubmitted header, IReadOnlyList<TrialScheduled> trials)
    {
        switch (await AskOrGiveUpAsync(new SubmitSweep(header, trials), AskTimeout))
        {
            case SweepAccepted: break;
            case SweepRejected r: throw new SweepRejectedException(r);
            case SweepUnavailable u: throw new SweepJournalException(SweepId, u.Reason);
            case var other: throw new InvalidOperationException($"sweep {SweepId}: unexpected answer {other}");
        }
        StartWorker();
    }

    /// <summary>The manager's answer, or the journal failure that made this run give up while waiting for it.</summary>
    async Task<object> AskOrGiveUpAsync(object message, TimeSpan timeout)
    {
        var ask = _manager.Ask<object>(message, timeout);
        if (await Task.WhenAny(ask, _gaveUp.Task) == _gaveUp.Task) throw _gaveUp.Task.Result;
        return await ask;
    }

    /// <summary>
    /// Ctrl+C or SIGTERM: stop here without deciding anything, so the sweep stays resumable. The running attempts are
    /// left as the journal has them (running); `run --resume` requeues them as interrupted, from their last checkpoint.
    /// </summary>
    public async Task StopWithoutFinishingAsync()
    {
        if (_worker is not null) await _worker.GracefulStop(TimeSpan.FromSeconds(10));
        // The stopped trials' training loops end at their next batch; the process must not exit under them.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (TrialActor.TrainingThreads > 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
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

    /// <summary>
    /// Copies this sweep's events from the local event stream into the channel, and ends it with a
    /// <see cref="SweepJournalException"/> once the journal has failed <see cref="JournalFailuresToGiveUp"/> times in a row.
    /// </summary>
    sealed class EventRelay : ReceiveActor
    {
        int _failuresInARow;

        public EventRelay(string sweepId, ChannelWriter<ISweepEvent> writer, TaskCompletionSource<SweepJournalException> gaveUp)
        {
            Receive<ISweepEvent>(e => e.SweepId == sweepId, e =>
            {
                _failuresInARow = 0; // written: the journal works again
                writer.TryWrite(e);
                if (e is SweepFinished) writer.TryComplete();
            });
            Receive<SweepJournalFailed>(f => f.SweepId is null || f.SweepId == sweepId, f =>
            {
                if (++_failuresInARow < JournalFailuresToGiveUp) return;
                var failure = new SweepJournalException(sweepId, f.Reason);
                gaveUp.TrySetResult(failure);
                writer.TryComplete(failure);
            });
        }
    }
}

/// <summary>The journal failed a run's sweep again and again: the run stops, and everything journalled stays for `run --resume`.</summary>
public sealed class SweepJournalException(string sweepId, string reason)
    : Exception($"sweep {sweepId}: the journal keeps failing: {reason}")
{
    public string SweepId { get; } = sweepId;
    public string Reason { get; } = reason;
}

/// <summary>A submit that was refused (<see cref="SweepRejected"/>).</summary>
public sealed class SweepRejectedException(SweepRejected rejected) : Exception(rejected.Reason)
{
    public bool IdTaken { get; } = rejected.IdTaken;
}
