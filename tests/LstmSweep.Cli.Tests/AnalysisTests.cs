using System.Text.Json;
using System.Xml.Linq;
using SkiaSharp;

namespace LstmSweep.Cli.Tests;

/// <summary>One real sweep over four parameters (eight trials), run once for the importance, figure and report tests.</summary>
public sealed class AnalysedSweep : IDisposable
{
    public ScratchDirectory Dir { get; } = new();
    public string Db { get; }
    public string SweepId { get; }

    public AnalysedSweep()
    {
        var spec = Dir.Write("spec.yaml", """
            name: analysed
            task: stateful-counter
            strategy: grid
            seed: 3
            eval_every: 1
            space:
              units: [4, 8]
              merge_mode: [none, sum]
              stateful: [true, false]
              epochs: [8]
              learning_rate: [0.05]
              batch_size: [1]
            """);
        Db = "sqlite:" + Dir.File_("s.db");
        var run = CliProcess.Run(Dir.Path, "run", spec, "--db", Db, "--output", "json");
        Assert.True(run.ExitCode == 0, run.ToString());
        SweepId = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("sweep_id").GetString()!;
    }

    public void Dispose() => Dir.Dispose();
}

[CollectionDefinition(Name)]
public sealed class AnalysedSweepCollection : ICollectionFixture<AnalysedSweep>
{
    public const string Name = "analysed sweep";
}

/// <summary>`lstmsweep importance` and the figures of `plot --kind` on the real program.</summary>
[Collection(AnalysedSweepCollection.Name)]
public class AnalysisTests(AnalysedSweep sweep)
{
    static readonly SKColor BestRed = SKColor.Parse("#d62728");
    static readonly SKColor Blue = SKColor.Parse("#1f77b4");
    static readonly SKColor Orange = SKColor.Parse("#ff7f0e");
    /// <summary>Every row of the hyperparameter table (src/LstmSweep.Core/Trials/Hyperparameters.cs): importance reports each.</summary>
    static readonly string[] Keys =
        ["units", "merge_mode", "stateful", "epochs", "learning_rate", "batch_size", "layers", "optimizer", "dense_units", "init", "head"];

    [Fact]
    public void ImportanceAsJsonGivesEveryParameterASharePinnedByTheSeed()
    {
        var first = CliProcess.Run(sweep.Dir.Path, "importance", sweep.SweepId, "--db", sweep.Db, "--output", "json");
        Assert.True(first.ExitCode == 0, first.ToString());
        var again = CliProcess.Run(sweep.Dir.Path, "importance", sweep.SweepId, "--db", sweep.Db, "--output", "json");
        Assert.Equal(first.Stdout, again.Stdout);

        var report = JsonDocument.Parse(first.Stdout).RootElement;
        Assert.Equal("fanova", report.GetProperty("method").GetString());
        Assert.Equal(8, report.GetProperty("trials").GetInt32());
        var importances = report.GetProperty("importances").EnumerateArray().ToList();
        Assert.Equal(Keys.Order(), importances.Select(i => i.GetProperty("key").GetString()).Order());
        Assert.Equal(1.0, importances.Sum(i => i.GetProperty("importance").GetDouble()), 6);
        var shares = importances.Select(i => i.GetProperty("importance").GetDouble()).ToList();
        Assert.Equal(shares.OrderDescending(), shares);
        foreach (var constant in importances.Where(i => i.GetProperty("key").GetString() is "epochs" or "learning_rate" or "batch_size" or "layers" or "optimizer" or "dense_units" or "init" or "head"))
            Assert.Equal((1, 0.0), (constant.GetProperty("values").GetInt32(), constant.GetProperty("importance").GetDouble()));
    }

