using System.Security.Cryptography;
using System.Text.Json;

namespace LstmSweep.Cli.Tests;

/// <summary>`results`, `list`, `plot`, `importance` and `report` read the SQLite journal table directly, and only read.</summary>
[Collection(AnalysedSweepCollection.Name)]
public class InstantReadTests(AnalysedSweep sweep)
{
    [Fact]
    public void ResultsFromTheTableAreTheSweepTheRunPrinted()
    {
        var results = CliProcess.Run(sweep.Dir.Path, "results", sweep.SweepId, "--db", sweep.Db, "--output", "json");
        Assert.True(results.ExitCode == 0, results.ToString());
        using var document = JsonDocument.Parse(results.Stdout);
        var root = document.RootElement;
        Assert.Equal(sweep.SweepId, root.GetProperty("sweep_id").GetString());
        Assert.Equal("completed", root.GetProperty("status").GetString());
        Assert.Equal(8, root.GetProperty("trials").GetArrayLength());
        Assert.Equal(8, root.GetProperty("counts").GetProperty("complete").GetInt32());
        Assert.All(root.GetProperty("trials").EnumerateArray(), t => Assert.Equal(8, t.GetProperty("epochs_run").GetInt32()));

        var list = CliProcess.Run(sweep.Dir.Path, "list", "--db", sweep.Db, "--output", "json");
        Assert.True(list.ExitCode == 0, list.ToString());
        var listed = JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().Single();
        Assert.Equal(sweep.SweepId, listed.GetProperty("sweep_id").GetString());
        Assert.Equal(root.GetProperty("best").GetProperty("trial_id").GetInt32(), listed.GetProperty("best_trial_id").GetInt32());
    }

    [Fact]
    public void ReadingLeavesTheDatabaseAsItWas()
    {
        var file = sweep.Db["sqlite:".Length..];
        var folder = Path.GetDirectoryName(file)!;
        var before = SHA256.HashData(File.ReadAllBytes(file));
        var filesBefore = Directory.GetFiles(folder, "s.db*").Order().ToList();

        foreach (var args in new[] { new[] { "results", sweep.SweepId }, ["list"], ["importance", sweep.SweepId] })
        {
            var result = CliProcess.Run(sweep.Dir.Path, [.. args, "--db", sweep.Db]);
            Assert.True(result.ExitCode == 0, result.ToString());
        }

        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(file)));
        Assert.Equal(filesBefore, Directory.GetFiles(folder, "s.db*").Order().ToList());
    }

    [Fact]
    public void ADatabaseNoSweepHasWrittenToListsNothing()
    {
        using var dir = new ScratchDirectory();
        var empty = dir.Write("empty.db", "");
        var list = CliProcess.Run(dir.Path, "list", "--db", "sqlite:" + empty, "--output", "json");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Equal(0, JsonDocument.Parse(list.Stdout).RootElement.GetArrayLength());
        Assert.Equal(0, new FileInfo(empty).Length); // nothing created in it
    }
}
