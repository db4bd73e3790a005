using LstmSweep.Core.Trials;

namespace LstmSweep.Cluster.Persistence.Stored;

/// <summary>
/// A trial's hyperparameters as the journal and snapshots store them: THE one place TrialConfig maps to and from its
/// stored form. A new hyperparameter is a property here (with the default an older row, which lacks it, must read as)
/// and its line in <see cref="From"/> and <see cref="ToConfig"/>.
/// </summary>
public sealed record StoredTrialConfig
{
    public int Units { get; init; }
    public MergeMode MergeMode { get; init; } = MergeMode.None;
    public bool Stateful { get; init; }
    public int Epochs { get; init; }
    public double LearningRate { get; init; }
    public int BatchSize { get; init; } = 1;
    public int Layers { get; init; } = 1;
    // Rows written before these hyperparameters existed trained with what the defaults below name.
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    public int DenseUnits { get; init; }
    public WeightInit Init { get; init; } = WeightInit.Torch;
    public OutputActivation Head { get; init; } = OutputActivation.Auto;

    public static StoredTrialConfig From(TrialConfig c) => new()
    {
        Units = c.Units, MergeMode = c.MergeMode, Stateful = c.Stateful, Epochs = c.Epochs, LearningRate = c.LearningRate,
        BatchSize = c.BatchSize, Layers = c.Layers, Optimizer = c.Optimizer, DenseUnits = c.DenseUnits, Init = c.Init,
        Head = c.Head,
    };

    public TrialConfig ToConfig() => new(Units, MergeMode, Stateful, Epochs, LearningRate, BatchSize, Layers, Optimizer, DenseUnits, Init, Head);
}
