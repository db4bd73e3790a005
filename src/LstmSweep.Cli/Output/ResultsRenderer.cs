using System.Globalization;
using System.Text;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;
using Spectre.Console;

namespace LstmSweep.Cli.Output;

/// <summary>
/// Prints a sweep's results on stdout in the format asked for, from its <see cref="SweepDocument"/>: the one path for
/// a sweep read from the journal (`--db`) and one a server sent (`--server`), so both print the same table, JSON and CSV.
/// </summary>
public static class ResultsRenderer
{
    /// <summary>Below this width the leaderboard folds the configuration into one column (an 80-column terminal).</summary>
    const int CompactBelow = 120;

    public static void Write(SweepState state, OutputFormat format) => Write(SweepDocument.From(state), format);

    public static void Write(SweepDocument document, OutputFormat format)
    {
        switch (format)
        {
            case OutputFormat.Json:
                Console.Out.WriteLine(document.ToJson());
                break;
            case OutputFormat.Csv:
                Console.Out.Write(Csv(document));
                break;
            default:
                WriteLeaderboard(document, Terminal.Out);
                break;
        }
        Console.Out.Flush();
    }

    /// <summary>
    /// Complete trials with a finite objective, best first (accuracy descending or loss ascending; ties by trial id);
    /// with repeats, by their configuration's mean first (as <c>SweepState.Leaderboard</c>).
    /// </summary>
    public static IReadOnlyList<TrialDocument> Ranked(SweepDocument d)
    {
        var complete = d.Trials.Where(t => t.Status == "complete" && ObjectiveOf(d, t) is double v && double.IsFinite(v));
        if (complete.Any(t => t.ObjectiveMean is not null))
            return (d.Objective == "accuracy"
                ? complete.OrderByDescending(t => t.ObjectiveMean).ThenBy(t => t.Configuration).ThenByDescending(t => t.Accuracy)
                : complete.OrderBy(t => t.ObjectiveMean).ThenBy(t => t.Configuration).ThenBy(t => t.Loss)).ThenBy(t => t.TrialId).ToList();
        return (d.Objective == "accuracy"
            ? complete.OrderByDescending(t => t.Accuracy).ThenBy(t => t.Loss).ThenBy(t => t.TrialId)
            : complete.OrderBy(t => t.Loss).ThenByDescending(t => t.Accuracy).ThenBy(t => t.TrialId)).ToList();
    }

    static double? ObjectiveOf(SweepDocument d, TrialDocument t) => d.Objective == "accuracy" ? t.Accuracy : t.Loss;

    /// <summary>
    /// One row per trial, ranked trials first, the configuration flattened into columns (23 columns: the first 16 as
    /// before, then the hyperparameters added since, then configuration, objective_mean and objective_std, empty
    /// without repeats).
    /// </summary>
    public static string Csv(SweepDocument d)
    {
        var csv = new StringBuilder();
        csv.AppendLine("rank,trial_id,status,accuracy,loss,units,merge_mode,stateful,epochs,learning_rate,batch_size,layers,epochs_run,duration_ms,attempts,error,optimizer,dense_units,init,head,configuration,objective_mean,objective_std");
        var ranked = Ranked(d);
        var rest = d.Trials.Where(t => !ranked.Contains(t)).OrderBy(t => t.TrialId);
        int rank = 0;
        foreach (var t in ranked.Concat(rest))
        {
            var c = t.Config;
            var rankText = rank < ranked.Count && ranked[rank] == t ? (++rank).ToString(CultureInfo.InvariantCulture) : "";
            csv.AppendLine(string.Join(',',
                rankText, t.TrialId.ToString(CultureInfo.InvariantCulture), t.Status, Number(t.Accuracy), Number(t.Loss),
                c.Units.ToString(CultureInfo.InvariantCulture), c.MergeMode, c.Stateful ? "true" : "false",
                c.Epochs.ToString(CultureInfo.InvariantCulture), c.LearningRate.ToString("R", CultureInfo.InvariantCulture),
                c.BatchSize.ToString(CultureInfo.InvariantCulture), c.Layers.ToString(CultureInfo.InvariantCulture),
                t.EpochsRun.ToString(CultureInfo.InvariantCulture), t.DurationMs.ToString(CultureInfo.InvariantCulture),
                t.Attempts.ToString(CultureInfo.InvariantCulture), Quote(t.Error),
                c.Optimizer, c.DenseUnits.ToString(CultureInfo.InvariantCulture), c.Init, c.Head,
                t.Configuration?.ToString(CultureInfo.InvariantCulture) ?? "", Number(t.ObjectiveMean), Number(t.ObjectiveStd)));
        }
        return csv.ToString();
    }

