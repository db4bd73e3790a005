using System.Globalization;
using System.Net;
using System.Text;
using LstmSweep.Core.Analysis;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;

namespace LstmSweep.Cli.Plotting;

/// <summary>
/// `lstmsweep report`: one self-contained HTML page of a sweep: its spec, the leaderboard, the importances and the
/// figures (history, parallel coordinates, importance, learning curves) as inline SVG. Nothing is fetched (a strict
/// Content-Security-Policy forbids it), and everything reads without JavaScript; one small inline script only marks,
/// on the html element, how many figures the browser laid out (what the headless-browser test checks).
/// </summary>
public static class HtmlReport
{
    /// <summary>Trials the leaderboard lists; the rest are counted, not listed.</summary>
    public const int LeaderboardRows = 50;

    const int FigureWidth = 1100, FigureHeight = 620;

    /// <summary>The figures, in page order: (element id, caption, how to draw it as SVG).</summary>
    static IEnumerable<(string Id, string Caption, Func<byte[]> Draw)> Figures(SweepState sweep, IReadOnlyList<ISweepEvent> events, ImportanceReport importance)
    {
        yield return ("history", "Optimisation history: each complete trial's objective and the best so far",
            () => SweepFigures.History(sweep, FigureWidth, FigureHeight, FigureFormat.Svg));
        yield return ("parallel", "Parallel coordinates: each complete trial across the parameters that varied, coloured by its objective",
            () => SweepFigures.ParallelCoordinates(sweep, FigureWidth, FigureHeight, FigureFormat.Svg));
        yield return ("importance", "Hyperparameter importance (fANOVA)",
            () => SweepFigures.Importance(sweep, importance, FigureWidth, FigureHeight, FigureFormat.Svg));
        yield return ("curves", "Learning curves: evaluation loss and accuracy per epoch, the best trial in red",
            () => SweepFigures.LearningCurves(sweep, LearningCurves.From(sweep, events), FigureWidth, FigureHeight, format: FigureFormat.Svg));
    }

    public static int FigureCount => 4;

