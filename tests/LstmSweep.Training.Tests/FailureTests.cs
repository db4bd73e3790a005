using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;

namespace LstmSweep.Training.Tests;

public class FailureTests
{
    private static TrainingRequest ArrayRequest(int epochs = 3) =>
        Requests.For(TaskKind.Array, Requests.Config(units: 4, epochs: epochs, batchSize: 4));

    /// <summary>
    /// A reliable NaN: one NaN input value makes the first batch that holds it produce a NaN loss. Large learning rates
    /// are no reliable way here: the LSTM saturates and the loss stays finite even at lr 1e6.
    /// </summary>
    [Fact]
    public void NaNInTheDataFailsTheTrialNamingTheEpoch()
    {
        var values = TaskTests.ArrayData().Values.ToArray();
        values[5] = float.NaN;
        var epochs = new List<EpochMetrics>();
        var outcome = TrialTrainer.Train(ArrayRequest(), TaskTests.ArrayData(values), epochs.Add, default);

        Assert.Equal(TrialStatus.Failed, outcome.Status);
        Assert.Equal("training loss became NaN at epoch 1", outcome.Error);
        Assert.Equal(FailureKind.NonFiniteLoss, outcome.Failure); // the kind, not the wording, says it is never retried
        Assert.Equal(0, outcome.EpochsRun);
        Assert.Empty(epochs);
    }

    [Fact]
    public void BadDataFailsTheTrialWithTheReason()
    {
        var data = TaskTests.ArrayData() with { Labels = Enumerable.Repeat(7, 15).ToArray() };
        var outcome = TrialTrainer.Train(ArrayRequest(), data, null, default);
        Assert.Equal(TrialStatus.Failed, outcome.Status);
        Assert.Contains("label 7 of sample 0 is outside [0, 3)", outcome.Error);
        Assert.Equal(FailureKind.Error, outcome.Failure);
    }

    [Theory]
    [InlineData(0, 1, 0.01, "units must be at least 1")]
    [InlineData(4, 0, 0.01, "batch_size must be at least 1")]
    [InlineData(4, 1, -1.0, "learning_rate must be a positive number")]
    [InlineData(4, 1, 1e39, "learning_rate must be a positive number")]
    public void InvalidHyperparametersFailTheTrial(int units, int batchSize, double learningRate, string reason)
    {
        var outcome = TrialTrainer.Train(Requests.For(TaskKind.Cumsum, Requests.Config(units: units, batchSize: batchSize, learningRate: learningRate)), null, default);
        Assert.Equal(TrialStatus.Failed, outcome.Status);
        Assert.StartsWith(reason, outcome.Error);
    }

    [Fact]
    public void CancellingBetweenEpochsStopsAfterTheCurrentEpoch()
    {
        using var cancellation = new CancellationTokenSource();
        var outcome = TrialTrainer.Train(
            Requests.For(TaskKind.Cumsum, Requests.Config(epochs: 1000)),
            metrics => { if (metrics.Epoch == 3) cancellation.Cancel(); },
            cancellation.Token);

        Assert.Equal(TrialStatus.Cancelled, outcome.Status);
        Assert.Equal(3, outcome.EpochsRun);
        Assert.True(double.IsFinite(outcome.Accuracy));
    }

    [Fact]
    public void CancellingDuringALongEpochStopsBetweenSteps()
    {
        // One epoch of 200,000 batch-1 steps would take minutes.
        var request = Requests.For(TaskKind.EchoSecond, Requests.Config(units: 4, epochs: 1),
            options: new TaskOptions { Samples = 250_000 });
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var outcome = TrialTrainer.Train(request, null, cancellation.Token);

        Assert.Equal(TrialStatus.Cancelled, outcome.Status);
        Assert.Equal(0, outcome.EpochsRun);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public void AnAlreadyCancelledTokenRunsNoEpoch()
    {
        var outcome = TrialTrainer.Train(Requests.For(TaskKind.Cumsum, Requests.Config()), null, new CancellationToken(canceled: true));
        Assert.Equal((TrialStatus.Cancelled, 0), (outcome.Status, outcome.EpochsRun));
    }
}
