using System.Text.Json;
using System.Text.Json.Serialization;
using LstmSweep.Core.Search;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using LstmSweep.Core.Sweeps;

namespace LstmSweep.Core.Tests;

public class HyperparameterTableTests
{
    static SweepSpec Spec(string yaml)
    {
        var result = SpecParser.Parse("name: s\ntask: cumsum\n" + yaml);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        return result.Spec!;
    }

    /// <summary>The journal's options (SweepSerializer): snake_case names, enums as snake_case strings.</summary>
    static readonly JsonSerializerOptions JournalOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    [Fact]
    public void EveryRowRoundTripsAConfigThroughKeyValueText()
    {
        var config = new TrialConfig(33, MergeMode.Ave, true, 7, 0.0123, 16, 3, OptimizerKind.RmsProp, 12, WeightInit.Keras, OutputActivation.Sigmoid);
        var text = Hyperparameters.ToText(config);

        Assert.Equal(Hyperparameters.Keys, text.Select(pair => pair.Key));
        Assert.Equal(config, Hyperparameters.FromText(text));
        Assert.Equal("ave", text.Single(p => p.Key == "merge_mode").Value);
        Assert.Equal("rmsprop", text.Single(p => p.Key == "optimizer").Value);
    }

    [Fact]
    public void FromTextKeepsWhatAnOlderJournalMeantForKeysItLacks()
    {
        var config = Hyperparameters.FromText([new("units", "8")]);
        Assert.Equal(TrialConfig.Legacy with { Units = 8 }, config);
        Assert.Throws<FormatException>(() => Hyperparameters.FromText([new("dropout", "0.1")]));
        Assert.Throws<FormatException>(() => Hyperparameters.FromText([new("optimizer", "adagrad")]));
    }

    [Fact]
    public void DescribeNamesEveryRowInTableOrder()
    {
        var described = Hyperparameters.Describe(Hyperparameters.Defaults with { LearningRate = 0.000123456 });
        Assert.Equal("units=20 merge_mode=none stateful=false epochs=50 learning_rate=0.0001235 batch_size=1 layers=1 " +
                     "optimizer=adam dense_units=0 init=keras head=auto", described);
    }

    [Theory]
    [InlineData("adam", 0.001)]
    [InlineData("rmsprop", 0.001)]
    [InlineData("sgd", 0.01)]
    public void LearningRateLeftOutIsTheChosenOptimizersKerasDefault(string optimizer, double expected)
    {
        var trial = Samplers.Expand(Spec($"space: {{optimizer: [{optimizer}]}}\n")).Single();
        Assert.Equal(expected, trial.LearningRate);
    }

    [Fact]
    public void LearningRateFollowsEachOptimizerDrawnInAGridAndARandomSearch()
    {
        var grid = Samplers.Expand(Spec("space: {optimizer: [adam, sgd]}\n"));
        Assert.Equal([(OptimizerKind.Adam, 0.001), (OptimizerKind.Sgd, 0.01)], grid.Select(t => (t.Optimizer, t.LearningRate)));

        var random = Samplers.Expand(Spec("strategy: random\nmax_trials: 20\nseed: 3\nspace: {optimizer: [adam, rmsprop, sgd]}\n"));
        Assert.All(random, t => Assert.Equal(OptimizerDefaults.LearningRate(t.Optimizer), t.LearningRate));
        Assert.Equal(3, random.Select(t => t.Optimizer).Distinct().Count());

        var given = Samplers.Expand(Spec("space: {optimizer: [sgd], learning_rate: [0.5]}\n")).Single();
        Assert.Equal(0.5, given.LearningRate);
    }

    [Fact]
    public void NewRowsVaryFastestInAGridAndKeepTheOriginalRowsOrder()
    {
        var trials = Samplers.Expand(Spec("space: {units: [10, 20], dense_units: [0, 8], init: [keras, torch]}\n"));
        Assert.Equal(
            [(10, 0, WeightInit.Keras), (10, 0, WeightInit.Torch), (10, 8, WeightInit.Keras), (10, 8, WeightInit.Torch),
             (20, 0, WeightInit.Keras), (20, 0, WeightInit.Torch), (20, 8, WeightInit.Keras), (20, 8, WeightInit.Torch)],
            trials.Select(t => (t.Units, t.DenseUnits, t.Init)));
    }

    [Fact]
    public void ANewRowLeftOutDoesNotMoveTheRandomDrawsOfTheOriginalRows()
    {
        // The first seven rows were all drawn, in table order, before the table existed; a row appended after them
        // and left out must leave every earlier draw where it was.
        const string Space = "strategy: random\nmax_trials: 10\nseed: 5\nspace: {units: {min: 4, max: 64}, learning_rate: {min: 0.0001, max: 0.1, log: true}}\n";
        var without = Samplers.Expand(Spec(Space));
        var withDense = Samplers.Expand(Spec(Space.Replace("}\n", ", dense_units: [0, 16]}\n")));
        Assert.Equal(without.Select(t => (t.Units, t.LearningRate)), withDense.Select(t => (t.Units, t.LearningRate)));
        Assert.Contains(withDense, t => t.DenseUnits == 16);
    }

