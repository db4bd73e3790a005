using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Sweeps;

/// <summary>
/// The public JSON shape of a sweep (`--output json`, and later the HTTP API). Field names are a contract scripts rely
/// on: add fields, never rename.
/// </summary>
public sealed record SweepDocument(
    string SweepId,
    string Name,
    string Status,
    string Task,
    string Objective,
    IReadOnlyDictionary<string, int> Counts,
    IReadOnlyList<TrialDocument> Trials,
    TrialDocument? Best)
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static SweepDocument From(SweepState state)
    {
        var stats = SweepRepeats.Stats(state);
        var repeats = SweepRepeats.Of(state.Spec);
        TrialDocument Document(TrialState t) => stats is null ? TrialDocument.From(t) : TrialDocument.From(t).WithRepeats(t, repeats, stats);
        var trials = state.Trials.Values.Select(Document).ToList();
        var counts = Enum.GetValues<TrialStatus>().ToDictionary(s => s.ToName(), state.Count);
        var best = state.Best is { } b ? Document(b) : null;
        return new SweepDocument(state.SweepId, state.Name, state.Status.ToName(), state.Task?.Kind.ToName() ?? "",
            state.Objective.ToName(), counts, trials, best);
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}

/// <summary>A trial's hyperparameters in the public documents: the seven original keys, then the newer ones (which a
/// document from an older server lacks: they read as what such a trial trained with).</summary>
public sealed record ConfigDocument(
    int Units, string MergeMode, bool Stateful, int Epochs, double LearningRate, int BatchSize, int Layers,
    string Optimizer = "adam", int DenseUnits = 0, string Init = "torch", string Head = "auto")
{
    public static ConfigDocument From(TrialConfig c)
        => new(c.Units, c.MergeMode.ToName(), c.Stateful, c.Epochs, c.LearningRate, c.BatchSize, c.Layers,
            c.Optimizer.ToName(), c.DenseUnits, c.Init.ToName(), c.Head.ToName());

    /// <summary>The configuration back, through the hyperparameter table's own parsing of each name.</summary>
    public TrialConfig ToConfig() => new(
        Units, Hyperparameters.MergeMode.TryParseValue(MergeMode, out var mode) ? mode : Trials.MergeMode.None, Stateful, Epochs,
        LearningRate, BatchSize, Layers,
        Hyperparameters.Optimizer.TryParseValue(Optimizer, out var optimizer) ? optimizer : OptimizerKind.Adam, DenseUnits,
        Hyperparameters.Init.TryParseValue(Init, out var init) ? init : WeightInit.Torch,
        Hyperparameters.Head.TryParseValue(Head, out var head) ? head : OutputActivation.Auto);
}

public sealed record TrialDocument(
    int TrialId,
    ConfigDocument Config,
    string Status,
    double? Accuracy,
    double? Loss,
    int EpochsRun,
    long DurationMs,
    int Attempts,
    string? Error,
    long Seed,
    int ResumedFromEpoch,
    string? Failure = null,
    int FailedAttempts = 0,
    int LostAttempts = 0)
{
    /// <summary>
    /// With <c>repeats</c>: the configuration this trial repeats (trials N·c … N·c + N − 1 share configuration c), and
    /// the mean and standard deviation of the objective over that configuration's complete repeats (and how many);
    /// the leaderboard ranks by the mean. Left out of the JSON for a sweep without repeats.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Configuration { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? ObjectiveMean { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? ObjectiveStd { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? RepeatsScored { get; init; }

    internal TrialDocument WithRepeats(TrialState t, int repeats, IReadOnlyDictionary<int, RepeatStats> stats)
    {
        var configuration = SweepRepeats.ConfigurationOf(t.TrialId, repeats);
        var s = stats.GetValueOrDefault(configuration);
        return this with { Configuration = configuration, ObjectiveMean = s?.Mean, ObjectiveStd = s?.Std, RepeatsScored = s?.Count ?? 0 };
    }

    /// <summary><c>failure</c>: why a failed trial failed (error, non_finite_loss, worker_lost); <c>failed_attempts</c>
    /// and <c>lost_attempts</c>: the attempts spent from its <c>retries</c>.</summary>
    public static TrialDocument From(TrialState t) => new(
        t.TrialId, ConfigDocument.From(t.Config), t.Status.ToName(), t.Accuracy, t.Loss, t.EpochsRun, t.DurationMs,
        t.Attempts, t.Error, t.Seed, t.ResumedFromEpoch, t.Failure?.ToName(), t.FailedAttempts, t.LostAttempts);
}
