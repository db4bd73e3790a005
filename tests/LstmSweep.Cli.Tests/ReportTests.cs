using System.Text.RegularExpressions;
using SkiaSharp;

namespace LstmSweep.Cli.Tests;

/// <summary>`lstmsweep report`, opened in a real headless Chromium.</summary>
[Collection(AnalysedSweepCollection.Name)]
public partial class ReportTests(AnalysedSweep sweep)
{
    [Fact]
    public void TheReportRendersEveryFigureInABrowserWithoutAnErrorOrARequest()
    {
        var file = Path.Combine(sweep.Dir.Path, "report", "new", "report.html");
        var result = CliProcess.Run(sweep.Dir.Path, "report", sweep.SweepId, "--db", sweep.Db, "--out", file);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Stdout);
        var html = File.ReadAllText(file);

        // Self-contained: nothing is loaded from anywhere (the only URLs are SVG's namespace names).
        Assert.DoesNotMatch(SourceAttribute(), html);
        foreach (var section in new[] { "leaderboard", "importance", "figures", "spec" }) Assert.Contains($"id=\"{section}\"", html);
        Assert.Contains("task: stateful-counter", html); // the spec as given

        var screenshot = Path.Combine(sweep.Dir.Path, "report", "screenshot.png");
        var visit = HeadlessChromium.Screenshot(file, screenshot, 1280, 5200);
        Assert.True(visit.ConsoleMessages.Count == 0, "the page logged:\n" + string.Join('\n', visit.ConsoleMessages));
        using (var bitmap = SKBitmap.Decode(screenshot))
        {
            Assert.True(bitmap is { Width: 1280, Height: 5200 }, visit.Log);
            var colors = bitmap.Pixels.GroupBy(p => p).ToDictionary(g => g.Key, g => g.Count());
            // The best trial in red (leaderboard row, history and parallel lines, curves), the bars and points in blue.
            Assert.True(colors.GetValueOrDefault(SKColor.Parse("#d62728")) > 1000, $"red pixels: {colors.GetValueOrDefault(SKColor.Parse("#d62728"))}");
            Assert.True(colors.GetValueOrDefault(SKColor.Parse("#1f77b4")) > 5000, $"blue pixels: {colors.GetValueOrDefault(SKColor.Parse("#1f77b4"))}");
        }

        var dom = HeadlessChromium.DumpDom(file);
        Assert.True(dom.ConsoleMessages.Count == 0, "the page logged:\n" + string.Join('\n', dom.ConsoleMessages));
        Assert.Equal(4, Regex.Matches(dom.Output, "<figure id=\"figure-").Count);
        Assert.Contains("data-figures-rendered=\"4\"", dom.Output); // every figure laid out with a size
    }

    [Fact]
    public void TheBrowserCheckSeesAPageThatLogsOrFetches()
    {
        // The same check on a page that breaks the rules: it must not pass.
        using var dir = new ScratchDirectory();
        var page = dir.Write("bad.html", """
            <!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'"></head>
            <body><img src="http://127.0.0.1:9/x.png"><script>console.error("boom");</script></body></html>
            """);
        var visit = HeadlessChromium.Screenshot(page, Path.Combine(dir.Path, "bad.png"), 400, 300);
        Assert.Contains(visit.ConsoleMessages, m => m.Contains("boom"));
        Assert.Contains(visit.ConsoleMessages, m => m.Contains("Content Security Policy"));
    }

    [Theory]
    [InlineData("report.pdf")]
    [InlineData("report")]
    public void AnOutThatIsNotHtmlExitsWithTwoAndWritesNothing(string name)
    {
        using var dir = new ScratchDirectory();
        var file = Path.Combine(dir.Path, "out", name);
        var result = CliProcess.Run(dir.Path, "report", sweep.SweepId, "--db", sweep.Db, "--out", file);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(".html", result.Stderr);
        Assert.False(Directory.Exists(Path.GetDirectoryName(file)));
    }

    [Fact]
    public void AnUnknownSweepExitsWithTwo()
    {
        using var dir = new ScratchDirectory();
        var result = CliProcess.Run(dir.Path, "report", "no-such-sweep", "--db", sweep.Db, "--out", Path.Combine(dir.Path, "r.html"));
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.False(File.Exists(Path.Combine(dir.Path, "r.html")));
    }

    [GeneratedRegex("""(src|href)\s*=\s*["'](?!#|data:)""", RegexOptions.IgnoreCase)]
    private static partial Regex SourceAttribute();
}
