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

/// <summary>The optimizer a trial trains with (Keras's defaults for each; see docs/tasks.md).</summary>
public enum OptimizerKind
{
    Adam,
    RmsProp,
    Sgd,
}

/// <summary>How a trial's initial weights are drawn.</summary>
public enum WeightInit
{
    /// <summary>PyTorch's defaults: every weight and both bias vectors uniform in ±1/√units (what older versions did).</summary>
    Torch,
    /// <summary>Keras's: glorot-uniform input kernels and head, orthogonal recurrent kernels, zero bias with forget-gate bias 1.</summary>
    Keras,
}

/// <summary>The output layer's activation and loss.</summary>
public enum OutputActivation
{
    /// <summary>The task's own: sigmoid + binary cross-entropy for cumsum, softmax + cross-entropy for the others.</summary>
    Auto,
    /// <summary>One output per class, softmax + categorical cross-entropy.</summary>
    Softmax,
    /// <summary>Two-class tasks only: one sigmoid output, binary cross-entropy (seed 000's model).</summary>
    Sigmoid,
}

/// <summary>
/// One point of the search space: everything that decides how a single trial trains. The hyperparameter table
/// (<see cref="Hyperparameters"/>) names, formats and checks every field.
/// </summary>
/// <remarks>
/// Stored as JSON in journals: a field added later comes last with a default that means what older versions did
/// (Adam, no hidden dense layer, PyTorch initialisation, the task's own head), so a config journalled before the field existed keeps its
/// meaning. A spec's defaults are the table's (<see cref="Hyperparameters.Defaults"/>), which may differ.
/// </remarks>
public sealed record TrialConfig(
    int Units,
    MergeMode MergeMode,
    bool Stateful,
    int Epochs,
    double LearningRate,
    int BatchSize,
    int Layers,
    OptimizerKind Optimizer = OptimizerKind.Adam,
    int DenseUnits = 0,
    WeightInit Init = WeightInit.Torch,
    OutputActivation Head = OutputActivation.Auto)
{
    /// <summary>The defaults of versions before the table (learning rate 0.01, PyTorch initialisation).</summary>
    public static TrialConfig Legacy { get; } = new(20, MergeMode.None, false, 50, 0.01, 1, 1);
}

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
