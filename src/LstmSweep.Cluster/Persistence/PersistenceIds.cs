namespace LstmSweep.Cluster.Persistence;

/// <summary>
/// The journal's persistence ids: one stream per sweep ("sweep-&lt;id&gt;", written by its coordinator) and the sweep
/// manager's own. Here, beside the readers, so reading the journal needs nothing of the actors that write it.
/// </summary>
public static class PersistenceIds
{
    public const string SweepPrefix = "sweep-";

    /// <summary>The cluster's sweep manager (its registry of sweeps); not a sweep although it shares the prefix.</summary>
    public const string Manager = "sweep-manager";

    public static string ForSweep(string sweepId) => SweepPrefix + sweepId;
}
