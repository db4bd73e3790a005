namespace LstmSweep.Core.Trials;

/// <summary>
/// The caps a spec is checked against, so no request can ask a node for unbounded work or memory. The defaults fit any
/// real sweep of seed-sized LSTMs; an operator who needs more raises them on the node (the node's settings) or for
/// `lstmsweep run`, never from inside a submitted spec. One record, so the spec reader, the hyperparameter table and
/// the README's table of limits speak of the same numbers.
/// </summary>
public sealed record SpecLimits
{
    public static readonly SpecLimits Default = new();

    /// <summary>Largest spec text accepted, in bytes (the HTTP API's body limit too).</summary>
    public int MaxSpecBytes { get; init; } = 1 << 20;

    /// <summary>Deepest nesting of mappings and lists in a spec (a real spec needs 4).</summary>
    public int MaxNestingDepth { get; init; } = 32;

    /// <summary>Trials a sweep may plan (grid size, max_trials), computed without expanding the plan.</summary>
    public long MaxPlannedTrials { get; init; } = 100_000;

    public int MaxUnits { get; init; } = 4096;
    public int MaxLayers { get; init; } = 16;
    public int MaxEpochs { get; init; } = 100_000;
    public int MaxBatchSize { get; init; } = 65_536;
    public int MaxTimesteps { get; init; } = 10_000;
    public int MaxSamples { get; init; } = 1_000_000;
    public int MaxClasses { get; init; } = 10_000;
    public int MaxRetries { get; init; } = 100;

    /// <summary>Largest data file (array task) a spec may name, in bytes.</summary>
    public long MaxDataFileBytes { get; init; } = 256L << 20;

    /// <summary>Estimated memory of one trial (weights, optimizer state, activations of one batch), in bytes.</summary>
    public long MaxTrialMemoryBytes { get; init; } = 4L << 30;
}
