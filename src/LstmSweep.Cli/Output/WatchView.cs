using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace LstmSweep.Cli.Output;

/// <summary>
/// What `watch` and `submit --wait` show live on stderr: a bar of the trials by state, the running trials with their
/// epoch and current metrics, the best so far, and the leaderboard once the sweep has ended. Folded from the JSON the
/// cluster serves (the events stream, or polled sweep documents), by field name only, so it depends on nothing but
/// that public JSON; <see cref="Render"/> is a pure function of what was folded, so its frames can be tested as text.
/// </summary>
public sealed class WatchView
{
    public sealed class Trial
    {
        public int Id { get; init; }
        public string Config { get; set; } = "";
        public string Status { get; set; } = "waiting";
        public int Attempt { get; set; }
        public int Epoch { get; set; }
        public int Epochs { get; set; }
        public double? Loss { get; set; }
        public double? Accuracy { get; set; }
    }

    static readonly (string Status, Color Color)[] States =
    [
        ("complete", Color.Green), ("running", Color.Blue), ("waiting", Color.Grey), ("pruned", Color.Yellow),
        ("failed", Color.Red), ("cancelled", Color.Orange3),
    ];

    /// <summary>Rows of the leaderboard at the end (the rest are counted).</summary>
    public const int LeaderboardRows = 10;

    readonly SortedDictionary<int, Trial> _trials = new();

    public string SweepId { get; }
    public string Name { get; private set; } = "";
    public string Objective { get; private set; } = "accuracy";
    /// <summary>The sweep's final status, or null while it runs.</summary>
    public string? FinalStatus { get; private set; }
    public IReadOnlyCollection<Trial> Trials => _trials.Values;

    public WatchView(string sweepId) => SweepId = sweepId;

    /// <summary>One server-sent event (its name and its JSON data), as `/api/sweeps/ID/events` sends them.</summary>
    public void Apply(string eventName, JsonElement data)
    {
        int id = data.TryGetProperty("trial_id", out var t) ? t.GetInt32() : -1;
        switch (eventName)
        {
            case "sweep_submitted":
                Name = Text(data, "name") ?? Name;
                Objective = Text(data, "objective") ?? Objective;
                break;
            case "trial_scheduled":
                _trials[id] = new Trial
                {
                    Id = id, Config = data.TryGetProperty("config", out var c) ? ConfigLabel(c) : "",
                    Epochs = data.TryGetProperty("config", out var cc) && cc.TryGetProperty("epochs", out var e) ? e.GetInt32() : 0,
                };
                break;
            case "trial_started" when _trials.TryGetValue(id, out var trial):
                (trial.Status, trial.Attempt, trial.Epoch, trial.Loss, trial.Accuracy) = ("running", Int(data, "attempt"), 0, null, null);
                break;
            case "epoch_reported" when _trials.TryGetValue(id, out var trial) && trial.Status == "running" && Int(data, "attempt") == trial.Attempt:
                (trial.Epoch, trial.Loss, trial.Accuracy) = (Int(data, "epoch"), Number(data, "loss"), Number(data, "accuracy"));
                break;
            case "trial_finished" when _trials.TryGetValue(id, out var trial):
                trial.Status = Text(data, "status") ?? trial.Status;
                (trial.Loss, trial.Accuracy) = (Number(data, "loss") ?? trial.Loss, Number(data, "accuracy") ?? trial.Accuracy);
                if (Int(data, "epochs_run") is > 0 and var run) trial.Epoch = run;
                break;
            case "trial_requeued" or "trial_promoted" when _trials.TryGetValue(id, out var trial):
                trial.Status = "waiting";
                break;
            case "sweep_finished":
                FinalStatus = Text(data, "status");
                break;
        }
    }

    /// <summary>A sweep document (`GET /api/sweeps/ID`): replaces what is known of every trial.</summary>
    public void ApplyDocument(JsonElement document)
    {
        Name = Text(document, "name") ?? Name;
        Objective = Text(document, "objective") ?? Objective;
        var status = Text(document, "status");
        FinalStatus = status is null or "running" ? null : status;
        foreach (var t in document.GetProperty("trials").EnumerateArray())
        {
            int id = Int(t, "trial_id");
            var config = t.GetProperty("config");
            _trials[id] = new Trial
            {
                Id = id, Config = ConfigLabel(config), Status = Text(t, "status") ?? "waiting", Epoch = Int(t, "epochs_run"),
                Epochs = config.TryGetProperty("epochs", out var e) ? e.GetInt32() : 0, Loss = Number(t, "loss"), Accuracy = Number(t, "accuracy"),
            };
        }
    }

    double? ObjectiveOf(Trial t) => Objective == "loss" ? t.Loss : t.Accuracy;

