using LstmSweep.Core.Search;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Tests;

public class AshaSchedulerTests
{
    const SchedulerDecision Continue = SchedulerDecision.Continue, Stop = SchedulerDecision.Stop, Pause = SchedulerDecision.Pause;

    [Theory]
    [InlineData(1, 81, 3, 1, 0, new[] { 1, 3, 9, 27 })] // 81 itself is the end of training, not a rung
    [InlineData(5, 243, 3, 1, 0, new[] { 5, 15, 45, 135 })]
    [InlineData(5, 243, 3, 3, 1, new[] { 15, 45, 135 })]
    [InlineData(5, 243, 3, 3, 2, new[] { 45, 135 })]
    [InlineData(1, 16, 2, 1, 0, new[] { 1, 2, 4, 8 })]
    [InlineData(1, 10, 4, 2, 1, new[] { 4 })]
    [InlineData(2, 2, 3, 1, 0, new int[0])]
    [InlineData(1, 9, 3, 3, 2, new int[0])] // bracket 2 starts at 9 = max_epochs: its trials train to the end
    public void Rungs_are_min_epochs_times_powers_of_eta_below_max_epochs(int min, int max, int eta, int brackets, int bracket, int[] rungs)
    {
        Assert.Equal(rungs, new AshaSettings(min, max, eta, brackets).RungEpochs(bracket));
    }

    [Theory]
    [InlineData(5, 243, 3, 4)]
    [InlineData(1, 81, 3, 5)]
    [InlineData(1, 80, 3, 4)]
    [InlineData(7, 7, 2, 1)]
    [InlineData(1, int.MaxValue, 2, 31)] // 2^30 is the last power of two below int.MaxValue
    public void Max_brackets_keeps_every_bracket_start_within_max_epochs(int min, int max, int eta, int expected)
    {
        Assert.Equal(expected, AshaSettings.MaxBrackets(min, max, eta));
    }

    [Fact]
    public void TrialsAreAssignedToBracketsRoundRobin()
    {
        var settings = new AshaSettings(1, 81, 3, Brackets: 3);

        Assert.Equal([0, 1, 2, 0, 1, 2, 0], Enumerable.Range(0, 7).Select(settings.BracketOf));
    }

    /// <summary>Accuracies at rung 1 of (η = 3, rungs 1 and 3), and the decision worked out by hand for each.</summary>
    static readonly (int Trial, double Accuracy, SchedulerDecision Expected)[] FirstRung =
    [
        (0, 0.50, Continue), // n=1: no results yet, k = max(1, 0) = 1
        (1, 0.40, Stop),     // n=2, k=1: 0.50 is better
        (2, 0.60, Continue), // n=3, k=1: best so far
        (3, 0.55, Stop),     // n=4, k=1: 0.60 is better
        (4, 0.58, Stop),     // n=5, k=1: 0.60 is better
        (5, 0.57, Stop),     // n=6, k=2: 0.60 and 0.58 are better
        (6, 0.59, Continue), // n=7, k=2: only 0.60 is better
        (7, 0.60, Continue), // n=8, k=2: ties with 0.60, none strictly better
    ];

    /// <summary>The same race in loss (1 − accuracy, minimised) must decide the same.</summary>
    static double InDirection(Objective objective, double accuracy) => objective == Objective.Accuracy ? accuracy : 1 - accuracy;

    [Theory]
    [InlineData(Objective.Accuracy)]
    [InlineData(Objective.Loss)]
    public void ATrialGoesOnOnlyWithinTheTopThirdOfItsRungSoFar(Objective objective)
    {
        var asha = new AshaScheduler(new AshaSettings(1, 9, 3), objective);
        var state = RungState.Empty;

        foreach (var (trial, accuracy, expected) in FirstRung)
        {
            var step = asha.Report(state, new EpochObservation(trial, 1, InDirection(objective, accuracy)));
            Assert.True(expected == step.Decision, $"trial {trial}: expected {expected}, got {step.Decision}");
            state = step.State;
        }

        // Between rungs a trial keeps its last rung's decision, and a late report of a stopped trial stays stopped.
        Assert.Equal(Continue, asha.Report(state, new EpochObservation(0, 2, InDirection(objective, 0.1))).Decision);
        Assert.Equal(Stop, asha.Report(state, new EpochObservation(1, 2, InDirection(objective, 0.99))).Decision);

        // Rung 3 starts its own race.
        var atRung3 = asha.Report(state, new EpochObservation(0, 3, InDirection(objective, 0.70)));
        Assert.Equal(Continue, atRung3.Decision);
        Assert.Equal(Stop, asha.Report(atRung3.State, new EpochObservation(2, 3, InDirection(objective, 0.65))).Decision);
        Assert.Equal(Continue, asha.Report(atRung3.State, new EpochObservation(2, 3, InDirection(objective, 0.75))).Decision);
    }

