using System.Globalization;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;
using Spectre.Console;

namespace LstmSweep.Cli.Output;

/// <summary>Prints a sweep's results on stdout in the format asked for.</summary>
public static class ResultsRenderer
{
    public static void Write(SweepState state, OutputFormat format)
    {
        switch (format)
        {
            case OutputFormat.Json:
                Console.Out.WriteLine(SweepDocument.From(state).ToJson());
                break;
            case OutputFormat.Csv:
                Console.Out.Write(SweepDocument.ToCsv(state));
                break;
            default:
                WriteLeaderboard(state);
                break;
        }
        Console.Out.Flush();
    }

    static void WriteLeaderboard(SweepState state)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"[bold]{Markup.Escape(state.Name)}[/] ({Markup.Escape(state.SweepId)}): {state.Status.ToName()}, objective {state.Objective.ToName()}");
        foreach (var column in new[] { "rank", "trial", "units", "merge", "stateful", "layers", "epochs", "lr", "batch", "accuracy", "loss", "time", "status" })
            table.AddColumn(new TableColumn(column).RightAligned());

        var ranked = state.Leaderboard();
        var others = state.Trials.Values.Except(ranked).OrderBy(t => t.TrialId);
        int rank = 0;
        foreach (var trial in ranked.Concat(others))
        {
            bool isRanked = rank < ranked.Count && ranked[rank] == trial;
            var c = trial.Config;
            var cells = new[]
            {
                isRanked ? (++rank).ToString(CultureInfo.InvariantCulture) : "",
                trial.TrialId.ToString(CultureInfo.InvariantCulture), c.Units.ToString(CultureInfo.InvariantCulture),
                c.MergeMode.ToName(), c.Stateful ? "yes" : "no", c.Layers.ToString(CultureInfo.InvariantCulture),
                $"{trial.EpochsRun}/{c.Epochs}", c.LearningRate.ToString("G4", CultureInfo.InvariantCulture),
                c.BatchSize.ToString(CultureInfo.InvariantCulture), Format(trial.Accuracy), Format(trial.Loss),
                trial.DurationMs > 0 ? $"{trial.DurationMs / 1000.0:F1}s" : "",
                trial.Status == TrialStatus.Failed ? $"failed: {trial.Error}" : trial.Status.ToName(),
            };
            var style = rank == 1 && isRanked ? "bold green" : trial.Status == TrialStatus.Failed ? "red" : "default";
            table.AddRow(cells.Select(text => new Markup($"[{style}]{Markup.Escape(text)}[/]")).ToArray());
        }
        Terminal.Out.Write(table);
        if (state.Best is { } best)
            Terminal.Out.MarkupLine($"best: trial {best.TrialId} with {state.Objective.ToName()} " +
                $"[bold]{Format(state.ObjectiveOf(best))}[/] ({Markup.Escape(Describe(best.Config))})");
        else
            Terminal.Out.MarkupLine("[red]no trial completed[/]");
    }

    public static string Describe(TrialConfig c)
        => $"units={c.Units} merge_mode={c.MergeMode.ToName()} stateful={(c.Stateful ? "true" : "false")} layers={c.Layers} " +
           $"epochs={c.Epochs} learning_rate={c.LearningRate.ToString("G4", CultureInfo.InvariantCulture)} batch_size={c.BatchSize}";

    public static string Format(double? value) => value is double v ? v.ToString("F4", CultureInfo.InvariantCulture) : "";

    public static int ExitCodeFor(SweepState state) => state.Status switch
    {
        SweepStatus.Completed => ExitCodes.Ok,
        SweepStatus.Cancelled => ExitCodes.Interrupted,
        _ => ExitCodes.Failed,
    };
}
