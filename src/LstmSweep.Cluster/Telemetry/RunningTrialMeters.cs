using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using LstmSweep.Core.Trials;
using static LstmSweep.Cluster.Telemetry.LstmSweepMetrics;

namespace LstmSweep.Cluster.Telemetry;

/// <summary>
/// One running attempt as the worker's metrics see it. Created when the attempt starts, updated from the training
/// thread after each epoch, and disposed when the attempt ends: from then on its per-trial series are no longer
/// reported, so they vanish from /metrics instead of piling up.
/// </summary>
public sealed class RunningTrialMeter : IDisposable
{
    long _lastEpochAt = Stopwatch.GetTimestamp();
    volatile EpochMetrics? _last;

    internal RunningTrialMeter(string sweepId, int trialId, int attempt, TrialConfig config, string device)
    {
        SweepId = sweepId;
        Trial = trialId.ToString(CultureInfo.InvariantCulture);
        Attempt = attempt.ToString(CultureInfo.InvariantCulture);
        Config = Describe(config);
        Device = device;
    }

    public string SweepId { get; }
    internal string Trial { get; }
    internal string Attempt { get; }
    internal string Config { get; }
    internal string Device { get; }
    internal EpochMetrics? Last => _last;

    /// <summary>
    /// An evaluated epoch finished: its metrics become the trial's gauges; the wall time since the previous report (or
    /// the attempt's start) is returned, and goes into the histogram once per epoch it covers (a trial evaluating every
    /// N epochs reports every N-th; a resumed attempt's first report counts the epochs before the resume as well).
    /// </summary>
    public TimeSpan EpochFinished(EpochMetrics metrics)
    {
        var now = Stopwatch.GetTimestamp();
        var took = Stopwatch.GetElapsedTime(Interlocked.Exchange(ref _lastEpochAt, now), now);
        var epochs = Math.Max(1, metrics.Epoch - (_last?.Epoch ?? 0));
        var perEpoch = took.TotalSeconds / epochs;
        for (var i = 0; i < epochs; i++) EpochDurationSeconds.Record(perEpoch, Tag("sweep", SweepId));
        _last = metrics;
        return took;
    }

    public void Dispose() => RunningTrialMeters.Remove(this);

    /// <summary>The configuration in words, for lstmsweep_trial_info (bounded: one per running attempt).</summary>
    public static string Describe(TrialConfig c) => Hyperparameters.Describe(c);
}

/// <summary>The attempts running on this node, for the observable instruments.</summary>
public static class RunningTrialMeters
{
    static readonly ConcurrentDictionary<RunningTrialMeter, byte> Running = new();

    public static RunningTrialMeter Start(string sweepId, int trialId, int attempt, TrialConfig config, string device)
    {
        EnsureCreated();
        var meter = new RunningTrialMeter(sweepId, trialId, attempt, config, device);
        Running[meter] = 0;
        return meter;
    }

    internal static void Remove(RunningTrialMeter meter) => Running.TryRemove(meter, out _);

    static KeyValuePair<string, object?>[] Labels(RunningTrialMeter t) => [Tag("sweep", t.SweepId), Tag("trial", t.Trial)];

    internal static IEnumerable<Measurement<long>> RunningBySweep()
        => Running.Keys.GroupBy(t => t.SweepId).Select(g => new Measurement<long>(g.Count(), Tag("sweep", g.Key)));

    internal static IEnumerable<Measurement<long>> Info()
        => Running.Keys.Select(t => new Measurement<long>(1, Tag("sweep", t.SweepId), Tag("trial", t.Trial),
            Tag("attempt", t.Attempt), Tag("config", t.Config), Tag("device", t.Device)));

    internal static IEnumerable<Measurement<long>> Epoch()
        => Running.Keys.Select(t => new Measurement<long>(t.Last?.Epoch ?? 0, Labels(t)));

    internal static IEnumerable<Measurement<double>> TrainLoss() => Latest(m => m.TrainLoss);
    internal static IEnumerable<Measurement<double>> EvalLoss() => Latest(m => m.Loss);
    internal static IEnumerable<Measurement<double>> EvalAccuracy() => Latest(m => m.Accuracy);

    static IEnumerable<Measurement<double>> Latest(Func<EpochMetrics, double> value)
        => Running.Keys.Where(t => t.Last is not null).Select(t => new Measurement<double>(value(t.Last!), Labels(t)));
}

/// <summary>This node's slots (one registration per worker agent; a process normally has one).</summary>
public sealed class SlotMeter : IDisposable
{
    internal SlotMeter(int total) => Total = total;
    internal int Total { get; }
    volatile int _busy;
    public int Busy { get => _busy; set => _busy = value; }
    public void Dispose() => SlotMeters.Remove(this);
}

public static class SlotMeters
{
    static readonly ConcurrentDictionary<SlotMeter, byte> Agents = new();

    public static SlotMeter Register(int slots)
    {
        EnsureCreated();
        var meter = new SlotMeter(slots);
        Agents[meter] = 0;
        return meter;
    }

    internal static void Remove(SlotMeter meter) => Agents.TryRemove(meter, out _);

    internal static IEnumerable<Measurement<long>> Observe()
    {
        if (Agents.IsEmpty) yield break; // not a worker: no slot series at all
        long busy = Agents.Keys.Sum(a => (long)a.Busy), total = Agents.Keys.Sum(a => (long)a.Total);
        yield return new Measurement<long>(busy, Tag("state", "busy"));
        yield return new Measurement<long>(Math.Max(0, total - busy), Tag("state", "free"));
    }
}
