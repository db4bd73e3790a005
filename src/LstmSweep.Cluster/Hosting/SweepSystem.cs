using Akka.Actor;
using Akka.Configuration;
using LstmSweep.Cluster.Persistence;

namespace LstmSweep.Cluster.Hosting;

/// <summary>Builds the ActorSystem every LstmSweep process runs: our serializer, stderr logging, the SQL journal.</summary>
public static class SweepSystem
{
    public const string Name = "lstmsweep";

    /// <summary>
    /// Akka's log level (DEBUG, INFO, WARNING, ERROR) for the systems this process creates: the log_level setting
    /// (LSTMSWEEP_LOG_LEVEL), which the process's command sets once from its bound settings before it creates one.
    /// </summary>
    public static string LogLevel { get; set; } = "WARNING";

    public static Config BaseConfig() => ConfigurationFactory.ParseString($$"""
        akka {
          loglevel = {{LogLevel}}
          stdout-loglevel = OFF
          loggers = ["{{typeof(StderrLogger).AssemblyQualifiedName}}"]
          actor {
            serializers.lstmsweep = "{{typeof(SweepSerializer).AssemblyQualifiedName}}"
            serialization-bindings {
              "LstmSweep.Core.Sweeps.ISweepEvent, LstmSweep.Core" = lstmsweep
              "LstmSweep.Cluster.Protocol.ISweepProtocol, LstmSweep.Cluster" = lstmsweep
              "LstmSweep.Cluster.Persistence.Stored.IStoredSnapshot, LstmSweep.Cluster" = lstmsweep
            }
            serialization-identifiers {
              "{{typeof(SweepSerializer).AssemblyQualifiedName}}" = {{SweepSerializer.SerializerId}}
            }
          }
          coordinated-shutdown.run-by-clr-shutdown-hook = off
        }
        # A coordinator saves a snapshot of its sweep's state after this many events (0: never), so recovery
        # replays at most this many events after the newest snapshot; the manager likewise for the sweeps it owns.
        lstmsweep.snapshot-every = {{Actors.SweepCoordinator.DefaultSnapshotEvery}}
        """);

    public static ActorSystem Create(DatabaseTarget database, Config? extra = null)
    {
        var config = (extra ?? Config.Empty).WithFallback(BaseConfig()).WithFallback(JournalConfig.For(database));
        return ActorSystem.Create(Name, config);
    }
}
