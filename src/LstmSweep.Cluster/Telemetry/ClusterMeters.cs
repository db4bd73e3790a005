using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.Cluster;
using static LstmSweep.Cluster.Telemetry.LstmSweepMetrics;

namespace LstmSweep.Cluster.Telemetry;

/// <summary>
/// The cluster as this node sees it, read from Akka.Cluster's current state at each scrape (an immutable snapshot, safe
/// to read from the exporter's thread). Only a cluster node observes; an embedded `run` has no cluster series.
/// </summary>
public static class ClusterMeters
{
    static volatile Akka.Cluster.Cluster? _cluster;

    /// <summary>The member statuses exported, each always present (0 included) so panels are never empty.</summary>
    static readonly (MemberStatus Status, string Name)[] Statuses =
    [
        (MemberStatus.Joining, "joining"), (MemberStatus.WeaklyUp, "weakly_up"), (MemberStatus.Up, "up"),
        (MemberStatus.Leaving, "leaving"), (MemberStatus.Exiting, "exiting"), (MemberStatus.Down, "down"),
        (MemberStatus.Removed, "removed"),
    ];

    public static void Observe(ActorSystem system)
    {
        EnsureCreated();
        _cluster = Akka.Cluster.Cluster.Get(system);
    }

    static bool Live(out Akka.Cluster.Cluster cluster)
    {
        cluster = _cluster!;
        return cluster is not null && !cluster.IsTerminated;
    }

    internal static IEnumerable<Measurement<long>> MembersByStatus()
    {
        if (!Live(out var cluster)) return [];
        var members = cluster.State.Members;
        return Statuses.Select(s => new Measurement<long>(members.Count(m => m.Status == s.Status), Tag("status", s.Name)));
    }

    internal static IEnumerable<Measurement<long>> Unreachable()
        => Live(out var cluster) ? [new Measurement<long>(cluster.State.Unreachable.Count)] : [];

    internal static IEnumerable<Measurement<long>> NodeInfo()
        => Live(out var cluster)
            ? [new Measurement<long>(1, Tag("node", cluster.SelfAddress.ToString()),
                Tag("roles", string.Join(",", cluster.SelfRoles.OrderBy(r => r, StringComparer.Ordinal))), Tag("version", LstmSweepMetrics.Version))]
            : [];
}
