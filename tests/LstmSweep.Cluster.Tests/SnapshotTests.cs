using System.Text.Json;
using Akka.Actor;
using LstmSweep.Cluster.Actors;
using LstmSweep.Cluster.Persistence.Stored;
using LstmSweep.Cluster.Protocol;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;

namespace LstmSweep.Cluster.Tests;

/// <summary>Snapshots in a real SQLite snapshot table: written every N events, and a recovery from one is the same sweep.</summary>
public sealed class SnapshotTests() : SqliteJournalTestKit("lstmsweep-snapshot")
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    const string SpecText = """
        name: snap
        task: stateful-counter
        strategy: grid
        scheduler: asha
        asha: {min_epochs: 1, max_epochs: 9, reduction_factor: 3, pause: true}
        space: {units: [4, 5, 6, 7]}
        """;

    SweepState StateOf(IActorRef coordinator) => coordinator.Ask<SweepState>(new GetSweepState("snap"), Wait).Result;

    static string Json(SweepState state) => JsonSerializer.Serialize(StoredSweepState.From(state));

    [Fact]
    public void ASweepLongerThanTheIntervalLeavesSnapshotsAndRecoversFromThemToTheSameState()
    {
        var db = Sys.Settings.Config.GetString("akka.persistence.journal.sql.connection-string");
        var coordinator = Sys.ActorOf(SweepCoordinator.Props("snap", snapshotEvery: 5));
        var (header, trials) = SweepPlan.For(SpecParser.Parse(SpecText).Spec!, SpecText, "snap", DateTimeOffset.UtcNow);
        coordinator.Tell(new SubmitSweep(header, trials), TestActor);
        ExpectMsg<SweepAccepted>(Wait);
        var worker = CreateTestProbe();
        coordinator.Tell(new RequestWork(worker.Ref, "w", 3));
        var t = worker.ExpectMsg<WorkAssigned>(Wait).Trials;
        coordinator.Tell(new TrialEpoch("snap", t[0].TrialId, 1, new EpochMetrics(1, 0.1, 0.9, 0.2)));   // paused
        coordinator.Tell(new TrialEpoch("snap", t[1].TrialId, 1, new EpochMetrics(1, 0.5, 0.5, 0.6)));   // paused
        coordinator.Tell(new TrialResult("snap", t[2].TrialId, 1, TrialStatus.Failed, null, null, 0, 5, "CUDA error", Failure: FailureKind.Error));
        AwaitAssert(() => Assert.Equal(2, StateOf(coordinator).Count(TrialStatus.Paused)), Wait);
        AwaitAssert(() => Assert.True(GoldenRows.Count(db, "select count(*) from snapshot where persistence_id = 'sweep-snap'") > 0), Wait);
        // Older snapshots are deleted once a newer one is saved.
        AwaitAssert(() => Assert.Equal(1, GoldenRows.Count(db, "select count(*) from snapshot where persistence_id = 'sweep-snap'")), Wait);
        var before = StateOf(coordinator);
        Assert.Equal(1, before.Trials[t[2].TrialId].FailedAttempts);

        Watch(coordinator);
        Sys.Stop(coordinator);
        ExpectTerminated(coordinator, Wait);
        var recovered = Sys.ActorOf(SweepCoordinator.Props("snap", snapshotEvery: 5));
        var after = StateOf(recovered);
        Assert.Equal(Json(before), Json(after)); // rungs and retry budgets included
        // The journal still has every event (readers fold it), and it folds to the same state.
        var folded = new Persistence.SweepJournalReader(Sys).ReadAsync("snap").Result!;
        Assert.Equal(Json(before), Json(folded));

        // It goes on from there: the retried trial's next attempt, and the one never started.
        var another = CreateTestProbe();
        recovered.Tell(new RequestWork(another.Ref, "w2", 4));
        var next = another.ExpectMsg<WorkAssigned>(Wait).Trials;
        Assert.Equal([(t[2].TrialId, 2), (3, 1)], next.Select(a => (a.TrialId, a.Attempt)));
    }
}
