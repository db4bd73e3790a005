using LstmSweep.Core.Search;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using Xunit.Abstractions;
using LstmSweep.Core.Sweeps;

namespace LstmSweep.Training.Tests;

/// <summary>
/// Each seed tutorial's example (examples/seed-00N-*.yaml) trained as the file says, at a shorter budget where the
/// finding already shows, over three seeds: the finding in the file's header must hold for every seed.
/// </summary>
public class ExampleTests(ITestOutputHelper output)
{
    /// <summary>The example's trials (every grid point), each with <paramref name="epochs"/> and the trial seed.</summary>
    private List<(TrialConfig Config, TrainingOutcome Outcome)> Train(string example, long seed, int epochs, Func<TaskOptions, TaskOptions>? options = null)
    {
        var path = Path.Combine(RepositoryRoot(), "examples", example);
        var parsed = SpecParser.ParseFile(path);
        Assert.True(parsed.Succeeded, string.Join("; ", parsed.Errors));
        var spec = parsed.Spec!;
        var task = spec.Task with { Options = options?.Invoke(spec.Task.Options) ?? spec.Task.Options };
        var results = Samplers.Expand(spec)
            .Select(config => config with { Epochs = epochs })
            .Select(config => (config, TrialTrainer.Train(new TrainingRequest(task, config, seed), null, default)))
            .ToList();
        Assert.All(results, r => Assert.Equal(TrialStatus.Complete, r.Item2.Status));
        output.WriteLine($"seed {seed}: " + string.Join(", ", results.Select(r =>
            $"{r.config.MergeMode.ToName()}{(r.config.Stateful ? " stateful" : "")} loss {r.Item2.Loss:F3} acc {r.Item2.Accuracy:F3}")));
        return results;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !Directory.Exists(Path.Combine(directory.FullName, "examples"))) directory = directory.Parent;
        return directory?.FullName ?? throw new DirectoryNotFoundException("no examples/ above the test's folder");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Seed002BidirectionalLearnsFasterAndSumAndConcatBeatMul(long seed)
    {
        var results = Train("seed-002-bidirectional-merge-modes.yaml", seed, epochs: 80).ToDictionary(r => r.Config.MergeMode, r => r.Outcome.Loss);
        var bestOfSumConcat = Math.Min(results[MergeMode.Sum], results[MergeMode.Concat]);
        Assert.True(bestOfSumConcat < results[MergeMode.Mul], $"sum/concat {bestOfSumConcat:F3} vs mul {results[MergeMode.Mul]:F3}");
        var bestBidirectional = results.Where(r => r.Key != MergeMode.None).Min(r => r.Value);
        Assert.True(bestBidirectional < results[MergeMode.None], $"bidirectional {bestBidirectional:F3} vs LSTM {results[MergeMode.None]:F3}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Seed003EchoSecondReachesNinetyFivePercent(long seed)
    {
        var results = Train("seed-003-echo-second.yaml", seed, epochs: 60);
        Assert.All(results, r => Assert.True(r.Outcome.Accuracy >= 0.95, $"{r.Config.MergeMode.ToName()}: {r.Outcome.Accuracy:F3}"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Seed004StatefulSolvesTheCounterAndStatelessDoesNot(long seed)
    {
        var results = Train("seed-004-stateful-counter.yaml", seed, epochs: 150).ToDictionary(r => r.Config.Stateful, r => r.Outcome.Accuracy);
        Assert.Equal(1.0, results[true]);
        Assert.True(results[false] <= 0.5, $"stateless {results[false]:F3}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Seed001LearnsFourOutputStepsFromThreeInputSteps(long seed)
    {
        var results = Train("seed-001-labels-of-another-length.yaml", seed, epochs: 60);
        // Per-step accuracy over the 4 scored steps: a model that missed the fourth (memory) step would stay near 0.81.
        Assert.All(results, r => Assert.True(r.Outcome.Accuracy >= 0.95, $"{r.Outcome.Accuracy:F3}"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Seed000LearnsThe1d2dAnd3dReshapesWithASigmoidHead(long seed)
    {
        var data = Path.Combine(RepositoryRoot(), "examples", "data");
        // The example as written: 3D, evaluated on its separate validation_file.
        var threeD = Assert.Single(Train("seed-000-reshape-1d-2d-3d.yaml", seed, epochs: 40));
        Assert.True(threeD.Outcome.Accuracy >= 0.8, $"3D on the validation_file: {threeD.Outcome.Accuracy:F3}");
        // The same model on the 1D and 2D files, a random fifth of each (sorted by label) held out.
        foreach (var file in new[] { "seed-000-1d.json", "seed-000-2d.csv" })
        {
            var other = Assert.Single(Train("seed-000-reshape-1d-2d-3d.yaml", seed, epochs: 40,
                o => o with { Path = Path.Combine(data, file), ValidationFile = null }));
            Assert.True(other.Outcome.Accuracy >= 0.8, $"{file}: {other.Outcome.Accuracy:F3}");
        }
    }
}
