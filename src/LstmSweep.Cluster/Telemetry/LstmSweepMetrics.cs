using System.Diagnostics.Metrics;
using System.Reflection;

namespace LstmSweep.Cluster.Telemetry;

/// <summary>
/// Every LstmSweep instrument, in one place (docs/metrics.md is their reference). Instruments are recorded through
/// System.Diagnostics.Metrics only; a node's host attaches OpenTelemetry and the Prometheus exporter to the meter.
///
/// Series with a per-sweep or per-trial label come from observable instruments reading live registries
/// (<see cref="SweepMeters"/>, <see cref="RunningTrialMeters"/>), so they disappear when the sweep is retired or the
/// trial ends: OpenTelemetry exports an observable series only while its callback reports it. Only the histograms
/// are recorded synchronously, and their label sets are capped by the host (see MetricsLimits).
/// </summary>
public static class LstmSweepMetrics
{
    public const string MeterName = "LstmSweep";

    public static readonly string Version = typeof(LstmSweepMetrics).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    static readonly Meter Meter = new(MeterName, Version);

    public const string TrialDuration = "lstmsweep_trial_duration";
    public const string EpochDuration = "lstmsweep_epoch_duration";
    public const string JournalWriteDuration = "lstmsweep_journal_write_duration";

    /// <summary>Histograms keep at most this many label sets each (sweeps × statuses); later ones fold into an overflow series.</summary>
    public const int HistogramCardinalityLimit = 500;

    /// <summary>Histograms are the synchronous instruments whose label sets pile up; the host caps them at this.</summary>
    public static readonly string[] Histograms = [TrialDuration, EpochDuration, JournalWriteDuration];

    internal static readonly Histogram<double> TrialDurationSeconds = Meter.CreateHistogram(TrialDuration, "s",
        "Wall time of a trial's final attempt, from its start to its result.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600] });

    internal static readonly Histogram<double> EpochDurationSeconds = Meter.CreateHistogram(EpochDuration, "s",
        "Wall time of one epoch (training and evaluation).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] });

    internal static readonly Histogram<double> JournalWriteSeconds = Meter.CreateHistogram(JournalWriteDuration, "s",
        "From handing an event (or a batch) to the journal until it is written.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    static LstmSweepMetrics()
    {
        // Coordinator side: lifecycle counters and sweep gauges, per sweep.
        Meter.CreateObservableCounter("lstmsweep_trials_started", () => SweepMeters.Counter(s => Interlocked.Read(ref s.Started)), "{trial}",
            "Attempts started (a retried or rescheduled trial starts again).");
        Meter.CreateObservableCounter("lstmsweep_trials_completed", () => SweepMeters.Counter(s => Interlocked.Read(ref s.Completed)), "{trial}",
            "Trials that finished training with a result.");
        Meter.CreateObservableCounter("lstmsweep_trials_failed", () => SweepMeters.Counter(s => Interlocked.Read(ref s.Failed)), "{trial}",
            "Trials that failed for good.");
        Meter.CreateObservableCounter("lstmsweep_trials_cancelled", () => SweepMeters.Counter(s => Interlocked.Read(ref s.Cancelled)), "{trial}",
            "Trials cancelled with their sweep.");
        Meter.CreateObservableCounter("lstmsweep_trials_pruned", () => SweepMeters.Counter(s => Interlocked.Read(ref s.Pruned)), "{trial}",
            "Trials the scheduler stopped or paused at a rung.");
        Meter.CreateObservableCounter("lstmsweep_trials_rescheduled", SweepMeters.Rescheduled, "{trial}",
            "Attempts that went back to waiting, by reason.");
        Meter.CreateObservableCounter("lstmsweep_epochs", () => SweepMeters.Counter(s => Interlocked.Read(ref s.Epochs)), "{epoch}",
            "Epoch reports journalled.");
        Meter.CreateObservableGauge("lstmsweep_sweep_trials", SweepMeters.TrialsByState, "{trial}",
            "Trials of the sweep in each state now.");
        Meter.CreateObservableGauge("lstmsweep_sweep_trials_remaining", () => SweepMeters.Gauge(s => s.Remaining), "{trial}",
            "Trials not finished yet: waiting, running, and not yet suggested.");
        Meter.CreateObservableGauge("lstmsweep_sweep_best_objective", SweepMeters.BestObjective, null,
            "The best objective of a complete trial so far.");
        Meter.CreateObservableGauge("lstmsweep_sweep_best_accuracy", SweepMeters.BestAccuracy, null,
            "The highest evaluation accuracy of a complete trial so far.");
        Meter.CreateObservableGauge("lstmsweep_coordinator_queue_depth", () => SweepMeters.Gauge(s => s.Waiting), "{trial}",
            "Trials waiting for a free slot.");
        Meter.CreateObservableGauge("lstmsweep_coordinator_mailbox_messages", SweepMeters.Mailboxes, "{message}",
            "Messages waiting in the sweep coordinator's mailbox.");

        // Worker side: slots and the trials running on this node.
        Meter.CreateObservableGauge("lstmsweep_trials_running", RunningTrialMeters.RunningBySweep, "{trial}",
            "Attempts training on this node now.");
        Meter.CreateObservableGauge("lstmsweep_slots", SlotMeters.Observe, "{slot}",
            "This node's slots that are busy or free.");
        Meter.CreateObservableGauge("lstmsweep_trial_info", RunningTrialMeters.Info, null,
            "One series per running attempt: its configuration and device.");
        Meter.CreateObservableGauge("lstmsweep_trial_epoch", RunningTrialMeters.Epoch, "{epoch}",
            "The last epoch a running trial finished.");
        Meter.CreateObservableGauge("lstmsweep_trial_train_loss", RunningTrialMeters.TrainLoss, null,
            "Mean training loss of a running trial's last epoch.");
        Meter.CreateObservableGauge("lstmsweep_trial_eval_loss", RunningTrialMeters.EvalLoss, null,
            "Evaluation loss of a running trial's last epoch.");
        Meter.CreateObservableGauge("lstmsweep_trial_eval_accuracy", RunningTrialMeters.EvalAccuracy, null,
            "Evaluation accuracy of a running trial's last epoch.");

        // Every node: the cluster as this node sees it.
        Meter.CreateObservableGauge("lstmsweep_cluster_members", ClusterMeters.MembersByStatus, "{member}",
            "Cluster members in each status, as this node sees them.");
        Meter.CreateObservableGauge("lstmsweep_cluster_members_unreachable", ClusterMeters.Unreachable, "{member}",
            "Members this node's failure detector marks unreachable.");
        Meter.CreateObservableGauge("lstmsweep_node_info", ClusterMeters.NodeInfo, null,
            "This node's cluster address, roles and LstmSweep version.");
    }

    /// <summary>Creates the instruments (once per process); touching any member does it, this says so.</summary>
    public static void EnsureCreated() { }

    internal static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);
}
