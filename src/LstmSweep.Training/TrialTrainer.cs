using LstmSweep.Core.Data;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using LstmSweep.Training.Checkpoints;
using LstmSweep.Training.Tasks;
using LstmSweep.Training.Loop;
using TorchSharp;

namespace LstmSweep.Training;

/// <summary>Everything one trial needs to train: the task, the hyperparameters and the trial's own seed.</summary>
/// <remarks>
/// Device goes through <see cref="TorchRuntime.ResolveDevice(string, out string?)"/>: an unavailable CUDA device trains
/// on the CPU; call that method yourself to report the reason. With <paramref name="Checkpoints"/> the trial writes
/// checkpoints as it goes and resumes from the newest usable one in that directory (see <see cref="TrialTrainer"/>).
/// </remarks>
public sealed record TrainingRequest(
    TaskSpec Task, TrialConfig Config, long Seed, string Device = "cpu", CheckpointSettings? Checkpoints = null)
{
    /// <summary>When the trial evaluates; null: after every epoch.</summary>
    public EvaluationPlan? Evaluation { get; init; }
}

/// <summary>
/// How a trial ended. Complete: Loss/Accuracy are the evaluation metrics after the last epoch. Failed: Error says why
/// (a NaN or infinite loss names the epoch). Cancelled: the token was cancelled between steps.
/// </summary>
/// <remarks>
/// When a trial stops early, Loss/Accuracy are those of the last finished epoch (NaN if none finished). EpochsRun
/// counts the epochs a resumed trial had before too; <paramref name="ResumedFromEpoch"/> is the checkpoint's epoch it
/// resumed from (0: trained from scratch).
/// </remarks>
/// <remarks><paramref name="Failure"/>: why a failed trial failed (a non-finite loss is never retried), null otherwise.</remarks>
public sealed record TrainingOutcome(
    TrialStatus Status, double Loss, double Accuracy, int EpochsRun, string? Error, int ResumedFromEpoch = 0,
    FailureKind? Failure = null);

public static class TrialTrainer
{
    /// <summary>
    /// Trains one trial to the end on the calling thread (blocking; run it on a dedicated thread). Calls
    /// <paramref name="onEpoch"/> after each evaluated epoch (<see cref="TrainingRequest.Evaluation"/>: by default every
    /// epoch) with the evaluation metrics. Deterministic for a given request on CPU,
    /// also while other trials train on other threads of the same process. An array task's data file is loaded
    /// through <see cref="ArrayDatasetCache.Shared"/>.
    /// </summary>
    /// <remarks>
    /// <para>With <see cref="TrainingRequest.Checkpoints"/>: first resumes from the newest checkpoint in the directory
    /// with epoch ≤ config.Epochs that reads back whole and belongs to this trial (same task, options, data, seed and
    /// config apart from epochs; damaged or foreign files are skipped), then writes one after every
    /// <see cref="CheckpointSettings.Every"/>-th epoch and after the last, before <paramref name="onEpoch"/> hears of
    /// that epoch. <paramref name="onEpoch"/> hears only of epochs trained in this call. A checkpoint at config.Epochs
    /// completes the trial without training. A resumed trial ends bit-identical to one that never stopped, and a
    /// checkpoint at epoch k continues a trial with more epochs exactly as if it had been asked for them from the
    /// start (ASHA's promotion).</para>
    /// </remarks>
    public static TrainingOutcome Train(TrainingRequest request, Action<EpochMetrics>? onEpoch, CancellationToken cancellation)
        => Train(request, arrayData: null, onEpoch, cancellation);

