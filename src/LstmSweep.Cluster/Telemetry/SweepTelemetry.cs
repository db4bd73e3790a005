using System.Diagnostics;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;

namespace LstmSweep.Cluster.Telemetry;

/// <summary>
/// What one sweep's coordinator records while it runs: its <see cref="SweepMeter"/> (registered for as long as it
/// lives) and the sweep's span. Fed live events only, never replayed ones: a recovered coordinator counts from 0 what
/// it does from then on, and goes on in a new span.
/// </summary>
public sealed class SweepTelemetry(string sweepId, Func<int> mailbox) : IDisposable
{
    readonly SweepMeter _meter = SweepMeters.Register(sweepId, mailbox);

    /// <summary>The sweep's span while this coordinator runs it (null when not tracing).</summary>
    Activity? _span;

    public string? TraceParent => LstmSweepTracing.TraceParentOf(_span);

    public void Observe(SweepState state) => _meter.Observe(state);

    public static void JournalWritten(TimeSpan elapsed) => SweepMeter.JournalWritten(elapsed);

    public void Recovered(SweepState state)
    {
        _meter.Observe(state);
        if (state.IsSubmitted && !state.IsFinished) StartSpan(state, recovered: true);
    }

    /// <param name="before">The state before <paramref name="e"/>; <paramref name="after"/> the state with it.</param>
    public void Record(ISweepEvent e, SweepState before, SweepState after)
    {
        switch (e)
        {
            case EpochReported r:
                _meter.EpochsReported(EpochsCovered(r, before, after));
                break;
            case TrialStarted:
                _meter.TrialStarted();
                break;
            case TrialFinished f when before.Trials.TryGetValue(f.TrialId, out var t) && t.Status == TrialStatus.Paused:
                break; // a paused trial ending pruned was counted when it paused
            case TrialFinished f:
                _meter.TrialFinished(f.Status, f.DurationMs);
                break;
            case TrialRequeued q:
                _meter.TrialRescheduled(q.Kind);
                break;
            case SweepSubmitted:
                StartSpan(after, recovered: false);
                break;
            case SweepFinished f:
                LstmSweepTracing.End(_span, f.Status == SweepStatus.Failed ? "every trial failed" : null,
                    ("lstmsweep.status", f.Status.ToName()), ("lstmsweep.trials_complete", after.Count(TrialStatus.Complete)));
                _span = null;
                break;
        }
    }

    /// <summary>
    /// The epochs one report stands for: a trial reports every eval_every epochs (and at its rungs), so the counter
    /// counts epochs trained, not reports. The first report of an attempt covers at most one cadence (after a resume
    /// the epochs before its checkpoint were counted by the attempt that trained them).
    /// </summary>
    static int EpochsCovered(EpochReported r, SweepState before, SweepState after)
    {
        int previous = before.Trials.TryGetValue(r.TrialId, out var t) ? t.EpochsRun : 0;
        int covered = previous > 0 ? r.Epoch - previous : Math.Min(r.Epoch, after.Spec?.EvalEvery ?? 1);
        return Math.Max(covered, 1);
    }

    void StartSpan(SweepState state, bool recovered) => _span = LstmSweepTracing.Start("sweep", tags:
    [
        ("lstmsweep.sweep", state.SweepId), ("lstmsweep.name", state.Name), ("lstmsweep.strategy", state.Strategy.ToName()),
        ("lstmsweep.trials_planned", state.PlannedTrials), ("lstmsweep.recovered", recovered),
    ]);

    public void Dispose()
    {
        LstmSweepTracing.End(_span, tags: ("lstmsweep.coordinator_stopped", true));
        SweepMeters.Unregister(_meter);
    }
}
