using LstmSweep.Core.Analysis;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Tests;

/// <summary>fANOVA importance on synthetic objectives whose variance decomposition is known.</summary>
public class FanovaImportanceTests
{
    static readonly string[] Modes = ["concat", "sum", "mul", "ave"];

    /// <summary>
    /// objective = 10·x + 1·y + (mode = mul ? 0.5 : 0) over x, y uniform on [0, 1]: x's term has variance 100/12, y's
    /// 1/12, the mode's 0.5²·3/16; x explains about 98% of it.
    /// </summary>
    static List<ImportanceSample> Samples(int count, int seed, Func<double, double, string, double> objective)
    {
        var random = new Random(seed);
        var samples = new List<ImportanceSample>();
        for (int i = 0; i < count; i++)
        {
            double x = random.NextDouble(), y = random.NextDouble();
            string mode = Modes[random.Next(Modes.Length)];
            samples.Add(new ImportanceSample(
            [
                HyperparameterValue.Numeric("x", x),
                HyperparameterValue.Numeric("y", y),
                HyperparameterValue.Categorical("mode", mode),
                HyperparameterValue.Numeric("constant", 3),
            ], objective(x, y, mode)));
        }
        return samples;
    }

    [Fact]
    public void TheParameterThatDrivesTheObjectiveGetsMostOfTheImportance()
    {
        var importances = FanovaImportance.Evaluate(Samples(400, 1, (x, y, mode) => 10 * x + y + (mode == "mul" ? 0.5 : 0)));

        Assert.Equal(["x", "y", "mode", "constant"], importances.Select(i => i.Key));
        var x = importances.Single(i => i.Key == "x");
        Assert.True(x.Importance > 0.85, $"x: {x.Importance}");
        Assert.True(x.VarianceFraction > 0.8, $"x explains {x.VarianceFraction} of the variance");
        Assert.Equal(1.0, importances.Sum(i => i.Importance), 9);
        var constant = importances.Single(i => i.Key == "constant");
        Assert.Equal((0.0, 1), (constant.Importance, constant.Values));
    }

    [Fact]
    public void ACategoryThatDrivesTheObjectiveComesFirst()
    {
        var importances = FanovaImportance.Evaluate(Samples(300, 2, (x, y, mode) => (mode == "sum" ? 5 : 0) + 0.1 * x));

        Assert.Equal("mode", importances[0].Key);
        Assert.True(importances[0].Importance > 0.8, $"mode: {importances[0].Importance}");
    }

    [Fact]
    public void TheSameSeedGivesTheSameImportancesAndAnotherSeedTheSameRanking()
    {
        var samples = Samples(300, 3, (x, y, mode) => 10 * x + 3 * y);
        var first = FanovaImportance.Evaluate(samples, new FanovaSettings(Seed: 7));
        var again = FanovaImportance.Evaluate(samples, new FanovaSettings(Seed: 7));
        var otherSeed = FanovaImportance.Evaluate(samples, new FanovaSettings(Seed: 8));

        Assert.Equal(first, again);
        Assert.NotEqual(first.Select(i => i.Importance), otherSeed.Select(i => i.Importance));
        Assert.Equal(first.Select(i => i.Key).Take(2), otherSeed.Select(i => i.Key).Take(2));
    }

    [Fact]
    public void AConstantObjectiveHasNoImportanceAnywhere()
    {
        var importances = FanovaImportance.Evaluate(Samples(50, 4, (_, _, _) => 1.5));

        Assert.All(importances, i => Assert.Equal(0, i.Importance));
        Assert.Empty(FanovaImportance.Evaluate([]));
    }

    [Fact]
    public void ALogScaleParameterIsSplitOnItsLogarithm()
    {
        // The objective jumps between 1e-4 and 1e-3, a tenth of the linear range but half of the log range: a log-scale
        // parameter's cells follow the log axis, so its marginal still explains nearly all of the variance.
        var random = new Random(5);
        var samples = Enumerable.Range(0, 200).Select(_ =>
        {
            double rate = Math.Pow(10, -5 + 3 * random.NextDouble());
            return new ImportanceSample([HyperparameterValue.Numeric("learning_rate", rate, logScale: true),
                HyperparameterValue.Numeric("noise", random.NextDouble())], rate > 3e-4 ? 1 : 0);
        }).ToList();

        var importances = FanovaImportance.Evaluate(samples);

        Assert.Equal("learning_rate", importances[0].Key);
        Assert.True(importances[0].VarianceFraction > 0.9, $"{importances[0].VarianceFraction}");
    }

    [Fact]
    public void TheConfigAdapterNamesEveryHyperparameterOnce()
    {
        var pairs = ParameterValues.Of(new TrialConfig(32, MergeMode.Concat, true, 5, 0.01, 16, 2));

        Assert.Equal(ParameterValues.Keys, pairs.Select(p => p.Key));
        Assert.Equal(pairs.Count, pairs.Select(p => p.Key).Distinct().Count());
        Assert.Equal("concat", pairs.Single(p => p.Key == "merge_mode").Category);
        Assert.True(pairs.Single(p => p.Key == "learning_rate").LogScale);
    }
}