    [Fact]
    public void GridSizeIsTheProductOfTheListLengthsAndSaturatesWithoutExpanding()
    {
        Assert.Equal(12, SearchSpaces.GridSize(Spec("space: {units: [1, 2, 3], optimizer: [adam, sgd], init: [keras, torch]}\n").Space));
        var values = Enumerable.Range(1, 10_000).Select(i => (object)i).ToArray();
        var huge = SearchSpace.Of(
            (Hyperparameters.Units, Hyperparameters.Units.ListOf(values)),
            (Hyperparameters.Epochs, Hyperparameters.Epochs.ListOf(values)),
            (Hyperparameters.BatchSize, Hyperparameters.BatchSize.ListOf(values)),
            (Hyperparameters.Layers, Hyperparameters.Layers.ListOf(values.Take(16))),
            (Hyperparameters.DenseUnits, Hyperparameters.DenseUnits.ListOf(values)),
            (Hyperparameters.LearningRate, Hyperparameters.LearningRate.ListOf(values.Select(v => (object)((int)v / 10_000.0)))),
            (Hyperparameters.MergeMode, Hyperparameters.MergeMode.ListOf(Enum.GetValues<MergeMode>().Cast<object>())));
        Assert.Equal(long.MaxValue, SearchSpaces.GridSize(huge));
        // Trial n is decoded from n: the last grid point is there without the others.
        var last = new GridSampler(huge, int.MaxValue).Suggest(int.MaxValue - 1, []);
        Assert.NotNull(last);
    }

    [Fact]
    public void TpeSuggestsEveryRowIncludingTheNewOnes()
    {
        var spec = Spec("strategy: tpe\nmax_trials: 30\nn_startup_trials: 3\nseed: 2\nobjective: loss\n" +
                        "space: {dense_units: {min: 0, max: 32}, optimizer: [adam, rmsprop, sgd], units: [4, 8]}\n");
        var sampler = Samplers.For(spec);
        var history = new List<TrialObservation>();
        for (var n = 0; n < 12; n++)
        {
            var config = sampler.Suggest(n, history)!;
            Assert.InRange(config.DenseUnits, 0, 32);
            Assert.Equal(OptimizerDefaults.LearningRate(config.Optimizer), config.LearningRate);
            // The loss is lowest for sgd with a wide dense layer: TPE should drift there.
            var loss = (config.Optimizer == OptimizerKind.Sgd ? 0 : 1) + (32 - config.DenseUnits) / 32.0;
            history.Add(new TrialObservation(n, config, TrialStatus.Complete, loss));
        }
        var late = Enumerable.Range(12, 10).Select(n => sampler.Suggest(n, history)!).ToList();
        Assert.True(late.Count(c => c.Optimizer == OptimizerKind.Sgd) >= 5, string.Join(", ", late.Select(c => c.Optimizer)));
    }

    [Fact]
    public void ASpaceRoundTripsThroughTheJournalsJsonAndReadsTheJsonOlderVersionsWrote()
    {
        var space = Spec("strategy: random\nmax_trials: 2\nspace: {units: {min: 8, max: 64, log: true}, merge_mode: [none, concat], optimizer: [sgd, rmsprop], learning_rate: [0.01]}\n").Space;
        var json = JsonSerializer.Serialize(space, JournalOptions);
        Assert.Equal(space, JsonSerializer.Deserialize<SearchSpace>(json, JournalOptions));

        // What SweepSubmitted held before the table: all seven keys, enums in snake_case, min/max 0 for lists.
        const string Older = """
            {"units":{"values":[10,20],"min":0,"max":0,"log":false},"merge_mode":{"values":["none","concat"],"min":"none","max":"none","log":false},
             "stateful":{"values":[false],"min":false,"max":false,"log":false},"epochs":{"values":[5],"min":0,"max":0,"log":false},
             "learning_rate":{"values":null,"min":0.001,"max":0.1,"log":true},"batch_size":{"values":[1],"min":0,"max":0,"log":false},
             "layers":{"values":[1],"min":0,"max":0,"log":false}}
            """;
        var old = JsonSerializer.Deserialize<SearchSpace>(Older, JournalOptions)!;
        Assert.Equal([10, 20], old.Get(Hyperparameters.Units).Values!);
        Assert.Equal([MergeMode.None, MergeMode.Concat], old.Get(Hyperparameters.MergeMode).Values!);
        Assert.Equal(ParameterDomain<double>.Range(0.001, 0.1, log: true), old.Get(Hyperparameters.LearningRate));
        Assert.Null(old.Given(Hyperparameters.Optimizer));
    }

    [Fact]
    public void ATrialConfigJournalledBeforeTheNewFieldsMeansWhatItMeant()
    {
        const string Older = """{"units":4,"merge_mode":"none","stateful":false,"epochs":10,"learning_rate":0.01,"batch_size":1,"layers":1}""";
        var config = JsonSerializer.Deserialize<TrialConfig>(Older, JournalOptions)!;
        Assert.Equal(new TrialConfig(4, MergeMode.None, false, 10, 0.01, 1, 1, OptimizerKind.Adam, 0, WeightInit.Torch), config);
    }
}
