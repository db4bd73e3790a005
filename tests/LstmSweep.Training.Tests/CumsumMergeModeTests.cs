using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using Xunit.Abstractions;

namespace LstmSweep.Training.Tests;

public class CumsumMergeModeTests(ITestOutputHelper output)
{
    /// <summary>
    /// The Keras bidirectional-LSTM tutorial's comparison (T = 10, 20 units, Adam lr 0.01) under a budget of 15 epochs
    /// of 8 fresh sequences each. Bidirectional layers pick the task up within a few epochs; the unidirectional layer
    /// is still near the 0.53 of always guessing one class. Observed with per-epoch data generators (seeds 1–12): best
    /// bidirectional 0.892–0.928 (seeds 1–3: 0.902, 0.895, 0.894), unidirectional mostly 0.52–0.73 (seed 7: 0.913, it
    /// learned early). Before epochs had generators of their own (one stream for all epochs) the same seeds gave
    /// 0.890–0.937, so the bar is 0.88, not 0.90. (Given ~60 epochs more, the unidirectional layer catches up: the
    /// label depends on the past only.)
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void BestBidirectionalModeReachesEightyEightPercentAndBeatsUnidirectional(long seed)
    {
        var accuracy = Enum.GetValues<MergeMode>().ToDictionary(mode => mode, mode =>
        {
            var config = Requests.Config(units: 20, mergeMode: mode, epochs: 15, learningRate: 0.01, batchSize: 8);
            var outcome = TrialTrainer.Train(Requests.For(TaskKind.Cumsum, config, seed, new TaskOptions { Timesteps = 10 }), null, default);
            Assert.Equal(TrialStatus.Complete, outcome.Status);
            return outcome.Accuracy;
        });
        output.WriteLine(string.Join(", ", accuracy.Select(pair => $"{pair.Key} {pair.Value:F3}")));

        var bestBidirectional = accuracy.Where(pair => pair.Key != MergeMode.None).Max(pair => pair.Value);
        Assert.True(bestBidirectional >= 0.88, $"best bidirectional accuracy {bestBidirectional:F3}");
        Assert.True(bestBidirectional > accuracy[MergeMode.None] + 0.1,
            $"bidirectional {bestBidirectional:F3} vs unidirectional {accuracy[MergeMode.None]:F3}");
    }
}
