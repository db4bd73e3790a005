using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using LstmSweep.Training.Checkpoints;

namespace LstmSweep.Training.Tests;

public class CheckpointTests
{
    private static readonly TaskOptions EchoOptions = new() { Timesteps = 6, Samples = 200 };

    /// <summary>
    /// Interrupted right after epoch k's callback and resumed from the checkpoint at k: the same epochs, metrics and
    /// final weights and Adam state (the final checkpoint files are byte-identical) as a run that never stopped.
    /// </summary>
    [Theory]
    [InlineData(TaskKind.Cumsum, MergeMode.None, 1, 3)]
    [InlineData(TaskKind.Cumsum, MergeMode.Concat, 2, 4)]
    [InlineData(TaskKind.EchoSecond, MergeMode.None, 1, 2)]
    [InlineData(TaskKind.EchoSecond, MergeMode.Sum, 3, 3)]
    public void InterruptedAndResumedEqualsUninterrupted(TaskKind kind, MergeMode mode, int every, int interruptAfter)
    {
        using var straightDir = new TempDirectory();
        using var resumedDir = new TempDirectory();
        var request = Request(kind, mode, epochs: 6);

        var straight = Run(request with { Checkpoints = new CheckpointSettings(straightDir.Path, every) });
        Assert.Equal(TrialStatus.Complete, straight.Outcome.Status);
        Assert.Equal(Run(request).Outcome, straight.Outcome); // writing checkpoints changes nothing

        var withResumedDir = request with { Checkpoints = new CheckpointSettings(resumedDir.Path, every) };
        var interrupted = Run(withResumedDir, cancelAfterEpoch: interruptAfter);
        Assert.Equal(TrialStatus.Cancelled, interrupted.Outcome.Status);
        Assert.Equal(interruptAfter, interrupted.Outcome.EpochsRun);
        Assert.Equal(straight.Epochs.Take(interruptAfter), interrupted.Epochs);

        var resumed = Run(withResumedDir);
        Assert.Equal(straight.Outcome with { ResumedFromEpoch = interruptAfter }, resumed.Outcome);
        Assert.Equal(6, resumed.Outcome.EpochsRun);
        Assert.Equal(straight.Epochs.Skip(interruptAfter), resumed.Epochs); // only the later epochs are reported
        Assert.Equal(File.ReadAllBytes(CheckpointPath(straightDir, 6)), File.ReadAllBytes(CheckpointPath(resumedDir, 6)));
        Assert.Equal(Weights(straightDir, request, 6), Weights(resumedDir, request, 6));
        Assert.All(Directory.GetFiles(resumedDir.Path), path => Assert.EndsWith(".ckpt", path)); // no temp files left
    }