    /// <summary>
    /// As <see cref="Train(TrainingRequest, Action{EpochMetrics}?, CancellationToken)"/>, with the array task's data
    /// already loaded (<paramref name="arrayData"/> null: load it from the task's path).
    /// </summary>
    /// <remarks>
    /// Never throws for a trial that cannot train: bad options or data, a NaN or infinite loss, or an error inside
    /// torch end the trial as Failed with the reason in Error.
    /// </remarks>
    public static TrainingOutcome Train(
        TrainingRequest request, ArrayDataset? arrayData, Action<EpochMetrics>? onEpoch, CancellationToken cancellation)
    {
        EpochMetrics? last = null;
        var resumedFrom = 0;
        TrainingOutcome Stopped(TrialStatus status, string? error, FailureKind? failure = null) =>
            new(status, last?.Loss ?? double.NaN, last?.Accuracy ?? double.NaN, last?.Epoch ?? 0, error, resumedFrom,
                status == TrialStatus.Failed ? failure ?? FailureKind.Error : null);

        try
        {
            var config = request.Config;
            Validate(config);
            var device = torch.device(TorchRuntime.ResolveDevice(request.Device));
            if (request.Task.Kind == TaskKind.Array && arrayData is null)
            {
                var path = request.Task.Options.Path ?? throw new ArgumentException("array: the task has no data path");
                arrayData = ArrayDatasetCache.Shared.Get(path, request.Task.Options.Features);
            }
            var task = TrainingTasks.Create(request.Task, config, request.Seed, arrayData);

            using var run = new TrialRun(task, config, request.Seed, device);
            var checkpoints = request.Checkpoints is { } settings
                ? new CheckpointStore(settings, CheckpointStore.IdentityOf(request, arrayData))
                : null;
            if (checkpoints?.RestoreLatest(run, config.Epochs) is { } restored)
            {
                resumedFrom = restored.Epoch;
                last = restored;
                if (resumedFrom == config.Epochs)
                {
                    // Already trained to the end: report the restored model's evaluation.
                    var (finalLoss, finalAccuracy) = run.Evaluate();
                    last = restored with { Loss = finalLoss, Accuracy = finalAccuracy };
                    return Stopped(TrialStatus.Complete, null);
                }
            }

            var plan = request.Evaluation ?? EvaluationPlan.EveryEpoch;
            var sinceCheckpoint = System.Diagnostics.Stopwatch.StartNew();
            for (var epoch = resumedFrom + 1; epoch <= config.Epochs; epoch++)
            {
                if (cancellation.IsCancellationRequested) return Stopped(TrialStatus.Cancelled, null);
                var training = run.TrainEpoch(epoch, cancellation);
                if (training.Cancelled) return Stopped(TrialStatus.Cancelled, null);
                if (training.NonFiniteLoss is { } badLoss)
                    return Stopped(TrialStatus.Failed, $"training loss became {Describe(badLoss)} at epoch {epoch}", FailureKind.NonFiniteLoss);

                var checkpointDue = checkpoints is not null && (epoch == config.Epochs || plan.IsAlways(epoch)
                    || (epoch % checkpoints.Every == 0 && sinceCheckpoint.Elapsed >= request.Checkpoints!.MinimumInterval));
                if (!checkpointDue && !plan.IsDue(epoch, config.Epochs)) continue;

                var (loss, accuracy) = run.Evaluate();
                if (!double.IsFinite(loss))
                    return Stopped(TrialStatus.Failed, $"evaluation loss became {Describe(loss)} at epoch {epoch}", FailureKind.NonFiniteLoss);
                last = new EpochMetrics(epoch, loss, accuracy, training.MeanLoss);
                if (checkpointDue)
                {
                    checkpoints!.Write(run, last);
                    sinceCheckpoint.Restart();
                }
                onEpoch?.Invoke(last);
            }
            return Stopped(TrialStatus.Complete, null);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return Stopped(TrialStatus.Cancelled, null);
        }
        catch (Exception error)
        {
            return Stopped(TrialStatus.Failed, error.Message);
        }
    }

    internal static void Validate(TrialConfig config)
    {
        if (config.Units < 1) throw new ArgumentException($"units must be at least 1, got {config.Units}");
        if (config.Layers < 1) throw new ArgumentException($"layers must be at least 1, got {config.Layers}");
        if (config.Epochs < 1) throw new ArgumentException($"epochs must be at least 1, got {config.Epochs}");
        if (config.BatchSize < 1) throw new ArgumentException($"batch_size must be at least 1, got {config.BatchSize}");
        // Torch keeps the learning rate as a float: larger values would fail later with an obscure overflow message.
        if (!(config.LearningRate > 0) || config.LearningRate > float.MaxValue)
            throw new ArgumentException($"learning_rate must be a positive number up to {float.MaxValue}, got {config.LearningRate}");
    }

    private static string Describe(double loss) => double.IsNaN(loss) ? "NaN" : "infinite";
}
