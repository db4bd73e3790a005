using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using LstmSweep.Cluster.Actors;
using LstmSweep.Cluster.Hosting;
using LstmSweep.Cluster.Persistence;
using LstmSweep.Cluster.Protocol;

namespace LstmSweep.Node;

/// <summary>
/// One cluster member: the ActorSystem with cluster remoting, the <see cref="SweepManager"/> singleton (on coordinator
/// nodes; it runs on the oldest of them, and moves when that one leaves), a proxy to it, and on worker nodes a
/// <see cref="WorkerAgent"/> pulling work through the proxy. Leaving (SIGTERM, or <see cref="LeaveAsync"/>) first hands
/// the worker's running attempts back, then leaves the cluster gracefully.
/// </summary>
public sealed class ClusterNode
{
    public const string ManagerName = "sweep-manager";

    public ActorSystem System { get; }
    public IActorRef Manager { get; }
    public IActorRef? Worker { get; }
    public NodeOptions Options { get; }

    ClusterNode(NodeOptions options, DatabaseTarget database, IReadOnlyList<string>? slotDevices)
    {
        Options = options;
        System = SweepSystem.Create(database, ConfigFor(options));

        if (options.IsCoordinator)
            System.ActorOf(ClusterSingletonManager.Props(SweepManager.Supervised(), PoisonPill.Instance,
                ClusterSingletonManagerSettings.Create(System).WithRole(NodeOptions.CoordinatorRole)), ManagerName);
        Manager = System.ActorOf(ClusterSingletonProxy.Props("/user/" + ManagerName,
            ClusterSingletonProxySettings.Create(System).WithRole(NodeOptions.CoordinatorRole)), ManagerName + "-proxy");

        if (options.IsWorker && slotDevices is not null)
        {
            var checkpointRoot = Path.GetFullPath(options.Checkpoints ?? CheckpointDirectories.DefaultRoot(database));
            Worker = System.ActorOf(WorkerAgent.Props(Manager, $"{Environment.MachineName}/{Environment.ProcessId}@{options.Host}:{options.Port}",
                slotDevices, checkpointRoot), "worker");
            var worker = Worker;
            CoordinatedShutdown.Get(System).AddTask(CoordinatedShutdown.PhaseBeforeClusterShutdown, "return-running-trials", async () =>
            {
                try { await worker.Ask<WorkerDrained>(new DrainWorker(), TimeSpan.FromSeconds(5)); }
                catch (Exception) { } // leaving anyway: unreturned attempts are requeued when this node is removed
                return Akka.Done.Instance;
            });
        }
    }

    public static ClusterNode Start(NodeOptions options, DatabaseTarget database, IReadOnlyList<string>? slotDevices)
        => new(options, database, slotDevices);

    public Akka.Cluster.Cluster Cluster => Akka.Cluster.Cluster.Get(System);

    /// <summary>Graceful: hand back running trials, leave the cluster (the singleton moves), stop the system.</summary>
    public Task LeaveAsync() => CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);

    static Config ConfigFor(NodeOptions options)
    {
        var seeds = string.Join(", ", options.SeedAddresses(SweepSystem.Name).Select(s => "\"" + s + "\""));
        var roles = string.Join(", ", options.Roles.Select(r => "\"" + r + "\""));
        return ConfigurationFactory.ParseString($$"""
            akka {
              actor.provider = cluster
              remote.dot-netty.tcp {
                hostname = "{{options.Host}}"
                port = {{options.Port}}
              }
              cluster {
                seed-nodes = [{{seeds}}]
                roles = [{{roles}}]
                # Built-in split-brain resolver: on a partition the side with the majority of members survives and
                # downs the other (on a tie, the side with the lowest address). Unreachable members are downed once
                # the membership has been stable this long, so their running trials are requeued.
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  active-strategy = keep-majority
                  stable-after = {{options.SbrStableAfter}}
                }
                singleton.hand-over-retry-interval = 1s
              }
              coordinated-shutdown {
                exit-clr = off
                run-by-clr-shutdown-hook = off
              }
            }
            """);
    }
}
