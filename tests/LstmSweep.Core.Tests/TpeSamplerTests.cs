using LstmSweep.Core.Search;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using LstmSweep.Core.Sweeps;

namespace LstmSweep.Core.Tests;

public class TpeSamplerTests
{
    static SweepSpec Spec(string yaml)
    {
        var result = SpecParser.Parse("name: s\ntask: cumsum\n" + yaml);
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return result.Spec!;
    }

    const string SyntheticSpace =
        "space:\n  learning_rate: {min: 0.0001, max: 1, log: true}\n  units: {min: 8, max: 256}\n  merge_mode: [none, concat, sum, mul, ave]\n";

    static SweepSpec Synthetic(string strategy, long seed, int maxTrials = 60) =>
        Spec($"strategy: {strategy}\nmax_trials: {maxTrials}\nseed: {seed}\n" + SyntheticSpace);

    /// <summary>Best at learning_rate 1e-2, units 64, merge_mode concat; reported as an accuracy (maximised).</summary>
    static double Objective(TrialConfig c) =>
        -Math.Pow(Math.Log10(c.LearningRate) + 2, 2) - Math.Pow((c.Units - 64) / 32.0, 2) - (c.MergeMode == MergeMode.Concat ? 0 : 1);

    static double DistanceFromOptimum(TrialConfig c) => Math.Sqrt(-Objective(c));

    /// <summary>Runs a sweep one trial at a time, each finishing before the next is suggested.</summary>
    static List<TrialConfig> RunSequentially(ISampler sampler, int trials)
    {
        var history = new List<TrialObservation>();
        for (var n = 0; n < trials; n++)
        {
            var config = sampler.Suggest(n, history)!;
            history.Add(new TrialObservation(n, config, TrialStatus.Complete, Objective(config)));
        }
        return history.Select(o => o.Config).ToList();
    }

    [Fact]
    public void TheSameSeedAndHistoryGiveTheSameSuggestions()
    {
        var first = RunSequentially(Samplers.For(Synthetic("tpe", seed: 3)), 40);
        var second = RunSequentially(Samplers.For(Synthetic("tpe", seed: 3)), 40);
        var otherSeed = RunSequentially(Samplers.For(Synthetic("tpe", seed: 4)), 40);

        Assert.Equal(first, second);
        Assert.NotEqual(first.Skip(10), otherSeed.Skip(10));
    }

    [Fact]
    public void TheOrderTheHistoryComesInDoesNotMatter()
    {
        var sampler = Samplers.For(Synthetic("tpe", seed: 5));
        var history = RunSequentially(sampler, 30)
            .Select((config, n) => new TrialObservation(n, config, TrialStatus.Complete, Objective(config)))
            .ToList();
        var shuffled = history.OrderBy(o => (o.TrialNumber * 7919) % 31).ToList();

        Assert.Equal(sampler.Suggest(30, history), sampler.Suggest(30, shuffled));
    }

    [Fact]
    public void StartupTrialsAreExactlyTheRandomSamplers()
    {
        var spec = Synthetic("tpe", seed: 9) with { NStartupTrials = 12 };
        var tpe = RunSequentially(Samplers.For(spec), 15);
        var random = Samplers.Expand(Synthetic("random", seed: 9, maxTrials: 15));

        Assert.Equal(random.Take(12), tpe.Take(12));
        Assert.NotEqual(random.Skip(12), tpe.Skip(12));
    }

    [Fact]
    public void OnlyCompleteAndPrunedTrialsWithAnObjectiveCountTowardsStartup()
    {
        var spec = Synthetic("tpe", seed: 1) with { NStartupTrials = 3 };
        var sampler = Samplers.For(spec);
        var random = new RandomSampler(spec.Space, spec.Seed, 60);
        var configs = Samplers.Expand(Synthetic("random", seed: 2, maxTrials: 3));
        TrialObservation Observed(int n, TrialStatus status, double? objective) => new(n, configs[n], status, objective);

        List<TrialObservation> notCounted =
            [Observed(0, TrialStatus.Failed, null), Observed(1, TrialStatus.Running, null), Observed(2, TrialStatus.Complete, double.NaN)];
        Assert.Equal(random.Suggest(3, notCounted), sampler.Suggest(3, notCounted));

        List<TrialObservation> counted =
            [Observed(0, TrialStatus.Pruned, -3.0), Observed(1, TrialStatus.Complete, -0.5), Observed(2, TrialStatus.Pruned, -2.0)];
        Assert.NotEqual(random.Suggest(3, counted), sampler.Suggest(3, counted));
    }

