using System.Text.Json;

namespace LstmSweep.Cli.Tests;

/// <summary>The CLI's contract, checked on the real program: exit codes, stdout/stderr, and what it writes.</summary>
public class CliTests
{
    [Fact]
    public void ValidateAcceptsAGoodSpecAndListsEveryProblemOfABadOne()
    {
        using var dir = new ScratchDirectory();
        var good = dir.Write("good.yaml", Specs.Counter());
        var ok = CliProcess.Run(dir.Path, "validate", good);
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Contains("4 trial(s)", ok.Stderr);

        var bad = dir.Write("bad.yaml", """
            name: Bad_Name
            task: cumsum
            space:
              units: [0]
              merge_mode: [avg]
            """);
        var rejected = CliProcess.Run(dir.Path, "validate", bad);
        Assert.True(rejected.ExitCode == 2, rejected.ToString());
        Assert.Contains("name", rejected.Stderr);
        Assert.Contains("space.units[0]", rejected.Stderr);
        Assert.Contains("space.merge_mode[0]", rejected.Stderr);
        Assert.Equal("", rejected.Stdout);
    }

    public static TheoryData<string> Examples() => new(Directory.GetFiles(Path.Combine(CliProcess.RepositoryRoot, "examples"), "*.yaml")
        .Select(Path.GetFileName).OfType<string>().Order());

