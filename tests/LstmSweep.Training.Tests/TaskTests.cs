using LstmSweep.Core.Data;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using LstmSweep.Training.Model;
using LstmSweep.Training.Tasks;
using LstmSweep.Training.Loop;
using static TorchSharp.torch;

namespace LstmSweep.Training.Tests;

public class TaskTests
{
    private static readonly TrialConfig Config = Requests.Config(units: 5, mergeMode: MergeMode.Concat, batchSize: 3);

    [Fact]
    public void CumsumLabelsEachStepByWhetherTheRunningSumPassesAQuarterOfT()
    {
        var task = new CumsumTask(new TaskOptions { Timesteps = 8, EvalSamples = 50 }, batchSize: 3, seed: 1);
        var eval = task.EvaluationSet;
        Assert.Equal((50, 8, 1), (eval.Count, eval.Timesteps, eval.Features));
        for (var row = 0; row < eval.Count; row++)
        {
            var sum = 0.0;
            for (var step = 0; step < 8; step++)
            {
                var value = eval.Inputs[row * 8 + step];
                Assert.InRange(value, 0f, 1f);
                sum += value;
                Assert.Equal(sum > 2.0 ? 1 : 0, eval.Labels[row * 8 + step]);
            }
        }
        var first = task.TrainingSet(1);
        Assert.Equal(3, first.Count); // sequences_per_epoch defaults to one batch
        Assert.NotEqual(first.Inputs, task.TrainingSet(2).Inputs); // fresh every epoch
        Assert.Equal(first.Inputs, task.TrainingSet(1).Inputs); // an epoch's sequences depend on the epoch alone
        Assert.NotEqual(eval.Inputs.AsSpan(0, 3 * 8).ToArray(), first.Inputs); // and are not the evaluation set's
    }

    [Fact]
    public void EchoSecondTargetsTheSecondSymbolAndHoldsOutTheLastFifth()
    {
        var task = new EchoSecondTask(new TaskOptions { Timesteps = 6, NMax = 4, Samples = 100, Validation = ValidationRows.Last }, new Random(1));
        var (training, eval) = (task.TrainingSet(1), task.EvaluationSet);
        Assert.Equal((80, 20), (training.Count, eval.Count));
        Assert.Equal((6, 4), (eval.Timesteps, eval.Features));
        for (var row = 0; row < eval.Count; row++)
        {
            var secondStep = eval.Inputs.AsSpan((row * 6 + 1) * 4, 4).ToArray();
            Assert.Equal(1f, secondStep.Sum());
            Assert.Equal(Array.IndexOf(secondStep, 1f), eval.Labels[row]);
        }
    }

    /// <summary>The tutorial's randint(0, n_max - 1): values 0 … n_max − 2, one-hot over n_max classes; n_values widens it.</summary>
    [Theory]
    [InlineData(null, 4)]
    [InlineData(5, 5)]
    public void EchoSecondDrawsTheTutorialsValuesUnlessNValuesSaysOtherwise(int? nValues, int expectedDistinct)
    {
        var task = new EchoSecondTask(new TaskOptions { Timesteps = 4, NMax = 5, NValues = nValues, Samples = 400 }, new Random(3));
        var set = task.TrainingSet(1);
        Assert.Equal(5, set.Features);
        var drawn = Enumerable.Range(0, set.Count * set.Timesteps)
            .Select(i => Array.IndexOf(set.Inputs.AsSpan(i * 5, 5).ToArray(), 1f)).Distinct().Order().ToArray();
        Assert.Equal(Enumerable.Range(0, expectedDistinct), drawn);
    }

    [Fact]
    public void VariableLengthTargetIsTheInputDelayedByOneStepAndOneStepLonger()
    {
        var task = new VariableLengthTask(new TaskOptions { MinLen = 2, MaxLen = 5, Alphabet = 3, Samples = 50 }, new Random(1));
        var set = task.TrainingSet(1);
        Assert.Equal((6, 4), (set.Timesteps, set.Features));
        Assert.Contains(set.Lengths, length => length == 3);
        Assert.Contains(set.Lengths, length => length == 6);
        for (var row = 0; row < set.Count; row++)
        {
            var length = set.Lengths[row];
            Assert.InRange(length, 3, 6);
            int SymbolAt(int step) => Array.IndexOf(set.Inputs.AsSpan((row * 6 + step) * 4, 4).ToArray(), 1f);
            Assert.Equal(3, set.Labels[row * 6]); // start marker
            for (var step = 1; step < length; step++) Assert.Equal(SymbolAt(step - 1), set.Labels[row * 6 + step]);
            Assert.Equal(3, SymbolAt(length - 1)); // end-of-input channel
        }
    }

