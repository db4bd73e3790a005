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
        var trials = state.Trials.Values.Select(TrialDocument.From).ToList();
        var counts = Enum.GetValues<TrialStatus>().ToDictionary(s => s.ToName(), state.Count);
        var best = state.Best is { } b ? TrialDocument.From(b) : null;
        return new SweepDocument(state.SweepId, state.Name, state.Status.ToName(), state.Task?.Kind.ToName() ?? "",
            state.Objective.ToName(), counts, trials, best);
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>One row per trial, best first, with the config flattened into columns.</summary>
    public static string ToCsv(SweepState state)
    {
        var csv = new StringBuilder();
        csv.AppendLine("rank,trial_id,status,accuracy,loss,units,merge_mode,stateful,epochs,learning_rate,batch_size,layers,epochs_run,duration_ms,attempts,error");
        var ranked = state.Leaderboard();
        var rest = state.Trials.Values.Except(ranked);
        int rank = 0;
        foreach (var t in ranked.Concat(rest))
        {
            var c = t.Config;
            string rankText = t.Status == TrialStatus.Complete && ranked.Contains(t) ? (++rank).ToString(CultureInfo.InvariantCulture) : "";
            csv.AppendLine(string.Join(',',
                rankText, t.TrialId.ToString(CultureInfo.InvariantCulture), t.Status.ToName(), Number(t.Accuracy), Number(t.Loss),
                c.Units.ToString(CultureInfo.InvariantCulture), c.MergeMode.ToName(), c.Stateful ? "true" : "false",
                c.Epochs.ToString(CultureInfo.InvariantCulture), c.LearningRate.ToString("R", CultureInfo.InvariantCulture),
                c.BatchSize.ToString(CultureInfo.InvariantCulture), c.Layers.ToString(CultureInfo.InvariantCulture),
                t.EpochsRun.ToString(CultureInfo.InvariantCulture), t.DurationMs.ToString(CultureInfo.InvariantCulture),
                t.Attempts.ToString(CultureInfo.InvariantCulture), Quote(t.Error)));
        }
        return csv.ToString();
    }

    static string Number(double? value) => value is double v ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    static string Quote(string? text) => string.IsNullOrEmpty(text) ? "" : "\"" + text.Replace("\"", "\"\"") + "\"";
}

public sealed record ConfigDocument(
    int Units, string MergeMode, bool Stateful, int Epochs, double LearningRate, int BatchSize, int Layers)
{
    public static ConfigDocument From(TrialConfig c)
        => new(c.Units, c.MergeMode.ToName(), c.Stateful, c.Epochs, c.LearningRate, c.BatchSize, c.Layers);
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
    /// <summary><c>failure</c>: why a failed trial failed (error, non_finite_loss, worker_lost); <c>failed_attempts</c>
    /// and <c>lost_attempts</c>: the attempts spent from its <c>retries</c>.</summary>
    public static TrialDocument From(TrialState t) => new(
        t.TrialId, ConfigDocument.From(t.Config), t.Status.ToName(), t.Accuracy, t.Loss, t.EpochsRun, t.DurationMs,
        t.Attempts, t.Error, t.Seed, t.ResumedFromEpoch, t.Failure?.ToName(), t.FailedAttempts, t.LostAttempts);
}
