using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;
using static LstmSweep.Core.Sweeps.SweepCommand;

namespace LstmSweep.Core.Tests;

/// <summary>
/// The sweep's rules, as the pure decider applies them: a state and a command in, events out. The coordinator only
/// persists these events and routes them, so what these tests pin is what a sweep does.
/// </summary>
public sealed class SweepDeciderTests
{
    static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;

    /// <summary>A sweep driven through the decider, each decision applied as the coordinator does.</summary>
    sealed class Sweep
    {
        public SweepState State { get; private set; }
        public List<ISweepEvent> Journal { get; } = new();

        public Sweep(string specText)
        {
            var spec = SpecParser.Parse(specText).Spec ?? throw new ArgumentException(string.Join("; ", SpecParser.Parse(specText).Errors));
            var (header, trials) = SweepPlan.For(spec, specText, "s", T0);
            State = SweepState.Empty("s");
            Do(new Submit(header, trials, T0));
        }

        public IReadOnlyList<ISweepEvent> Do(ISweepCommand command)
        {
            var events = SweepDecider.Decide(State, command);
            foreach (var e in events) State = State.Apply(e);
            Journal.AddRange(events);
            return events;
        }

        public List<TrialStarted> Ask(string worker, int slots)
            => Do(new RequestWork(worker, slots, T0)).OfType<TrialStarted>().ToList();

        public IReadOnlyList<ISweepEvent> Epoch(TrialStarted a, int epoch, double accuracy)
            => Do(new ReportEpoch(a.TrialId, a.Attempt, new EpochMetrics(epoch, 1 - accuracy, accuracy, 0.5), T0));

        public IReadOnlyList<ISweepEvent> End(TrialStarted a, TrialStatus status, double? accuracy = null, string? error = null, FailureKind? failure = null)
            => Do(new EndAttempt(a.TrialId, a.Attempt, new AttemptOutcome(status, accuracy is null ? null : 1 - accuracy, accuracy, 3, 10, error, failure), T0));

        public IReadOnlyList<ISweepEvent> Lose(params TrialStarted[] attempts)
            => Do(new LoseAttempts(attempts.Select(a => new TrialAttempt(a.TrialId, a.Attempt)).ToList(), T0));

        public TrialState this[int trial] => State.Trials[trial];
    }

    static string Grid(int trials, int retries = 2) =>
        $"name: t\ntask: stateful-counter\nretries: {retries}\nspace: {{units: [{string.Join(", ", Enumerable.Range(4, trials))}]}}\n";

    static string Asha(bool pause) => $$"""
        name: asha
        task: stateful-counter
        strategy: grid
        scheduler: asha
        asha: {min_epochs: 1, max_epochs: 9, reduction_factor: 3, pause: {{(pause ? "true" : "false")}}}
        space: {units: [4, 5, 6, 7]}
        """;

    [Fact]
    public void EachTrialHasExactlyOneResultWhateverIsDeliveredTwiceOrLate()
    {
        var sweep = new Sweep(Grid(2));
        var (a0, a1) = sweep.Ask("w", 2) switch { var a => (a[0], a[1]) };
        Assert.NotEmpty(sweep.End(a0, TrialStatus.Complete, 0.75));
        Assert.Empty(sweep.End(a0, TrialStatus.Complete, 0.10));                    // duplicate
        Assert.Empty(sweep.End(a1 with { Attempt = 7 }, TrialStatus.Complete, 0.99)); // an attempt that never ran
        Assert.Empty(sweep.Epoch(a0, 3, 0.2));                                       // late progress of a finished attempt
        var last = sweep.End(a1, TrialStatus.Complete, 0.5);

        Assert.Equal(SweepStatus.Completed, Assert.IsType<SweepFinished>(last[^1]).Status);
        Assert.Equal(0.75, sweep[0].Accuracy);
        Assert.Equal(0.5, sweep[1].Accuracy);
        Assert.All(sweep.State.Trials.Values, t => Assert.Equal(1, t.Attempts));
    }

    [Fact]
    public void AWorkerIsNeverGivenMoreThanItAsksFor()
    {
        var sweep = new Sweep(Grid(5));
        Assert.Equal(2, sweep.Ask("w", 2).Count);
        Assert.Single(sweep.Ask("w", 1));
        Assert.Equal(2, sweep.Ask("w", 9).Count); // only two were left
        Assert.Empty(sweep.Ask("w", 1));
        Assert.Empty(sweep.Ask("w", 0));
    }

