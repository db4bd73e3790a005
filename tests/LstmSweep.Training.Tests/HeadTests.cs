using LstmSweep.Core.Data;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using LstmSweep.Training.Model;
using LstmSweep.Training.Tasks;

namespace LstmSweep.Training.Tests;

public class HeadTests
{
    [Fact]
    public void HeadChoosesTheOutputLayerOfATwoClassTask()
    {
        var cumsum = new TaskShape(1, Classes: 2, PredictionKind.Binary, OutputHead.PerTimestep);
        Assert.Equal(1, cumsum.WithHead(OutputActivation.Auto).NetworkOutputs);
        Assert.Equal(2, cumsum.WithHead(OutputActivation.Softmax).NetworkOutputs);
        var array = new TaskShape(2, Classes: 2, PredictionKind.Multiclass, OutputHead.LastStep);
        Assert.Equal((PredictionKind.Binary, 1), (array.WithHead(OutputActivation.Sigmoid).Prediction, array.WithHead(OutputActivation.Sigmoid).NetworkOutputs));
        var echo = new TaskShape(5, Classes: 5, PredictionKind.Multiclass, OutputHead.LastStep);
        Assert.Contains("two-class", Assert.Throws<ArgumentException>(() => echo.WithHead(OutputActivation.Sigmoid)).Message);
    }

    /// <summary>Seed 000's model: Dense(relu) before one sigmoid output on two classes, sorted labels, random validation.</summary>
    [Fact]
    public void SigmoidHeadWithAHiddenDenseLayerLearnsATwoClassArray()
    {
        var random = new Random(4);
        var values = Enumerable.Range(0, 200 * 3).Select(_ => (float)random.NextDouble()).ToArray();
        var labels = Enumerable.Range(0, 200).Select(row => values[row * 3] + values[row * 3 + 1] + values[row * 3 + 2] > 1.5f ? 1 : 0).ToArray();
        var order = Enumerable.Range(0, 200).OrderBy(row => labels[row]).ToArray(); // sorted by label, as in the tutorial
        var data = new ArrayDataset(order.SelectMany(row => values.AsSpan(row * 3, 3).ToArray()).ToArray(), 200, 3, 1,
            order.Select(row => labels[row]).ToArray(), 2);
        var config = Requests.Config(units: 8, epochs: 40, learningRate: 0.01, batchSize: 10) with
        {
            DenseUnits = 8, Head = OutputActivation.Sigmoid, Init = WeightInit.Keras,
        };
        var outcome = TrialTrainer.Train(new TrainingRequest(new TaskSpec(TaskKind.Array, new TaskOptions { Path = "unused" }), config, 5),
            data, null, default);
        Assert.Equal(TrialStatus.Complete, outcome.Status);
        Assert.True(outcome.Accuracy >= 0.85, $"accuracy {outcome.Accuracy:F3}");
    }

    [Fact]
    public void SigmoidOnAManyClassTaskFailsTheTrialSayingWhy()
    {
        var outcome = TrialTrainer.Train(Requests.For(TaskKind.EchoSecond, Requests.Config(epochs: 1) with { Head = OutputActivation.Sigmoid }), null, default);
        Assert.Equal(TrialStatus.Failed, outcome.Status);
        Assert.Contains("head sigmoid needs a two-class task", outcome.Error);
    }
}
