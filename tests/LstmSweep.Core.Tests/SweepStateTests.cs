using System.Text.Json;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Tests;

public class SweepStateTests
{
    static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;
    static readonly TaskSpec Task = new(TaskKind.Cumsum, new TaskOptions());

    static SweepState Submitted(int trials, Objective objective = Objective.Accuracy)
    {
        var events = new List<ISweepEvent> { new SweepSubmitted("s", "s", Task, objective, SearchStrategy.Grid, 1, "", T0) };
        for (int i = 0; i < trials; i++)
            events.Add(new TrialScheduled("s", i, new TrialConfig(10 + i, MergeMode.None, false, 5, 0.01, 1, 1), i));
        return SweepState.Fold("s", events);
    }

    static SweepState Run(SweepState state, int trial, int attempt, double? accuracy, double? loss, TrialStatus status = TrialStatus.Complete)
        => state.Apply(new TrialStarted("s", trial, attempt, "w", T0))
            .Apply(new TrialFinished("s", trial, attempt, status, loss, accuracy, 5, 10, status == TrialStatus.Failed ? "boom" : null, T0));

    [Fact]
    public void EventsOfAnAttemptThatIsNotCurrentChangeNothing()
    {
        var state = Submitted(1).Apply(new TrialStarted("s", 0, 1, "w", T0));
        var same = state.Apply(new EpochReported("s", 0, 2, 3, 0.1, 0.9, 0.1))
                        .Apply(new TrialFinished("s", 0, 2, TrialStatus.Complete, 0.1, 0.9, 5, 1, null, T0));
        Assert.Equal(TrialStatus.Running, same.Trials[0].Status);
        Assert.Null(same.Trials[0].LastEpoch);

        var finished = state.Apply(new TrialFinished("s", 0, 1, TrialStatus.Complete, 0.2, 0.8, 5, 1, null, T0));
        var afterDuplicate = finished.Apply(new TrialFinished("s", 0, 1, TrialStatus.Complete, 0.9, 0.1, 5, 1, null, T0));
        Assert.Equal(0.8, afterDuplicate.Trials[0].Accuracy);
    }

    [Fact]
    public void ARequeuedTrialWaitsAndItsNextAttemptCounts()
    {
        var state = Submitted(1).Apply(new TrialStarted("s", 0, 1, "w", T0))
            .Apply(new EpochReported("s", 0, 1, 2, 0.5, 0.5, 0.5))
            .Apply(new TrialRequeued("s", 0, 1, "lost"));
        Assert.Equal(TrialStatus.Waiting, state.Trials[0].Status);
        Assert.Single(state.WaitingTrials);
        state = Run(state, 0, 2, 0.7, 0.3);
        Assert.Equal(2, state.Trials[0].Attempts);
        Assert.Equal(0.7, state.Trials[0].Accuracy);
        Assert.True(state.AllTrialsFinished);
    }

    [Fact]
    public void LeaderboardRanksByTheObjective()
    {
        var byAccuracy = Run(Run(Run(Submitted(3), 0, 1, 0.6, 0.2), 1, 1, 0.9, 0.5), 2, 1, null, null, TrialStatus.Failed);
        Assert.Equal(new[] { 1, 0 }, byAccuracy.Leaderboard().Select(t => t.TrialId));
        Assert.Equal(1, byAccuracy.Best!.TrialId);
        Assert.Equal(SweepStatus.Completed, byAccuracy.OutcomeWhenAllFinished());

        var byLoss = Run(Run(Submitted(2, Objective.Loss), 0, 1, 0.6, 0.2), 1, 1, 0.9, 0.5);
        Assert.Equal(0, byLoss.Best!.TrialId);
    }

    [Fact]
    public void ASweepWithNoCompleteTrialFailsAndACancelledOneIsCancelled()
    {
        var failed = Run(Run(Submitted(2), 0, 1, null, null, TrialStatus.Failed), 1, 1, null, null, TrialStatus.Failed);
        Assert.Equal(SweepStatus.Failed, failed.OutcomeWhenAllFinished());

        var cancelled = Submitted(2).Apply(new SweepCancelRequested("s", T0))
            .Apply(new TrialFinished("s", 0, 0, TrialStatus.Cancelled, null, null, 0, 0, "cancelled before it started", T0))
            .Apply(new TrialFinished("s", 1, 0, TrialStatus.Cancelled, null, null, 0, 0, "cancelled before it started", T0));
        Assert.True(cancelled.AllTrialsFinished);
        Assert.Equal(SweepStatus.Cancelled, cancelled.OutcomeWhenAllFinished());
    }

    [Fact]
    public void TheJsonDocumentHasTheDocumentedFields()
    {
        var state = Run(Submitted(2), 0, 1, 0.75, 0.25).Apply(new SweepFinished("s", SweepStatus.Completed, T0));
        using var json = JsonDocument.Parse(SweepDocument.From(state).ToJson());
        var root = json.RootElement;
        Assert.Equal("s", root.GetProperty("sweep_id").GetString());
        Assert.Equal("completed", root.GetProperty("status").GetString());
        var trial = root.GetProperty("trials")[0];
        Assert.Equal("complete", trial.GetProperty("status").GetString());
        Assert.Equal("none", trial.GetProperty("config").GetProperty("merge_mode").GetString());
        Assert.Equal(0.75, trial.GetProperty("accuracy").GetDouble());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("trials")[1].GetProperty("accuracy").ValueKind);
        Assert.Equal("waiting", root.GetProperty("trials")[1].GetProperty("status").GetString());
        Assert.Equal(0, root.GetProperty("best").GetProperty("trial_id").GetInt32());
        Assert.Equal(1, root.GetProperty("counts").GetProperty("complete").GetInt32());
    }
}
