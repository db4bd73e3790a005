using Spectre.Console;
using System.CommandLine;
using System.Text.Json;
using LstmSweep.Cli.Output;

namespace LstmSweep.Cli.Commands;

/// <summary>`lstmsweep submit SPEC [--wait]`: sends the spec to a cluster's HTTP API.</summary>
public static class SubmitCommand
{
    static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(1);

    public static Command Create()
    {
        var spec = new Argument<string>("spec") { Description = "The sweep spec (YAML or JSON); array data paths must be absolute" };
        var wait = new Option<bool>("--wait") { Description = "Wait until the sweep ends; exit 0 completed, 1 failed, 130 cancelled" };
        var output = CommonOptions.Output();
        var server = ServerOption.Create();
        var command = new Command("submit", "Submit a sweep to a cluster (lstmsweep node) and print its id") { spec, wait, output, server };
        command.SetAction(async (result, cancel) =>
        {
            var path = result.GetValue(spec)!;
            string text;
            try { text = await File.ReadAllTextAsync(path, cancel); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Terminal.Error($"cannot read spec {path}: {(e is FileNotFoundException or DirectoryNotFoundException ? "file not found" : e.Message)}");
                return ExitCodes.BadInput;
            }
            var format = CommonOptions.ParseOutput(result.GetValue(output));
            return await ApiClient.RunAsync(result.GetValue(server), async client =>
            {
                var contentType = text.TrimStart().StartsWith('{') ? "application/json" : "application/yaml";
                var answer = await client.PostAsync("api/sweeps", text, contentType, cancel);
                string sweepId;
                using (var json = JsonDocument.Parse(answer)) sweepId = json.RootElement.GetProperty("sweep_id").GetString()!;
                if (!result.GetValue(wait))
                {
                    if (format == OutputFormat.Json) Console.Out.WriteLine(answer.Trim());
                    else Console.Out.WriteLine(sweepId);
                    return ExitCodes.Ok;
                }
                Terminal.Info($"sweep {sweepId} submitted to {client.Server}; waiting for it to end");
                if (Terminal.StderrIsInteractive)
                {
                    using var events = await client.OpenStreamAsync($"api/sweeps/{Uri.EscapeDataString(sweepId)}/events", cancel);
                    await new WatchView(sweepId).FollowAsync(new StreamReader(await events.Content.ReadAsStreamAsync(cancel)), Terminal.Err, null, cancel);
                }
                string document;
                string last = "";
                while (true)
                {
                    document = await client.GetAsync($"api/sweeps/{Uri.EscapeDataString(sweepId)}", cancel);
                    var status = DocumentOutput.StatusOf(document);
                    if (status != "running") break;
                    var progress = Progress(document);
                    if (progress != last) Terminal.Info($"sweep {sweepId}: {progress}");
                    last = progress;
                    await Task.Delay(PollEvery, cancel);
                }
                DocumentOutput.Write(document, format);
                return DocumentOutput.ExitCodeFor(DocumentOutput.StatusOf(document));
            });
        });
        return command;
    }

    static string Progress(string document)
    {
        using var json = JsonDocument.Parse(document);
        return string.Join(", ", json.RootElement.GetProperty("counts").EnumerateObject().Where(p => p.Value.GetInt32() > 0)
            .Select(p => $"{p.Value.GetInt32()} {p.Name}"));
    }
}

/// <summary>`lstmsweep status ID`: one sweep as the cluster knows it.</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The sweep id" };
        var output = CommonOptions.Output();
        var server = ServerOption.Create();
        var command = new Command("status", "Show a sweep of a cluster") { id, output, server };
        command.SetAction((result, cancel) => ApiClient.RunAsync(result.GetValue(server), async client =>
        {
            var document = await client.GetAsync($"api/sweeps/{Uri.EscapeDataString(result.GetValue(id)!)}", cancel);
            DocumentOutput.Write(document, CommonOptions.ParseOutput(result.GetValue(output)));
            return ExitCodes.Ok;
        }));
        return command;
    }
}

/// <summary>`lstmsweep watch ID`: the sweep's journal events as they happen, one JSON object a line on stdout.</summary>
public static class WatchCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The sweep id" };
        var server = ServerOption.Create();
        var output = new Option<string>("--output", "-o") { Description = "table: a live view on stderr; json: each event as one JSON line on stdout (also when stdout is redirected)", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json");
        var command = new Command("watch", "Follow a sweep live until it ends (progress, running trials, best so far; --output json for JSON lines on stdout)") { id, server, output };
        command.SetAction((result, cancel) => ApiClient.RunAsync(result.GetValue(server), async client =>
        {
            var sweepId = result.GetValue(id)!;
            bool json = result.GetValue(output) == "json";
            using var response = await client.OpenStreamAsync($"api/sweeps/{Uri.EscapeDataString(sweepId)}/events", cancel);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel));
            var view = new WatchView(sweepId);
            await view.FollowAsync(reader, !json && Terminal.StderrIsInteractive ? Terminal.Err : null,
                json || Console.IsOutputRedirected ? Console.Out : null, cancel);
            if (!json && !Terminal.StderrIsInteractive) Terminal.Err.Write(view.Render());
            return view.FinalStatus is null ? ExitCodes.Ok : DocumentOutput.ExitCodeFor(view.FinalStatus);
        }));
        return command;
    }
}

/// <summary>`lstmsweep cancel ID`.</summary>
public static class CancelCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The sweep id" };
        var server = ServerOption.Create();
        var command = new Command("cancel", "Cancel a sweep of a cluster: waiting trials are cancelled, running ones stopped") { id, server };
        command.SetAction((result, cancel) => ApiClient.RunAsync(result.GetValue(server), async client =>
        {
            var sweepId = result.GetValue(id)!;
            await client.PostAsync($"api/sweeps/{Uri.EscapeDataString(sweepId)}/cancel", "", "application/json", cancel);
            Terminal.Info($"sweep {sweepId}: cancel requested");
            return ExitCodes.Ok;
        }));
        return command;
    }
}

/// <summary>`lstmsweep nodes`: the cluster's members.</summary>
public static class NodesCommand
{
    sealed record NodeRow(string Address, List<string> Roles, string Status, bool Reachable, bool Self);

    public static Command Create()
    {
        var output = CommonOptions.Output();
        var server = ServerOption.Create();
        var command = new Command("nodes", "List the members of a cluster, their roles and status") { output, server };
        command.SetAction((result, cancel) => ApiClient.RunAsync(result.GetValue(server), async client =>
        {
            var body = await client.GetAsync("api/nodes", cancel);
            if (CommonOptions.ParseOutput(result.GetValue(output)) == OutputFormat.Json)
            {
                Console.Out.WriteLine(body.Trim());
                return ExitCodes.Ok;
            }
            var rows = JsonSerializer.Deserialize<List<NodeRow>>(body, DocumentOutput.Json)!;
            var table = new Spectre.Console.Table().Border(Spectre.Console.TableBorder.Rounded);
            foreach (var c in new[] { "address", "roles", "status", "reachable" }) table.AddColumn(c);
            foreach (var r in rows)
                table.AddRow(Spectre.Console.Markup.Escape(r.Address + (r.Self ? " (answering)" : "")), string.Join(",", r.Roles), r.Status, r.Reachable ? "yes" : "no");
            Terminal.Out.Write(table);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