    [Fact]
    public void ReportsBeforeTheFirstRungAndAtMaxEpochsAlwaysContinue()
    {
        var asha = new AshaScheduler(new AshaSettings(5, 20, 2), Objective.Loss);
        var state = asha.Report(RungState.Empty, new EpochObservation(0, 5, 0.1)).State;

        var early = asha.Report(state, new EpochObservation(1, 4, 9.0));
        Assert.Equal(Continue, early.Decision);
        Assert.Same(state, early.State);
        Assert.Equal(Continue, asha.Report(state, new EpochObservation(2, 20, 9.0)).Decision);
    }

    [Fact]
    public void ADivergedObjectiveStopsTheTrialEvenAtAnEmptyRung()
    {
        var asha = new AshaScheduler(new AshaSettings(1, 9, 3), Objective.Loss);

        Assert.Equal(Stop, asha.Report(RungState.Empty, new EpochObservation(0, 1, double.NaN)).Decision);
        Assert.Equal(Stop, asha.Report(RungState.Empty, new EpochObservation(0, 1, double.PositiveInfinity)).Decision);
    }

    [Fact]
    public void AReportThatSkipsEpochsIsJudgedAtTheHighestRungItPassed()
    {
        var asha = new AshaScheduler(new AshaSettings(1, 27, 3), Objective.Accuracy);

        var step = asha.Report(RungState.Empty, new EpochObservation(0, 4, 0.5));

        Assert.Equal(3, Assert.Single(step.State.Entries).Epoch);
    }

    [Fact]
    public void EachBracketRacesOnlyItsOwnTrials()
    {
        // Bracket 0: rungs 1 and 3; bracket 1: rung 3 only.
        var asha = new AshaScheduler(new AshaSettings(1, 9, 3, Brackets: 2), Objective.Accuracy);
        var state = RungState.Empty;
        SchedulerDecision Report(int trial, int epoch, double accuracy)
        {
            var step = asha.Report(state, new EpochObservation(trial, epoch, accuracy));
            state = step.State;
            return step.Decision;
        }

        Assert.Equal(Continue, Report(0, 1, 0.9));
        Assert.Equal(Continue, Report(0, 3, 0.9));
        Assert.Equal(Continue, Report(1, 1, 0.1)); // bracket 1 has no rung at epoch 1
        Assert.Equal(Continue, Report(1, 3, 0.1)); // first at bracket 1's rung 3, whatever bracket 0 scored there
        Assert.Equal(Stop, Report(3, 3, 0.05));    // bracket 1 again: 0.1 is better
        Assert.Equal(Stop, Report(2, 1, 0.1));     // bracket 0: 0.9 is better
    }

