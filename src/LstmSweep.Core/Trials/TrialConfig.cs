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