    /// <summary>Each optimizer's state (RMSprop's mean square, SGD's step count) survives a resume bit for bit.</summary>
    [Theory]
    [InlineData(OptimizerKind.RmsProp)]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adam)]
    public void EachOptimizerResumesExactly(OptimizerKind optimizer)
    {
        using var straightDir = new TempDirectory();
        using var resumedDir = new TempDirectory();
        var request = Request(TaskKind.EchoSecond, MergeMode.Concat, epochs: 4);
        request = request with { Config = request.Config with { Optimizer = optimizer, Init = WeightInit.Keras, DenseUnits = 5 } };

        var straight = Run(request with { Checkpoints = new CheckpointSettings(straightDir.Path, 1) });
        var withResumedDir = request with { Checkpoints = new CheckpointSettings(resumedDir.Path, 1) };
        Run(withResumedDir, cancelAfterEpoch: 2);
        var resumed = Run(withResumedDir);
        Assert.Equal(straight.Outcome with { ResumedFromEpoch = 2 }, resumed.Outcome);
        Assert.Equal(File.ReadAllBytes(CheckpointPath(straightDir, 4)), File.ReadAllBytes(CheckpointPath(resumedDir, 4)));

        // Another optimizer's checkpoint belongs to another trial.
        var other = request with { Config = request.Config with { Optimizer = optimizer == OptimizerKind.Sgd ? OptimizerKind.Adam : OptimizerKind.Sgd } };
        var (contents, rejection) = CheckpointStore.TryRead(CheckpointPath(straightDir, 4), Identity(other), null);
        Assert.Null(contents);
        Assert.Contains("another trial's checkpoint", rejection);
    }

    [Fact]
    public void CheckpointsFollowEveryAndTheLastEpochAndOnlyTheNewestTwoAreKept()
    {
        using var dir = new TempDirectory();
        var request = Request(TaskKind.Cumsum, MergeMode.None, epochs: 7) with { Checkpoints = new CheckpointSettings(dir.Path, 3) };
        var written = new List<string[]>();
        var outcome = TrialTrainer.Train(request, _ => written.Add(CheckpointNames(dir)), default);

        Assert.Equal(TrialStatus.Complete, outcome.Status);
        Assert.Equal([], written[1]); // epoch 2: none yet
        Assert.Equal(["epoch-000003.ckpt"], written[2]); // written before the callback of its epoch
        Assert.Equal(["epoch-000003.ckpt", "epoch-000006.ckpt"], written[5]);
        Assert.Equal(["epoch-000006.ckpt", "epoch-000007.ckpt"], written[6]); // the last epoch; 3 pruned
    }

    [Fact]
    public void ACheckpointAtTheLastEpochCompletesTheTrialWithoutTraining()
    {
        using var dir = new TempDirectory();
        var request = Request(TaskKind.EchoSecond, MergeMode.None, epochs: 3) with { Checkpoints = new CheckpointSettings(dir.Path, 5) };
        var first = Run(request);
        var before = File.ReadAllBytes(CheckpointPath(dir, 3));

        var again = Run(request);
        Assert.Equal(first.Outcome with { ResumedFromEpoch = 3 }, again.Outcome);
        Assert.Empty(again.Epochs);
        Assert.Equal(before, File.ReadAllBytes(CheckpointPath(dir, 3)));
    }

    [Theory]
    [InlineData("flip a byte")]
    [InlineData("truncate")]
    [InlineData("empty")]
    public void ADamagedNewestCheckpointFallsBackToTheOlderOne(string damage)
    {
        using var dir = new TempDirectory();
        var request = Request(TaskKind.Cumsum, MergeMode.Ave, epochs: 4) with { Checkpoints = new CheckpointSettings(dir.Path, 1) };
        var straight = Run(request);
        Assert.Equal(["epoch-000003.ckpt", "epoch-000004.ckpt"], CheckpointNames(dir));
        var good = File.ReadAllBytes(CheckpointPath(dir, 4));

        var damaged = damage switch
        {
            "flip a byte" => good.Select((value, i) => i == good.Length / 2 ? (byte)(value ^ 0x10) : value).ToArray(),
            "truncate" => good[..(good.Length - 100)],
            _ => [],
        };
        File.WriteAllBytes(CheckpointPath(dir, 4), damaged);
        Assert.NotNull(CheckpointStore.TryRead(CheckpointPath(dir, 4), Identity(request), null).Rejection);

        var resumed = Run(request);
        Assert.Equal(straight.Outcome with { ResumedFromEpoch = 3 }, resumed.Outcome);
        Assert.Equal(straight.Epochs.Skip(3), resumed.Epochs);
        Assert.Equal(good, File.ReadAllBytes(CheckpointPath(dir, 4))); // rewritten whole
    }

    [Theory]
    [InlineData("seed")]
    [InlineData("units")]
    [InlineData("merge mode")]
    [InlineData("task options")]
    public void AnotherTrialsCheckpointIsIgnored(string difference)
    {
        using var dir = new TempDirectory();
        var request = Request(TaskKind.Cumsum, MergeMode.None, epochs: 3);
        var other = difference switch
        {
            "seed" => request with { Seed = request.Seed + 1 },
            "units" => request with { Config = request.Config with { Units = 9 } },
            "merge mode" => request with { Config = request.Config with { MergeMode = MergeMode.Mul } },
            _ => request with { Task = request.Task with { Options = new TaskOptions { Timesteps = 7 } } },
        };
        Run(other with { Checkpoints = new CheckpointSettings(dir.Path, 1) });
        var (contents, rejection) = CheckpointStore.TryRead(CheckpointPath(dir, 3), Identity(request), null);
        Assert.Null(contents);
        Assert.StartsWith("another trial's checkpoint", rejection);

        var mine = Run(request with { Checkpoints = new CheckpointSettings(dir.Path, 1) });
        Assert.Equal(0, mine.Outcome.ResumedFromEpoch);
        Assert.Equal(Run(request).Outcome, mine.Outcome);
        Assert.Equal(3, mine.Epochs.Count);
    }

    /// <summary>ASHA's promotion: a trial that ended at 3 epochs continues to 6 exactly as a run asked for 6.</summary>
    [Theory]
    [InlineData(TaskKind.Cumsum, MergeMode.Concat)]
    [InlineData(TaskKind.EchoSecond, MergeMode.None)]
    public void ContinuingToMoreEpochsEqualsTrainingStraightToThem(TaskKind kind, MergeMode mode)
    {
        using var straightDir = new TempDirectory();
        using var promotedDir = new TempDirectory();
        var longer = Request(kind, mode, epochs: 6);
        var shorter = longer with { Config = longer.Config with { Epochs = 3 } };

        var straight = Run(longer with { Checkpoints = new CheckpointSettings(straightDir.Path, 2) });
        var rung = Run(shorter with { Checkpoints = new CheckpointSettings(promotedDir.Path, 2) });
        Assert.Equal(TrialStatus.Complete, rung.Outcome.Status);
        Assert.Equal(straight.Epochs.Take(3), rung.Epochs);

        var promoted = Run(longer with { Checkpoints = new CheckpointSettings(promotedDir.Path, 2) });
        Assert.Equal(straight.Outcome with { ResumedFromEpoch = 3 }, promoted.Outcome);
        Assert.Equal(straight.Epochs.Skip(3), promoted.Epochs);
        Assert.Equal(File.ReadAllBytes(CheckpointPath(straightDir, 6)), File.ReadAllBytes(CheckpointPath(promotedDir, 6)));

        // Checkpoints past a request's epochs are never used: the shorter request again (its epoch-3 checkpoint was
        // pruned after 4 and 6 were written) trains from scratch to the same numbers.
        Assert.Equal(["epoch-000004.ckpt", "epoch-000006.ckpt"], CheckpointNames(promotedDir));
        var shorterAgain = Run(shorter with { Checkpoints = new CheckpointSettings(promotedDir.Path, 2) });
        Assert.Equal(rung.Outcome, shorterAgain.Outcome);
    }

    [Fact]
    public void InvalidCheckpointSettingsFailTheTrial()
    {
        using var dir = new TempDirectory();
        var outcome = TrialTrainer.Train(Request(TaskKind.Cumsum, MergeMode.None, epochs: 2) with { Checkpoints = new CheckpointSettings(dir.Path, 0) }, null, default);
        Assert.Equal(TrialStatus.Failed, outcome.Status);
        Assert.Contains("every must be at least 1", outcome.Error);
    }

    private static TrainingRequest Request(TaskKind kind, MergeMode mode, int epochs) => kind == TaskKind.Cumsum
        ? Requests.For(kind, Requests.Config(units: 8, mergeMode: mode, epochs: epochs, batchSize: 4), seed: 11)
        : Requests.For(kind, Requests.Config(units: 8, mergeMode: mode, epochs: epochs, batchSize: 16), seed: 11, EchoOptions);

    private static (TrainingOutcome Outcome, List<EpochMetrics> Epochs) Run(TrainingRequest request, int? cancelAfterEpoch = null)
    {
        using var cancellation = new CancellationTokenSource();
        var epochs = new List<EpochMetrics>();
        var outcome = TrialTrainer.Train(request, metrics =>
        {
            epochs.Add(metrics);
            if (metrics.Epoch == cancelAfterEpoch) cancellation.Cancel();
        }, cancellation.Token);
        Assert.Null(outcome.Error);
        return (outcome, epochs);
    }

    private static string Identity(TrainingRequest request) => CheckpointStore.IdentityOf(request, arrayData: null);

    private static string CheckpointPath(TempDirectory dir, int epoch) => Path.Combine(dir.Path, CheckpointStore.FileName(epoch));

    private static string[] CheckpointNames(TempDirectory dir) =>
        Directory.GetFiles(dir.Path, "*.ckpt").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    /// <summary>The weights stored in a checkpoint, parameter by parameter.</summary>
    private static List<float[]> Weights(TempDirectory dir, TrainingRequest request, int epoch)
    {
        var (contents, rejection) = CheckpointStore.TryRead(CheckpointPath(dir, epoch), Identity(request), null);
        Assert.True(contents is not null, rejection);
        return contents.Parameters.Select(parameter => parameter.Values).ToList();
    }

    internal sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("lstmsweep-checkpoints-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
