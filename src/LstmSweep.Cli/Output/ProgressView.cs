using System.Threading.Channels;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;
using Spectre.Console;

namespace LstmSweep.Cli.Output;

/// <summary>
/// Shows a running sweep on stderr from its journal events: on a terminal, live bars (the sweep, and each running
/// trial with its epoch and current accuracy); otherwise one plain line per trial that starts or ends.
/// </summary>
public static class ProgressView
{
    public static Task FollowAsync(SweepState initial, ChannelReader<ISweepEvent> events, CancellationToken cancellation)
        => Terminal.StderrIsInteractive ? LiveAsync(initial, events, cancellation) : PlainAsync(initial, events, cancellation);

    static async Task LiveAsync(SweepState initial, ChannelReader<ISweepEvent> events, CancellationToken cancellation)
    {
        await Terminal.Err.Progress()
            .AutoClear(false)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var state = initial;
                var sweepTask = context.AddTask(SweepLine(state), maxValue: Math.Max(1, state.Trials.Count));
                sweepTask.Value = Finished(state);
                var trialTasks = new Dictionary<int, ProgressTask>();
                await foreach (var e in events.ReadAllAsync(cancellation))
                {
                    state = state.Apply(e);
                    switch (e)
                    {
                        case TrialStarted s:
                            if (trialTasks.Remove(s.TrialId, out var old)) old.StopTask();
                            var trial = state.Trials[s.TrialId];
                            trialTasks[s.TrialId] = context.AddTask(TrialLine(trial), maxValue: trial.Config.Epochs);
                            break;
                        case EpochReported r when trialTasks.TryGetValue(r.TrialId, out var task):
                            task.Value = r.Epoch;
                            task.Description = TrialLine(state.Trials[r.TrialId]);
                            break;
                        case TrialFinished or TrialRequeued:
                            var id = e is TrialFinished f ? f.TrialId : ((TrialRequeued)e).TrialId;
                            if (trialTasks.Remove(id, out var done)) { done.Value = done.MaxValue; done.StopTask(); }
                            break;
                    }
                    sweepTask.Value = Finished(state);
                    sweepTask.Description = SweepLine(state);
                    if (e is SweepFinished) break;
                }
                sweepTask.StopTask();
            });
    }

    static async Task PlainAsync(SweepState initial, ChannelReader<ISweepEvent> events, CancellationToken cancellation)
    {
        var state = initial;
        Terminal.Info(SweepLine(state));
        await foreach (var e in events.ReadAllAsync(cancellation))
        {
            state = state.Apply(e);
            switch (e)
            {
                case TrialFinished f:
                    var t = state.Trials[f.TrialId];
                    var outcome = f.Status == TrialStatus.Complete
                        ? $"accuracy {ResultsRenderer.Format(f.Accuracy)} loss {ResultsRenderer.Format(f.Loss)} in {f.DurationMs / 1000.0:F1}s"
                        : $"{f.Status.ToName()}{(f.Error is null ? "" : ": " + f.Error)}";
                    Terminal.Info($"[{Finished(state)}/{state.Trials.Count}] trial {f.TrialId} ({ResultsRenderer.Describe(t.Config)}): {outcome}");
                    break;
                case TrialRequeued q:
                    Terminal.Info($"trial {q.TrialId} requeued: {q.Reason}");
                    break;
                case TrialPromoted p:
                    Terminal.Info($"trial {p.TrialId} promoted from its rung at epoch {p.FromEpoch}: resumes from its checkpoint");
                    break;
            }
            if (e is SweepFinished) break;
        }
    }

    static int Finished(SweepState state) => state.Trials.Values.Count(t => t.IsFinished);

    static string SweepLine(SweepState state)
        => Markup.Escape($"{state.Name}: {Finished(state)}/{state.Trials.Count} trials done, {state.Count(TrialStatus.Running)} running, {state.Count(TrialStatus.Failed)} failed");

    static string TrialLine(TrialState trial)
    {
        var c = trial.Config;
        var accuracy = trial.LastEpoch is { } last ? $" acc {last.Accuracy:F3}" : "";
        return Markup.Escape($"  trial {trial.TrialId} u={c.Units} {c.MergeMode.ToName()}{(c.Stateful ? " stateful" : "")} lr={c.LearningRate:G3} epoch {trial.EpochsRun}/{c.Epochs}{accuracy}");
    }
}
