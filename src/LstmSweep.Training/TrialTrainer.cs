using LstmSweep.Core.Data;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using LstmSweep.Training.Tasks;
using LstmSweep.Training.Training;
using TorchSharp;

namespace LstmSweep.Training;

/// <summary>Everything one trial needs to train: the task, the hyperparameters and the trial's own seed.</summary>
/// <remarks>
/// Device goes through <see cref="TorchRuntime.ResolveDevice(string, out string?)"/>: an unavailable CUDA device trains
/// on the CPU; call that method yourself to report the reason.
/// </remarks>
public sealed record TrainingRequest(TaskSpec Task, TrialConfig Config, long Seed, string Device = "cpu");

/// <summary>
/// How a trial ended. Complete: Loss/Accuracy are the evaluation metrics after the last epoch. Failed: Error says why
/// (a NaN or infinite loss names the epoch). Cancelled: the token was cancelled between steps.
/// </summary>
/// <remarks>When a trial stops early, Loss/Accuracy are those of the last finished epoch (NaN if none finished).</remarks>
public sealed record TrainingOutcome(TrialStatus Status, double Loss, double Accuracy, int EpochsRun, string? Error);

public static class TrialTrainer
{
    /// <summary>
    /// Trains one trial to the end on the calling thread (blocking; run it on a dedicated thread). Calls
    /// <paramref name="onEpoch"/> after each epoch with the evaluation metrics. Deterministic for a given request on CPU,
    /// also while other trials train on other threads of the same process. An array task's data file is loaded
    /// through <see cref="ArrayDatasetCache.Shared"/>.
    /// </summary>
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
        TrainingOutcome Stopped(TrialStatus status, string? error) =>
            new(status, last?.Loss ?? double.NaN, last?.Accuracy ?? double.NaN, last?.Epoch ?? 0, error);

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
            for (var epoch = 1; epoch <= config.Epochs; epoch++)
            {
                if (cancellation.IsCancellationRequested) return Stopped(TrialStatus.Cancelled, null);
                var training = run.TrainEpoch(epoch, cancellation);
                if (training.Cancelled) return Stopped(TrialStatus.Cancelled, null);
                if (training.NonFiniteLoss is { } badLoss)
                    return Stopped(TrialStatus.Failed, $"training loss became {Describe(badLoss)} at epoch {epoch}");

                var (loss, accuracy) = run.Evaluate();
                if (!double.IsFinite(loss))
                    return Stopped(TrialStatus.Failed, $"evaluation loss became {Describe(loss)} at epoch {epoch}");
                last = new EpochMetrics(epoch, loss, accuracy, training.MeanLoss);
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

    private static void Validate(TrialConfig config)
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
