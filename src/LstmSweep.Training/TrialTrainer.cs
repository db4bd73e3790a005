using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;

namespace LstmSweep.Training;

/// <summary>Everything one trial needs to train: the task, the hyperparameters and the trial's own seed.</summary>
public sealed record TrainingRequest(TaskSpec Task, TrialConfig Config, long Seed, string Device = "cpu");

/// <summary>
/// How a trial ended. Complete: Loss/Accuracy are the evaluation metrics after the last epoch. Failed: Error says why
/// (a NaN or infinite loss names the epoch). Cancelled: the token was cancelled between steps.
/// </summary>
public sealed record TrainingOutcome(TrialStatus Status, double Loss, double Accuracy, int EpochsRun, string? Error);

public static class TrialTrainer
{
    /// <summary>
    /// Trains one trial to the end on the calling thread (blocking; run it on a dedicated thread). Calls
    /// <paramref name="onEpoch"/> after each epoch with the evaluation metrics. Deterministic for a given request on CPU,
    /// also while other trials train on other threads of the same process.
    /// </summary>
    public static TrainingOutcome Train(TrainingRequest request, Action<EpochMetrics>? onEpoch, CancellationToken cancellation)
        => throw new NotImplementedException();
}
