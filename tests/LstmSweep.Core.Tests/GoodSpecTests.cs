using LstmSweep.Tests.Shared;
using LstmSweep.Core.Search;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using LstmSweep.Core.Sweeps;

namespace LstmSweep.Core.Tests;

public class GoodSpecTests
{
    static SweepSpec ParseOk(string text, string? specPath = null)
    {
        var result = SpecParser.Parse(text, specPath);
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Empty(result.Errors);
        return result.Spec!;
    }

    [Fact]
    public void AMinimalSpecGetsEveryDefault()
    {
        var spec = ParseOk("name: merge-modes\ntask: cumsum\n");

        Assert.Equal("merge-modes", spec.Name);
        Assert.Equal(new TaskSpec(TaskKind.Cumsum, new TaskOptions()), spec.Task);
        Assert.Equal(SearchStrategy.Grid, spec.Strategy);
        Assert.Null(spec.MaxTrials);
        Assert.False(spec.Truncate);
        Assert.Equal(0, spec.Seed);
        Assert.Equal(Objective.Accuracy, spec.Objective);
        Assert.Equal([20], spec.Space.Get(Hyperparameters.Units).Values!);
        Assert.Equal([MergeMode.None], spec.Space.Get(Hyperparameters.MergeMode).Values!);
        Assert.Equal([false], spec.Space.Get(Hyperparameters.Stateful).Values!);
        Assert.Equal([50], spec.Space.Get(Hyperparameters.Epochs).Values!);
        Assert.Equal([0.001], spec.Space.Get(Hyperparameters.LearningRate).Values!); // Keras's Adam default
        Assert.Equal([1], spec.Space.Get(Hyperparameters.BatchSize).Values!);
        Assert.Equal([1], spec.Space.Get(Hyperparameters.Layers).Values!);
        Assert.Equal([OptimizerKind.Adam], spec.Space.Get(Hyperparameters.Optimizer).Values!);
        Assert.Equal([0], spec.Space.Get(Hyperparameters.DenseUnits).Values!);
        Assert.Equal([WeightInit.Keras], spec.Space.Get(Hyperparameters.Init).Values!);
        Assert.Equal(SweepSpec.DefaultRetries, spec.Retries);
    }

    [Theory]
    [InlineData("eval_every: 1\n", 1)]
    [InlineData("eval_every: 25\n", 25)]
    [InlineData("eval_every:\n", SweepSpec.DefaultEvalEvery)]
    [InlineData("", SweepSpec.DefaultEvalEvery)]
    public void EvalEveryIsRead(string line, int expected)
        => Assert.Equal(expected, ParseOk("name: s\ntask: cumsum\n" + line).EvalEvery);

    [Theory]
    [InlineData("retries: 0\n", 0)]
    [InlineData("retries: 5\n", 5)]
    [InlineData("retries:\n", SweepSpec.DefaultRetries)]
    public void RetriesIsRead(string line, int expected)
        => Assert.Equal(expected, ParseOk("name: s\ntask: cumsum\n" + line).Retries);

    const string FullYaml = """
        name: merge-modes              # a comment
        task: echo-second
        task_options: {timesteps: 12, n_max: 7, samples: 500, validation_split: 0.25}
        strategy: grid
        max_trials: 20
        truncate: false
        seed: 7
        objective: loss
        space:
          units: [10, 20]
          merge_mode: [none, concat, sum, mul, ave]
          stateful: [false, true]
          epochs: [100]
          learning_rate: [0.01, 1e-3]
          batch_size: 4
          layers: [1, 2]
        """;

    const string FullJson = """
        {
        	"name": "merge-modes",
        	"task": "echo-second",
        	"task_options": {"timesteps": 12, "n_max": 7, "samples": 500, "validation_split": 0.25},
        	"strategy": "grid", "max_trials": 20, "truncate": false, "seed": 7, "objective": "loss",
        	"space": {"units": [10, 20], "merge_mode": ["none", "concat", "sum", "mul", "ave"], "stateful": [false, true],
        	          "epochs": [100], "learning_rate": [0.01, 1e-3], "batch_size": 4, "layers": [1, 2]}
        }
        """;

    [Theory]
    [InlineData(FullYaml)]
    [InlineData(FullJson)]
    public void AFullSpecReadsTheSameInYamlAndJson(string text)
    {
        // 2·5·2·1·2·1·2 = 80 grid points, more than max_trials: 20, which truncate: true would allow.
        var spec = ParseOk(text.Replace("truncate: false", "truncate: true").Replace("\"truncate\": false", "\"truncate\": true"));

        Assert.Equal("merge-modes", spec.Name);
        Assert.Equal(TaskKind.EchoSecond, spec.Task.Kind);
        Assert.Equal(new TaskOptions { Timesteps = 12, NMax = 7, Samples = 500, ValidationSplit = 0.25 }, spec.Task.Options);
        Assert.Equal(20, spec.MaxTrials);
        Assert.True(spec.Truncate);
        Assert.Equal(7, spec.Seed);
        Assert.Equal(Objective.Loss, spec.Objective);
        Assert.Equal([10, 20], spec.Space.Get(Hyperparameters.Units).Values!);
        Assert.Equal([MergeMode.None, MergeMode.Concat, MergeMode.Sum, MergeMode.Mul, MergeMode.Ave], spec.Space.Get(Hyperparameters.MergeMode).Values!);
        Assert.Equal([false, true], spec.Space.Get(Hyperparameters.Stateful).Values!);
        Assert.Equal([0.01, 0.001], spec.Space.Get(Hyperparameters.LearningRate).Values!);
        Assert.Equal([4], spec.Space.Get(Hyperparameters.BatchSize).Values!);
        Assert.Equal([1, 2], spec.Space.Get(Hyperparameters.Layers).Values!);
        Assert.Equal(20, Samplers.Expand(spec).Count);
    }

