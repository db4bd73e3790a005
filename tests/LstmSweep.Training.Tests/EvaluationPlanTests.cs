using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using LstmSweep.Training.Checkpoints;

namespace LstmSweep.Training.Tests;

/// <summary>eval_every: which epochs a trial evaluates and reports, and that the cadence never changes the training.</summary>
public class EvaluationPlanTests
{
    private static TrainingRequest Cumsum(int epochs) =>
        Requests.For(TaskKind.Cumsum, Requests.Config(mergeMode: MergeMode.Concat, epochs: epochs), options: new TaskOptions { Timesteps = 6, EvalSamples = 20 });

    private static (TrainingOutcome Outcome, List<EpochMetrics> Epochs) Run(TrainingRequest request)
    {
        var epochs = new List<EpochMetrics>();
        var outcome = TrialTrainer.Train(request, epochs.Add, CancellationToken.None);
        return (outcome, epochs);
    }

    [Fact]
    public void EvaluatesEveryNthEpochTheRungsAndTheLastAndTrainsTheSame()
    {
        var request = Cumsum(epochs: 11);
        var everyEpoch = Run(request);
        var sparse = Run(request with { Evaluation = new EvaluationPlan(Every: 4, Always: [3]) });

        Assert.Equal(Enumerable.Range(1, 11), everyEpoch.Epochs.Select(e => e.Epoch));
        Assert.Equal([3, 4, 8, 11], sparse.Epochs.Select(e => e.Epoch));
        // Evaluation reads the model and never moves it: the evaluated epochs' numbers are those of the every-epoch run.
        Assert.Equal(everyEpoch.Epochs.Where(e => e.Epoch is 3 or 4 or 8 or 11), sparse.Epochs);
        Assert.Equal(everyEpoch.Outcome, sparse.Outcome);
    }

    [Fact]
    public void ATimeBoundSkipsCheckpointMultiplesButNeverTheRungsOrTheLastEpoch()
    {
        using var dir = new CheckpointTests.TempDirectory();
        var request = Cumsum(epochs: 6) with
        {
            Checkpoints = new CheckpointSettings(dir.Path, Every: 1) { MinimumInterval = TimeSpan.FromHours(1) },
            Evaluation = new EvaluationPlan(Every: 100, Always: [2]),
        };
        var (outcome, epochs) = Run(request);

        Assert.Equal(TrialStatus.Complete, outcome.Status);
        Assert.Equal([2, 6], epochs.Select(e => e.Epoch)); // a checkpoint is written where the trial evaluates
        Assert.Equal([CheckpointStore.FileName(2), CheckpointStore.FileName(6)],
            Directory.GetFiles(dir.Path, "*.ckpt").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(Run(Cumsum(epochs: 6)).Outcome, outcome);
    }
}
