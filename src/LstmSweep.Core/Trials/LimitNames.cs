namespace LstmSweep.Core.Trials;

/// <summary>
/// The setting that changes each cap (the node's key, also LSTMSWEEP_&lt;KEY&gt; and `run --limit KEY=VALUE`), so an
/// error can say which one a user would ask their operator to raise. One list for the reader, the settings binder
/// and the README's table.
/// </summary>
public static class LimitNames
{
    public const string MaxSpecBytes = "max_spec_bytes";
    public const string MaxNestingDepth = "max_nesting_depth";
    public const string MaxPlannedTrials = "max_planned_trials";
    public const string MaxUnits = "max_units";
    public const string MaxLayers = "max_layers";
    public const string MaxEpochs = "max_epochs";
    public const string MaxBatchSize = "max_batch_size";
    public const string MaxTimesteps = "max_timesteps";
    public const string MaxSamples = "max_samples";
    public const string MaxClasses = "max_classes";
    public const string MaxRetries = "max_retries";
    public const string MaxDataFileBytes = "max_data_file_bytes";
    public const string MaxTrialMemoryBytes = "max_trial_memory_bytes";

    /// <summary>Every cap: its key, how to read it from a <see cref="SpecLimits"/> and how to set it.</summary>
    public static readonly IReadOnlyList<(string Key, Func<SpecLimits, long> Get, Func<SpecLimits, long, SpecLimits> Set)> All =
    [
        (MaxSpecBytes, l => l.MaxSpecBytes, (l, v) => l with { MaxSpecBytes = (int)v }),
        (MaxNestingDepth, l => l.MaxNestingDepth, (l, v) => l with { MaxNestingDepth = (int)v }),
        (MaxPlannedTrials, l => l.MaxPlannedTrials, (l, v) => l with { MaxPlannedTrials = v }),
        (MaxUnits, l => l.MaxUnits, (l, v) => l with { MaxUnits = (int)v }),
        (MaxLayers, l => l.MaxLayers, (l, v) => l with { MaxLayers = (int)v }),
        (MaxEpochs, l => l.MaxEpochs, (l, v) => l with { MaxEpochs = (int)v }),
        (MaxBatchSize, l => l.MaxBatchSize, (l, v) => l with { MaxBatchSize = (int)v }),
        (MaxTimesteps, l => l.MaxTimesteps, (l, v) => l with { MaxTimesteps = (int)v }),
        (MaxSamples, l => l.MaxSamples, (l, v) => l with { MaxSamples = (int)v }),
        (MaxClasses, l => l.MaxClasses, (l, v) => l with { MaxClasses = (int)v }),
        (MaxRetries, l => l.MaxRetries, (l, v) => l with { MaxRetries = (int)v }),
        (MaxDataFileBytes, l => l.MaxDataFileBytes, (l, v) => l with { MaxDataFileBytes = v }),
        (MaxTrialMemoryBytes, l => l.MaxTrialMemoryBytes, (l, v) => l with { MaxTrialMemoryBytes = v }),
    ];

    /// <summary>The largest value a cap may be set to (int-valued caps fit an int; the planned trials a trial number).</summary>
    public static long Ceiling(string key) => key switch
    {
        MaxDataFileBytes or MaxTrialMemoryBytes => long.MaxValue,
        MaxNestingDepth => 1_000, // the tree reader recurses once per level
        _ => int.MaxValue,
    };
}