    /// <summary>
    /// Seed 000's data is sorted by label: Keras's validation_split (the last rows) evaluates on one class only. The
    /// default random subset holds out both classes, keeps every row exactly once, and is the same for every trial.
    /// </summary>
    [Fact]
    public void ValidationIsARandomSubsetByDefaultAndTheLastRowsWithValidationLast()
    {
        var labels = Enumerable.Range(0, 40).Select(i => i < 20 ? 0 : 1).ToArray();
        var values = Enumerable.Range(0, 40).Select(i => (float)i).ToArray();
        var data = new ArrayDataset(values, Samples: 40, Timesteps: 1, Features: 1, Labels: labels, Classes: 2);

        var random = new ArrayTask(data, 0.25);
        Assert.Equal(10, random.EvaluationSet.Count);
        Assert.Equal([0, 1], random.EvaluationSet.Labels.Distinct().Order());
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (float)i),
            random.TrainingSet(1).Inputs.Concat(random.EvaluationSet.Inputs).Order());
        Assert.Equal(random.EvaluationSet.Inputs, new ArrayTask(data, 0.25).EvaluationSet.Inputs);

        var last = new ArrayTask(data, 0.25, ValidationRows.Last);
        Assert.Equal(Enumerable.Range(30, 10).Select(i => (float)i), last.EvaluationSet.Inputs);
        Assert.Equal([1], last.EvaluationSet.Labels.Distinct());
    }

    [Fact]
    public void ArrayTaskRejectsLabelsOutsideTheClasses()
    {
        var data = new ArrayDataset(new float[10], Samples: 5, Timesteps: 2, Features: 1, Labels: [0, 1, 2, 1, 0], Classes: 2);
        var error = Assert.Throws<ArgumentException>(() => new ArrayTask(data, 0.2));
        Assert.Contains("label 2 of sample 2", error.Message);
    }

    public static TheoryData<TaskKind, int, int, int, int> Shapes => new()
    {
        // kind, steps, features, scored steps for 3 rows, network outputs
        { TaskKind.Cumsum, 10, 1, 30, 1 },
        { TaskKind.EchoSecond, 10, 5, 3, 5 },
        { TaskKind.StatefulCounter, 1, 3, 2, 3 },
        { TaskKind.Array, 4, 2, 3, 3 },
        { TaskKind.VariableLength, 9, 5, -1, 5 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BatchesAndLogitsHaveTheTaskShapes(TaskKind kind, int steps, int features, int scored, int outputs)
    {
        using var scope = NewDisposeScope();
        var task = TrainingTasks.Create(new TaskSpec(kind, new TaskOptions()), Config, seed: 1, ArrayData());
        var set = task.EvaluationSet;
        var rows = Enumerable.Range(0, Math.Min(3, set.Count)).ToArray();
        var batch = SequenceBatch.Create(set, rows, task.Shape, CPU);
        var expectedScored = scored >= 0 ? scored : rows.Sum(row => set.Lengths[row]);

        Assert.Equal(new long[] { rows.Length, steps, features }, batch.Inputs.shape);
        Assert.Equal(new long[] { expectedScored }, batch.Targets.shape);
        Assert.Equal(task.Shape.Prediction == PredictionKind.Binary ? ScalarType.Float32 : ScalarType.Int64, batch.Targets.dtype);

        using var network = SeededModelFactory.Create(new NetworkShape(features, Config.Units, 1, Config.MergeMode, task.Shape.NetworkOutputs, task.Shape.Head), seed: 1);
        var (logits, final) = network.Forward(batch.Inputs, batch.Lengths, batch.ScoredSteps, null);
        Assert.Equal(new long[] { expectedScored, outputs }, logits.shape);
        Assert.Equal(new long[] { 2, rows.Length, Config.Units }, final[0].Hidden.shape);
    }

    /// <summary>(15 samples, 4 timesteps, 2 features), 3 classes: 12 for training, 3 for evaluation.</summary>
    internal static ArrayDataset ArrayData(float[]? values = null) =>
        new(values ?? Enumerable.Range(0, 120).Select(i => i / 120f).ToArray(), Samples: 15, Timesteps: 4, Features: 2,
            Labels: Enumerable.Range(0, 15).Select(i => i % 3).ToArray(), Classes: 3);
}
