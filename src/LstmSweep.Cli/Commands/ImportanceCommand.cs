using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LstmSweep.Cli.Output;
using LstmSweep.Core.Analysis;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;
using Spectre.Console;

namespace LstmSweep.Cli.Commands;

/// <summary>
/// `lstmsweep importance ID`: each hyperparameter's share of the objective's variance over the sweep's complete trials
/// (fANOVA over a seeded random forest, see <see cref="FanovaImportance"/>). Read-only.
/// </summary>
public static class ImportanceCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The sweep id (see 'lstmsweep list')" };
        var db = CommonOptions.Db();
        var server = ServerOption.Create();
        var output = new Option<string>("--output", "-o") { Description = "How to print the importances on stdout: table or json", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json");
        var seed = new Option<int>("--seed") { Description = "Seed of the random forest (the same seed gives the same importances)", DefaultValueFactory = _ => 0 };
        var command = new Command("importance", """
            Print each hyperparameter's share of the objective's variance (fANOVA over a random forest, as Optuna's default)

            Example:
              lstmsweep importance 3f2a9c01 --db sqlite:./lstmsweep.db
              lstmsweep importance 3f2a9c01 --output json
            """) { id, db, server, output, seed };
        command.SetAction(async (result, cancel) =>
        {
            var sweepId = result.GetValue(id)!;
            var (exit, report) = await ReadAsync(result, sweepId, db, server, result.GetValue(seed), cancel);
            if (exit != ExitCodes.Ok) return exit;
            Write(report!, result.GetValue(output) == "json");
            return ExitCodes.Ok;
        });
        return command;
    }

    static async Task<(int, ImportanceReport?)> ReadAsync(ParseResult result, string sweepId, Option<string> db, Option<string?> server, int seed, CancellationToken cancel)
    {
        if (ReadSource.UsesServer(result, server, db))
        {
            ImportanceReport? fromServer = null;
            var code = await ApiClient.RunAsync(result.GetValue(server), async client =>
            {
                var document = JsonSerializer.Deserialize<SweepDocument>(
                    await client.GetAsync($"api/sweeps/{Uri.EscapeDataString(sweepId)}", cancel), SweepDocument.JsonOptions)!;
                fromServer = ImportanceReport.For(document.SweepId, document.Objective, document.Trials
                    .Where(t => t.Status == "complete" && ObjectiveOf(document, t) is double v && double.IsFinite(v))
                    .Select(t => (ConfigOf(t.Config), ObjectiveOf(document, t)!.Value)), seed);
                return ExitCodes.Ok;
            });
            return (code, fromServer);
        }
        var (exit, sweep) = await SweepReads.ReadSweepAsync(result.GetValue(db), sweepId);
        return exit != ExitCodes.Ok ? (exit, null) : (exit, ImportanceReport.For(sweep!, seed));
    }

    static double? ObjectiveOf(SweepDocument sweep, TrialDocument trial) => sweep.Objective == "accuracy" ? trial.Accuracy : trial.Loss;

    static TrialConfig ConfigOf(ConfigDocument c) => c.ToConfig();

    static void Write(ImportanceReport report, bool json)
    {
        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(report, SweepDocument.JsonOptions));
            return;
        }
        if (report.Importances.Count == 0)
        {
            Terminal.Info($"sweep {report.SweepId} has {report.Trials} complete trial(s); importance needs at least {ImportanceReport.MinTrials}");
            return;
        }
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"fANOVA importance, {Markup.Escape(report.Objective)}, {report.Trials} trials");
        table.AddColumn("parameter");
        table.AddColumn(new TableColumn("importance").RightAligned());
        table.AddColumn("");
        table.AddColumn(new TableColumn("values").RightAligned());
        foreach (var p in report.Importances)
        {
            int bar = (int)Math.Round(p.Importance * 30);
            table.AddRow(Markup.Escape(p.Key), p.Importance.ToString("F3", CultureInfo.InvariantCulture),
                $"[blue]{new string('█', bar)}[/]", p.Values.ToString(CultureInfo.InvariantCulture));
        }
        Terminal.Out.Write(table);
    }
}