    [Theory]
    [MemberData(nameof(Examples))]
    public void EveryExampleIsAValidSpec(string example)
    {
        var result = CliProcess.Run(CliProcess.RepositoryRoot, "validate", Path.Combine("examples", example));
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public void ARejectedSpecWritesNothing()
    {
        using var dir = new ScratchDirectory();
        var bad = dir.Write("bad.yaml", "name: x\ntask: nope\n");
        var db = dir.File_("sweeps.db");
        var result = CliProcess.Run(dir.Path, "run", bad, "--db", "sqlite:" + db);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("task", result.Stderr);
        Assert.False(File.Exists(db), "a rejected spec must not create the database");
        Assert.False(File.Exists(Path.Combine(dir.Path, "lstmsweep.db")));
    }

    [Theory]
    [InlineData("run", "SPEC", "--output", "xml")]
    [InlineData("run", "SPEC", "--db", "mysql:foo")]
    [InlineData("run", "SPEC", "--slots", "0")]
    [InlineData("run", "SPEC", "--no-such-flag")]
    [InlineData("run")]
    [InlineData("run", "missing-file.yaml")]
    [InlineData("results", "no-such-sweep", "--db", "sqlite:DIR/absent.db")]
    [InlineData("list", "--db", "sqlite:DIR/absent.db")]
    [InlineData("run", "SPEC", "--resume", "nope-123456", "--db", "sqlite:DIR/absent.db")]
    [InlineData("frobnicate")]
    public void BadArgumentsExitWithTwoAndWriteNothing(params string[] args)
    {
        using var dir = new ScratchDirectory();
        var spec = dir.Write("spec.yaml", Specs.Counter());
        var resolved = args.Select(a => a == "SPEC" ? spec : a.Replace("DIR", dir.Path)).ToArray();
        var result = CliProcess.Run(dir.Path, resolved);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.NotEqual("", result.Stderr.Trim());
        Assert.Equal("", result.Stdout.Trim());
        Assert.Empty(Directory.GetFiles(dir.Path, "*.db"));
    }

    [Fact]
    public void RunWithJsonOutputPrintsOneJsonDocumentAloneOnStdout()
    {
        using var dir = new ScratchDirectory();
        var spec = dir.Write("spec.yaml", Specs.Counter());
        var result = CliProcess.Run(dir.Path, "run", spec, "--db", "sqlite:" + dir.File_("s.db"), "--slots", "2", "--output", "json");
        Assert.True(result.ExitCode == 0, result.ToString());

        using var json = JsonDocument.Parse(result.Stdout); // throws if anything but JSON is on stdout
        var root = json.RootElement;
        Assert.Equal("completed", root.GetProperty("status").GetString());
        Assert.Equal("counter", root.GetProperty("name").GetString());
        Assert.StartsWith("counter-", root.GetProperty("sweep_id").GetString());
        var trials = root.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(4, trials.Count);
        foreach (var trial in trials)
        {
            Assert.Equal("complete", trial.GetProperty("status").GetString());
            var config = trial.GetProperty("config");
            foreach (var key in new[] { "units", "merge_mode", "stateful", "epochs", "learning_rate", "batch_size", "layers" })
                Assert.True(config.TryGetProperty(key, out _), $"config lacks {key}");
            foreach (var key in new[] { "trial_id", "accuracy", "loss", "epochs_run", "duration_ms", "attempts", "error" })
                Assert.True(trial.TryGetProperty(key, out _), $"trial lacks {key}");
            Assert.Equal(60, trial.GetProperty("epochs_run").GetInt32());
            Assert.Equal(1, trial.GetProperty("attempts").GetInt32());
        }
        var best = root.GetProperty("best");
        Assert.True(best.GetProperty("config").GetProperty("stateful").GetBoolean(), "stateful should win stateful-counter");
        Assert.Equal(1.0, best.GetProperty("accuracy").GetDouble());
    }

    [Fact]
    public void ResultsAndListReadWhatRunWrote()
    {
        using var dir = new ScratchDirectory();
        var spec = dir.Write("spec.yaml", Specs.Counter("readback", epochs: 20));
        var db = "sqlite:" + dir.File_("s.db");
        var run = CliProcess.Run(dir.Path, "run", spec, "--db", db, "--output", "json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var sweepId = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("sweep_id").GetString()!;

        var results = CliProcess.Run(dir.Path, "results", sweepId, "--db", db, "--output", "json");
        Assert.True(results.ExitCode == 0, results.ToString());
        Assert.Equal(Normalise(run.Stdout), Normalise(results.Stdout));

        var csv = CliProcess.Run(dir.Path, "results", sweepId, "--db", db, "--output", "csv");
        Assert.Equal(5, csv.Stdout.Trim().Split('\n').Length); // header + 4 trials

        var list = CliProcess.Run(dir.Path, "list", "--db", db, "--output", "json");
        Assert.True(list.ExitCode == 0, list.ToString());
        var sweeps = JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().ToList();
        Assert.Single(sweeps);
        Assert.Equal(sweepId, sweeps[0].GetProperty("sweep_id").GetString());
        Assert.Equal("completed", sweeps[0].GetProperty("status").GetString());

        var table = CliProcess.Run(dir.Path, "results", sweepId, "--db", db);
        Assert.Contains("best: trial", table.Stdout);
    }

    [Fact]
    public void SameSeedGivesTheSameNumbersWithSeveralSlots()
    {
        using var dir = new ScratchDirectory();
        var spec = dir.Write("spec.yaml", Specs.SlowCumsum("determinism", epochs: 40));
        var first = CliProcess.Run(dir.Path, "run", spec, "--db", "sqlite:" + dir.File_("a.db"), "--slots", "3", "--output", "json");
        var second = CliProcess.Run(dir.Path, "run", spec, "--db", "sqlite:" + dir.File_("b.db"), "--slots", "3", "--output", "json");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(Metrics(first.Stdout), Metrics(second.Stdout));
    }

    /// <summary>(trial, accuracy, loss) of every trial, exact.</summary>
    static string Metrics(string json)
        => string.Join("\n", JsonDocument.Parse(json).RootElement.GetProperty("trials").EnumerateArray()
            .Select(t => $"{t.GetProperty("trial_id")} {t.GetProperty("accuracy").GetDouble():R} {t.GetProperty("loss").GetDouble():R}"));

    static string Normalise(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);
}
