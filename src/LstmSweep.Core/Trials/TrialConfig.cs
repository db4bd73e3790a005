namespace LstmSweep.Core.Trials;

/// <summary>How a bidirectional layer combines its forward and backward outputs (Keras Bidirectional merge_mode).</summary>
public enum MergeMode
{
    /// <summary>Unidirectional LSTM.</summary>
    None,
    /// <summary>fwd ‖ bwd: output width 2·units.</summary>
    Concat,
    /// <summary>fwd + bwd.</summary>
    Sum,
    /// <summary>fwd · bwd (element-wise).</summary>
    Mul,
    /// <summary>(fwd + bwd) / 2.</summary>
    Ave,
}

/// <summary>The built-in problems a sweep can train on (the seed Keras tutorials).</summary>
public enum TaskKind
{
    Cumsum,
    EchoSecond,
    StatefulCounter,
    Array,
    VariableLength,
}

/// <summary>One point of the search space: everything that decides how a single trial trains.</summary>
public sealed record TrialConfig(
    int Units,
    MergeMode MergeMode,
    bool Stateful,
    int Epochs,
    double LearningRate,
    int BatchSize,
    int Layers);

/// <summary>Where a trial is in its life (Optuna's trial states).</summary>
public enum TrialStatus
{
    Waiting,
    Running,
    Complete,
    Failed,
    Cancelled,
    /// <summary>
    /// Stopped early by the scheduler (ASHA) because it fell behind at a rung: a deliberate decision about a healthy
    /// trial, never a failure. Last, so the numbers of the older statuses stay as they were.
    /// </summary>
    Pruned,
    /// <summary>
    /// ASHA's pause variant: stopped at a rung with its checkpoint kept, waiting for a promotion (then it waits for a
    /// slot again). Not finished: a sweep ends with none paused (those never promoted end pruned). Last, as above.
    /// </summary>
    Paused,
}

/// <summary>Why an attempt failed, as the one who saw it says (never read back from the error text).</summary>
public enum FailureKind
{
    /// <summary>An exception or a worker error: it may not repeat, so the trial may be retried.</summary>
    Error,
    /// <summary>The loss became NaN or infinite: the same seed and config reach it again, so it is never retried.</summary>
    NonFiniteLoss,
    /// <summary>Its worker was lost more often than the trial's retries allow.</summary>
    WorkerLost,
}

/// <summary>Why a running attempt went back to waiting (label `reason` of lstmsweep_trials_rescheduled_total).</summary>
public enum RequeueReason
{
    /// <summary>Its worker died or left the cluster unannounced: counts against the trial's retries.</summary>
    WorkerLost,
    /// <summary>It failed with an error that may not repeat: counts against the trial's retries.</summary>
    FailedRetry,
    /// <summary>The coordinator stopped while it ran (found running on recovery): not the trial's fault.</summary>
    Interrupted,
    /// <summary>Its worker handed it back (no free slot, or leaving the cluster): not the trial's fault.</summary>
    Returned,
}

public enum SweepStatus
{
    Running,
    Completed,
    Failed,
    Cancelled,
}

/// <summary>What the model scored on the task's evaluation set after one epoch.</summary>
public sealed record EpochMetrics(int Epoch, double Loss, double Accuracy, double TrainLoss);
