using LstmSweep.Core.Search;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;

namespace LstmSweep.Cluster.Persistence.Stored;

/// <summary>
/// A resolved spec as the journal stores it (beside the spec's text), from which a restarted coordinator rebuilds its
/// sampler and scheduler: THE one place SweepSpec maps to and from its stored form. A new spec key is a property here
/// (nullable or with the default an older row must read as) and its line in <see cref="From"/> and <see cref="ToSpec"/>.
/// Reads v1 rows too: they held the SweepSpec record as reflected, the same names (extra ones, such as is_range, are
/// ignored).
/// </summary>
public sealed record StoredSpec
{
    public string Name { get; init; } = "";
    public StoredTask Task { get; init; } = new();
    public SearchStrategy Strategy { get; init; }
    public int? MaxTrials { get; init; }
    public bool Truncate { get; init; }
    public long Seed { get; init; }
    public Objective Objective { get; init; }
    /// <summary>
    /// Key → domain for each hyperparameter the spec gave, in the hyperparameter table's own JSON form
    /// (<see cref="SearchSpace"/>'s converter), which reads v1 rows: they gave all seven original keys.
    /// </summary>
    public SearchSpace Space { get; init; } = SearchSpace.Empty;
    public SchedulerKind Scheduler { get; init; } = SchedulerKind.Fifo;
    public StoredAsha? Asha { get; init; }
    public int NStartupTrials { get; init; } = TpeSampler.DefaultStartupTrials;
    public int CheckpointEvery { get; init; } = SweepSpec.DefaultCheckpointEvery;
    public int Retries { get; init; } = SweepSpec.DefaultRetries;
    /// <summary>
    /// keep_models, written only when not the default (1), so a row of a spec without it is byte-for-byte what the
    /// golden v2 rows hold; a row without it (older ones too) reads as the default.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? KeepModels { get; init; }
    /// <summary>repeats, written only when not the default (1), as keep_models; a row without it reads as 1.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? Repeats { get; init; }
    /// <summary>Always written; missing in rows from before the key, whose trials evaluated every epoch.</summary>
    public int EvalEvery { get; init; } = SweepSpec.EvalEveryBeforeTheKey;

    public static StoredSpec From(SweepSpec s) => new()
    {
        Name = s.Name, Task = StoredTask.From(s.Task), Strategy = s.Strategy, MaxTrials = s.MaxTrials, Truncate = s.Truncate,
        Seed = s.Seed, Objective = s.Objective, Space = s.Space, Scheduler = s.Scheduler,
        Asha = s.Asha is { } a ? StoredAsha.From(a) : null, NStartupTrials = s.NStartupTrials,
        CheckpointEvery = s.CheckpointEvery, Retries = s.Retries, KeepModels = s.KeepModels == SweepSpec.DefaultKeepModels ? null : s.KeepModels,
        Repeats = s.Repeats == SweepSpec.DefaultRepeats ? null : s.Repeats,
        EvalEvery = s.EvalEvery,
    };

    public SweepSpec ToSpec() => new(Name, Task.ToTask(), Strategy, MaxTrials, Truncate, Seed, Objective, Space)
    {
        Scheduler = Scheduler, Asha = Asha?.ToSettings(), NStartupTrials = NStartupTrials, CheckpointEvery = CheckpointEvery,
        Retries = Retries, KeepModels = KeepModels ?? SweepSpec.DefaultKeepModels,
        Repeats = Repeats ?? SweepSpec.DefaultRepeats,
        EvalEvery = EvalEvery,
    };
}

public sealed record StoredAsha
{
    public int MinEpochs { get; init; } = AshaSettings.DefaultMinEpochs;
    public int MaxEpochs { get; init; }
    public int ReductionFactor { get; init; } = AshaSettings.DefaultReductionFactor;
    public int Brackets { get; init; } = 1;
    public bool PauseAtRungs { get; init; }

    public static StoredAsha From(AshaSettings a) => new()
    {
        MinEpochs = a.MinEpochs, MaxEpochs = a.MaxEpochs, ReductionFactor = a.ReductionFactor, Brackets = a.Brackets,
        PauseAtRungs = a.PauseAtRungs,
    };

    public AshaSettings ToSettings() => new(MinEpochs, MaxEpochs, ReductionFactor, Brackets, PauseAtRungs);
}

/// <summary>A task and its options; an option missing from a row reads as the task's default.</summary>
public sealed record StoredTask
{
    public TaskKind Kind { get; init; }
    public StoredTaskOptions Options { get; init; } = new();

    public static StoredTask From(TaskSpec t) => new() { Kind = t.Kind, Options = StoredTaskOptions.From(t.Options) };

    public TaskSpec ToTask() => new(Kind, Options.ToOptions());
}

public sealed record StoredTaskOptions
{
    public int? Timesteps { get; init; }
    public int? SequencesPerEpoch { get; init; }
    public int? EvalSamples { get; init; }
    public int? NMax { get; init; }
    public int? Samples { get; init; }
    public double? ValidationSplit { get; init; }
    public int? MinLen { get; init; }
    public int? MaxLen { get; init; }
    public int? Alphabet { get; init; }
    public string? Path { get; init; }
    public int? Features { get; init; }
    /// <summary>Always written resolved; missing in rows from before the option, whose echo-second drew 0..n_max−1.</summary>
    public int? NValues { get; init; }
    /// <summary>Missing in rows from before the option, which held out the last rows.</summary>
    public ValidationRows? Validation { get; init; }
    /// <summary>The array task's evaluation file; not written when unset (rows before the option have none).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? ValidationFile { get; init; }

    public static StoredTaskOptions From(TaskOptions o) => new()
    {
        Timesteps = o.Timesteps, SequencesPerEpoch = o.SequencesPerEpoch, EvalSamples = o.EvalSamples, NMax = o.NMax,
        Samples = o.Samples, ValidationSplit = o.ValidationSplit, MinLen = o.MinLen, MaxLen = o.MaxLen, Alphabet = o.Alphabet,
        Path = o.Path, Features = o.Features, NValues = o.EchoValues, Validation = o.Validation,
        ValidationFile = o.ValidationFile,
    };

    /// <summary>
    /// n_values as TaskOptions holds it: left unset when it is the tutorial's default (n_max − 1), so a round trip gives
    /// back the same options; a row from before the option drew from all n_max values.
    /// </summary>
    int? EchoValuesRead()
    {
        var nMax = NMax ?? new TaskOptions().NMax;
        if (NValues is not { } values) return nMax;
        return values == nMax - 1 ? null : values;
    }

    public TaskOptions ToOptions()
    {
        var d = new TaskOptions();
        return new TaskOptions
        {
            Timesteps = Timesteps ?? d.Timesteps, SequencesPerEpoch = SequencesPerEpoch, EvalSamples = EvalSamples ?? d.EvalSamples,
            NMax = NMax ?? d.NMax, Samples = Samples ?? d.Samples, ValidationSplit = ValidationSplit ?? d.ValidationSplit,
            MinLen = MinLen ?? d.MinLen, MaxLen = MaxLen ?? d.MaxLen, Alphabet = Alphabet ?? d.Alphabet, Path = Path,
            Features = Features, NValues = EchoValuesRead(), Validation = Validation ?? ValidationRows.Last,
            ValidationFile = ValidationFile,
        };
    }
}
