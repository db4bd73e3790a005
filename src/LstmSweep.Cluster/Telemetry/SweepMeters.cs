using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;
using static LstmSweep.Cluster.Telemetry.LstmSweepMetrics;

namespace LstmSweep.Cluster.Telemetry;

/// <summary>
/// The numbers one sweep's coordinator exports, read by the observable instruments of <see cref="LstmSweepMetrics"/>.
/// Counters count what this coordinator did live (not what it replayed on recovery), so a coordinator that moves to
/// another node starts them from 0 there, as Prometheus counters after a restart do. The gauges are computed from the
/// sweep's state as the coordinator last applied it.
/// </summary>
public sealed class SweepMeter
{
    internal long Started, Completed, Failed, Cancelled, Pruned, Epochs;
    internal readonly long[] Rescheduled = new long[Enum.GetValues<RequeueReason>().Length];
    volatile SweepState? _state;
    volatile Snapshot? _snapshot;
    readonly Func<int> _mailbox;

    internal SweepMeter(string sweepId, Func<int> mailbox)
    {
        SweepId = sweepId;
        _mailbox = mailbox;
    }

    public string SweepId { get; }

    internal int MailboxMessages => _mailbox();

    public void TrialStarted() => Interlocked.Increment(ref Started);
    public void EpochsReported(int epochs) => Interlocked.Add(ref Epochs, epochs);
    public void TrialRescheduled(RequeueReason reason) => Interlocked.Increment(ref Rescheduled[(int)reason]);

    /// <summary>A trial's final result: counted by status, and its duration (when it ran) into the histogram.</summary>
    public void TrialFinished(TrialStatus status, long durationMs)
    {
        switch (status)
        {
            case TrialStatus.Complete: Interlocked.Increment(ref Completed); break;
            case TrialStatus.Failed: Interlocked.Increment(ref Failed); break;
            case TrialStatus.Cancelled: Interlocked.Increment(ref Cancelled); break;
            case TrialStatus.Pruned or TrialStatus.Paused: Interlocked.Increment(ref Pruned); break; // stopped or paused at a rung
        }
        if (durationMs > 0)
            TrialDurationSeconds.Record(durationMs / 1000.0, Tag("sweep", SweepId), Tag("status", status.ToName()));
    }

    /// <summary>Journal write latency: from handing events to the journal until their handler runs.</summary>
    public static void JournalWritten(TimeSpan elapsed) => JournalWriteSeconds.Record(elapsed.TotalSeconds);

    /// <summary>
    /// The sweep's state now (an immutable record: handing the reference over is cheap and safe). The gauges are
    /// computed from it when they are read, at most once per state, so a busy coordinator pays nothing per event.
    /// </summary>
    public void Observe(SweepState state) => _state = state;

    internal Snapshot Now
    {
        get
        {
            var state = _state;
            if (state is null) return Snapshot.Empty;
            var snapshot = _snapshot;
            if (snapshot is not null && ReferenceEquals(snapshot.State, state)) return snapshot;
            return _snapshot = Snapshot.From(state);
        }
    }

    internal sealed record Snapshot(SweepState? State, IReadOnlyDictionary<TrialStatus, int> ByStatus, int Remaining, int Waiting,
        Objective Objective, double? BestObjective, double? BestAccuracy, DateTimeOffset? FinishedAt)
    {
        public static readonly Snapshot Empty = new(null, new Dictionary<TrialStatus, int>(), 0, 0, Objective.Accuracy, null, null, null);

        public static Snapshot From(SweepState state)
        {
            var byStatus = Enum.GetValues<TrialStatus>().ToDictionary(s => s, _ => 0);
            foreach (var trial in state.Trials.Values) byStatus[trial.Status]++;
            var leaderboard = state.Leaderboard();
            var bestAccuracy = leaderboard.Select(t => t.Accuracy).Where(a => a is double v && double.IsFinite(v)).Max();
            return new Snapshot(state, byStatus,
                Remaining: state.Trials.Values.Count(t => !t.IsFinished) + state.TrialsNotYetScheduled,
                Waiting: byStatus[TrialStatus.Waiting],
                state.Objective, leaderboard.Count == 0 ? null : state.ObjectiveOf(leaderboard[0]), bestAccuracy,
                state.IsFinished ? state.FinishedAt ?? DateTimeOffset.UtcNow : null);
        }
    }
}

/// <summary>The sweeps this process coordinates, for the observable instruments. Coordinators register themselves.</summary>
public static class SweepMeters
{
    /// <summary>A finished sweep's series stay this long (so dashboards show how it ended), then go.</summary>
    public static readonly TimeSpan FinishedRetention = TimeSpan.FromMinutes(15);

    static readonly ConcurrentDictionary<string, SweepMeter> Sweeps = new();

    public static SweepMeter Register(string sweepId, Func<int> mailbox)
    {
        EnsureCreated();
        var meter = new SweepMeter(sweepId, mailbox);
        Sweeps[sweepId] = meter;
        return meter;
    }

    /// <summary>Removes the sweep, unless another coordinator of it has registered since (a restart in this process).</summary>
    public static void Unregister(SweepMeter meter) => Sweeps.TryRemove(new KeyValuePair<string, SweepMeter>(meter.SweepId, meter));

    static IEnumerable<SweepMeter> Exported()
    {
        var cutoff = DateTimeOffset.UtcNow - FinishedRetention;
        return Sweeps.Values.Where(s => s.Now is { State.IsSubmitted: true } now && (now.FinishedAt is not { } finished || finished > cutoff));
    }

    internal static IEnumerable<Measurement<long>> Counter(Func<SweepMeter, long> value)
        => Exported().Select(s => new Measurement<long>(value(s), Tag("sweep", s.SweepId)));

    internal static IEnumerable<Measurement<long>> Rescheduled()
        => Exported().SelectMany(s => Enum.GetValues<RequeueReason>().Select(r => new Measurement<long>(
            Interlocked.Read(ref s.Rescheduled[(int)r]), Tag("sweep", s.SweepId), Tag("reason", ReasonName(r)))));

    /// <summary>The label value: the reason's stored name (worker_lost, failed_retry, interrupted, returned).</summary>
    public static string ReasonName(RequeueReason reason) => reason.ToName();

    internal static IEnumerable<Measurement<long>> Gauge(Func<SweepMeter.Snapshot, int> value)
        => Exported().Select(s => new Measurement<long>(value(s.Now), Tag("sweep", s.SweepId)));

    internal static IEnumerable<Measurement<long>> TrialsByState()
        => Exported().SelectMany(s => Enum.GetValues<TrialStatus>().Select(status => new Measurement<long>(
            s.Now.ByStatus.GetValueOrDefault(status), Tag("sweep", s.SweepId), Tag("state", status.ToName()))));

    internal static IEnumerable<Measurement<double>> BestObjective()
        => Exported().Where(s => s.Now.BestObjective is not null).Select(s => new Measurement<double>(
            s.Now.BestObjective!.Value, Tag("sweep", s.SweepId), Tag("objective", s.Now.Objective.ToName())));

    internal static IEnumerable<Measurement<double>> BestAccuracy()
        => Exported().Where(s => s.Now.BestAccuracy is not null).Select(s => new Measurement<double>(
            s.Now.BestAccuracy!.Value, Tag("sweep", s.SweepId)));

    internal static IEnumerable<Measurement<long>> Mailboxes()
        => Exported().Select(s => new Measurement<long>(s.MailboxMessages, Tag("sweep", s.SweepId)));
}
