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
/// The coordinator against a real SQLite journal, with test probes standing in for workers so each delivery (late,
/// duplicate, lost) can be staged exactly.
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
    public void EachTrialHasExactlyOneResultWhateverIsDeliveredTwiceOrLate()
    {
        var coordinator = StartCoordinator("once");
        coordinator.Tell(Sweep("once", 2), TestActor);
        ExpectMsg<SweepAccepted>(Wait);

        var worker = CreateTestProbe();
        coordinator.Tell(new RequestWork(worker.Ref, "w1", 2));
        var (a0, a1) = Assigned(worker) switch { var a => (a[0], a[1]) };
        Assert.Equal(1, a0.Attempt);

        coordinator.Tell(Complete(a0, 0.75));
        coordinator.Tell(Complete(a0, 0.10));                        // duplicate: ignored
        coordinator.Tell(Complete(a1 with { Attempt = 7 }, 0.99));   // an attempt that never ran: ignored
        coordinator.Tell(Complete(a1, 0.5));

        AwaitAssert(() => Assert.True(StateOf(coordinator, "once").IsFinished), Wait);
        var state = StateOf(coordinator, "once");
        Assert.Equal(SweepStatus.Completed, state.Status);
        Assert.Equal(0.75, state.Trials[a0.TrialId].Accuracy);
        Assert.Equal(0.5, state.Trials[a1.TrialId].Accuracy);
        Assert.All(state.Trials.Values, t => Assert.Equal(1, t.Attempts));
    }

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
        coordinator.Tell(new RequestWork(survivor.Ref, "survivor", 1)); // nothing waiting: remembered as idle
        Assert.Empty(Assigned(survivor));

        Sys.Stop(doomed.Ref);
        survivor.ExpectMsg<WorkAvailable>(Wait); // told there is work again...
        coordinator.Tell(new RequestWork(survivor.Ref, "survivor", 1)); // ...it asks...
        var second = Assigned(survivor).Single(); // ...and gets the requeued trial
        Assert.Equal(first.TrialId, second.TrialId);
        Assert.Equal(2, second.Attempt);

        coordinator.Tell(Complete(first, 0.99)); // the dead attempt's result arrives late: ignored
        coordinator.Tell(Complete(second, 0.6));
        AwaitAssert(() => Assert.True(StateOf(coordinator, "lost").IsFinished), Wait);
        Assert.Equal(0.6, StateOf(coordinator, "lost").Trials[first.TrialId].Accuracy);
    }

    [Fact]
    public void AWorkerIsNeverGivenMoreThanItAsksFor()
    {
        var coordinator = StartCoordinator("bounded");
        coordinator.Tell(Sweep("bounded", 5), TestActor);
        ExpectMsg<SweepAccepted>(Wait);
        var worker = CreateTestProbe();
        coordinator.Tell(new RequestWork(worker.Ref, "w", 2));
        Assert.Equal(2, Assigned(worker).Length);
        coordinator.Tell(new RequestWork(worker.Ref, "w", 1));
        Assert.Single(Assigned(worker));
        coordinator.Tell(new RequestWork(worker.Ref, "w", 9));
        Assert.Equal(2, Assigned(worker).Length); // only two were left
        coordinator.Tell(new RequestWork(worker.Ref, "w", 1));
        Assert.Empty(Assigned(worker));
    }

    [Fact]
    public void AReturnedAttemptWaitsForTheNextWorker()
    {
        var coordinator = StartCoordinator("returned");
        coordinator.Tell(Sweep("returned", 1), TestActor);
        ExpectMsg<SweepAccepted>(Wait);
        var worker = CreateTestProbe();
        coordinator.Tell(new RequestWork(worker.Ref, "w", 1));
        var first = Assigned(worker).Single();
        coordinator.Tell(new TrialReturned(first.SweepId, first.TrialId, first.Attempt, "no free slot"));
        AwaitAssert(() => Assert.Equal(TrialStatus.Waiting, StateOf(coordinator, "returned").Trials[0].Status), Wait);
        coordinator.Tell(new RequestWork(worker.Ref, "w", 1));
        Assert.Equal(2, Assigned(worker).Single().Attempt);
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
        Assert.Equal(SweepCoordinator.InterruptedReason, state.Trials[interrupted.TrialId].Error);

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
        AwaitAssert(() => Assert.Equal(TrialStatus.Pruned, StateOf(coordinator, "pause").Trials[t[0].TrialId].Status), Wait);

        coordinator.Tell(Epoch(t[2], 1, 0.7)); // three results: trial 0 (0.9) is now the top third and is promoted
        worker.ExpectMsg<CancelTrial>(Wait); // trial 2 pauses in its turn
        AwaitAssert(() => Assert.Equal(TrialStatus.Waiting, StateOf(coordinator, "pause").Trials[t[0].TrialId].Status), Wait);
        coordinator.Tell(new RequestWork(worker.Ref, "w", 1));
        var resumed = Assigned(worker).Single();
        Assert.Equal(t[0].TrialId, resumed.TrialId);
        Assert.Equal(2, resumed.Attempt); // a new attempt, which resumes from the trial's checkpoint
        Assert.Equal(TrialStatus.Pruned, StateOf(coordinator, "pause").Trials[t[1].TrialId].Status);
    }

    [Fact]
    public void ASweepWhoseTrialsAllFailEndsFailed()
    {
        var coordinator = StartCoordinator("fails");
        coordinator.Tell(Sweep("fails", 2), TestActor);
        ExpectMsg<SweepAccepted>(Wait);
        var worker = CreateTestProbe();
        coordinator.Tell(new RequestWork(worker.Ref, "w", 2));
        foreach (var a in Assigned(worker))
            coordinator.Tell(new TrialResult(a.SweepId, a.TrialId, a.Attempt, TrialStatus.Failed, null, null, 3, 5, "training loss became NaN at epoch 3"));
        AwaitAssert(() => Assert.Equal(SweepStatus.Failed, StateOf(coordinator, "fails").Status), Wait);
        Assert.All(StateOf(coordinator, "fails").Trials.Values, t => Assert.StartsWith("training loss became NaN", t.Error));
    }

    static SubmitSweep RetrySweep(string id, int retries)
    {
        var text = $"name: retry\ntask: stateful-counter\nretries: {retries}\nspace: {{units: [4]}}\n";
        var (header, trials) = SweepPlan.For(SpecParser.Parse(text).Spec!, text, id, DateTimeOffset.UtcNow);
        return new SubmitSweep(header, trials);
    }

    static TrialResult Failed(AssignTrial a, string error) =>
        new(a.SweepId, a.TrialId, a.Attempt, TrialStatus.Failed, null, null, 2, 5, error);

    IActorRef Restart(IActorRef coordinator, string id)
    {
        Watch(coordinator);
        Sys.Stop(coordinator);
        ExpectTerminated(coordinator, Wait);
        return StartCoordinator(id);
    }

    [Fact]
    public void AFailedAttemptIsRetriedUntilItHasFailedRetriesPlusOneTimesAndRecoveryCountsTheSame()
    {
        var coordinator = StartCoordinator("retry");
        coordinator.Tell(RetrySweep("retry", 2), TestActor);
        ExpectMsg<SweepAccepted>(Wait);
        var worker = CreateTestProbe();

        coordinator.Tell(new RequestWork(worker.Ref, "w", 1));
        var first = Assigned(worker).Single();
        coordinator.Tell(Failed(first, "CUDA error: out of memory"));
        coordinator.Tell(new RequestWork(worker.Ref, "w", 1));
        var second = Assigned(worker).Single();
        Assert.Equal((first.TrialId, 2), (second.TrialId, second.Attempt));
        Assert.Equal(SweepCoordinator.FailedPrefix + "CUDA error: out of memory", StateOf(coordinator, "retry").Trials[0].Error);

        coordinator.Tell(Failed(second, "boom 2"));
        coordinator.Tell(new RequestWork(worker.Ref, "w", 1));
        Assert.Equal(3, Assigned(worker).Single().Attempt);

        // Restarted with attempt 3 running: the interruption is not the trial's fault and does not count, the two
        // failures replayed from the journal do.
        var recovered = Restart(coordinator, "retry");
        recovered.Tell(new RequestWork(worker.Ref, "w", 1));
        var fourth = Assigned(worker).Single();
        Assert.Equal(4, fourth.Attempt);
        recovered.Tell(Failed(fourth, "boom 3"));

        AwaitAssert(() => Assert.True(StateOf(recovered, "retry").IsFinished), Wait);
        var trial = StateOf(recovered, "retry").Trials[0];
        Assert.Equal(TrialStatus.Failed, trial.Status);
        Assert.Equal("boom 3", trial.Error); // the last error, as the worker gave it
        Assert.Equal(4, trial.Attempts);
        Assert.Equal(SweepStatus.Failed, StateOf(recovered, "retry").Status);
    }

    [Fact]
    public void RetriesZeroFailsOnTheFirstFailure()
    {
        var coordinator = StartCoordinator("noretry");
        coordinator.Tell(RetrySweep("noretry", 0), TestActor);
        ExpectMsg<SweepAccepted>(Wait);
        var worker = CreateTestProbe();
        coordinator.Tell(new RequestWork(worker.Ref, "w", 1));
        coordinator.Tell(Failed(Assigned(worker).Single(), "boom"));
        AwaitAssert(() => Assert.Equal(TrialStatus.Failed, StateOf(coordinator, "noretry").Trials[0].Status), Wait);
        Assert.Equal(1, StateOf(coordinator, "noretry").Trials[0].Attempts);
    }

    [Fact]
    public void ANonFiniteLossIsNotRetried()
    {
        var coordinator = StartCoordinator("nan");
        coordinator.Tell(RetrySweep("nan", 5), TestActor);
        ExpectMsg<SweepAccepted>(Wait);
        var worker = CreateTestProbe();
        coordinator.Tell(new RequestWork(worker.Ref, "w", 1));
        coordinator.Tell(Failed(Assigned(worker).Single(), "training loss became NaN at epoch 2"));
        AwaitAssert(() => Assert.True(StateOf(coordinator, "nan").IsFinished), Wait);
        var trial = StateOf(coordinator, "nan").Trials[0];
        Assert.Equal(TrialStatus.Failed, trial.Status);
        Assert.Equal(1, trial.Attempts);
        Assert.Equal("training loss became NaN at epoch 2", trial.Error);
    }

    [Fact]
    public void ATrialLostMoreThanRetriesTimesFails()
    {
        var coordinator = StartCoordinator("lostloop");
        coordinator.Tell(RetrySweep("lostloop", 1), TestActor);
        ExpectMsg<SweepAccepted>(Wait);

        var w1 = CreateTestProbe();
        coordinator.Tell(new RequestWork(w1.Ref, "w1", 1));
        Assigned(w1).Single();
        Sys.Stop(w1.Ref); // lost once: within the budget, it waits again
        AwaitAssert(() => Assert.Equal(TrialStatus.Waiting, StateOf(coordinator, "lostloop").Trials[0].Status), Wait);

        var w2 = CreateTestProbe();
        coordinator.Tell(new RequestWork(w2.Ref, "w2", 1));
        Assert.Equal(2, Assigned(w2).Single().Attempt);
        Sys.Stop(w2.Ref); // lost twice with retries: 1: the trial fails instead of killing a third worker

        AwaitAssert(() => Assert.True(StateOf(coordinator, "lostloop").IsFinished), Wait);
        var trial = StateOf(coordinator, "lostloop").Trials[0];
        Assert.Equal(TrialStatus.Failed, trial.Status);
        Assert.Equal("lost 2 times; last: worker w2 was lost", trial.Error);
        Assert.Equal(SweepStatus.Failed, StateOf(coordinator, "lostloop").Status);
    }
}
