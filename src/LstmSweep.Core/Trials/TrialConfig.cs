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

/// <summary>Where a trial is in its life (Optuna's trial states). Early stopping adds Pruned later.</summary>
public enum TrialStatus
{
    Waiting,
    Running,
    Complete,
    Failed,
    Cancelled,
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
