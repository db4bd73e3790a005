using LstmSweep.Core.Search;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using LstmSweep.Core.Sweeps;

namespace LstmSweep.Core.Tests;

public class SamplerTests
{
    static SweepSpec Spec(string yaml)
    {
        var result = SpecParser.Parse("name: s\ntask: cumsum\n" + yaml);
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return result.Spec!;
    }

    [Fact]
    public void GridSizeIsTheProductOfTheListLengths()
    {
        var spec = Spec("space: {units: [1, 2, 3], merge_mode: [none, sum], learning_rate: [0.1, 0.2], layers: [1, 2]}\n");

        Assert.Equal(24, GridSampler.GridSize(spec.Space));
        Assert.Equal(24, Samplers.Expand(spec).Count);
        Assert.Equal(24, Samplers.TrialCount(spec));
    }

    [Fact]
    public void GridVariesTheLastKeyFastest()
    {
        var trials = Samplers.Expand(Spec("space: {units: [10, 20], stateful: [false, true], layers: [1, 2]}\n"));

        Assert.Equal(
            [(10, false, 1), (10, false, 2), (10, true, 1), (10, true, 2), (20, false, 1), (20, false, 2), (20, true, 1), (20, true, 2)],
            trials.Select(t => (t.Units, t.Stateful, t.Layers)));
        Assert.All(trials, t => Assert.Equal(Hyperparameters.Defaults with { Units = t.Units, Stateful = t.Stateful, Layers = t.Layers }, t));
    }

    [Fact]
    public void GridTruncatesToItsFirstMaxTrialsPoints()
    {
        var full = Samplers.Expand(Spec("space: {units: [1, 2, 3], epochs: [5, 6]}\n"));
        var truncated = Samplers.Expand(Spec("max_trials: 4\ntruncate: true\nspace: {units: [1, 2, 3], epochs: [5, 6]}\n"));

        Assert.Equal(full.Take(4), truncated);
    }

    [Fact]
    public void GridIsExhaustedAfterItsLastPoint()
    {
        var sampler = Samplers.For(Spec("space: {units: [1, 2]}\n"));

        Assert.NotNull(sampler.Suggest(1, []));
        Assert.Null(sampler.Suggest(2, []));
    }

    [Fact]
    public void GridRefusesRanges()
    {
        var space = Spec("strategy: random\nmax_trials: 1\nspace: {epochs: {min: 1, max: 3}}\n").Space;

        Assert.Contains("epochs", Assert.Throws<ArgumentException>(() => GridSampler.GridSize(space)).Message);
    }

    const string RandomSpace = """
        strategy: random
        max_trials: 400
        space:
          units: {min: 4, max: 9}
          merge_mode: [none, concat, ave]
          stateful: [false, true]
          learning_rate: {min: 0.0001, max: 0.1, log: true}
          batch_size: {min: 1, max: 1000, log: true}
          epochs: {min: 5, max: 7}

        """;

    [Fact]
    public void RandomGivesTheSameTrialsForTheSameSeedAndOthersForAnother()
    {
        var first = Samplers.Expand(Spec(RandomSpace + "seed: 7\n"));
        var again = Samplers.Expand(Spec(RandomSpace + "seed: 7\n"));
        var other = Samplers.Expand(Spec(RandomSpace + "seed: 8\n"));

        Assert.Equal(400, first.Count);
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.True(first.Distinct().Count() > 300, "trials should rarely repeat");
    }

    [Fact]
    public void RandomTrialNDependsOnlyOnSeedAndN()
    {
        var spec = Spec(RandomSpace + "seed: 11\n");
        var inOrder = Samplers.Expand(spec);
        var sampler = Samplers.For(spec);
        var unrelatedHistory = new[] { new TrialObservation(0, inOrder[5], TrialStatus.Complete, 0.9) };

        Assert.Equal(inOrder[123], sampler.Suggest(123, unrelatedHistory));
        Assert.Equal(inOrder[3], sampler.Suggest(3, []));
        Assert.Null(sampler.Suggest(400, []));
    }

    [Fact]
    public void RandomDrawsStayInTheirDomainsAndCoverThem()
    {
        var trials = Samplers.Expand(Spec(RandomSpace));

        Assert.Equal([4, 5, 6, 7, 8, 9], trials.Select(t => t.Units).Distinct().Order());
        Assert.Equal([MergeMode.None, MergeMode.Concat, MergeMode.Ave], trials.Select(t => t.MergeMode).Distinct().Order());
        Assert.Equal([false, true], trials.Select(t => t.Stateful).Distinct().Order());
        Assert.All(trials, t => Assert.InRange(t.LearningRate, 0.0001, 0.1));
        Assert.All(trials, t => Assert.InRange(t.BatchSize, 1, 1000));
        Assert.Equal([5, 6, 7], trials.Select(t => t.Epochs).Distinct().Order());
    }

    [Fact]
    public void LogUniformRangesSpreadEvenlyOverTheDecades()
    {
        var trials = Samplers.Expand(Spec(RandomSpace));

        // 1e-4..1e-1 is three decades: a log-uniform draw lands in each about a third of the time (a uniform one would
        // put 99% in the last).
        var perDecade = trials.GroupBy(t => (int)Math.Floor(Math.Log10(t.LearningRate))).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal([-4, -3, -2], perDecade.Keys.Order());
        Assert.All(perDecade.Values, count => Assert.InRange(count, 90, 180));
        Assert.InRange(trials.Count(t => t.BatchSize < 32), 150, 250);
    }

    [Fact]
    public void TrialSeedsAreDeterministicAndDistinct()
    {
        var seeds = Enumerable.Range(0, 10_000).Select(n => TrialSeeds.For(42, n)).ToList();

        Assert.Equal(seeds, Enumerable.Range(0, 10_000).Select(n => TrialSeeds.For(42, n)));
        Assert.Equal(seeds.Count, seeds.Distinct().Count());
        Assert.NotEqual(TrialSeeds.For(42, 0), TrialSeeds.For(43, 0));
    }
}