    static string Number(double? value) => value is double v ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    static string Quote(string? text) => string.IsNullOrEmpty(text) ? "" : "\"" + text.Replace("\"", "\"\"") + "\"";

    /// <summary>The leaderboard; narrower than <see cref="CompactBelow"/> it shows the configuration as one short column.</summary>
    public static void WriteLeaderboard(SweepDocument d, IAnsiConsole console)
    {
        var compact = console.Profile.Width < CompactBelow;
        var table = new Table().Border(compact ? TableBorder.Simple : TableBorder.Rounded)
            .Title($"[bold]{Markup.Escape(d.Name)}[/] ({Markup.Escape(d.SweepId)}): {d.Status}, objective {d.Objective}");
        var columns = compact
            ? new[] { "#", "trial", "config", "epochs", "lr", "batch", "accuracy", "loss", "status" }
            : ["rank", "trial", "units", "merge", "stateful", "layers", "epochs", "lr", "batch", "accuracy", "loss", "time", "status"];
        var repeated = d.Trials.Any(t => t.Configuration is not null);
        if (repeated) columns = [.. columns[..^1], $"{d.Objective} mean ± std", columns[^1]];
        foreach (var column in columns)
            table.AddColumn(new TableColumn(column).RightAligned());

        var ranked = Ranked(d);
        var others = d.Trials.Where(t => !ranked.Contains(t)).OrderBy(t => t.TrialId);
        int rank = 0;
        foreach (var trial in ranked.Concat(others))
        {
            bool isRanked = rank < ranked.Count && ranked[rank] == trial;
            var c = trial.Config;
            var rankText = isRanked ? (++rank).ToString(CultureInfo.InvariantCulture) : "";
            var status = trial.Status == "failed" ? $"failed: {trial.Error}" : trial.Status;
            var lr = c.LearningRate.ToString("G4", CultureInfo.InvariantCulture);
            var cells = compact
                ? new[]
                {
                    rankText, trial.TrialId.ToString(CultureInfo.InvariantCulture),
                    $"u{c.Units} {c.MergeMode}{(c.Layers > 1 ? $" x{c.Layers}" : "")}{(c.Stateful ? " st" : "")}",
                    $"{trial.EpochsRun}/{c.Epochs}", lr, c.BatchSize.ToString(CultureInfo.InvariantCulture),
                    Format(trial.Accuracy), Format(trial.Loss), status.Length > 24 ? status[..23] + "…" : status,
                }
                : [
                    rankText, trial.TrialId.ToString(CultureInfo.InvariantCulture), c.Units.ToString(CultureInfo.InvariantCulture),
                    c.MergeMode, c.Stateful ? "yes" : "no", c.Layers.ToString(CultureInfo.InvariantCulture),
                    $"{trial.EpochsRun}/{c.Epochs}", lr, c.BatchSize.ToString(CultureInfo.InvariantCulture),
                    Format(trial.Accuracy), Format(trial.Loss), trial.DurationMs > 0 ? $"{trial.DurationMs / 1000.0:F1}s" : "", status,
                ];
            if (repeated)
                cells = [.. cells[..^1], trial.ObjectiveMean is double mean
                    ? $"{Format(mean)} ± {Format(trial.ObjectiveStd)} ({trial.RepeatsScored}) c{trial.Configuration}" : $"c{trial.Configuration}", cells[^1]];
            var style = rank == 1 && isRanked ? "bold green" : trial.Status == "failed" ? "red" : "default";
            table.AddRow(cells.Select(text => new Markup($"[{style}]{Markup.Escape(text)}[/]")).ToArray());
        }
        console.Write(table);
        if (ranked.FirstOrDefault() is { ObjectiveMean: double bestMean } bestRepeated)
            console.MarkupLine($"best: configuration {bestRepeated.Configuration} with mean {d.Objective} [bold]{Format(bestMean)}[/] ± {Format(bestRepeated.ObjectiveStd)} over {bestRepeated.RepeatsScored} repeat(s) ({Markup.Escape(Describe(bestRepeated.Config))})");
        else if (ranked.FirstOrDefault() is { } best)
            console.MarkupLine($"best: trial {best.TrialId} with {d.Objective} [bold]{Format(ObjectiveOf(d, best))}[/] ({Markup.Escape(Describe(best.Config))})");
        else
            console.MarkupLine("[red]no trial completed[/]");
    }

    /// <summary>Every row of the hyperparameter table as key=value, in table order (one describe string everywhere).</summary>
    public static string Describe(TrialConfig c) => Hyperparameters.Describe(c);

    public static string Describe(ConfigDocument c) => Describe(c.ToConfig());

    public static string Format(double? value) => value is double v ? v.ToString("F4", CultureInfo.InvariantCulture) : "";

    public static int ExitCodeFor(SweepState state) => ExitCodes.ForStatus(state.Status.ToName());
}
