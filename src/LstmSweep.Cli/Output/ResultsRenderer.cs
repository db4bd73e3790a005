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

    /// <summary>Complete trials with a finite objective, best first (accuracy descending or loss ascending; ties by trial id).</summary>
    public static IReadOnlyList<TrialDocument> Ranked(SweepDocument d)
    {
        var complete = d.Trials.Where(t => t.Status == "complete" && ObjectiveOf(d, t) is double v && double.IsFinite(v));
        return (d.Objective == "accuracy"
            ? complete.OrderByDescending(t => t.Accuracy).ThenBy(t => t.Loss).ThenBy(t => t.TrialId)
            : complete.OrderBy(t => t.Loss).ThenByDescending(t => t.Accuracy).ThenBy(t => t.TrialId)).ToList();
    }

    static double? ObjectiveOf(SweepDocument d, TrialDocument t) => d.Objective == "accuracy" ? t.Accuracy : t.Loss;

    /// <summary>One row per trial, ranked trials first, the configuration flattened into columns (20 columns: the first 16 as before, the hyperparameters added since at the end).</summary>
    public static string Csv(SweepDocument d)
    {
        var csv = new StringBuilder();
        csv.AppendLine("rank,trial_id,status,accuracy,loss,units,merge_mode,stateful,epochs,learning_rate,batch_size,layers,epochs_run,duration_ms,attempts,error,optimizer,dense_units,init,head");
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
                c.Optimizer, c.DenseUnits.ToString(CultureInfo.InvariantCulture), c.Init, c.Head));
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
            var style = rank == 1 && isRanked ? "bold green" : trial.Status == "failed" ? "red" : "default";
            table.AddRow(cells.Select(text => new Markup($"[{style}]{Markup.Escape(text)}[/]")).ToArray());
        }
        console.Write(table);
        if (ranked.FirstOrDefault() is { } best)
            console.MarkupLine($"best: trial {best.TrialId} with {d.Objective} [bold]{Format(ObjectiveOf(d, best))}[/] ({Markup.Escape(Describe(best.Config))})");
        else
            console.MarkupLine("[red]no trial completed[/]");
    }

    public static string Describe(TrialConfig c) => Describe(ConfigDocument.From(c));

    public static string Describe(ConfigDocument c)
        => $"units={c.Units} merge_mode={c.MergeMode} stateful={(c.Stateful ? "true" : "false")} layers={c.Layers} " +
           $"epochs={c.Epochs} learning_rate={c.LearningRate.ToString("G4", CultureInfo.InvariantCulture)} batch_size={c.BatchSize}";

    public static string Format(double? value) => value is double v ? v.ToString("F4", CultureInfo.InvariantCulture) : "";

    public static int ExitCodeFor(SweepState state) => ExitCodes.ForStatus(state.Status.ToName());
}
