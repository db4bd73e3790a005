using System.Text.Json;
using System.Text.RegularExpressions;

namespace LstmSweep.Tests.Shared;

/// <summary>
/// One `run` of <see cref="Specs.SlowCumsum"/> killed with SIGKILL after two of its six trials, then resumed with
/// `--resume` on the same database: the checks every journal must pass (finished trials kept and not rerun, the
/// interrupted one run again, each trial once, the journal agreeing with what resume printed).
/// </summary>
static class ResumeScenario
{
    public sealed record Trial(int Id, string Status, int Attempts, double? Accuracy, string? Error, int ResumedFromEpoch);

    public sealed record Outcome(string SweepId, IReadOnlyList<Trial> After);

    /// <param name="pauseBeforeKill">Time the third trial gets to train (past a checkpoint) before the kill.</param>
    public static Outcome KillAndResume(ScratchDirectory dir, string name, string db, TimeSpan pauseBeforeKill)
    {
        var spec = dir.Write("spec.yaml", Specs.SlowCumsum(name));
        string sweepId;
        using (var run = new CliProcess(dir.Path, "run", spec, "--db", db, "--slots", "1", "--output", "json"))
        {
            // Stderr is redirected, so progress is one plain line per finished trial: "[2/6] trial ...".
            Assert.True(run.WaitForStderr(e => Regex.IsMatch(e, @"\[2/6\] trial"), TimeSpan.FromMinutes(3)),
                "two trials did not finish in time:\n" + run.Stderr);
            Thread.Sleep(pauseBeforeKill);
            Assert.False(run.HasExited, "the sweep ended before it could be killed; make its trials longer:\n" + run.Stderr);
            run.Kill();
            sweepId = Regex.Match(run.Stderr, $@"sweep ({Regex.Escape(name)}-[0-9a-f]{{6}})").Groups[1].Value;
            Assert.Equal("", run.Stdout);
        }
        Assert.NotEqual("", sweepId);

        var before = CliProcess.Run(dir.Path, "results", sweepId, "--db", db, "--output", "json");
        Assert.True(before.ExitCode == 0, before.ToString());
        var finishedBefore = Trials(before.Stdout).Where(t => t.Status == "complete").ToDictionary(t => t.Id);
        Assert.InRange(finishedBefore.Count, 2, 5);
        Assert.Equal("running", JsonDocument.Parse(before.Stdout).RootElement.GetProperty("status").GetString());

        var resumed = CliProcess.Run(dir.Path, "run", spec, "--db", db, "--slots", "1", "--resume", sweepId, "--output", "json");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var after = Trials(resumed.Stdout);

        Assert.Equal(6, after.Count);
        Assert.Equal(6, after.Select(t => t.Id).Distinct().Count());
        Assert.All(after, t => Assert.True(t.Status == "complete", $"trial {t.Id} is {t.Status}: {t.Error}"));
        foreach (var (id, trial) in finishedBefore)
        {
            var now = after.Single(t => t.Id == id);
            Assert.Equal(1, now.Attempts); // not re-run
            Assert.Equal(trial.Accuracy, now.Accuracy);
        }
        // The trial that was running when the process died ran again, as a second attempt.
        Assert.Contains(after, t => t.Attempts == 2);

        // And the journal agrees with what resume printed.
        var final = CliProcess.Run(dir.Path, "results", sweepId, "--db", db, "--output", "json");
        Assert.Equal(resumed.Stdout.Trim(), final.Stdout.Trim());
        return new Outcome(sweepId, after);
    }

    static List<Trial> Trials(string json) => JsonDocument.Parse(json).RootElement.GetProperty("trials").EnumerateArray()
        .Select(t => new Trial(t.GetProperty("trial_id").GetInt32(), t.GetProperty("status").GetString()!,
            t.GetProperty("attempts").GetInt32(),
            t.GetProperty("accuracy").ValueKind == JsonValueKind.Number ? t.GetProperty("accuracy").GetDouble() : null,
            t.GetProperty("error").GetString(), t.GetProperty("resumed_from_epoch").GetInt32()))
        .ToList();
}
