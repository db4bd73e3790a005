using LstmSweep.Core.Search;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;
using static LstmSweep.Core.Sweeps.SweepCommand;

namespace LstmSweep.Core.Tests;

/// <summary>repeats: N: each configuration trained N times with its own seeds, ranked and learned from by the mean.</summary>
public sealed class RepeatsTests
{
    static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;

    static SweepSpec Parse(string text) => SpecParser.Parse(text).Spec ?? throw new ArgumentException(string.Join("; ", SpecParser.Parse(text).Errors));

    /// <summary>Submits the spec and runs the decider as the coordinator does; returns the state after each command.</summary>
    static SweepState Submit(string text)
    {
        var spec = Parse(text);
        var (header, trials) = SweepPlan.For(spec, text, "s", T0);
        return Do(SweepState.Empty("s"), new Submit(header, trials, T0));
    }

    static SweepState Do(SweepState state, ISweepCommand command)
        => SweepDecider.Decide(state, command).Aggregate(state, (s, e) => s.Apply(e));

    static SweepState Finish(SweepState state, int trial, double accuracy)
    {
        state = Do(state, new RequestWork("w", 1, T0));
        var attempt = state.Trials[trial].Attempts;
        return Do(state, new EndAttempt(trial, attempt, new AttemptOutcome(TrialStatus.Complete, 1 - accuracy, accuracy, 3, 10, null, null), T0));
    }

    [Fact]
    public void EachConfigurationIsPlannedRepeatsTimesInARowWithItsOwnSeeds()
    {
        var spec = Parse("name: r\ntask: stateful-counter\nrepeats: 3\nspace: {units: [4, 8]}\n");
        Assert.Equal(3, spec.Repeats);
        Assert.Equal(6, PlanSize.Trials(spec));
        var (_, trials) = SweepPlan.For(spec, "", "s", T0);
        Assert.Equal([4, 4, 4, 8, 8, 8], trials.Select(t => t.Config.Units));
        Assert.Equal(6, trials.Select(t => t.Seed).Distinct().Count());
        Assert.Equal(1, Parse("name: r\ntask: stateful-counter\n").Repeats);
    }

    [Fact]
    public void RepeatsIsRefusedWithAshaAndBeyondThePlannedTrialsCap()
    {
        var asha = SpecParser.Parse("name: r\ntask: stateful-counter\nscheduler: asha\nasha: {max_epochs: 9}\nrepeats: 2\nspace: {units: [4]}\n");
        Assert.Contains(asha.Errors, e => e.Path == "repeats" && e.Message.Contains("asha"));
        var tooMany = SpecParser.Parse("name: r\ntask: stateful-counter\nstrategy: random\nmax_trials: 9000\nrepeats: 50\nspace: {units: {min: 4, max: 64}}\n");
        Assert.Contains(tooMany.Errors, e => e.Path == "repeats" && e.Message.Contains("450000"));
        Assert.Contains(SpecParser.Parse("name: r\ntask: stateful-counter\nrepeats: 0\n").Errors, e => e.Path == "repeats");
    }

    [Fact]
    public void TheLeaderboardAndTheDocumentsRankConfigurationsByTheMeanOfTheirRepeats()
    {
        var state = Submit("name: r\ntask: stateful-counter\nrepeats: 2\nspace: {units: [4, 8]}\n");
        // Configuration 1 has the single best trial (0.95) but the lower mean (0.70); configuration 0 is steadier (0.80, 0.90).
        foreach (var (trial, accuracy) in new[] { (0, 0.80), (1, 0.90), (2, 0.95), (3, 0.45) })
            state = Finish(state, trial, accuracy);

        Assert.Equal([1, 0, 2, 3], state.Leaderboard().Select(t => t.TrialId));
        var document = SweepDocument.From(state);
        var best = document.Best!;
        Assert.Equal((0, 2), (best.Configuration, best.RepeatsScored));
        Assert.Equal(0.85, best.ObjectiveMean!.Value, 12);
        Assert.Equal(Math.Sqrt(0.005), best.ObjectiveStd!.Value, 12);
        Assert.Equal(0.70, document.Trials.Single(t => t.TrialId == 3).ObjectiveMean!.Value, 12);
        Assert.Contains("\"objective_mean\"", document.ToJson());

        var single = Finish(Submit("name: r\ntask: stateful-counter\nspace: {units: [4]}\n"), 0, 0.5);
        Assert.DoesNotContain("objective_mean", SweepDocument.From(single).ToJson());
    }

    [Fact]
    public void TpeSuggestsOneConfigurationPerRepeatGroupAndLearnsFromItsMean()
    {
        var state = Submit("name: r\ntask: stateful-counter\nstrategy: tpe\nmax_trials: 3\nn_startup_trials: 1\nrepeats: 2\n" +
                           "space: {units: {min: 4, max: 64}, learning_rate: {min: 0.001, max: 0.1, log: true}}\n");
        Assert.Equal(6, state.PlannedTrials);
        state = Do(state, new RequestWork("w", 4, T0));
        Assert.Equal(4, state.Trials.Count);
        Assert.Equal(state.Trials[0].Config, state.Trials[1].Config);
        Assert.Equal(state.Trials[2].Config, state.Trials[3].Config);
        Assert.NotEqual(state.Trials[0].Config, state.Trials[2].Config);

        state = Do(state, new EndAttempt(0, 1, new AttemptOutcome(TrialStatus.Complete, 0.5, 0.6, 3, 10, null, null), T0));
        state = Do(state, new EndAttempt(1, 1, new AttemptOutcome(TrialStatus.Complete, 0.5, 0.8, 3, 10, null, null), T0));
        var history = state.History();
        Assert.Equal(2, history.Count);
        Assert.Equal((0, TrialStatus.Complete), (history[0].TrialNumber, history[0].Status));
        Assert.Equal(0.7, history[0].Objective!.Value, 12);
        Assert.Equal((1, TrialStatus.Running, null), (history[1].TrialNumber, history[1].Status, history[1].Objective));
    }
}