    [Fact]
    public void ImportanceAsATableNamesTheParameters()
    {
        var result = CliProcess.Run(sweep.Dir.Path, "importance", sweep.SweepId, "--db", sweep.Db);
        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var key in Keys) Assert.Contains(key, result.Stdout);
    }

    [Theory]
    [InlineData("history", "#d62728", 150)]    // the best-so-far line
    [InlineData("history", "#1f77b4", 100)]    // the trials' points
    [InlineData("parallel", "#d62728", 300)]   // the best trial's line across the axes
    [InlineData("importance", "#1f77b4", 2000)] // the bars
    [InlineData("slice", "#1f77b4", 100)]      // the trials' points
    public void EachKindDrawsItsFigure(string kind, string color, int atLeast)
    {
        var file = Path.Combine(sweep.Dir.Path, "kinds", $"{kind}-{color[1..]}.png");
        var result = CliProcess.Run(sweep.Dir.Path, "plot", sweep.SweepId, "--db", sweep.Db, "--kind", kind, "--out", file, "--width", "800", "--height", "600");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Stdout);

        var colors = PlotTestsPng.Colors(file, 800, 600);
        int count = colors.GetValueOrDefault(SKColor.Parse(color));
        Assert.True(count >= atLeast, $"{kind}: {count} pixels of {color}, expected at least {atLeast}");
    }

    [Fact]
    public void TrainingLossByMergeModeDrawsOneLinePerMode()
    {
        var file = Path.Combine(sweep.Dir.Path, "by-merge-mode.png");
        var result = CliProcess.Run(sweep.Dir.Path, "plot", sweep.SweepId, "--db", sweep.Db, "--kind", "by", "--by", "merge_mode",
            "--metric", "train_loss", "--out", file, "--width", "640", "--height", "480");
        Assert.True(result.ExitCode == 0, result.ToString());

        var colors = PlotTestsPng.Colors(file, 640, 480);
        Assert.True(colors.GetValueOrDefault(Blue) > 50, $"none's line: {colors.GetValueOrDefault(Blue)} pixels");
        Assert.True(colors.GetValueOrDefault(Orange) > 50, $"sum's line: {colors.GetValueOrDefault(Orange)} pixels");
    }

    [Fact]
    public void AnSvgOutIsAnSvgDocumentWithTheFigureInIt()
    {
        var file = Path.Combine(sweep.Dir.Path, "parallel.svg");
        var result = CliProcess.Run(sweep.Dir.Path, "plot", sweep.SweepId, "--db", sweep.Db, "--kind", "parallel", "--out", file, "--width", "700", "--height", "500");
        Assert.True(result.ExitCode == 0, result.ToString());

        var svg = XDocument.Load(file).Root!;
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", svg.Name);
        Assert.Equal(("700", "500"), ((string?)svg.Attribute("width"), (string?)svg.Attribute("height")));
        var strokes = svg.Descendants(ns + "path").Select(p => (string?)p.Attribute("stroke")).ToList();
        Assert.Contains("#D62728", strokes, StringComparer.OrdinalIgnoreCase); // the best trial's line
        var text = string.Concat(svg.Descendants(ns + "text").Select(t => t.Value));
        foreach (var axis in new[] { "units", "merge_mode", "stateful", "accuracy" }) Assert.Contains(axis, text);
    }

    [Theory]
    [InlineData("--kind", "by")]                              // by without --by
    [InlineData("--kind", "history", "--metric", "accuracy")] // --metric only for curves and by
    [InlineData("--kind", "slice", "--by", "units")]          // --by only with --kind by
    [InlineData("--kind", "radar")]
    [InlineData("--metric", "f1")]
    public void AMismatchedKindExitsWithTwoAndWritesNothing(params string[] options)
    {
        var file = Path.Combine(sweep.Dir.Path, "bad-kind", "figure.png");
        var result = CliProcess.Run(sweep.Dir.Path, ["plot", sweep.SweepId, "--db", sweep.Db, "--out", file, .. options]);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("", result.Stdout);
        Assert.False(Directory.Exists(Path.GetDirectoryName(file)));
    }

    [Fact]
    public void AnOutThatIsNeitherPngNorSvgExitsWithTwo()
    {
        var result = CliProcess.Run(sweep.Dir.Path, "plot", sweep.SweepId, "--db", sweep.Db, "--out", Path.Combine(sweep.Dir.Path, "x.gif"));
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(".svg", result.Stderr);
    }
}

/// <summary>Decoding a figure's PNG: its size, and how many pixels have each colour.</summary>
static class PlotTestsPng
{
    public static Dictionary<SKColor, int> Colors(string file, int width, int height)
    {
        using var bitmap = SKBitmap.Decode(File.ReadAllBytes(file));
        Assert.NotNull(bitmap);
        Assert.Equal((width, height), (bitmap.Width, bitmap.Height));
        var colors = bitmap.Pixels.GroupBy(p => p).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(colors.Count > 50, $"only {colors.Count} distinct colours: not a real figure");
        return colors;
    }
}