    [Fact]
    public void ALostAttemptWaitsAgainAndItsLateResultIsIgnored()
    {
        var sweep = new Sweep(Grid(1));
        var first = sweep.Ask("doomed", 1).Single();
        var lost = Assert.IsType<TrialRequeued>(sweep.Lose(first).Single());
        Assert.Equal(RequeueReason.WorkerLost, lost.Kind);
        Assert.Equal("worker doomed was lost", lost.Reason);
        Assert.Equal(1, sweep[0].LostAttempts); // the budget readers see

        var second = sweep.Ask("survivor", 1).Single();
        Assert.Equal(2, second.Attempt);
        Assert.Empty(sweep.End(first, TrialStatus.Complete, 0.99)); // the dead attempt reports late
        sweep.End(second, TrialStatus.Complete, 0.6);
        Assert.Equal(0.6, sweep[0].Accuracy);
        Assert.True(sweep.State.IsFinished);
    }

    [Fact]
    public void ATrialLostMoreThanRetriesTimesFails()
    {
        var sweep = new Sweep(Grid(1, retries: 1));
        sweep.Lose(sweep.Ask("w1", 1).Single());
        Assert.Equal(TrialStatus.Waiting, sweep[0].Status);
        var events = sweep.Lose(sweep.Ask("w2", 1).Single());
        var failed = Assert.IsType<TrialFinished>(events[0]);
        Assert.Equal((TrialStatus.Failed, FailureKind.WorkerLost), (failed.Status, failed.Failure));
        Assert.Equal("lost 2 times; last: worker w2 was lost", sweep[0].Error);
        Assert.Equal(SweepStatus.Failed, sweep.State.Status);
    }

    [Fact]
    public void AFailedAttemptIsRetriedUntilItHasFailedRetriesPlusOneTimesAndARecoveryCountsTheSame()
    {
        var sweep = new Sweep(Grid(1, retries: 2));
        var requeued = Assert.IsType<TrialRequeued>(sweep.End(sweep.Ask("w", 1).Single(), TrialStatus.Failed, error: "CUDA error: out of memory", failure: FailureKind.Error).Single());
        Assert.Equal(RequeueReason.FailedRetry, requeued.Kind);
        Assert.Equal("failed: CUDA error: out of memory", sweep[0].Error);
        sweep.End(sweep.Ask("w", 1).Single(), TrialStatus.Failed, error: "boom 2");
        Assert.Equal(2, sweep[0].FailedAttempts);
        Assert.Equal(3, sweep.Ask("w", 1).Single().Attempt);

        // Recovered with attempt 3 running: the interruption is not the trial's fault and does not count; the two
        // failures, folded from the journal, do.
        var recovered = SweepState.Fold("s", sweep.Journal);
        Assert.Equal(sweep.State.Trials[0], recovered.Trials[0]);
        var interrupted = Assert.IsType<TrialRequeued>(sweep.Do(new Recover(T0)).Single());
        Assert.Equal((RequeueReason.Interrupted, SweepDecider.InterruptedReason), (interrupted.Kind, interrupted.Reason));
        var fourth = sweep.Ask("w", 1).Single();
        Assert.Equal(4, fourth.Attempt);
        sweep.End(fourth, TrialStatus.Failed, error: "boom 3");
        Assert.Equal((TrialStatus.Failed, "boom 3", 4), (sweep[0].Status, sweep[0].Error, sweep[0].Attempts));
        Assert.Equal(SweepStatus.Failed, sweep.State.Status);
    }

    [Fact]
    public void RetriesZeroFailsOnTheFirstFailure()
    {
        var sweep = new Sweep(Grid(1, retries: 0));
        sweep.End(sweep.Ask("w", 1).Single(), TrialStatus.Failed, error: "boom");
        Assert.Equal((TrialStatus.Failed, 1, FailureKind.Error), (sweep[0].Status, sweep[0].Attempts, sweep[0].Failure));
    }

    [Fact]
    public void ANonFiniteLossIsNeverRetriedBecauseItsKindSaysSoWhateverTheWording()
    {
        var sweep = new Sweep(Grid(2, retries: 5));
        var (nan, worded) = sweep.Ask("w", 2) switch { var a => (a[0], a[1]) };
        sweep.End(nan, TrialStatus.Failed, error: "the loss went away", failure: FailureKind.NonFiniteLoss);
        Assert.Equal((TrialStatus.Failed, 1), (sweep[nan.TrialId].Status, sweep[nan.TrialId].Attempts));
        // The old wording without the kind is an error like any other: retried.
        sweep.End(worded, TrialStatus.Failed, error: "training loss became NaN at epoch 2", failure: FailureKind.Error);
        Assert.Equal(TrialStatus.Waiting, sweep[worded.TrialId].Status);
    }