    /// <summary>Complete trials, best first.</summary>
    public IReadOnlyList<Trial> Leaderboard()
    {
        var complete = _trials.Values.Where(t => t.Status == "complete" && ObjectiveOf(t) is double v && double.IsFinite(v));
        return (Objective == "loss" ? complete.OrderBy(ObjectiveOf) : complete.OrderByDescending(ObjectiveOf)).ThenBy(t => t.Id).ToList();
    }

    public IRenderable Render()
    {
        var rows = new List<IRenderable>();
        string status = FinalStatus ?? "running";
        rows.Add(new Markup($"[bold]{Markup.Escape(Name.Length > 0 ? Name : SweepId)}[/] ({Markup.Escape(SweepId)}): {Markup.Escape(status)}, " +
                            $"{_trials.Count} trial(s), objective {Markup.Escape(Objective)}"));
        var chart = new BreakdownChart().Width(60).ShowPercentage();
        foreach (var (state, color) in States)
            if (_trials.Values.Count(t => t.Status == state) is > 0 and var n) chart.AddItem(state, n, color);
        if (_trials.Count > 0) rows.Add(chart);

        var running = _trials.Values.Where(t => t.Status == "running").ToList();
        if (running.Count > 0)
        {
            var table = new Table().Border(TableBorder.Simple).Title("running");
            foreach (var column in new[] { "trial", "epoch", "loss", "accuracy", "config" }) table.AddColumn(column);
            foreach (var t in running)
                table.AddRow(Cell(t.Id.ToString(CultureInfo.InvariantCulture)), Cell($"{t.Epoch}/{t.Epochs}"), Cell(Format(t.Loss)), Cell(Format(t.Accuracy)),
                    Cell(t.Config));
            rows.Add(table);
        }
        var leaderboard = Leaderboard();
        if (leaderboard.Count > 0)
        {
            var best = leaderboard[0];
            rows.Add(new Markup($"best so far: [bold]trial {best.Id}[/], {Markup.Escape(Objective)} {Format(ObjectiveOf(best))} ({Markup.Escape(best.Config)})"));
        }
        if (FinalStatus is not null && leaderboard.Count > 0)
        {
            var table = new Table().Border(TableBorder.Rounded).Title("leaderboard");
            foreach (var column in new[] { "rank", "trial", "accuracy", "loss", "config" }) table.AddColumn(column);
            foreach (var (t, rank) in leaderboard.Take(LeaderboardRows).Select((t, i) => (t, i + 1)))
                table.AddRow(Cell(rank.ToString(CultureInfo.InvariantCulture)), Cell(t.Id.ToString(CultureInfo.InvariantCulture)),
                    Cell(Format(t.Accuracy)), Cell(Format(t.Loss)), Cell(t.Config));
            rows.Add(table);
            if (leaderboard.Count > LeaderboardRows) rows.Add(new Markup($"… and {leaderboard.Count - LeaderboardRows} more complete trial(s)"));
        }
        return new Rows(rows);
    }

    /// <summary>
    /// Follows a server-sent-events stream to its end: the live view on <paramref name="console"/> when asked, and each
    /// event's JSON as one line on <paramref name="jsonLines"/> when given (today's `watch` output, for scripts).
    /// </summary>
    public async Task FollowAsync(TextReader stream, IAnsiConsole? console, TextWriter? jsonLines, CancellationToken cancel)
    {
        if (console is null) { await ReadAllAsync(stream, jsonLines, null, cancel); return; }
        await console.Live(Render()).AutoClear(false).Overflow(VerticalOverflow.Ellipsis)
            .StartAsync(async context => await ReadAllAsync(stream, jsonLines, () => { context.UpdateTarget(Render()); context.Refresh(); }, cancel));
    }

    async Task ReadAllAsync(TextReader stream, TextWriter? jsonLines, Action? changed, CancellationToken cancel)
    {
        string eventName = "";
        while (await stream.ReadLineAsync(cancel) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) { eventName = line["event: ".Length..]; continue; }
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            var data = line["data: ".Length..];
            jsonLines?.WriteLine(data);
            using var json = JsonDocument.Parse(data);
            Apply(eventName, json.RootElement);
            changed?.Invoke();
        }
        jsonLines?.Flush();
    }

    static IRenderable Cell(string text) => new Text(text);

    static string ConfigLabel(JsonElement config)
        => string.Join(' ', config.EnumerateObject().Select(p => $"{p.Name}={(p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText())}"));

    static string Format(double? value) => value is double v ? v.ToString("F4", CultureInfo.InvariantCulture) : "";
    static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    static int Int(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : 0;
    static double? Number(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.ValueKind switch
    {
        JsonValueKind.Number => v.GetDouble(),
        JsonValueKind.String when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    } : null;
}
