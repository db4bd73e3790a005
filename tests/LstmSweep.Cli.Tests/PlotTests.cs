using System.Buffers.Binary;
using System.Text.Json;
using SkiaSharp;

namespace LstmSweep.Cli.Tests;

/// <summary>One small real sweep, run once for all the plot tests.</summary>
public sealed class PlottedSweep : IDisposable
{
    public ScratchDirectory Dir { get; } = new();
    public string Db { get; }
    public string SweepId { get; }

    public PlottedSweep()
    {
        var spec = Dir.Write("spec.yaml", Specs.Counter("plotted", epochs: 15));
        Db = "sqlite:" + Dir.File_("s.db");
        var run = CliProcess.Run(Dir.Path, "run", spec, "--db", Db, "--output", "json");
        Assert.True(run.ExitCode == 0, run.ToString());
        SweepId = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("sweep_id").GetString()!;
    }

    public void Dispose() => Dir.Dispose();
}

/// <summary>`lstmsweep plot` on the real program: a real PNG of the requested size with real content, or exit 2.</summary>
public class PlotTests(PlottedSweep sweep) : IClassFixture<PlottedSweep>
{
    static readonly SKColor BestRed = SKColor.Parse("#d62728");       // the best trial's line
    static readonly SKColor Blue = SKColor.Parse("#1f77b4");          // Category10's first two: --by's first two values
    static readonly SKColor Orange = SKColor.Parse("#ff7f0e");

    [Fact]
    public void PlotDrawsLearningCurvesAsAPngOfTheRequestedSize()
    {
        var file = Path.Combine(sweep.Dir.Path, "figures", "new", "curves.png"); // the folders do not exist yet
        var result = CliProcess.Run(sweep.Dir.Path, "plot", sweep.SweepId, "--db", sweep.Db, "--out", file, "--width", "640", "--height", "480");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Stdout);
        Assert.Contains(file, result.Stderr);

        var colors = CheckPng(file, 640, 480);
        Assert.True(colors.GetValueOrDefault(BestRed) > 200, $"the best trial's thick red line: {colors.GetValueOrDefault(BestRed)} pixels");
    }

    [Fact]
    public void PlotByAParameterDrawsOneLinePerValue()
    {
        var file = Path.Combine(sweep.Dir.Path, "by-stateful.png");
        var result = CliProcess.Run(sweep.Dir.Path, "plot", sweep.SweepId, "--db", sweep.Db, "--out", file, "--by", "stateful", "--width", "640", "--height", "480");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Stdout);

        var colors = CheckPng(file, 640, 480);
        // stateful false and true: two lines, in the palette's first two colours.
        Assert.True(colors.GetValueOrDefault(Blue) > 50, $"the first value's line: {colors.GetValueOrDefault(Blue)} pixels");
        Assert.True(colors.GetValueOrDefault(Orange) > 50, $"the second value's line: {colors.GetValueOrDefault(Orange)} pixels");
    }

    [Fact]
    public void AnUnknownParameterExitsWithTwoNamingTheAllowedOnesAndWritesNothing()
    {
        var file = Path.Combine(sweep.Dir.Path, "bad", "by-colour.png");
        var result = CliProcess.Run(sweep.Dir.Path, "plot", sweep.SweepId, "--db", sweep.Db, "--out", file, "--by", "colour");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("", result.Stdout);
        foreach (var key in new[] { "units", "merge_mode", "stateful", "epochs", "learning_rate", "batch_size", "layers" })
            Assert.Contains(key, result.Stderr);
        Assert.False(File.Exists(file));
        Assert.False(Directory.Exists(Path.GetDirectoryName(file)));
    }

    [Theory]
    [InlineData("no-such-sweep-123456", "DB")]
    [InlineData("SWEEP", "sqlite:DIR/absent.db")]
    public void AnUnknownSweepOrDatabaseExitsWithTwoAndWritesNothing(string id, string db)
    {
        using var dir = new ScratchDirectory();
        var file = Path.Combine(dir.Path, "out", "plot.png");
        var result = CliProcess.Run(dir.Path, "plot", id == "SWEEP" ? sweep.SweepId : id,
            "--db", db == "DB" ? sweep.Db : db.Replace("DIR", dir.Path), "--out", file);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("", result.Stdout);
        Assert.NotEqual("", result.Stderr.Trim());
        Assert.False(Directory.Exists(Path.GetDirectoryName(file)));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.db"));
    }

    /// <summary>Checks the file is a PNG of that size with a real picture in it; returns how many pixels have each colour.</summary>
    static Dictionary<SKColor, int> CheckPng(string file, int width, int height)
    {
        var bytes = File.ReadAllBytes(file);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));

        using var bitmap = SKBitmap.Decode(bytes);
        Assert.NotNull(bitmap);
        Assert.Equal((width, height), (bitmap.Width, bitmap.Height));
        var colors = bitmap.Pixels.GroupBy(p => p).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(colors.Count > 50, $"only {colors.Count} distinct colours: not a real figure");
        int white = colors.GetValueOrDefault(SKColors.White);
        Assert.True(white < width * height * 0.98, $"{white} of {width * height} pixels are white: next to nothing drawn");
        Assert.True(white > width * height * 0.3, $"only {white} white pixels: not a figure on a white background");
        return colors;
    }
}