    public static string Render(SweepState sweep, IReadOnlyList<ISweepEvent> events, DateTimeOffset generatedAt)
    {
        var importance = ImportanceReport.For(sweep);
        var html = new StringBuilder();
        string title = $"{sweep.Name} ({sweep.SweepId})";
        html.Append($$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{E(title)}}: LstmSweep report</title>
            <style>
            body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; margin: 2em auto; max-width: 1150px; color: #222; padding: 0 1em; }
            h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; }
            table { border-collapse: collapse; font-size: .9em; } td, th { padding: .25em .6em; border-bottom: 1px solid #eee; text-align: right; }
            th { background: #f4f4f4; } td.text, th.text { text-align: left; }
            tr.best td { font-weight: bold; color: #b01c1c; }
            pre { background: #f7f7f7; padding: 1em; overflow-x: auto; }
            figure { margin: 1.5em 0; } figure svg { width: 100%; height: auto; border: 1px solid #eee; }
            figcaption { color: #555; font-size: .9em; margin-top: .3em; }
            .bar { display: inline-block; height: .8em; background: #1f77b4; }
            dl { display: grid; grid-template-columns: max-content auto; gap: .2em 1em; } dt { color: #666; }
            </style>
            </head>
            <body>
            <h1>{{E(title)}}</h1>
            <dl>
            """);
        void Fact(string name, string? value) => html.Append($"<dt>{E(name)}</dt><dd>{E(value ?? "")}</dd>\n");
        Fact("status", sweep.Status.ToName());
        Fact("task", sweep.Task?.Kind.ToName());
        Fact("objective", sweep.Objective.ToName());
        Fact("strategy", sweep.Strategy.ToName());
        Fact("trials", string.Join(", ", Enum.GetValues<TrialStatus>().Where(s => sweep.Count(s) > 0).Select(s => $"{sweep.Count(s)} {s.ToName()}")));
        Fact("submitted", sweep.SubmittedAt?.ToString("u", CultureInfo.InvariantCulture));
        Fact("finished", sweep.FinishedAt?.ToString("u", CultureInfo.InvariantCulture));
        Fact("report generated", generatedAt.ToString("u", CultureInfo.InvariantCulture));
        html.Append("</dl>\n");

        WriteLeaderboard(html, sweep);
        WriteImportance(html, importance);

        html.Append("<h2 id=\"figures\">Figures</h2>\n");
        foreach (var (id, caption, draw) in Figures(sweep, events, importance))
        {
            var svg = Encoding.UTF8.GetString(draw());
            // Inline SVG: the XML declaration goes, a viewBox lets the figure scale with the page.
            svg = svg[svg.IndexOf("<svg", StringComparison.Ordinal)..];
            svg = svg.Replace("<svg ", $"<svg role=\"img\" aria-label=\"{E(caption)}\" viewBox=\"0 0 {FigureWidth} {FigureHeight}\" ");
            html.Append($"<figure id=\"figure-{id}\">\n{svg}\n<figcaption>{E(caption)}</figcaption>\n</figure>\n");
        }

        html.Append("<h2 id=\"spec\">Spec</h2>\n<pre>").Append(E(sweep.SpecText)).Append("</pre>\n");
        html.Append("""
            <script>
            // Marks how many figures the browser laid out with a size (checked by the test in a headless browser).
            addEventListener("load", () => {
              const drawn = [...document.querySelectorAll("figure svg")].filter(s => s.getBBox().width > 0 && s.getBoundingClientRect().height > 0);
              document.documentElement.dataset.figuresRendered = String(drawn.length);
            });
            </script>
            </body>
            </html>
            """);
        return html.ToString();
    }

    static void WriteLeaderboard(StringBuilder html, SweepState sweep)
    {
        var ranked = sweep.Leaderboard();
        html.Append($"<h2 id=\"leaderboard\">Leaderboard</h2>\n<p>{ranked.Count} complete trial(s), best first by {E(sweep.Objective.ToName())}");
        if (ranked.Count > LeaderboardRows) html.Append($"; the first {LeaderboardRows} are listed");
        html.Append(".</p>\n<table>\n<thead><tr><th>rank</th><th>trial</th>");
        foreach (var key in ParameterValues.Keys) html.Append($"<th class=\"text\">{E(key)}</th>");
        html.Append("<th>accuracy</th><th>loss</th><th>epochs run</th><th>time</th></tr></thead>\n<tbody>\n");
        foreach (var (trial, rank) in ranked.Take(LeaderboardRows).Select((t, i) => (t, i + 1)))
        {
            html.Append(rank == 1 ? "<tr class=\"best\">" : "<tr>");
            html.Append($"<td>{rank}</td><td>{trial.TrialId}</td>");
            foreach (var p in ParameterValues.Of(trial.Config)) html.Append($"<td class=\"text\">{E(p.Label)}</td>");
            html.Append($"<td>{Number(trial.Accuracy)}</td><td>{Number(trial.Loss)}</td><td>{trial.EpochsRun}</td>");
            html.Append($"<td>{(trial.DurationMs / 1000.0).ToString("F1", CultureInfo.InvariantCulture)} s</td></tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
    }

    static void WriteImportance(StringBuilder html, ImportanceReport report)
    {
        html.Append("<h2 id=\"importance\">Hyperparameter importance</h2>\n");
        if (report.Importances.Count == 0)
        {
            html.Append($"<p>Importance needs at least {ImportanceReport.MinTrials} complete trials; this sweep has {report.Trials}.</p>\n");
            return;
        }
        html.Append($"<p>Each parameter's share of the variance of {E(report.Objective)} over {report.Trials} complete trials " +
                    $"(fANOVA over a random forest, as Optuna's default importance; seed {report.Seed}).</p>\n<table>\n" +
                    "<thead><tr><th class=\"text\">parameter</th><th>importance</th><th class=\"text\"></th><th>values tried</th></tr></thead>\n<tbody>\n");
        foreach (var p in report.Importances)
            html.Append($"<tr><td class=\"text\">{E(p.Key)}</td><td>{p.Importance.ToString("F3", CultureInfo.InvariantCulture)}</td>" +
                        $"<td class=\"text\"><span class=\"bar\" style=\"width:{(p.Importance * 300).ToString("F0", CultureInfo.InvariantCulture)}px\"></span></td>" +
                        $"<td>{p.Values}</td></tr>\n");
        html.Append("</tbody>\n</table>\n");
    }

    static string Number(double? value) => value is double v ? v.ToString("F4", CultureInfo.InvariantCulture) : "";

    static string E(string text) => WebUtility.HtmlEncode(text);
}
