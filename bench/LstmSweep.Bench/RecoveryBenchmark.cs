using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using LstmSweep.Cluster.Actors;
using LstmSweep.Cluster.Hosting;
using LstmSweep.Cluster.Persistence;
using LstmSweep.Cluster.Protocol;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;
using Microsoft.Data.Sqlite;

namespace LstmSweep.Bench;

/// <summary>
/// How long a coordinator takes to recover a long sweep: a real coordinator journals a sweep of
/// <see cref="Trials"/> trials × <see cref="Epochs"/> epoch reports into SQLite (snapshots every
/// <see cref="SweepCoordinator.DefaultSnapshotEvery"/> events), then a fresh ActorSystem recovers it, first from its
/// newest snapshot, then with the snapshot rows deleted (every event replayed, as before snapshots existed).
/// </summary>
static class RecoveryBenchmark
{
    public const int Trials = 100, Epochs = 1000, Runs = 3;

    public sealed record Result(long Events, TimeSpan Journalled, TimeSpan WithoutSnapshots, TimeSpan WithSnapshots, long SnapshotRows);

    public static async Task<Result> RunAsync(string work, Action<string> progress)
    {
        var database = new DatabaseTarget(DatabaseKind.Sqlite, Path.Combine(work, "recovery.db"));
        database.PrepareForWriting();
        var clock = Stopwatch.StartNew();
        await JournalSweepAsync(database, progress);
        var journalled = clock.Elapsed;
        var events = Scalar(database, "select max(sequence_number) from journal where persistence_id = 'sweep-recovery'");
        var snapshots = Scalar(database, "select count(*) from snapshot where persistence_id = 'sweep-recovery'");
        progress($"journalled {events} events in {journalled.TotalSeconds:F0} s ({snapshots} snapshot row(s))");

        var with = await MedianRecoveryAsync(database, progress, "with snapshots");
        Scalar(database, "delete from snapshot where persistence_id = 'sweep-recovery'");
        var without = await MedianRecoveryAsync(database, progress, "without snapshots");
        return new Result(events, journalled, without, with, snapshots);
    }

    static async Task JournalSweepAsync(DatabaseTarget database, Action<string> progress)
    {
        var text = $"name: recovery\ntask: cumsum\nspace: {{units: [{string.Join(", ", Enumerable.Range(1, Trials))}], epochs: [{Epochs}]}}\n";
        var (header, trials) = SweepPlan.For(SpecParser.Parse(text).Spec!, text, "recovery", DateTimeOffset.UtcNow);
        var system = SweepSystem.Create(database);
        try
        {
            var coordinator = system.ActorOf(SweepCoordinator.Props("recovery", snapshotEvery: SweepCoordinator.DefaultSnapshotEvery));
            await coordinator.Ask<SweepAccepted>(new SubmitSweep(header, trials), TimeSpan.FromMinutes(1));
            system.ActorOf(Props.Create(() => new Worker(coordinator)));
            while (!(await coordinator.Ask<SweepState>(new GetSweepState("recovery"), TimeSpan.FromMinutes(5))).IsFinished)
            {
                await Task.Delay(2000);
                progress($"journalling: {Scalar(database, "select count(*) from journal where persistence_id = 'sweep-recovery'")} events");
            }
        }
        finally
        {
            await system.Terminate();
        }
    }

    /// <summary>Takes every trial and reports all its epochs and its result as fast as the coordinator takes them.</summary>
    sealed class Worker : ReceiveActor
    {
        public Worker(IActorRef coordinator)
        {
            Receive<WorkAssigned>(w =>
            {
                for (int epoch = 1; epoch <= Epochs; epoch++)
                    foreach (var a in w.Trials)
                        coordinator.Tell(new TrialEpoch(a.SweepId, a.TrialId, a.Attempt, new EpochMetrics(epoch, 1.0 / epoch, 1 - 1.0 / epoch, 1.0 / epoch)));
                foreach (var a in w.Trials)
                    coordinator.Tell(new TrialResult(a.SweepId, a.TrialId, a.Attempt, TrialStatus.Complete, 0.001, 0.999, Epochs, 1, null));
            });
            Receive<object>(_ => { });
            coordinator.Tell(new RequestWork(Self, "bench", Trials));
        }
    }

    static async Task<TimeSpan> MedianRecoveryAsync(DatabaseTarget database, Action<string> progress, string label)
    {
        var times = new List<TimeSpan>();
        for (int run = 0; run < Runs; run++)
        {
            var system = SweepSystem.Create(database);
            try
            {
                // The journal plugin's own start-up (connection, schema check) is not the sweep's recovery: warmed apart.
                await system.ActorOf(SweepCoordinator.Props("warm-up")).Ask<SweepState>(new GetSweepState("warm-up"), TimeSpan.FromMinutes(1));
                var clock = Stopwatch.StartNew();
                var state = await system.ActorOf(SweepCoordinator.Props("recovery")).Ask<SweepState>(new GetSweepState("recovery"), TimeSpan.FromMinutes(10));
                times.Add(clock.Elapsed);
                if (state.Count(TrialStatus.Complete) != Trials) throw new InvalidOperationException("the recovered sweep is not the journalled one");
                progress($"recovery {label}: {clock.Elapsed.TotalSeconds:F2} s");
            }
            finally
            {
                await system.Terminate();
            }
        }
        return times.Order().ElementAt(times.Count / 2);
    }

    static long Scalar(DatabaseTarget database, string sql)
    {
        using var connection = new SqliteConnection(database.ConnectionString);
        connection.Open();
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() is { } value and not DBNull ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : 0;
    }

    public static string Markdown(Result r) => string.Create(CultureInfo.InvariantCulture, $"""
        ## Recovery of a long sweep, with and without snapshots

        A real coordinator journals a sweep of {Trials} trials × {Epochs} epoch reports into SQLite: {r.Events:N0} events
        (written in {r.Journalled.TotalSeconds:F0} s), with a snapshot of the sweep's state every
        {SweepCoordinator.DefaultSnapshotEvery:N0} events (the default of `lstmsweep.snapshot-every`). A fresh process
        then recovers it (median of {Runs}; the journal plugin warmed up first): from the newest snapshot and the events
        after it, and, with the snapshot rows deleted, by replaying every event, as every recovery did before snapshots.

        | events | recovery without snapshots | recovery with snapshots | speed-up |
        | ---: | ---: | ---: | ---: |
        | {r.Events:N0} | {r.WithoutSnapshots.TotalSeconds:F2} s | {r.WithSnapshots.TotalSeconds:F2} s | {r.WithoutSnapshots / r.WithSnapshots:F0}× |

        """);
}
