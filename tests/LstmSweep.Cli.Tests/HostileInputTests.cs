using System.Text.Json;

namespace LstmSweep.Cli.Tests;

/// <summary>Issue 12 on the command line: caps and their overrides, missing databases, passwords, data folders.</summary>
public class HostileInputTests
{
    static string Values(int n) => "[" + string.Join(", ", Enumerable.Range(1, n)) + "]";

    [Fact]
    public void ValidatePrintsTheTrueTrialCountAndAFlagRaisesTheCap()
    {
        using var dir = new ScratchDirectory();
        var large = dir.Write("large.yaml", $"name: large\ntask: cumsum\nspace: {{units: {Values(300)}, batch_size: {Values(200)}}}\n");
        var huge = dir.Write("huge.yaml", $"name: huge\ntask: cumsum\nspace: {{units: {Values(2000)}, epochs: {Values(2000)}, batch_size: {Values(2000)}}}\n");

        var ok = CliProcess.Run(dir.Path, "validate", large);
        var refused = CliProcess.Run(dir.Path, "validate", huge);
        var larger = dir.Write("larger.yaml", $"name: larger\ntask: cumsum\nspace: {{units: {Values(500)}, batch_size: {Values(400)}}}\n");
        var raised = CliProcess.Run(dir.Path, "validate", larger, "--limit", "max_planned_trials=200000");
        var badLimit = CliProcess.Run(dir.Path, "validate", large, "--limit", "max_fun=3");

        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Contains("60000 trial(s)", ok.Stderr);
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("space: the grid has 8000000000 points, more than the 100000 trials a sweep may plan (the limit max_planned_trials)", refused.Stderr);
        Assert.True(raised.ExitCode == 0, raised.ToString());
        Assert.Contains("200000 trial(s)", raised.Stderr);
        Assert.True(badLimit.ExitCode == 2, badLimit.ToString());
        Assert.Contains("--limit max_fun=3", badLimit.Stderr);
    }

    [Fact]
    public void ASettingRaisesACapForRunAndValidate()
    {
        using var dir = new ScratchDirectory();
        var spec = dir.Write("retries.yaml", "name: r\ntask: cumsum\nretries: 500\n");
        var env = new Dictionary<string, string> { ["LSTMSWEEP_MAX_RETRIES"] = "1000" };

        var refused = CliProcess.Run(dir.Path, "validate", spec);
        var raised = CliProcess.Run(dir.Path, env, TimeSpan.FromMinutes(1), "validate", spec);
        var badSetting = CliProcess.Run(dir.Path, new Dictionary<string, string> { ["LSTMSWEEP_MAX_RETRIES"] = "lots" }, TimeSpan.FromMinutes(1), "validate", spec);

        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("retries: expected an integer from 0 to 100 (the limit max_retries), got '500'", refused.Stderr);
        Assert.True(raised.ExitCode == 0, raised.ToString());
        Assert.True(badSetting.ExitCode == 2, badSetting.ToString());
        Assert.Contains("max_retries: 'lots'", badSetting.Stderr);
    }

    [Theory]
    [InlineData("results", "x-000000")]
    [InlineData("list")]
    [InlineData("plot", "x-000000", "--out", "PNG")]
    public void AReadingCommandOnAMissingDatabaseSaysSoAndCreatesNothing(params string[] args)
    {
        using var dir = new ScratchDirectory();
        var db = dir.File_("typo.db");
        var full = args.Select(a => a == "PNG" ? dir.File_("p.png") : a).Concat(["--db", "sqlite:" + db]).ToArray();

        var result = CliProcess.Run(dir.Path, full);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"there is no database at {db}", result.Stderr);
        Assert.False(File.Exists(db));
    }

    [Fact]
    public void ANodeOnAMissingDatabaseSaysSoUnlessAskedToCreateIt()
    {
        using var dir = new ScratchDirectory();
        var db = dir.File_("typo.db");

        var result = CliProcess.Run(dir.Path, null, TimeSpan.FromMinutes(1), "node", "--db", "sqlite:" + db,
            "--port", "0", "--http-port", "0", "--roles", "coordinator");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("there is no database at", result.Stderr);
        Assert.Contains("--create-db", result.Stderr);
        Assert.False(File.Exists(db));
    }

    [Theory]
    [InlineData("results", "x-000000")]
    [InlineData("list")]
    [InlineData("plot", "x-000000", "--out", "p.png")]
    public void APasswordInTheDbIsNeverPrinted(params string[] args)
    {
        using var dir = new ScratchDirectory();
        var db = "postgres:Host=127.0.0.1;Port=1;Database=x;Username=u;Password=hunter2;Timeout=2";

        var result = CliProcess.Run(dir.Path, [.. args, "--db", db]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.DoesNotContain("hunter2", result.Stderr + result.Stdout);
    }

    [Fact]
    public void RunReadsDataOnlyFromTheSpecFolderOrAFolderItIsGiven()
    {
        using var dir = new ScratchDirectory();
        using var other = new ScratchDirectory();
        var data = other.Write("series.csv", "1,2,0\n3,4,1\n5,6,0\n7,8,1\n");
        var spec = dir.Write("spec.yaml", $"name: arr\ntask: array\ntask_options: {{path: '{data}'}}\n");

        var refused = CliProcess.Run(dir.Path, "validate", spec);
        var allowed = CliProcess.Run(dir.Path, "validate", spec, "--data-folder", other.Path);

        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("task_options.path", refused.Stderr);
        Assert.Contains("outside the data folders", refused.Stderr);
        Assert.True(allowed.ExitCode == 0, allowed.ToString());
    }

    [Fact]
    public void ANameThatWouldStopTheClusterIsExit2BeforeTheDatabaseExists()
    {
        using var dir = new ScratchDirectory();
        var spec = dir.Write("poison.yaml", "name: |\n  poison\ntask: cumsum\n");
        var db = dir.File_("s.db");

        var result = CliProcess.Run(dir.Path, "run", spec, "--db", "sqlite:" + db);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("name: invalid name", result.Stderr);
        Assert.False(File.Exists(db));
    }

    [Fact]
    public void TheLeaderboardFits80Columns()
    {
        using var dir = new ScratchDirectory();
        var spec = dir.Write("spec.yaml", Specs.Counter("narrow", epochs: 20));
        var db = "sqlite:" + dir.File_("s.db");
        var run = CliProcess.Run(dir.Path, "run", spec, "--db", db, "--output", "json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var sweepId = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("sweep_id").GetString()!;

        var table = CliProcess.Run(dir.Path, new Dictionary<string, string> { ["COLUMNS"] = "80" }, TimeSpan.FromMinutes(1),
            "results", sweepId, "--db", db);

        Assert.True(table.ExitCode == 0, table.ToString());
        var lines = table.Stdout.Split('\n');
        Assert.All(lines, line => Assert.True(line.TrimEnd().Length <= 80, $"{line.TrimEnd().Length} columns: {line}"));
        // Every trial is one row: its configuration column is not wrapped onto a second line.
        Assert.Equal(4, lines.Count(l => l.Contains("u4 ") || l.Contains("u8 ")));
    }
}
