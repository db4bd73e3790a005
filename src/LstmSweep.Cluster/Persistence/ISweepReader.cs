using LstmSweep.Core.Sweeps;

namespace LstmSweep.Cluster.Persistence;

/// <summary>What the reading commands ask of a journal, whichever way it is read.</summary>
public interface ISweepReader
{
    Task<SweepState?> ReadAsync(string sweepId, CancellationToken cancel = default);
    Task<IReadOnlyList<ISweepEvent>> ReadEventsAsync(string sweepId, CancellationToken cancel = default);
    Task<IReadOnlyList<SweepState>> ReadAllAsync(CancellationToken cancel = default);
}
