using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace LstmSweep.ClusterTests.Processes;

/// <summary>
/// `lstmsweep run` as real processes, under the faults users hit: SIGTERM and Ctrl+C (SIGINT) leave a resumable sweep,
/// a second run of a sweep already being run is refused, and a journal that keeps failing ends the run with exit 1
/// and the reason instead of a hang.
/// </summary>
[Collection(nameof(ClusterProcesses))]
public sealed class RunFaultTests
{
    static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void SIGTERMAndSIGINTLeaveAResumableSweepAndASecondWriterIsRefused()
    {
        using var dir = new ScratchDirectory();
        var spec = dir.Write("spec.yaml", Specs.SlowCumsum("signals", epochs: 150));
        var db = "sqlite:" + dir.File_("run.db");

        string sweepId;
        using (var run = new CliProcess(dir.Path, "run", spec, "--db", db, "--slots", "1", "--output", "json"))
        {
            Assert.True(run.WaitForStderr(e => Regex.IsMatch(e, @"\[1/6\] trial"), TimeSpan.FromMinutes(2)), "no trial finished:\n" + run.Stderr);
            sweepId = Regex.Match(run.Stderr, @"sweep (signals-[0-9a-f]{6})").Groups[1].Value;

            // One writer per sweep: a resume of the sweep this run is writing is refused, and changes nothing.
            var second = CliProcess.Run(dir.Path, null, ExitTimeout, "run", spec, "--db", db, "--resume", sweepId);
            Assert.True(second.ExitCode == 2, second.ToString());
            Assert.Contains("being run by another process", second.Stderr);

            run.Terminate();
            var stopped = run.WaitForExit(ExitTimeout);
            Assert.True(stopped.ExitCode == 130, stopped.ToString());
            Assert.Contains("can be resumed", stopped.Stderr);
            Assert.Contains($"--resume {sweepId}", stopped.Stderr);
            Assert.Equal("running", JsonDocument.Parse(stopped.Stdout).RootElement.GetProperty("status").GetString());
        }
        var afterTerm = Trials(CliProcess.Run(dir.Path, "results", sweepId, "--db", db, "--output", "json").Stdout);
        var kept = afterTerm.Where(t => t.Status == "complete").ToDictionary(t => t.Id);
        Assert.InRange(kept.Count, 1, 5);

        // Resumed, then Ctrl+C (SIGINT): stopped again, still resumable.
        using (var resumed = new CliProcess(dir.Path, "run", spec, "--db", db, "--slots", "1", "--resume", sweepId, "--output", "json"))
        {
            Assert.True(resumed.WaitForStderr(e => e.Contains("resuming sweep"), TimeSpan.FromMinutes(1)), resumed.Stderr);
            Thread.Sleep(1500);
            resumed.Interrupt();
            var stopped = resumed.WaitForExit(ExitTimeout);
            Assert.True(stopped.ExitCode == 130, stopped.ToString());
            Assert.Contains("interrupted (SIGINT)", stopped.Stderr);
        }

        // The last resume runs it to the end: every trial complete, the ones finished before never rerun.
        var final = CliProcess.Run(dir.Path, null, TimeSpan.FromMinutes(3), "run", spec, "--db", db, "--slots", "1", "--resume", sweepId, "--output", "json");
        Assert.True(final.ExitCode == 0, final.ToString());
        var after = Trials(final.Stdout);
        Assert.Equal(Enumerable.Range(0, 6), after.Select(t => t.Id).Order());
        Assert.All(after, t => Assert.Equal("complete", t.Status));
        foreach (var (id, trial) in kept) Assert.Equal((1, trial.Accuracy), (after.Single(t => t.Id == id).Attempts, after.Single(t => t.Id == id).Accuracy));
        Assert.False(File.Exists(dir.File_("run.db") + $"-sweep-{sweepId}.lock"), "a finished sweep's lock file is removed");
    }

    [Fact]
    public void AJournalThatKeepsFailingEndsTheRunWithExit1AndTheReason()
    {
        using var dir = new ScratchDirectory();
        var spec = dir.Write("spec.yaml", Specs.Counter("journal", epochs: 3));
        var dbPath = dir.File_("journal.db");
        var first = CliProcess.Run(dir.Path, null, TimeSpan.FromMinutes(2), "run", spec, "--db", "sqlite:" + dbPath, "--output", "json");
        Assert.True(first.ExitCode == 0, first.ToString());
        var sweepId = JsonDocument.Parse(first.Stdout).RootElement.GetProperty("sweep_id").GetString()!;

        // A row this version cannot decode (as a corrupt row, or one from a newer version, reads): recovery fails each time.
        using (var connection = new SqliteConnection($"Data Source={dbPath};Pooling=false"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE journal SET manifest = 'no-such-event.v9' WHERE persistence_id = $id AND sequence_number = 1";
            command.Parameters.AddWithValue("$id", "sweep-" + sweepId);
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        var resumed = CliProcess.Run(dir.Path, null, TimeSpan.FromMinutes(2), "run", spec, "--db", "sqlite:" + dbPath, "--resume", sweepId);
        Assert.True(resumed.ExitCode == 1, resumed.ToString());
        Assert.Contains("the journal keeps failing", resumed.Stderr);
        Assert.Contains("no-such-event.v9", resumed.Stderr);
        Assert.Contains($"--resume {sweepId}", resumed.Stderr);
    }

    sealed record Trial(int Id, string Status, int Attempts, double? Accuracy);

    static List<Trial> Trials(string json) => JsonDocument.Parse(json).RootElement.GetProperty("trials").EnumerateArray()
        .Select(t => new Trial(t.GetProperty("trial_id").GetInt32(), t.GetProperty("status").GetString()!, t.GetProperty("attempts").GetInt32(),
            t.GetProperty("accuracy").ValueKind == JsonValueKind.Number ? t.GetProperty("accuracy").GetDouble() : null))
        .ToList();
}
