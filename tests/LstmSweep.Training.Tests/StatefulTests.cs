using LstmSweep.Core.Trials;

namespace LstmSweep.Training.Tests;

public class StatefulTests
{
    [Fact]
    public void OnlyAStatefulModelWithBatchSizeOneSolvesTheCounter()
    {
        var stateful = TrialTrainer.Train(Requests.For(TaskKind.StatefulCounter, Requests.Config(units: 10, stateful: true, epochs: 100)), null, default);
        var stateless = TrialTrainer.Train(Requests.For(TaskKind.StatefulCounter, Requests.Config(units: 10, stateful: false, epochs: 100)), null, default);
        var statefulInOneBatch = TrialTrainer.Train(Requests.For(TaskKind.StatefulCounter, Requests.Config(units: 10, stateful: true, epochs: 100, batchSize: 2)), null, default);

        // Evaluation replays [0 → 1], [0 → 2] in order: accuracy 1.0 means it predicted 1, then 2.
        Assert.Equal(TrialStatus.Complete, stateful.Status);
        Assert.Equal(1.0, stateful.Accuracy);
        Assert.True(stateless.Accuracy <= 0.5, $"stateless accuracy {stateless.Accuracy}");
        Assert.True(statefulInOneBatch.Accuracy <= 0.5, $"rows of one batch share no state, accuracy {statefulInOneBatch.Accuracy}");
    }

    [Fact]
    public void StatefulTrainingCarriesOnlyTheMatchingRowsIntoASmallerLastBatch()
    {
        // 800 training samples in batches of 48: the last batch has 32 rows and continues the first 32 rows' state.
        var outcome = TrialTrainer.Train(Requests.For(TaskKind.EchoSecond, Requests.Config(units: 8, stateful: true, epochs: 2, batchSize: 48)), null, default);
        Assert.Equal(TrialStatus.Complete, outcome.Status);
        Assert.Equal(2, outcome.EpochsRun);
    }
}
