using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;

namespace LstmSweep.Training.Tests;

[Collection(NonParallel.Name)]
public class DeterminismTests
{
    private static readonly TrainingRequest[] DifferentRequests =
    [
        Requests.For(TaskKind.Cumsum, Requests.Config(mergeMode: MergeMode.Concat, epochs: 30, batchSize: 4), seed: 1),
        Requests.For(TaskKind.EchoSecond, Requests.Config(units: 8, mergeMode: MergeMode.Sum, epochs: 2, batchSize: 16, layers: 2),
            seed: 2, options: new TaskOptions { Samples = 300 }),
        Requests.For(TaskKind.VariableLength, Requests.Config(units: 8, mergeMode: MergeMode.Ave, stateful: true, epochs: 3, batchSize: 8),
            seed: 3, options: new TaskOptions { Samples = 200 }),
    ];

    [Fact]
    public void TheSameRequestGivesIdenticalNumbers()
    {
        var request = DifferentRequests[0];
        AssertSameNumbers(Run(request), Run(request));
    }

    [Fact]
    public void ConcurrentTrialsGiveExactlyTheNumbersEachGivesAlone()
    {
        var alone = DifferentRequests.Select(Run).ToArray();

        var concurrent = new (TrainingOutcome, List<EpochMetrics>)[DifferentRequests.Length];
        var threads = DifferentRequests
            .Select((request, i) => new Thread(() => concurrent[i] = Run(request)))
            .ToList();
        threads.ForEach(thread => thread.Start());
        threads.ForEach(thread => thread.Join());

        for (var i = 0; i < alone.Length; i++) AssertSameNumbers(alone[i], concurrent[i]);
    }

    /// <summary>Exact equality of every double: records compare their fields with double.Equals.</summary>
    private static void AssertSameNumbers((TrainingOutcome Outcome, List<EpochMetrics> Epochs) expected, (TrainingOutcome Outcome, List<EpochMetrics> Epochs) actual)
    {
        Assert.Equal(expected.Outcome, actual.Outcome);
        Assert.Equal(expected.Epochs, actual.Epochs);
    }

    private static (TrainingOutcome, List<EpochMetrics>) Run(TrainingRequest request)
    {
        var epochs = new List<EpochMetrics>();
        var outcome = TrialTrainer.Train(request, epochs.Add, default);
        Assert.Equal(TrialStatus.Complete, outcome.Status);
        return (outcome, epochs);
    }
}
