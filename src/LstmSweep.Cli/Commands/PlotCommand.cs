using System.CommandLine;
using LstmSweep.Cli.Output;
using LstmSweep.Cli.Plotting;
using LstmSweep.Core.Analysis;

namespace LstmSweep.Cli.Commands;

/// <summary>
/// `lstmsweep plot ID --out FILE.png|FILE.svg [--kind K]`: one of a sweep's figures (see <see cref="Kinds"/>), as a
/// PNG or, for a file ending in .svg, an SVG. Read-only on the journal.
/// </summary>
public static class PlotCommand
{
    const int MinSize = 200, MaxSize = 8000;

    /// <summary>The figures, by their --kind name.</summary>
    public static readonly IReadOnlyList<string> Kinds = ["curves", "by", "history", "parallel", "importance", "slice"];

    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The sweep id (see 'lstmsweep list')" };
        var output = new Option<string>("--out") { Description = "The file to write: .png, or .svg for an SVG (its folder is created if missing)", Required = true };
        var db = CommonOptions.Db();
        var kind = new Option<string?>("--kind")
        {
            Description = "curves: learning curves per trial; by: the mean per epoch for each value of --by; history: objective per trial " +
                          "and best so far; parallel: parallel coordinates; importance: fANOVA importance; slice: objective against each parameter " +
                          "(default curves, or by when --by is given)",
        };
        kind.AcceptOnlyFromAmong([.. Kinds]);
        var by = new Option<string?>("--by") { Description = $"The parameter of --kind by ({string.Join(", ", ParameterValues.Keys)})" };
        var metric = new Option<string?>("--metric") { Description = $"The per-epoch metric of curves and by: {string.Join(", ", CurveMetrics.Names)} (curves default: loss and accuracy side by side; by default: eval_loss)" };
        metric.AcceptOnlyFromAmong([.. CurveMetrics.Names]);
        var width = new Option<int>("--width") { Description = "Image width in pixels", DefaultValueFactory = _ => 1200 };
        var height = new Option<int>("--height") { Description = "Image height in pixels", DefaultValueFactory = _ => 800 };
        var command = new Command("plot", """
            Draw one of a sweep's figures as a PNG (or an SVG for --out F.svg)

            Examples:
              lstmsweep plot 3f2a9c01 --out curves.png
              lstmsweep plot 3f2a9c01 --kind by --by merge_mode --metric train_loss --out by-merge-mode.png
              lstmsweep plot 3f2a9c01 --kind importance --out importance.svg
            """) { id, output, db, kind, by, metric, width, height };
        command.SetAction((result, _) => PlotAsync(result.GetValue(id)!, result.GetValue(output)!, result.GetValue(db),
            result.GetValue(kind), result.GetValue(by), result.GetValue(metric), result.GetValue(width), result.GetValue(height)));
        return command;
    }

    static async Task<int> PlotAsync(string sweepId, string outPath, string? dbText, string? kind, string? by, string? metricName,
        int width, int height)
    {
        // Everything the user gave is checked before the journal is opened or anything is written.
        kind ??= by is null ? "curves" : "by";
        if (by is not null && !ParameterValues.Keys.Contains(by))
        {
            Terminal.Error($"--by {by}: not a parameter; allowed: {string.Join(", ", ParameterValues.Keys)}");
            return ExitCodes.BadInput;
        }
        if (kind == "by" && by is null)
        {
            Terminal.Error($"--kind by needs --by PARAM, one of: {string.Join(", ", ParameterValues.Keys)}");
            return ExitCodes.BadInput;
        }
        if (by is not null && kind != "by")
        {
            Terminal.Error($"--by goes with --kind by, not --kind {kind}; leave one out");
            return ExitCodes.BadInput;
        }
        CurveMetric? metric = CurveMetrics.TryParse(metricName, out var parsed) ? parsed : null;
        if (metric is not null && kind is not ("curves" or "by"))
        {
            Terminal.Error($"--metric goes with --kind curves or by; --kind {kind} draws the sweep's objective");
            return ExitCodes.BadInput;
        }
        foreach (var (name, value) in new[] { ("--width", width), ("--height", height) })
            if (value is < MinSize or > MaxSize)
            {
                Terminal.Error($"{name} {value}: must be between {MinSize} and {MaxSize} pixels");
                return ExitCodes.BadInput;
            }
        FigureFormat format;
        switch (Path.GetExtension(outPath).ToLowerInvariant())
        {
            case ".png": format = FigureFormat.Png; break;
            case ".svg": format = FigureFormat.Svg; break;
            default:
                Terminal.Error($"--out {outPath}: plot writes PNG or SVG; give a file name ending in .png or .svg");
                return ExitCodes.BadInput;
        }

        var (exit, read) = await SweepReads.ReadAsync(dbText, sweepId);
        if (exit != ExitCodes.Ok) return exit;
        var (sweep, journal) = read!;
        if (!SweepFigures.UseSansSerifFont())
            Terminal.Info("note: no font found in the system's font folders, so the plot has no text; install one (Debian: fonts-dejavu-core)");
        var curves = LearningCurves.From(sweep, journal);
        var image = kind switch
        {
            "by" => SweepFigures.MeanBy(sweep, by!, LearningCurves.MeanBy(curves, by!, metric ?? CurveMetric.EvalLoss), width, height,
                metric ?? CurveMetric.EvalLoss, format),
            "history" => SweepFigures.History(sweep, width, height, format),
            "parallel" => SweepFigures.ParallelCoordinates(sweep, width, height, format),
            "importance" => SweepFigures.Importance(sweep, ImportanceReport.For(sweep), width, height, format),
            "slice" => SweepFigures.Slice(sweep, width, height, format),
            _ => SweepFigures.LearningCurves(sweep, curves, width, height, metric, format),
        };

        var fullPath = Path.GetFullPath(outPath);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        await File.WriteAllBytesAsync(fullPath, image);
        if (kind is "curves" or "by" && curves.Count == 0) Terminal.Info($"note: sweep {sweepId} has no epochs reported yet; the plot is empty");
        Terminal.Info($"wrote {fullPath}");
        return ExitCodes.Ok;
    }
}