    [Fact]
    public void AReturnedAttemptWaitsAndDoesNotCountAgainstRetries()
    {
        var sweep = new Sweep(Grid(1, retries: 0));
        var first = sweep.Ask("w", 1).Single();
        var returned = Assert.IsType<TrialRequeued>(sweep.Do(new ReturnAttempt(first.TrialId, first.Attempt, "no free slot", T0)).Single());
        Assert.Equal(RequeueReason.Returned, returned.Kind);
        Assert.Equal(0, sweep[0].SpentAttempts);
        Assert.Equal(2, sweep.Ask("w", 1).Single().Attempt);
    }

    [Fact]
    public void CancellingCancelsWaitingTrialsAndTheSweepEndsWhenTheRunningOnesReport()
    {
        var sweep = new Sweep(Grid(3));
        var running = sweep.Ask("w", 1).Single();
        var events = sweep.Do(new Cancel(T0));
        Assert.IsType<SweepCancelRequested>(events[0]);
        Assert.Equal(2, events.OfType<TrialFinished>().Count(f => f.Status == TrialStatus.Cancelled));
        Assert.False(sweep.State.IsFinished);
        Assert.Empty(sweep.Ask("w", 2));          // nothing starts in a cancelled sweep
        Assert.Empty(sweep.Do(new Cancel(T0)));   // cancelling twice decides nothing
        Assert.False(sweep.State.HasWork);

        sweep.End(running, TrialStatus.Cancelled);
        Assert.Equal(SweepStatus.Cancelled, sweep.State.Status);
        Assert.All(sweep.State.Trials.Values, t => Assert.Equal(TrialStatus.Cancelled, t.Status));
    }

    [Fact]
    public void AnAttemptLostInACancelledSweepEndsCancelled()
    {
        var sweep = new Sweep(Grid(1));
        var running = sweep.Ask("w", 1).Single();
        sweep.Do(new Cancel(T0));
        sweep.Lose(running);
        Assert.Equal(TrialStatus.Cancelled, sweep[0].Status);
        Assert.Equal(SweepStatus.Cancelled, sweep.State.Status);
    }

    [Fact]
    public void ASweepWithNothingToTryEndsAtOnceAndOneWhoseTrialsAllFailEndsFailed()
    {
        var header = new SweepSubmitted("e", "e", new TaskSpec(TaskKind.Cumsum, new TaskOptions()), Objective.Accuracy, SearchStrategy.Grid, 1, "", T0);
        var events = SweepDecider.Decide(SweepState.Empty("e"), new Submit(header, [], T0));
        Assert.Equal(SweepStatus.Failed, Assert.IsType<SweepFinished>(events[^1]).Status);

        var sweep = new Sweep(Grid(2, retries: 0));
        foreach (var a in sweep.Ask("w", 2)) sweep.End(a, TrialStatus.Failed, error: "boom");
        Assert.Equal(SweepStatus.Failed, sweep.State.Status);
        Assert.Single(sweep.Journal.OfType<SweepFinished>());
        Assert.Empty(sweep.Do(new Recover(T0))); // a finished sweep recovers as it was
    }

    [Fact]
    public void ASecondSubmitDecidesNothing()
    {
        var sweep = new Sweep(Grid(1));
        var (header, trials) = SweepPlan.For(SpecParser.Parse(Grid(1)).Spec!, Grid(1), "s", T0);
        Assert.Empty(sweep.Do(new Submit(header, trials, T0)));
    }

