using System.Text.Json;
using LstmSweep.Cli.Output;
using Spectre.Console;

namespace LstmSweep.Cli.Tests;

/// <summary>The live view of `watch` and `submit --wait`, by its rendered frames at 80 columns.</summary>
public class WatchViewTests
{
    /// <summary>A sweep's events as `/api/sweeps/ID/events` sends them (server-sent events, snake_case JSON).</summary>
    static string Stream(params (string Event, string Data)[] events)
        => string.Concat(events.Select(e => $"event: {e.Event}\ndata: {e.Data}\n\n"));

    static readonly (string, string)[] Start =
    [
        ("sweep_submitted", """{"sweep_id":"s-1","name":"merge-modes","objective":"accuracy","strategy":"grid"}"""),
        ("trial_scheduled", """{"sweep_id":"s-1","trial_id":0,"config":{"units":8,"merge_mode":"none","epochs":10},"seed":1}"""),
        ("trial_scheduled", """{"sweep_id":"s-1","trial_id":1,"config":{"units":8,"merge_mode":"concat","epochs":10},"seed":2}"""),
        ("trial_scheduled", """{"sweep_id":"s-1","trial_id":2,"config":{"units":16,"merge_mode":"sum","epochs":10},"seed":3}"""),
        ("trial_started", """{"sweep_id":"s-1","trial_id":0,"attempt":1,"worker":"w","at":"2026-01-01T00:00:00Z"}"""),
        ("trial_started", """{"sweep_id":"s-1","trial_id":1,"attempt":1,"worker":"w","at":"2026-01-01T00:00:00Z"}"""),
        ("epoch_reported", """{"sweep_id":"s-1","trial_id":1,"attempt":1,"epoch":4,"loss":0.4321,"accuracy":0.75,"train_loss":0.5}"""),
        ("trial_finished", """{"sweep_id":"s-1","trial_id":0,"attempt":1,"status":"complete","loss":0.6,"accuracy":0.625,"epochs_run":10,"duration_ms":5,"error":null,"at":"2026-01-01T00:00:01Z"}"""),
    ];

    static readonly (string, string)[] End =
    [
        ("trial_finished", """{"sweep_id":"s-1","trial_id":1,"attempt":1,"status":"complete","loss":0.2,"accuracy":0.9375,"epochs_run":10,"duration_ms":5,"error":null,"at":"2026-01-01T00:00:02Z"}"""),
        ("trial_started", """{"sweep_id":"s-1","trial_id":2,"attempt":1,"worker":"w","at":"2026-01-01T00:00:02Z"}"""),
        ("trial_finished", """{"sweep_id":"s-1","trial_id":2,"attempt":1,"status":"failed","loss":null,"accuracy":null,"epochs_run":3,"duration_ms":5,"error":"nan","at":"2026-01-01T00:00:03Z"}"""),
        ("sweep_finished", """{"sweep_id":"s-1","status":"completed","at":"2026-01-01T00:00:03Z"}"""),
    ];

    static async Task<WatchView> Follow(string stream, StringWriter? jsonLines = null)
    {
        var view = new WatchView("s-1");
        await view.FollowAsync(new StringReader(stream), null, jsonLines, CancellationToken.None);
        return view;
    }

    static string Frame(WatchView view, int width = 80)
    {
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(text), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
        });
        console.Profile.Width = width;
        console.Write(view.Render());
        return text.ToString();
    }

    [Fact]
    public async Task WhileTheSweepRunsTheFrameShowsStatesRunningTrialsAndTheBestSoFar()
    {
        var frame = Frame(await Follow(Stream(Start)));

        Assert.Contains("merge-modes (s-1): running, 3 trial(s)", frame);
        Assert.Matches(@"complete\s+1", frame);   // the bar's legend: trials by state
        Assert.Matches(@"running\s+1", frame);
        Assert.Matches(@"waiting\s+1", frame);
        var runningRow = frame.Split('\n').Single(l => l.Contains("4/10"));
        Assert.Contains("0.4321", runningRow);      // trial 1's epoch and current metrics
        Assert.Contains("0.7500", runningRow);
        Assert.Contains("best so far: trial 0, accuracy 0.6250", frame);
        Assert.DoesNotContain("leaderboard", frame);
        Assert.All(frame.Split('\n'), line => Assert.True(line.TrimEnd().Length <= 80, $"wider than 80 columns: {line}"));
    }

    [Fact]
    public async Task WhenTheSweepEndsTheFrameShowsTheLeaderboardBestFirst()
    {
        var view = await Follow(Stream([.. Start, .. End]));
        var frame = Frame(view);

        Assert.Equal("completed", view.FinalStatus);
        Assert.Contains("merge-modes (s-1): completed", frame);
        Assert.Contains("leaderboard", frame);
        Assert.Contains("best so far: trial 1, accuracy 0.9375", frame);
        var rows = frame.Split('\n').Where(l => l.Contains("0.9375") || l.Contains("0.6250")).Where(l => l.Contains('│')).ToList();
        Assert.True(rows.Count == 2, frame);
        Assert.Contains("0.9375", rows[0]); // rank 1 before rank 2
        Assert.Matches(@"failed\s+1", frame);
        Assert.DoesNotContain("4/10", frame); // nothing is running any more
        Assert.All(frame.Split('\n'), line => Assert.True(line.TrimEnd().Length <= 80, $"wider than 80 columns: {line}"));
    }

    [Fact]
    public async Task AnEpochOfAnOlderAttemptDoesNotOverwriteTheCurrentOne()
    {
        var view = (await Follow(Stream([.. Start,
            ("trial_requeued", """{"sweep_id":"s-1","trial_id":1,"attempt":1,"reason":"lost"}"""),
            ("trial_started", """{"sweep_id":"s-1","trial_id":1,"attempt":2,"worker":"w","at":"2026-01-01T00:00:05Z"}"""),
            ("epoch_reported", """{"sweep_id":"s-1","trial_id":1,"attempt":1,"epoch":9,"loss":9.9,"accuracy":0.1,"train_loss":9}""")])));

        var trial = view.Trials.Single(t => t.Id == 1);
        Assert.Equal(("running", 2, 0), (trial.Status, trial.Attempt, trial.Epoch));
        Assert.Null(trial.Loss);
    }

    [Fact]
    public async Task JsonLinesCarryEveryEventUnchangedForScripts()
    {
        var lines = new StringWriter();
        await Follow(Stream([.. Start, .. End]), lines);

        var written = lines.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Start.Length + End.Length, written.Length);
        Assert.Equal(Start.Concat(End).Select(e => e.Item2), written);
        Assert.All(written, line => JsonDocument.Parse(line).Dispose());
    }

    [Fact]
    public void ASweepDocumentFillsTheViewForPolling()
    {
        var view = new WatchView("s-1");
        using var document = JsonDocument.Parse("""
            {"sweep_id":"s-1","name":"polled","status":"running","objective":"loss","trials":[
              {"trial_id":0,"config":{"units":4,"epochs":5},"status":"complete","accuracy":0.5,"loss":0.3,"epochs_run":5},
              {"trial_id":1,"config":{"units":8,"epochs":5},"status":"complete","accuracy":0.6,"loss":0.1,"epochs_run":5},
              {"trial_id":2,"config":{"units":16,"epochs":5},"status":"running","accuracy":null,"loss":null,"epochs_run":2}]}
            """);
        view.ApplyDocument(document.RootElement);
        var frame = Frame(view);

        Assert.Null(view.FinalStatus);
        Assert.Contains("best so far: trial 1, loss 0.1000", frame); // loss: lower is better
        Assert.Contains("2/5", frame);
    }

}
