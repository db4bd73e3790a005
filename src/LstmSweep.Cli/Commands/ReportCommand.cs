using System.CommandLine;
using System.Text;
using LstmSweep.Cli.Output;
using LstmSweep.Cli.Plotting;

namespace LstmSweep.Cli.Commands;

/// <summary>`lstmsweep report ID --out report.html`: one self-contained HTML page of a sweep (see <see cref="HtmlReport"/>).</summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The sweep id (see 'lstmsweep list')" };
        var output = new Option<string>("--out") { Description = "The HTML file to write (its folder is created if missing)", Required = true };
        var db = CommonOptions.Db();
        var command = new Command("report", """
            Write one self-contained HTML page of a sweep: spec, leaderboard, importance and figures (no network, no JavaScript needed)

            Example:
              lstmsweep report 3f2a9c01 --db sqlite:./lstmsweep.db --out report.html
            """) { id, output, db };
        command.SetAction(async (result, _) =>
        {
            var outPath = result.GetValue(output)!;
            if (Path.GetExtension(outPath).ToLowerInvariant() is not (".html" or ".htm"))
            {
                Terminal.Error($"--out {outPath}: report writes HTML; give a file name ending in .html");
                return ExitCodes.BadInput;
            }
            var (exit, read) = await SweepReads.ReadAsync(result.GetValue(db), result.GetValue(id)!);
            if (exit != ExitCodes.Ok) return exit;
            if (!SweepFigures.UseSansSerifFont())
                Terminal.Info("note: no font found in the system's font folders, so the figures have no text; install one (Debian: fonts-dejavu-core)");
            var html = HtmlReport.Render(read!.State, read.Events, DateTimeOffset.UtcNow);
            var fullPath = Path.GetFullPath(outPath);
            Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
            await File.WriteAllTextAsync(fullPath, html, new UTF8Encoding(false));
            Terminal.Info($"wrote {fullPath}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
