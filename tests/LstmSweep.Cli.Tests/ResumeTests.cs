namespace LstmSweep.Cli.Tests;

/// <summary>A run killed with SIGKILL mid-sweep and resumed: finished trials kept, interrupted ones rerun, each once.</summary>
public class ResumeTests
{
    [Fact]
    public void ResumeAfterSigkillKeepsFinishedTrialsAndRunsTheRestOnce()
    {
        using var dir = new ScratchDirectory();
        var outcome = ResumeScenario.KillAndResume(dir, "resume", "sqlite:" + dir.File_("resume.db"),
            pauseBeforeKill: TimeSpan.FromMilliseconds(600)); // let the third trial train past a checkpoint or two

        // The trial that was running when the process died resumed from its last checkpoint.
        var rerun = outcome.After.Single(t => t.Attempts == 2);
        Assert.True(rerun.ResumedFromEpoch > 0, $"trial {rerun.Id} started again from epoch 0");
        Assert.Equal(0, rerun.ResumedFromEpoch % 5);
        // Once finished, only the best trial's final checkpoint stays (keep_models defaults to 1): no resume needs the rest.
        var sweepCheckpoints = Path.Combine(dir.Path, "lstmsweep-checkpoints", outcome.SweepId);
        var kept = Assert.Single(Directory.GetDirectories(sweepCheckpoints));
        Assert.Single(Directory.GetFiles(kept));
    }

    [Fact]
    public void ResumingAnUnknownSweepIsBadInput()
    {
        using var dir = new ScratchDirectory();
        var spec = dir.Write("spec.yaml", Specs.Counter("known", epochs: 5));
        var db = "sqlite:" + dir.File_("s.db");
        Assert.Equal(0, CliProcess.Run(dir.Path, "run", spec, "--db", db).ExitCode);
        var result = CliProcess.Run(dir.Path, "run", spec, "--db", db, "--resume", "known-000000");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("no sweep with that id", result.Stderr);
    }
}
