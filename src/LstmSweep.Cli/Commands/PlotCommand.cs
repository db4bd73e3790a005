using System.CommandLine;
using LstmSweep.Cli.Output;
using LstmSweep.Cli.Plotting;
using LstmSweep.Core.Search;
using LstmSweep.Core.Sweeps;

namespace LstmSweep.Cli.Commands;

/// <summary>
/// `lstmsweep plot ID --out FILE.png`: a sweep's learning curves (loss and accuracy per epoch, one line per trial), or
/// with `--by PARAM` the mean loss per epoch for each value of one parameter, as a PNG. Read-only on the journal.
/// </summary>
public static class PlotCommand
{
    const int MinSize = 200, MaxSize = 8000;

    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The sweep id (see 'lstmsweep list')" };
        var output = new Option<string>("--out") { Description = "The PNG file to write (its folder is created if missing)", Required = true };
        var db = CommonOptions.Db();
        var by = new Option<string?>("--by") { Description = $"Compare by one parameter instead: the mean loss per epoch for each of its values ({string.Join(", ", SpaceKeys.All)})" };
        var width = new Option<int>("--width") { Description = "Image width in pixels", DefaultValueFactory = _ => 1200 };
        var height = new Option<int>("--height") { Description = "Image height in pixels", DefaultValueFactory = _ => 800 };
        var command = new Command("plot", "Draw a sweep's learning curves (or a comparison by one parameter) as a PNG") { id, output, db, by, width, height };
        command.SetAction((result, _) => PlotAsync(result.GetValue(id)!, result.GetValue(output)!, result.GetValue(db),
            result.GetValue(by), result.GetValue(width), result.GetValue(height)));
        return command;
    }

    static async Task<int> PlotAsync(string sweepId, string outPath, string? dbText, string? by, int width, int height)
    {
        // Everything the user gave is checked before the journal is opened or anything is written.
        if (by is not null && !SpaceKeys.All.Contains(by))
        {
            Terminal.Error($"--by {by}: not a parameter; allowed: {string.Join(", ", SpaceKeys.All)}");
            return ExitCodes.BadInput;
        }
        foreach (var (name, value) in new[] { ("--width", width), ("--height", height) })
            if (value is < MinSize or > MaxSize)
            {
                Terminal.Error($"{name} {value}: must be between {MinSize} and {MaxSize} pixels");
                return ExitCodes.BadInput;
            }
        if (!string.Equals(Path.GetExtension(outPath), ".png", StringComparison.OrdinalIgnoreCase))
        {
            Terminal.Error($"--out {outPath}: plot writes PNG only; give a file name ending in .png");
            return ExitCodes.BadInput;
        }

        var (exit, read) = await JournalAccess.ReadAsync(dbText, async reader =>
        {
            var events = await reader.ReadEventsAsync(sweepId);
            var state = SweepState.Fold(sweepId, events);
            return state.IsSubmitted ? (state, events) : ((SweepState, IReadOnlyList<ISweepEvent>)?)null;
        });
        if (exit != ExitCodes.Ok) return exit;
        if (read is not { } found)
        {
            Terminal.Error($"no sweep '{sweepId}' in {JournalAccess.Describe(dbText)}; 'lstmsweep list' shows the sweeps there");
            return ExitCodes.BadInput;
        }

        var (sweep, journal) = found;
        var curves = LearningCurves.From(sweep, journal);
        if (!SweepFigures.UseSansSerifFont())
            Terminal.Info("note: no font found in the system's font folders, so the plot has no text; install one (Debian: fonts-dejavu-core)");
        var png = by is null
            ? SweepFigures.LearningCurves(sweep, curves, width, height)
            : SweepFigures.MeanLossBy(sweep, by, LearningCurves.MeanLossBy(curves, by), width, height);

        var fullPath = Path.GetFullPath(outPath);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        await File.WriteAllBytesAsync(fullPath, png);
        if (curves.Count == 0) Terminal.Info($"note: sweep {sweepId} has no epochs reported yet; the plot is empty");
        Terminal.Info($"wrote {fullPath}");
        return ExitCodes.Ok;
    }
}