    [Fact]
    public void SuggestionsStayWithinTheSpaceAndTheBudget()
    {
        var sampler = Samplers.For(Synthetic("tpe", seed: 11) with { NStartupTrials = 2 });
        var trials = RunSequentially(sampler, 60);

        Assert.All(trials, c =>
        {
            Assert.InRange(c.LearningRate, 1e-4, 1);
            Assert.InRange(c.Units, 8, 256);
            Assert.Equal(50, c.Epochs);
        });
        Assert.Null(sampler.Suggest(60, []));
    }

    [Fact]
    public void TpeConcentratesOnTheGoodRegionFasterThanRandom()
    {
        long[] seeds = [1, 2, 3, 4, 5];
        double MeanLateDistance(string strategy, long seed) =>
            RunSequentially(Samplers.For(Synthetic(strategy, seed)), 60).Skip(30).Average(DistanceFromOptimum);

        var tpe = seeds.Select(s => MeanLateDistance("tpe", s)).ToList();
        var random = seeds.Select(s => MeanLateDistance("random", s)).ToList();

        // Clearly: on average at most 60% of random's distance, and closer on every seed.
        Assert.True(tpe.Average() < 0.6 * random.Average(), $"tpe {tpe.Average():F3} vs random {random.Average():F3}");
        Assert.All(seeds.Select((_, i) => (Tpe: tpe[i], Random: random[i])), pair => Assert.True(pair.Tpe < pair.Random, $"{pair}"));
    }

    [Fact]
    public void GoodCountFollowsOptunasDefaultGamma()
    {
        Assert.Equal([1, 1, 2, 3, 10, 25, 25], new[] { 1, 10, 11, 25, 100, 250, 1000 }.Select(TpeSampler.GoodCount));
    }

    [Fact]
    public void TpeHandlesListsLogIntegersAndFixedValues()
    {
        var spec = Spec("strategy: tpe\nmax_trials: 30\nn_startup_trials: 5\nspace:\n  units: {min: 4, max: 512, log: true}\n" +
                        "  batch_size: [8, 16, 32]\n  stateful: [false, true]\n  layers: 2\n");
        var history = new List<TrialObservation>();
        var sampler = Samplers.For(spec);
        for (var n = 0; n < 30; n++)
        {
            var c = sampler.Suggest(n, history)!;
            // Best: batch 16 and stateful, above all; then few units.
            var objective = -Math.Log2(c.Units) / 10 - (c.BatchSize == 16 ? 0 : 5) - (c.Stateful ? 0 : 5);
            history.Add(new TrialObservation(n, c, TrialStatus.Complete, objective));
        }

        Assert.All(history, o =>
        {
            Assert.InRange(o.Config.Units, 4, 512);
            Assert.Contains(o.Config.BatchSize, new[] { 8, 16, 32 });
            Assert.Equal(2, o.Config.Layers);
        });
        var late = history.Skip(15).Select(o => o.Config).ToList();
        // Exploits the best listed batch size once it has seen it (random would pick it a third of the time).
        Assert.True(late.Count(c => c.BatchSize == 16) >= 10, string.Join("; ", late));
    }

    [Fact]
    public void TpeCannotBeExpandedUpFrontButGridRandomAndAshaCan()
    {
        var tpe = Synthetic("tpe", seed: 1);
        Assert.IsType<TpeSampler>(Samplers.For(tpe));
        Assert.False(Samplers.IsHistoryFree(SearchStrategy.Tpe));
        Assert.Contains("trial by trial", Assert.Throws<InvalidOperationException>(() => Samplers.Expand(tpe)).Message);
        Assert.Equal(60, Samplers.TrialCount(tpe));

        var asha = Spec("strategy: asha\nmax_trials: 6\nseed: 2\nasha: {max_epochs: 27}\n" + SyntheticSpace);
        Assert.IsType<RandomSampler>(Samplers.For(asha));
        var trials = Samplers.Expand(asha);
        Assert.Equal(6, trials.Count);
        Assert.All(trials, c => Assert.Equal(27, c.Epochs)); // the resource: every trial is configured for max_epochs
    }
}