    [Fact]
    public void PauseVariantPausesBelowTheTopAndPromotesOnceEnoughWorseResultsArrive()
    {
        // η = 2, rungs 1 and 2, max 4; pause: a trial must be in the top ⌊n/2⌋ (no floor of one).
        var asha = new AshaScheduler(new AshaSettings(1, 4, 2, PauseAtRungs: true), Objective.Accuracy);
        var state = RungState.Empty;
        SchedulerDecision Report(int trial, int epoch, double accuracy)
        {
            var step = asha.Report(state, new EpochObservation(trial, epoch, accuracy));
            state = step.State;
            return step.Decision;
        }
        int[] Promotable() => asha.PromotableTrials(state).Select(e => e.TrialNumber).ToArray();

        Assert.Equal(Pause, Report(0, 1, 0.5)); // n=1, k=0
        Assert.Empty(Promotable());
        Assert.Equal(Pause, Report(1, 1, 0.3)); // n=2, k=1: 0.5 is better
        Assert.Equal([0], Promotable());        // 0.5 is now the top 1 of 2
        var entry = Assert.Single(asha.PromotableTrials(state));
        Assert.Equal((0, 1), (entry.TrialNumber, entry.Epoch)); // resume trial 0 from its epoch-1 checkpoint

        state = asha.Promote(state, new TrialPromotion(0));
        Assert.Empty(Promotable());
        Assert.Same(state, asha.Promote(state, new TrialPromotion(0))); // promoting twice changes nothing
        Assert.Equal(Pause, Report(0, 2, 0.8)); // alone at rung 2: k=0
        Assert.Equal(Pause, Report(2, 1, 0.4)); // n=3, k=1: 0.5 is better
        Assert.Empty(Promotable());
        Assert.Equal(Pause, Report(3, 1, 0.2)); // n=4, k=2: three better
        Assert.Equal([2], Promotable());        // 0.4 now has only 0.5 above it, within the top 2
        Assert.Equal(Continue, Report(4, 1, 0.9)); // n=5, k=2: best, goes straight on
        Assert.Empty(Promotable());             // and pushes 0.4 out of the top 2 again (0.9 and 0.5 are better)

        Assert.Throws<ArgumentException>(() => asha.Promote(state, new TrialPromotion(1)));
        Assert.Throws<ArgumentException>(() => asha.Promote(state, new TrialPromotion(4)));
    }

    [Fact]
    public void PromotableTrialsComeFromTheHighestRungFirstThenBestFirst()
    {
        var asha = new AshaScheduler(new AshaSettings(1, 8, 2, PauseAtRungs: true), Objective.Loss);
        var inputs = new List<SchedulerInput>
        {
            // Rung 1: losses 0.1 .. 0.6 for trials 0..5; trials 0, 1 continue or get promoted on to rung 2.
            new EpochObservation(0, 1, 0.1), new EpochObservation(1, 1, 0.2), new EpochObservation(2, 1, 0.3),
            new EpochObservation(3, 1, 0.4), new EpochObservation(4, 1, 0.5), new EpochObservation(5, 1, 0.6),
        };
        var state = asha.Replay(inputs);
        // Rung 1 holds 6 results, so its top 3 (0.1, 0.2, 0.3) are promotable, best first.
        Assert.Equal([0, 1, 2], asha.PromotableTrials(state).Select(e => e.TrialNumber));

        foreach (var trial in new[] { 0, 1 })
            state = asha.Promote(state, new TrialPromotion(trial));
        state = asha.Report(state, new EpochObservation(0, 2, 0.05)).State;
        state = asha.Report(state, new EpochObservation(1, 2, 0.5)).State;
        // Rung 2: 0.05 tops 2 results (k=1) so trial 0 waits there promotable, ahead of rung 1's trial 2.
        Assert.Equal([(0, 2), (2, 1)], asha.PromotableTrials(state).Select(e => (e.TrialNumber, e.Epoch)));
    }

    [Fact]
    public void FifoNeverStopsAndPausesNothing()
    {
        var fifo = FifoScheduler.Instance;

        var step = fifo.Report(RungState.Empty, new EpochObservation(0, 1, double.NaN));

        Assert.Equal(Continue, step.Decision);
        Assert.Empty(step.State.Entries);
        Assert.Empty(fifo.PromotableTrials(step.State));
        Assert.Throws<ArgumentException>(() => fifo.Promote(step.State, new TrialPromotion(0)));
    }

