using Akka.Actor;
using LstmSweep.Cluster.Actors;
using LstmSweep.Cluster.Protocol;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;
using Microsoft.Data.Sqlite;

namespace LstmSweep.Cluster.Tests;

/// <summary>
/// The cluster's sweep manager against a real SQLite journal with rows it cannot use: one sweep's journal poisoned
/// (a row no version can decode), an id no actor name can hold (journalled before names were checked to the end), an
/// id another sweep already has. Whatever one sweep does, the manager answers and the other sweeps go on.
/// </summary>
public sealed class PoisonedSweepTests() : SqliteJournalTestKit("lstmsweep-poison")
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    static SubmitSweep Sweep(string id, int trials, string specText = "name: test")
    {
        var task = new TaskSpec(TaskKind.StatefulCounter, new TaskOptions());
        var header = new SweepSubmitted(id, "test", task, Objective.Accuracy, SearchStrategy.Grid, 1, specText, DateTimeOffset.UtcNow);
        var scheduled = Enumerable.Range(0, trials)
            .Select(i => new TrialScheduled(id, i, new TrialConfig(4 + i, MergeMode.None, false, 10, 0.01, 1, 1), 100 + i))
            .ToList();
        return new SubmitSweep(header, scheduled);
    }

    IActorRef StartManager()
    {
        var manager = Sys.ActorOf(SweepManager.Props());
        return manager;
    }

    void StopManager(IActorRef manager)
    {
        Watch(manager);
        Sys.Stop(manager);
        ExpectTerminated(manager, Wait);
    }

    /// <summary>Rewrites a sweep's journal rows to a manifest this version does not know, as a corrupt or foreign row reads.</summary>
    void Poison(string sweepId)
    {
        using var connection = new SqliteConnection($"Data Source={DbPath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE journal SET manifest = 'no-such-event.v9' WHERE persistence_id = @id";
        command.Parameters.AddWithValue("@id", "sweep-" + sweepId);
        Assert.True(command.ExecuteNonQuery() > 0);
    }

    [Fact]
    public void ASweepWhoseJournalCannotBeReadIsUnavailableAloneAndTheManagerAndOtherSweepsGoOn()
    {
        var manager = StartManager();
        manager.Tell(Sweep("good", 2), TestActor);
        ExpectMsg<SweepAccepted>(Wait);
        manager.Tell(Sweep("bad", 2), TestActor);
        ExpectMsg<SweepAccepted>(Wait);
        StopManager(manager);
        Poison("bad");

        manager = StartManager(); // recovers both: "bad" fails its recovery at every start, "good" recovers
        AwaitAssert(() =>
        {
            // While its coordinator is still recovering, the ask is lost with it: ask again, briefly.
            var unavailable = Assert.IsType<SweepUnavailable>(manager.Ask<object>(new GetSweepState("bad"), TimeSpan.FromSeconds(2)).Result);
            Assert.Contains("could not be read", unavailable.Reason);
            Assert.Contains("no-such-event.v9", unavailable.Reason);
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        var good = Assert.IsType<SweepState>(manager.Ask<object>(new GetSweepState("good"), Wait).Result);
        Assert.Equal(2, good.Trials.Count);

        // Work still flows to the good sweep, and a new sweep is accepted while the bad one keeps failing.
        var worker = CreateTestProbe();
        manager.Tell(new RequestWork(worker.Ref, "w", 2));
        var assigned = worker.FishForMessage<WorkAssigned>(a => a.Trials.Count > 0, Wait).Trials;
        Assert.All(assigned, a => Assert.Equal("good", a.SweepId));
        manager.Tell(Sweep("later", 1), TestActor);
        ExpectMsg<SweepAccepted>(Wait);

        // Commands for the bad sweep are answered at once, never left to time out; resubmitting its id is refused.
        manager.Tell(new CancelSweep("bad"), TestActor);
        ExpectMsg<SweepUnavailable>(Wait);
        manager.Tell(Sweep("bad", 1), TestActor);
        Assert.True(ExpectMsg<SweepRejected>(Wait).IdTaken);
    }

    [Fact]
    public void AnIdNoActorNameCanHoldStillRunsAndRecovers()
    {
        const string legacyId = "poison\n"; // accepted by the old name rule ($ matched before a final newline)
        var manager = StartManager();
        manager.Tell(Sweep(legacyId, 2), TestActor);
        ExpectMsg<SweepAccepted>(Wait);
        StopManager(manager);

        manager = StartManager();
        var state = Assert.IsType<SweepState>(manager.Ask<object>(new GetSweepState(legacyId), Wait).Result);
        Assert.Equal(2, state.Trials.Count);
        manager.Tell(Sweep("other", 1), TestActor);
        ExpectMsg<SweepAccepted>(Wait);
    }

    [Fact]
    public void ACollidingSweepIdIsRefusedNotAnsweredWithTheOtherSweepsId()
    {
        var manager = StartManager();
        var first = Sweep("same", 2, "name: first");
        manager.Tell(first, TestActor);
        ExpectMsg<SweepAccepted>(Wait);
        manager.Tell(first, TestActor); // the same submission again (a retried message): accepted again
        ExpectMsg<SweepAccepted>(Wait);

        manager.Tell(Sweep("same", 3, "name: second"), TestActor);
        var rejected = ExpectMsg<SweepRejected>(Wait);
        Assert.True(rejected.IdTaken);
        Assert.Contains("taken", rejected.Reason);
        var state = Assert.IsType<SweepState>(manager.Ask<object>(new GetSweepState("same"), Wait).Result);
        Assert.Equal(("name: first", 2), (state.SpecText, state.Trials.Count)); // the first sweep, untouched
    }
}
