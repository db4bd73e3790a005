using LstmSweep.Core.Sweeps;

namespace LstmSweep.Cluster.Persistence;

/// <summary>What the reading commands ask of a journal, whichever way it is read.</summary>
public interface ISweepReader
{
    Task<SweepState?> ReadAsync(string sweepId, CancellationToken cancel = default);
    Task<IReadOnlyList<ISweepEvent>> ReadEventsAsync(string sweepId, CancellationToken cancel = default);
    Task<IReadOnlyList<SweepState>> ReadAllAsync(CancellationToken cancel = default);
}

/// <summary>The plugin's own query reader (it needs an actor system), behind <see cref="ISweepReader"/>.</summary>
public sealed class PluginSweepReader(SweepJournalReader reader) : ISweepReader
{
    public Task<SweepState?> ReadAsync(string sweepId, CancellationToken cancel = default) => reader.ReadAsync(sweepId, cancel);
    public Task<IReadOnlyList<ISweepEvent>> ReadEventsAsync(string sweepId, CancellationToken cancel = default) => reader.ReadEventsAsync(sweepId, cancel);
    public Task<IReadOnlyList<SweepState>> ReadAllAsync(CancellationToken cancel = default) => reader.ReadAllAsync(cancel);
}
