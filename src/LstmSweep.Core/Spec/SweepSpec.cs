using LstmSweep.Core.Search;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Spec;

/// <summary>A validated sweep spec (the YAML/JSON a user writes), with every default filled in.</summary>
public sealed record SweepSpec(
    string Name,
    TaskSpec Task,
    SearchStrategy Strategy,
    int? MaxTrials,
    bool Truncate,
    long Seed,
    Objective Objective,
    SearchSpace Space)
{
    /// <summary>fifo unless the spec says <c>scheduler: asha</c> or <c>strategy: asha</c>.</summary>
    public SchedulerKind Scheduler { get; init; } = SchedulerKind.Fifo;

    /// <summary>The <c>asha:</c> block; set exactly when <see cref="Scheduler"/> is asha.</summary>
    public AshaSettings? Asha { get; init; }

    /// <summary>strategy tpe: trials sampled at random until this many have an objective.</summary>
    public int NStartupTrials { get; init; } = TpeSampler.DefaultStartupTrials;

    public const int DefaultCheckpointEvery = 10;

    /// <summary>
    /// <c>checkpoint_every</c>: a running trial saves a checkpoint every this many epochs, so an attempt that is lost
    /// (its worker died) resumes from there instead of from epoch 0.
    /// </summary>
    public int CheckpointEvery { get; init; } = DefaultCheckpointEvery;

    /// <summary>
    /// The evaluation cadence of a spec that leaves <c>eval_every</c> out. Evaluating the tutorial's 100 held-out
    /// sequences costs about as much as a seed-002 training epoch, so every 10th epoch keeps it under a tenth of the
    /// trial (docs/benchmarks.md). A journal row from before the key reads as 1 (<see cref="EvalEveryBeforeTheKey"/>).
    /// </summary>
    public const int DefaultEvalEvery = 10;

    /// <summary>What sweeps recorded before <c>eval_every</c> existed did: evaluate after every epoch.</summary>
    public const int EvalEveryBeforeTheKey = 1;

    /// <summary>
    /// <c>eval_every</c>: a trial evaluates (and reports an epoch) every this many epochs, and always at its last epoch,
    /// at each ASHA rung and where it writes a checkpoint.
    /// </summary>
    public int EvalEvery { get; init; } = DefaultEvalEvery;

    public const int DefaultRetries = 2;

    /// <summary>
    /// <c>retries</c>: how many more attempts a trial gets after an attempt fails for a reason that may not repeat (an
    /// exception, a worker error) or is lost with its worker. A trial ends failed once it has failed or been lost
    /// <c>retries + 1</c> times. A non-finite loss is never retried: the same seed gives the same NaN.
    /// </summary>
    public int Retries { get; init; } = DefaultRetries;

    public const int DefaultKeepModels = 1;

    /// <summary>
    /// <c>keep_models</c>: how many of the best complete trials keep their final weights when the sweep ends (for
    /// <c>lstmsweep predict</c> and <c>export</c>); the other trials' checkpoints are deleted. 0 keeps none.
    /// </summary>
    public int KeepModels { get; init; } = DefaultKeepModels;

    public const int DefaultRepeats = 1;

    /// <summary>
    /// <c>repeats</c>: every configuration is trained this many times with different seeds; the leaderboard ranks
    /// configurations by the mean of their repeats, and TPE learns from that mean (see <see cref="Sweeps.SweepRepeats"/>).
    /// </summary>
    public int Repeats { get; init; } = DefaultRepeats;
}

/// <summary>Which rows a validation split holds out.</summary>
public enum ValidationRows { Random, Last }

/// <summary>The task to train on and its options, defaults filled in for that task.</summary>
public sealed record TaskSpec(TaskKind Kind, TaskOptions Options);

/// <summary>
/// Options of the built-in tasks. Each task reads only its own; the spec validator rejects options that do not fit the
/// task. Defaults are the seed tutorials' values.
/// </summary>
public sealed record TaskOptions
{
    /// <summary>cumsum, echo-second: sequence length.</summary>
    public int Timesteps { get; init; } = 10;

    /// <summary>cumsum: fresh training sequences drawn each epoch (default: one batch, as in the tutorial).</summary>
    public int? SequencesPerEpoch { get; init; }

    /// <summary>cumsum: size of the held-out evaluation set.</summary>
    public int EvalSamples { get; init; } = 100;

    /// <summary>echo-second: the one-hot width (classes); values are integers in [0, <see cref="EchoValues"/>).</summary>
    public int NMax { get; init; } = 5;

    /// <summary>
    /// echo-second <c>n_values</c>: how many distinct values are drawn, 0 … n_values − 1 (at most n_max). Left out:
    /// n_max − 1, as the tutorial's <c>randint(0, n_max - 1)</c> draws (0 … 3 one-hot over 5 classes).
    /// </summary>
    public int? NValues { get; init; }

    /// <summary>The number of distinct echo-second values: <see cref="NValues"/> or the tutorial's n_max − 1.</summary>
    public int EchoValues => NValues ?? NMax - 1;

    /// <summary>echo-second, variable-length: number of generated samples (train + validation).</summary>
    public int Samples { get; init; } = 1000;

    /// <summary>echo-second, variable-length, array: fraction held out for evaluation.</summary>
    public double ValidationSplit { get; init; } = 0.2;

    /// <summary>
    /// echo-second, variable-length, array <c>validation</c>: which rows <see cref="ValidationSplit"/> holds out. random
    /// (default): a seeded random subset, the same for every trial on the same data; last: the last rows, as Keras's
    /// validation_split (with data sorted by label, that evaluation set is one class).
    /// </summary>
    public ValidationRows Validation { get; init; } = ValidationRows.Random;

    /// <summary>variable-length: shortest and longest input sequence.</summary>
    public int MinLen { get; init; } = 3;
    public int MaxLen { get; init; } = 8;

    /// <summary>variable-length: number of distinct symbols.</summary>
    public int Alphabet { get; init; } = 4;

    /// <summary>array: the data file (CSV or JSON), absolute once validated (relative paths resolve against the spec file).</summary>
    public string? Path { get; init; }

    /// <summary>array, CSV only: features per timestep, to reshape (n, k) into (n, k / features, features).</summary>
    public int? Features { get; init; }

    /// <summary>
    /// array: a separate evaluation file (Keras's <c>validation_data=(x_val, y_val)</c>), in the same formats and shape
    /// as <see cref="Path"/>; then every row of <see cref="Path"/> trains and validation_split is not used. Left out of
    /// JSON when unset, so a checkpoint's identity (and a stored row) without it stays what it was.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? ValidationFile { get; init; }
}
