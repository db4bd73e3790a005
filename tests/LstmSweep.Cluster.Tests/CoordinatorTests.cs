using Akka.Actor;
using Akka.TestKit.Xunit2;
using LstmSweep.Cluster.Actors;
using LstmSweep.Cluster.Hosting;
using LstmSweep.Cluster.Persistence;
using LstmSweep.Cluster.Protocol;
using LstmSweep.Core.Search;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;

namespace LstmSweep.Cluster.Tests;

/// <summary>
/// The coordinator's plumbing against a real SQLite journal, with test probes standing in for workers: what it persists
/// recovers, workers hear what the decider decided, dead workers are noticed. The rules themselves have pure tests
/// (Core.Tests, SweepDeciderTests).
/// </summary>
public sealed class CoordinatorTests() : SqliteJournalTestKit("lstmsweep-coord")
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    static SubmitSweep Sweep(string id, int trials)
    {
        var task = new TaskSpec(TaskKind.StatefulCounter, new TaskOptions());
        var header = new SweepSubmitted(id, "test", task, Objective.Accuracy, SearchStrategy.Grid, 1, "name: test", DateTimeOffset.UtcNow);
        var scheduled = Enumerable.Range(0, trials)
            .Select(i => new TrialScheduled(id, i, new TrialConfig(4 + i, MergeMode.None, false, 10, 0.01, 1, 1), 100 + i))
            .ToList();
        return new SubmitSweep(header, scheduled);
    }

    IActorRef StartCoordinator(string id)
    {
        var coordinator = Sys.ActorOf(SweepCoordinator.Props(id));
        return coordinator;
    }

    static AssignTrial[] Assigned(Akka.TestKit.TestProbe worker) => worker.ExpectMsg<WorkAssigned>(Wait).Trials.ToArray();

    SweepState StateOf(IActorRef coordinator, string id) => coordinator.Ask<SweepState>(new GetSweepState(id), Wait).Result;

    static TrialResult Complete(AssignTrial a, double accuracy) =>
        new(a.SweepId, a.TrialId, a.Attempt, TrialStatus.Complete, 0.1, accuracy, 10, 5, null);

    [Fact]
    public void AWorkerThatDiesHasItsTrialsRequeuedAndTheirLateResultsIgnored()
    {
        var coordinator = StartCoordinator("lost");
        coordinator.Tell(Sweep("lost", 1), TestActor);
        ExpectMsg<SweepAccepted>(Wait);

        var doomed = CreateTestProbe();
        coordinator.Tell(new RequestWork(doomed.Ref, "doomed", 1));
        var first = Assigned(doomed).Single();
        var survivor = CreateTestProbe();
        Sys.Stop(doomed.Ref);
        AwaitAssert(() => Assert.Equal(TrialStatus.Waiting, StateOf(coordinator, "lost").Trials[first.TrialId].Status), Wait);
        coordinator.Tell(new RequestWork(survivor.Ref, "survivor", 1));
        var second = Assigned(survivor).Single(); // the requeued trial
        Assert.Equal(first.TrialId, second.TrialId);
        Assert.Equal(2, second.Attempt);

        coordinator.Tell(Complete(first, 0.99)); // the dead attempt's result arrives late: ignored
        coordinator.Tell(Complete(second, 0.6));
        AwaitAssert(() => Assert.True(StateOf(coordinator, "lost").IsFinished), Wait);
        Assert.Equal(0.6, StateOf(coordinator, "lost").Trials[first.TrialId].Accuracy);
    }

    [Fact]
    public void ARestartedCoordinatorRecoversFinishedTrialsAndRequeuesInterruptedOnes()
    {
        var coordinator = StartCoordinator("restart");
        coordinator.Tell(Sweep("restart", 3), TestActor);
        ExpectMsg<SweepAccepted>(Wait);
        var worker = CreateTestProbe();
        coordinator.Tell(new RequestWork(worker.Ref, "w", 2));
        var (done, interrupted) = Assigned(worker) switch { var a => (a[0], a[1]) };
        coordinator.Tell(Complete(done, 0.8));
        AwaitAssert(() => Assert.Equal(TrialStatus.Complete, StateOf(coordinator, "restart").Trials[done.TrialId].Status), Wait);

        Watch(coordinator);
        Sys.Stop(coordinator);
        ExpectTerminated(coordinator, Wait);

        var recovered = StartCoordinator("restart");
        var state = StateOf(recovered, "restart");
        Assert.Equal(TrialStatus.Complete, state.Trials[done.TrialId].Status);
        Assert.Equal(0.8, state.Trials[done.TrialId].Accuracy);
        Assert.Equal(TrialStatus.Waiting, state.Trials[interrupted.TrialId].Status);
        Assert.Equal(SweepDecider.InterruptedReason, state.Trials[interrupted.TrialId].Error);

        var next = CreateTestProbe();
        recovered.Tell(new RequestWork(next.Ref, "w2", 3));
        var assigned = Assigned(next);
        Assert.Equal(2, assigned.Length);
        Assert.DoesNotContain(assigned, a => a.TrialId == done.TrialId);
        Assert.Equal(2, assigned.Single(a => a.TrialId == interrupted.TrialId).Attempt);
    }

    [Fact]
    public void CancellingStopsRunningTrialsAndCancelsWaitingOnes()
    {
        var coordinator = StartCoordinator("cancel");
        coordinator.Tell(Sweep("cancel", 3), TestActor);
        ExpectMsg<SweepAccepted>(Wait);
        var worker = CreateTestProbe();
        coordinator.Tell(new RequestWork(worker.Ref, "w", 1));
        var running = Assigned(worker).Single();

        coordinator.Tell(new CancelSweep("cancel"), TestActor);
        var cancel = worker.ExpectMsg<CancelTrial>(Wait);
        Assert.Equal((running.TrialId, running.Attempt), (cancel.TrialId, cancel.Attempt));
        ExpectMsg<SweepAccepted>(Wait);
        coordinator.Tell(new TrialResult("cancel", running.TrialId, running.Attempt, TrialStatus.Cancelled, null, null, 3, 5, "cancelled"));

        AwaitAssert(() => Assert.True(StateOf(coordinator, "cancel").IsFinished), Wait);
        var state = StateOf(coordinator, "cancel");
        Assert.Equal(SweepStatus.Cancelled, state.Status);
        Assert.All(state.Trials.Values, t => Assert.Equal(TrialStatus.Cancelled, t.Status));
    }

    static SubmitSweep AshaSweep(string id, bool pause = false)
    {
        var text = $$"""
            name: asha
            task: stateful-counter
            strategy: grid
            scheduler: asha
            asha: {min_epochs: 1, max_epochs: 9, reduction_factor: 3, pause: {{(pause ? "true" : "false")}}}
            space: {units: [4, 5, 6, 7]}
            """;
        var (header, trials) = SweepPlan.For(SpecParser.Parse(text).Spec!, text, id, DateTimeOffset.UtcNow);
        return new SubmitSweep(header, trials);
    }

    static TrialEpoch Epoch(AssignTrial a, int epoch, double accuracy) => new(a.SweepId, a.TrialId, a.Attempt, new EpochMetrics(epoch, 1 - accuracy, accuracy, 0.5));

    [Fact]
    public void AshaPrunesAtARungAndARestartedCoordinatorKeepsTheRungs()
    {
        var coordinator = StartCoordinator("asha");
        coordinator.Tell(AshaSweep("asha"), TestActor);
        ExpectMsg<SweepAccepted>(Wait);
        var worker = CreateTestProbe();
        coordinator.Tell(new RequestWork(worker.Ref, "w", 4));
        var t = Assigned(worker);
        Assert.All(t, a => Assert.Equal(9, a.Config.Epochs)); // the resource is asha.max_epochs

        coordinator.Tell(Epoch(t[0], 1, 0.9)); // first at rung 1: goes on
        coordinator.Tell(Epoch(t[1], 1, 0.5)); // below the top 1/3 of {0.9, 0.5}: pruned
        var stop = worker.ExpectMsg<CancelTrial>(Wait);
        Assert.Equal(t[1].TrialId, stop.TrialId);
        AwaitAssert(() => Assert.Equal(TrialStatus.Pruned, StateOf(coordinator, "asha").Trials[t[1].TrialId].Status), Wait);
        var pruned = StateOf(coordinator, "asha").Trials[t[1].TrialId];
        Assert.Equal(1, pruned.EpochsRun);
        Assert.Equal(0.5, pruned.Accuracy);

        Watch(coordinator);
        Sys.Stop(coordinator);
        ExpectTerminated(coordinator, Wait);
        var recovered = StartCoordinator("asha");
        var worker2 = CreateTestProbe();
        recovered.Tell(new RequestWork(worker2.Ref, "w2", 4));
        var again = Assigned(worker2).ToDictionary(a => a.TrialId);
        Assert.Equal(3, again.Count); // the pruned trial is not run again
        Assert.DoesNotContain(t[1].TrialId, again.Keys);

        // Had the rung been forgotten, 0.7 would be first at rung 1 and go on; with it, 0.9 is ahead: pruned.
        recovered.Tell(Epoch(again[t[2].TrialId], 1, 0.7));
        Assert.Equal(t[2].TrialId, worker2.ExpectMsg<CancelTrial>(Wait).TrialId);
        AwaitAssert(() => Assert.Equal(TrialStatus.Pruned, StateOf(recovered, "asha").Trials[t[2].TrialId].Status), Wait);
        Assert.Equal(0, StateOf(recovered, "asha").Count(TrialStatus.Failed)); // pruned is never failed
    }

    [Fact]
    public void APausedTrialIsPromotedWhenLaterResultsPutItInTheTopThird()
    {
        var coordinator = StartCoordinator("pause");
        coordinator.Tell(AshaSweep("pause", pause: true), TestActor);
        ExpectMsg<SweepAccepted>(Wait);
        var worker = CreateTestProbe();
        coordinator.Tell(new RequestWork(worker.Ref, "w", 3));
        var t = Assigned(worker);

        coordinator.Tell(Epoch(t[0], 1, 0.9)); // alone at the rung: the top ⌊1/3⌋ = 0 places, so it pauses
        Assert.Equal(t[0].TrialId, worker.ExpectMsg<CancelTrial>(Wait).TrialId);
        coordinator.Tell(Epoch(t[1], 1, 0.5));
        Assert.Equal(t[1].TrialId, worker.ExpectMsg<CancelTrial>(Wait).TrialId);
        AwaitAssert(() => Assert.Equal(TrialStatus.Paused, StateOf(coordinator, "pause").Trials[t[0].TrialId].Status), Wait);

        coordinator.Tell(Epoch(t[2], 1, 0.7)); // three results: trial 0 (0.9) is now the top third and is promoted
        worker.ExpectMsg<CancelTrial>(Wait); // trial 2 pauses in its turn
        AwaitAssert(() => Assert.Equal(TrialStatus.Waiting, StateOf(coordinator, "pause").Trials[t[0].TrialId].Status), Wait);
        coordinator.Tell(new RequestWork(worker.Ref, "w", 1));
        var resumed = Assigned(worker).Single();
        Assert.Equal(t[0].TrialId, resumed.TrialId);
        Assert.Equal(2, resumed.Attempt); // a new attempt, which resumes from the trial's checkpoint
        Assert.Equal(TrialStatus.Paused, StateOf(coordinator, "pause").Trials[t[1].TrialId].Status);

        // A restarted coordinator has the same paused trials and rungs; once the last runs finish, none is left paused.
        var recovered = Restart(coordinator, "pause");
        recovered.Tell(new RequestWork(worker.Ref, "w", 2));
        var last = Assigned(worker);
        Assert.Equal([(t[0].TrialId, 3), (3, 1)], last.Select(a => (a.TrialId, a.Attempt)));
        foreach (var a in last) recovered.Tell(Complete(a, 0.95));
        AwaitAssert(() => Assert.True(StateOf(recovered, "pause").IsFinished), Wait);
        var end = StateOf(recovered, "pause");
        Assert.Equal(SweepStatus.Completed, end.Status);
        Assert.Equal(0, end.Count(TrialStatus.Paused));
        Assert.Equal(2, end.Count(TrialStatus.Pruned));
    }

    IActorRef Restart(IActorRef coordinator, string id)
    {
        Watch(coordinator);
        Sys.Stop(coordinator);
        ExpectTerminated(coordinator, Wait);
        return StartCoordinator(id);
    }

    [Fact]
    public void TheManagerRoutesWorkToTheSweepThatHasItAndWakesIdleWorkersWhenOneDoes()
    {
        var manager = Sys.ActorOf(SweepManager.Props());
        var worker = CreateTestProbe();
        manager.Tell(new RequestWork(worker.Ref, "w", 1)); // no sweep yet: kept idle
        Assert.Empty(Assigned(worker));

        manager.Tell(Sweep("routed", 2), TestActor);
        ExpectMsg<SweepAccepted>(Wait);
        worker.ExpectMsg<WorkAvailable>(Wait); // the coordinator said it has work
        manager.Tell(new RequestWork(worker.Ref, "w", 2));
        var assigned = Assigned(worker);
        Assert.Equal(2, assigned.Length);

        var other = CreateTestProbe();
        manager.Tell(new RequestWork(other.Ref, "o", 1)); // everything runs: nothing to route
        Assert.Empty(Assigned(other));
        Sys.Stop(worker.Ref); // its attempts wait again, and the idle worker hears of it
        other.ExpectMsg<WorkAvailable>(Wait);
        manager.Tell(new RequestWork(other.Ref, "o", 2));
        Assert.All(Assigned(other), a => Assert.Equal(2, a.Attempt));
    }

}