    [Fact]
    public void JsonReportsTheGridTooLargeLikeYaml()
    {
        var error = Assert.Single(SpecParser.Parse(FullJson).Errors);

        Assert.Equal("max_trials", error.Path);
        Assert.Contains("the grid has 80 points but max_trials is 20", error.Message);
    }

    [Fact]
    public void RandomSearchTakesRanges()
    {
        var spec = ParseOk("""
            name: lr-search
            task: cumsum
            strategy: random
            max_trials: 30
            seed: -3
            space:
              units: {min: 8, max: 64, log: true}
              learning_rate: {min: 0.0001, max: 0.1, log: true}
              epochs: [10, 20]
            """);

        Assert.Equal(SearchStrategy.Random, spec.Strategy);
        Assert.Equal(-3, spec.Seed);
        Assert.Equal(ParameterDomain<int>.Range(8, 64, log: true), spec.Space.Get(Hyperparameters.Units));
        Assert.Equal(ParameterDomain<double>.Range(0.0001, 0.1, log: true), spec.Space.Get(Hyperparameters.LearningRate));
        Assert.Equal([10, 20], spec.Space.Get(Hyperparameters.Epochs).Values!);
    }

    [Fact]
    public void TaskOptionsFillDefaultsPerTask()
    {
        var spec = ParseOk("name: v\ntask: variable-length\ntask_options:\n  max_len: 12\n");

        Assert.Equal(new TaskOptions { MaxLen = 12 }, spec.Task.Options);
        Assert.Equal(3, spec.Task.Options.MinLen);
        Assert.Equal(4, spec.Task.Options.Alphabet);
    }

    [Fact]
    public void ArrayDataPathsResolveAgainstTheSpecFolderAndBecomeAbsolute()
    {
        using var dir = new TempFolder();
        var data = dir.Write("data/train.csv", "1,2,0\n3,4,1\n5,6,0\n");
        var specPath = dir.Write("spec.yaml", "name: mine\ntask: array\ntask_options: {path: data/train.csv, features: 2}\n");

        var spec = SpecParser.ParseFile(specPath).Spec!;

        Assert.Equal(data, spec.Task.Options.Path);
        Assert.Equal(2, spec.Task.Options.Features);
    }

    [Fact]
    public void ArrayValidationFileResolvesLikePathAndMustHaveItsShape()
    {
        using var dir = new TempFolder();
        dir.Write("train.csv", "1,2,0\n3,4,1\n5,6,0\n");
        var held = dir.Write("held.csv", "7,8,1\n9,1,0\n");
        dir.Write("wide.csv", "7,8,9,1\n9,1,2,0\n");
        var good = SpecParser.ParseFile(dir.Write("good.yaml", "name: mine\ntask: array\ntask_options: {path: train.csv, validation_file: held.csv}\n"));
        Assert.Equal(held, good.Spec!.Task.Options.ValidationFile);

        var bad = SpecParser.ParseFile(dir.Write("bad.yaml", "name: mine\ntask: array\ntask_options: {path: train.csv, validation_file: wide.csv}\n"));
        var error = Assert.Single(bad.Errors);
        Assert.Equal("task_options.validation_file", error.Path);
        Assert.Contains("the evaluation file needs the training file's shape", error.Message);
        var other = SpecParser.Parse("name: mine\ntask: cumsum\ntask_options: {validation_file: held.csv}\n");
        Assert.Contains(other.Errors, e => e.Message.Contains("unknown option 'validation_file' for task cumsum"));
    }

    [Fact]
    public void ArrayDataProblemsPointAtTheOptionTheyConcern()
    {
        using var dir = new TempFolder();
        dir.Write("train.csv", "1,2,3,0\n4,5,6,1\n");
        var specPath = dir.Write("spec.yaml", "name: mine\ntask: array\ntask_options: {path: train.csv, features: 2}\n");

        var error = Assert.Single(SpecParser.ParseFile(specPath).Errors);

        Assert.Equal("task_options.features", error.Path);
        Assert.Contains("3 values per row do not split into timesteps of 2 features", error.Message);
    }

    [Fact]
    public void AnchorsAndAliasesWork()
    {
        var spec = ParseOk("name: s\ntask: cumsum\nspace:\n  units: &sizes [4, 8]\n  batch_size: *sizes\n");

        Assert.Equal([4, 8], spec.Space.Get(Hyperparameters.BatchSize).Values!);
    }
}
