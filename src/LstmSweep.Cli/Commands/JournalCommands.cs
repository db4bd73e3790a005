using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LstmSweep.Cli.Output;
using LstmSweep.Cluster.Hosting;
using LstmSweep.Cluster.Persistence;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;
using LstmSweep.Node;
using Spectre.Console;

namespace LstmSweep.Cli.Commands;

/// <summary>Read-only commands on the journal: they never create a database or write to one.</summary>
static class JournalAccess
{
    /// <summary>The --db as messages show it: never its password.</summary>
    public static string Describe(string? dbText)
        => DatabaseTarget.TryParse(dbText, out var target, out _) ? target.Describe() : "the database given";

    public static async Task<(int ExitCode, T? Value)> ReadAsync<T>(string? dbText, Func<ISweepReader, Task<T>> read)
    {
        if (CommonOptions.ParseDb(dbText) is not { } database) return (ExitCodes.BadInput, default);
        if (!database.Exists)
        {
            Terminal.Error($"there is no database at {database.Location}; give --db sqlite:PATH of the file a sweep ran with");
            return (ExitCodes.BadInput, default);
        }
        // The journal plugin only retries and logs when it cannot connect: fail at once, with the server's reason.
        database.EnsureReachable();
        // Straight from the journal table, without an actor system (see DirectJournalReader).
        return (ExitCodes.Ok, await read(new DirectJournalReader(database)));
    }
}

/// <summary>
/// Whether a reading command asks a cluster's HTTP API instead of the journal: --server given, or LSTMSWEEP_SERVER set
/// and no --db given.
/// </summary>
static class ReadSource
{
    public static bool UsesServer(ParseResult result, Option<string?> server, Option<string> db)
        => result.GetValue(server) is not null
           || (NodeOptions.Read("server") is not null && result.GetResult(db) is null or { Implicit: true });
}

/// <summary>`lstmsweep results ID`: one sweep's trials, best first.</summary>
public static class ResultsCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The sweep id (see 'lstmsweep list')" };
        var db = CommonOptions.Db();
        var output = CommonOptions.Output();
        var server = ServerOption.Create();
        var command = new Command("results", "Print a sweep's results from the journal (or from a cluster with --server)") { id, db, output, server };
        command.SetAction(async (result, cancel) =>
        {
            var sweepId = result.GetValue(id)!;
            if (ReadSource.UsesServer(result, server, db))
                return await ApiClient.RunAsync(result.GetValue(server), async client =>
                {
                    DocumentOutput.Write(await client.GetAsync($"api/sweeps/{Uri.EscapeDataString(sweepId)}", cancel),
                        CommonOptions.ParseOutput(result.GetValue(output)));
                    return ExitCodes.Ok;
                });
            var (exit, state) = await JournalAccess.ReadAsync(result.GetValue(db), reader => reader.ReadAsync(sweepId));
            if (exit != ExitCodes.Ok) return exit;
            if (state is null)
            {
                Terminal.Error($"no sweep '{sweepId}' in {JournalAccess.Describe(result.GetValue(db))}; 'lstmsweep list' shows the sweeps there");
                return ExitCodes.BadInput;
            }
            ResultsRenderer.Write(state, CommonOptions.ParseOutput(result.GetValue(output)));
            return ExitCodes.Ok;
        });
        return command;
    }
}

/// <summary>`lstmsweep list`: every sweep in the journal, oldest first.</summary>
public static class ListCommand
{
    public static Command Create()
    {
        var db = CommonOptions.Db();
        var output = CommonOptions.Output();
        var server = ServerOption.Create();
        var command = new Command("list", "List the sweeps in the journal (or of a cluster with --server)") { db, output, server };
        command.SetAction(async (result, cancel) =>
        {
            List<SweepListEntry> summaries;
            if (ReadSource.UsesServer(result, server, db))
            {
                var (code, fromServer) = await FromServerAsync(result.GetValue(server), cancel);
                if (code != ExitCodes.Ok) return code;
                summaries = fromServer!;
            }
            else
            {
                var (exit, states) = await JournalAccess.ReadAsync(result.GetValue(db), reader => reader.ReadAllAsync());
                if (exit != ExitCodes.Ok) return exit;
                summaries = states!.Select(SweepListEntry.From).ToList();
            }
            switch (CommonOptions.ParseOutput(result.GetValue(output)))
            {
                case OutputFormat.Json:
                    Console.Out.WriteLine(JsonSerializer.Serialize(summaries, SweepDocument.JsonOptions));
                    break;
                case OutputFormat.Csv:
                    Console.Out.WriteLine("sweep_id,name,status,task,objective,submitted_at,trials,complete,failed,best_objective,best_trial_id");
                    foreach (var s in summaries)
                        Console.Out.WriteLine(string.Join(',', s.SweepId, s.Name, s.Status, s.Task, s.Objective,
                            s.SubmittedAt?.ToString("O", CultureInfo.InvariantCulture), s.Trials, s.Counts["complete"], s.Counts["failed"],
                            s.BestObjective?.ToString("R", CultureInfo.InvariantCulture), s.BestTrialId));
                    break;
                default:
                    var table = new Table().Border(TableBorder.Rounded);
                    foreach (var c in new[] { "sweep", "name", "status", "task", "trials", "complete", "failed", "best", "submitted" })
                        table.AddColumn(c);
                    foreach (var s in summaries)
                        table.AddRow(new[] { s.SweepId, s.Name, s.Status, s.Task, s.Trials.ToString(CultureInfo.InvariantCulture),
                            s.Counts["complete"].ToString(CultureInfo.InvariantCulture), s.Counts["failed"].ToString(CultureInfo.InvariantCulture),
                            s.BestObjective is double v ? $"{s.Objective} {v:F4}" : "", s.SubmittedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "" }
                            .Select(text => new Markup(Markup.Escape(text))).ToArray());
                    Terminal.Out.Write(table);
                    if (summaries.Count == 0) Terminal.Info("no sweeps yet: 'lstmsweep run SPEC' starts one");
                    break;
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The cluster's sweeps as list entries (GET /api/sweeps?view=summary), page by page.</summary>
    static async Task<(int, List<SweepListEntry>?)> FromServerAsync(string? server, CancellationToken cancel)
    {
        var summaries = new List<SweepListEntry>();
        var code = await ApiClient.RunAsync(server, async client =>
        {
            while (true)
            {
                var page = JsonSerializer.Deserialize<List<SweepListEntry>>(
                    await client.GetAsync($"api/sweeps?view=summary&limit={HttpApi.MaxPageSize}&offset={summaries.Count}", cancel),
                    SweepDocument.JsonOptions)!;
                summaries.AddRange(page);
                if (page.Count < HttpApi.MaxPageSize) return ExitCodes.Ok;
            }
        });
        return (code, summaries.OrderBy(s => s.SubmittedAt).ToList());
    }
}
