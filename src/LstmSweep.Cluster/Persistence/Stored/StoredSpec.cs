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
    public StoredSpace Space { get; init; } = new();
    public SchedulerKind Scheduler { get; init; } = SchedulerKind.Fifo;
    public StoredAsha? Asha { get; init; }
    public int NStartupTrials { get; init; } = TpeSampler.DefaultStartupTrials;
    public int CheckpointEvery { get; init; } = SweepSpec.DefaultCheckpointEvery;
    public int Retries { get; init; } = SweepSpec.DefaultRetries;

    public static StoredSpec From(SweepSpec s) => new()
    {
        Name = s.Name, Task = StoredTask.From(s.Task), Strategy = s.Strategy, MaxTrials = s.MaxTrials, Truncate = s.Truncate,
        Seed = s.Seed, Objective = s.Objective, Space = StoredSpace.From(s.Space), Scheduler = s.Scheduler,
        Asha = s.Asha is { } a ? StoredAsha.From(a) : null, NStartupTrials = s.NStartupTrials,
        CheckpointEvery = s.CheckpointEvery, Retries = s.Retries,
    };

    public SweepSpec ToSpec() => new(Name, Task.ToTask(), Strategy, MaxTrials, Truncate, Seed, Objective, Space.ToSpace())
    {
        Scheduler = Scheduler, Asha = Asha?.ToSettings(), NStartupTrials = NStartupTrials, CheckpointEvery = CheckpointEvery,
        Retries = Retries,
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

/// <summary>One hyperparameter's domain: its values, or (values null) a range.</summary>
public sealed record StoredDomain<T>
{
    public IReadOnlyList<T>? Values { get; init; }
    public T? Min { get; init; }
    public T? Max { get; init; }
    public bool Log { get; init; }

    public static StoredDomain<T> From(ParameterDomain<T> d) => new() { Values = d.Values, Min = d.Min, Max = d.Max, Log = d.Log };

    public ParameterDomain<T> ToDomain() => new(Values, Min, Max, Log);
}

/// <summary>The search space: one property per hyperparameter (see <see cref="StoredTrialConfig"/> for the same list).</summary>
public sealed record StoredSpace
{
    public StoredDomain<int> Units { get; init; } = new();
    public StoredDomain<MergeMode> MergeMode { get; init; } = new();
    public StoredDomain<bool> Stateful { get; init; } = new();
    public StoredDomain<int> Epochs { get; init; } = new();
    public StoredDomain<double> LearningRate { get; init; } = new();
    public StoredDomain<int> BatchSize { get; init; } = new();
    public StoredDomain<int> Layers { get; init; } = new();

    public static StoredSpace From(SearchSpace s) => new()
    {
        Units = StoredDomain<int>.From(s.Units), MergeMode = StoredDomain<MergeMode>.From(s.MergeMode),
        Stateful = StoredDomain<bool>.From(s.Stateful), Epochs = StoredDomain<int>.From(s.Epochs),
        LearningRate = StoredDomain<double>.From(s.LearningRate), BatchSize = StoredDomain<int>.From(s.BatchSize),
        Layers = StoredDomain<int>.From(s.Layers),
    };

    public SearchSpace ToSpace() => new(Units.ToDomain(), MergeMode.ToDomain(), Stateful.ToDomain(), Epochs.ToDomain(),
        LearningRate.ToDomain(), BatchSize.ToDomain(), Layers.ToDomain());
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

    public static StoredTaskOptions From(TaskOptions o) => new()
    {
        Timesteps = o.Timesteps, SequencesPerEpoch = o.SequencesPerEpoch, EvalSamples = o.EvalSamples, NMax = o.NMax,
        Samples = o.Samples, ValidationSplit = o.ValidationSplit, MinLen = o.MinLen, MaxLen = o.MaxLen, Alphabet = o.Alphabet,
        Path = o.Path, Features = o.Features,
    };

    public TaskOptions ToOptions()
    {
        var d = new TaskOptions();
        return new TaskOptions
        {
            Timesteps = Timesteps ?? d.Timesteps, SequencesPerEpoch = SequencesPerEpoch, EvalSamples = EvalSamples ?? d.EvalSamples,
            NMax = NMax ?? d.NMax, Samples = Samples ?? d.Samples, ValidationSplit = ValidationSplit ?? d.ValidationSplit,
            MinLen = MinLen ?? d.MinLen, MaxLen = MaxLen ?? d.MaxLen, Alphabet = Alphabet ?? d.Alphabet, Path = Path,
            Features = Features,
        };
    }
}