    [Fact]
    public void AshaPrunesAtARungAndTheFoldedRungsDecideTheSameAfterARecovery()
    {
        var sweep = new Sweep(Asha(pause: false));
        var t = sweep.Ask("w", 4);
        Assert.All(t, a => Assert.Equal(9, sweep[a.TrialId].Config.Epochs)); // the resource is asha.max_epochs
        Assert.Single(sweep.Epoch(t[0], 1, 0.9)); // first at rung 1: goes on
        var pruned = Assert.IsType<TrialFinished>(sweep.Epoch(t[1], 1, 0.5)[1]);
        Assert.Equal((TrialStatus.Pruned, 1, 0.5), (pruned.Status, pruned.EpochsRun, pruned.Accuracy));
        Assert.Equal(2, sweep.State.Rungs.Entries.Count);

        // A recovered state has the same rungs: 0.7 is behind 0.9 at rung 1, so it is pruned too.
        var recovered = SweepState.Fold("s", sweep.Journal);
        Assert.Equal(sweep.State.Rungs, recovered.Rungs);
        var events = SweepDecider.Decide(recovered, new ReportEpoch(t[2].TrialId, t[2].Attempt, new EpochMetrics(1, 0.3, 0.7, 0.5), T0));
        Assert.Equal(TrialStatus.Pruned, Assert.IsType<TrialFinished>(events[1]).Status);
        Assert.Equal(0, sweep.State.Count(TrialStatus.Failed)); // pruned is never failed
    }

    [Fact]
    public void APausedTrialIsPausedWhileTheSweepRunsIsPromotedWhenLaterResultsPutItInTheTopThirdAndNoneIsPausedAtTheEnd()
    {
        var sweep = new Sweep(Asha(pause: true));
        var t = sweep.Ask("w", 3);
        var paused = Assert.IsType<TrialFinished>(sweep.Epoch(t[0], 1, 0.9)[1]); // alone: the top ⌊1/3⌋ = 0 places
        Assert.Equal(TrialStatus.Paused, paused.Status);
        Assert.Equal(TrialStatus.Paused, sweep[t[0].TrialId].Status);
        sweep.Epoch(t[1], 1, 0.5);
        Assert.Equal(2, sweep.State.Count(TrialStatus.Paused));
        Assert.False(sweep[t[0].TrialId].IsFinished);

        var events = sweep.Epoch(t[2], 1, 0.7); // three results: trial 0 (0.9) is now the top third
        Assert.Equal(TrialStatus.Paused, Assert.IsType<TrialFinished>(events[1]).Status);
        Assert.Equal(t[0].TrialId, Assert.IsType<TrialPromoted>(events[2]).TrialId);
        Assert.Equal(TrialStatus.Waiting, sweep[t[0].TrialId].Status);
        var resumed = sweep.Ask("w", 2);
        Assert.Equal([(t[0].TrialId, 2), (3, 1)], resumed.Select(a => (a.TrialId, a.Attempt)));

        sweep.End(resumed[1], TrialStatus.Complete, 0.6);
        Assert.True(sweep.State.Count(TrialStatus.Paused) > 0); // still paused while trial 0 runs
        var last = sweep.End(resumed[0], TrialStatus.Complete, 0.95);
        Assert.Equal(SweepStatus.Completed, Assert.IsType<SweepFinished>(last[^1]).Status);
        Assert.Equal(0, sweep.State.Count(TrialStatus.Paused));
        Assert.Equal(2, sweep.State.Count(TrialStatus.Pruned)); // those never promoted end pruned, metrics kept
        Assert.Equal(0.5, sweep[t[1].TrialId].Accuracy);
    }

    [Fact]
    public void TpeSuggestsTrialsAsWorkersAskAndParallelSuggestionsDiffer()
    {
        var text = "name: tpe\ntask: stateful-counter\nstrategy: tpe\nmax_trials: 4\nn_startup_trials: 1\nspace: {units: {min: 2, max: 64}, learning_rate: {min: 0.001, max: 0.1, log: true}}\n";
        var sweep = new Sweep(text);
        Assert.Empty(sweep.State.Trials);
        Assert.True(sweep.State.HasWork);
        var first = sweep.Ask("w", 2);
        Assert.Equal(2, first.Count);
        Assert.NotEqual(sweep[0].Config, sweep[1].Config);
        foreach (var a in first) sweep.End(a, TrialStatus.Complete, 0.5 + a.TrialId / 10.0);
        Assert.Equal(2, sweep.Ask("w", 5).Count); // max_trials caps the suggestions
        Assert.Equal(0, sweep.State.TrialsNotYetScheduled);

        // The same history suggests the same trials: a recovered coordinator continues the same search.
        var again = new Sweep(text);
        foreach (var a in again.Ask("w", 2)) again.End(a, TrialStatus.Complete, 0.5 + a.TrialId / 10.0);
        again.Ask("w", 5);
        Assert.Equal(sweep.State.Trials.Values.Select(t => t.Config), again.State.Trials.Values.Select(t => t.Config));
    }
}
