using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using LstmSweep.Core.Sweeps;

namespace LstmSweep.Cluster.Persistence;

/// <summary>
/// Reads sweeps straight from the journal (no coordinator needed), folding the same events the coordinator wrote into
/// the same <see cref="SweepState"/>. Safe while another process is still writing the sweep.
/// </summary>
public sealed class SweepJournalReader(ActorSystem system) : ISweepReader
{
    readonly SqlReadJournal _journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
    readonly IMaterializer _materializer = system.Materializer();

    public async Task<IReadOnlyList<string>> SweepIdsAsync(CancellationToken cancellation = default)
    {
        var ids = await _journal.CurrentPersistenceIds()
            .Where(id => id.StartsWith(PersistenceIds.SweepPrefix, StringComparison.Ordinal) && id != PersistenceIds.Manager)
            .RunWith(Sink.Seq<string>(), _materializer);
        return ids.Select(id => id[PersistenceIds.SweepPrefix.Length..]).ToList();
    }

    /// <summary>The sweep as its journal tells it, or null when no sweep has that id.</summary>
    public async Task<SweepState?> ReadAsync(string sweepId, CancellationToken cancellation = default)
    {
        var state = SweepState.Fold(sweepId, await ReadEventsAsync(sweepId, cancellation));
        return state.IsSubmitted ? state : null;
    }

    /// <summary>
    /// Every event of the sweep's journal so far, in the order they were written; empty when no sweep has that id.
    /// For what the folded state leaves out, such as each trial's per-epoch metrics.
    /// </summary>
    public async Task<IReadOnlyList<ISweepEvent>> ReadEventsAsync(string sweepId, CancellationToken cancellation = default)
    {
        var events = await _journal.CurrentEventsByPersistenceId(PersistenceIds.ForSweep(sweepId), 0, long.MaxValue)
            .Select(envelope => envelope.Event)
            .RunWith(Sink.Seq<object>(), _materializer);
        return events.OfType<ISweepEvent>().ToList();
    }

    public async Task<IReadOnlyList<SweepState>> ReadAllAsync(CancellationToken cancellation = default)
    {
        var states = new List<SweepState>();
        foreach (var id in await SweepIdsAsync(cancellation))
            if (await ReadAsync(id, cancellation) is { } state) states.Add(state);
        return states.OrderBy(s => s.SubmittedAt).ToList();
    }
}