    /// <summary>A seeded stream of reports from 12 trials racing to 27 epochs, with promotions taken when offered.</summary>
    static (List<SchedulerInput> Inputs, List<SchedulerDecision> Decisions, RungState State) RunRace(AshaScheduler asha, int seed)
    {
        var random = new Random(seed);
        var inputs = new List<SchedulerInput>();
        var decisions = new List<SchedulerDecision>();
        var state = RungState.Empty;
        var epochOf = new Dictionary<int, int>();
        var running = new HashSet<int>();
        var quality = Enumerable.Range(0, 12).Select(_ => random.NextDouble()).ToArray();
        for (var trial = 0; trial < 12; trial++)
        {
            running.Add(trial);
            epochOf[trial] = 0;
            // Interleave the running trials' epochs at random, as parallel workers would.
            for (var tick = 0; tick < 6 && running.Count > 0; tick++)
            {
                var t = running.ElementAt(random.Next(running.Count));
                var report = new EpochObservation(t, ++epochOf[t], quality[t] * (1 - 1.0 / (epochOf[t] + 1)));
                var step = asha.Report(state, report);
                state = step.State;
                inputs.Add(report);
                decisions.Add(step.Decision);
                if (step.Decision != Continue || epochOf[t] >= asha.Settings.MaxEpochs) running.Remove(t);
            }
            foreach (var promotable in asha.PromotableTrials(state).Take(1))
            {
                var promotion = new TrialPromotion(promotable.TrialNumber);
                state = asha.Promote(state, promotion);
                inputs.Add(promotion);
                running.Add(promotable.TrialNumber);
            }
        }
        return (inputs, decisions, state);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    [InlineData(true, 3)]
    public void ReplayingTheSameInputsRebuildsTheSameStateAndDecisions(bool pause, int brackets)
    {
        var asha = new AshaScheduler(new AshaSettings(1, 27, 3, brackets, pause), Objective.Accuracy);
        var (inputs, decisions, live) = RunRace(asha, seed: 7 + brackets);
        Assert.Contains(decisions, d => d != Continue); // the race exercises more than one outcome

        // A restarted coordinator replays its journal, split anywhere, and carries on from the same state.
        var half = inputs.Count / 2;
        var rebuilt = asha.Replay(inputs.Take(half));
        Assert.Equal(asha.Replay(inputs.Take(half)), rebuilt);
        var replayedDecisions = new List<SchedulerDecision>();
        foreach (var input in inputs.Skip(half))
        {
            if (input is EpochObservation report)
            {
                var step = asha.Report(rebuilt, report);
                replayedDecisions.Add(step.Decision);
                rebuilt = step.State;
            }
            else
                rebuilt = asha.Promote(rebuilt, (TrialPromotion)input);
        }
        var reportsBeforeHalf = inputs.Take(half).Count(i => i is EpochObservation);
        Assert.Equal(decisions.Skip(reportsBeforeHalf), replayedDecisions);
        Assert.Equal(live, rebuilt);
        Assert.Equal(live, asha.Replay(inputs));
        Assert.Equal(asha.PromotableTrials(live), asha.PromotableTrials(rebuilt));

        // Re-delivering every report to the final state changes nothing and repeats each rung's decision.
        foreach (var report in inputs.OfType<EpochObservation>())
            Assert.Equal(live, asha.Report(live, report).State);
    }

    [Fact]
    public void APrunedTrialIsItsOwnStatusNeverCountedAsFailed()
    {
        Assert.Equal("pruned", TrialStatus.Pruned.ToName());
        Assert.NotEqual(TrialStatus.Failed.ToName(), TrialStatus.Pruned.ToName());
        Assert.True(Names.TryParseTrialStatus("pruned", out var parsed));
        Assert.Equal(TrialStatus.Pruned, parsed);

        var config = new TrialConfig(10, MergeMode.None, false, 9, 0.01, 1, 1);
        var t0 = DateTimeOffset.UnixEpoch;
        var state = SweepState.Fold("s",
        [
            new SweepSubmitted("s", "s", new TaskSpec(TaskKind.Cumsum, new TaskOptions()), Objective.Accuracy, SearchStrategy.Asha, 1, "", t0),
            new TrialScheduled("s", 0, config, 1),
            new TrialStarted("s", 0, 1, "w", t0),
            new TrialFinished("s", 0, 1, TrialStatus.Pruned, 0.9, 0.4, 1, 10, null, t0),
        ]);

        Assert.Equal(1, state.Count(TrialStatus.Pruned));
        Assert.Equal(0, state.Count(TrialStatus.Failed));
        var counts = SweepDocument.From(state).Counts;
        Assert.Equal(1, counts["pruned"]);
        Assert.Equal(0, counts["failed"]);
    }
}
