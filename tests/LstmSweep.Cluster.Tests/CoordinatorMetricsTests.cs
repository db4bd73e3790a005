using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using LstmSweep.Cluster.Actors;
using LstmSweep.Cluster.Hosting;
using LstmSweep.Cluster.Persistence;
using LstmSweep.Cluster.Protocol;
using LstmSweep.Cluster.Telemetry;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;

namespace LstmSweep.Cluster.Tests;

/// <summary>
/// What a coordinator's metrics say after a staged history (a success, a failure that is retried, a lost worker),
/// read in-process through a MeterListener, the way OpenTelemetry reads them.
/// </summary>
public sealed class CoordinatorMetricsTests() : SqliteJournalTestKit("lstmsweep-metrics")
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public void CountersAndGaugesFollowTheSweepsHistoryAndGoWhenTheCoordinatorStops()
    {
        using var metrics = new MetricsReader();
        var id = "metrics-" + Guid.NewGuid().ToString("N")[..8];
        var coordinator = Sys.ActorOf(SweepCoordinator.Props(id));
        var task = new TaskSpec(TaskKind.StatefulCounter, new TaskOptions());
        var header = new SweepSubmitted(id, "test", task, Objective.Accuracy, SearchStrategy.Grid, 1, "name: test", DateTimeOffset.UtcNow);
        var trials = Enumerable.Range(0, 3).Select(i => new TrialScheduled(id, i, new TrialConfig(4, MergeMode.None, false, 10, 0.01, 1, 1), i)).ToList();
        coordinator.Tell(new SubmitSweep(header, trials), TestActor);
        ExpectMsg<SweepAccepted>(Wait);

        AwaitAssert(() => Assert.Equal(3, metrics.Gauge("lstmsweep_coordinator_queue_depth", id)), Wait);
        Assert.Equal(3, metrics.Gauge("lstmsweep_sweep_trials_remaining", id));
        Assert.Null(metrics.Find("lstmsweep_sweep_best_accuracy", id)); // nothing complete yet

        // Worker A: trial 0 completes, trial 1 fails and is retried.
        var workerA = CreateTestProbe();
        coordinator.Tell(new RequestWork(workerA.Ref, "a", 2));
        var a = workerA.ExpectMsg<WorkAssigned>(Wait).Trials;
        coordinator.Tell(new TrialResult(id, a[0].TrialId, a[0].Attempt, TrialStatus.Complete, 0.3, 0.8, 10, 1500, null));
        coordinator.Tell(new TrialResult(id, a[1].TrialId, a[1].Attempt, TrialStatus.Failed, null, null, 2, 100, "boom"));
        AwaitAssert(() => Assert.Equal(1, metrics.Gauge("lstmsweep_trials_rescheduled_total", id, ("reason", "failed_retry"))), Wait);

        // Worker B takes the other two and dies with them.
        var workerB = CreateTestProbe();
        coordinator.Tell(new RequestWork(workerB.Ref, "b", 2));
        Assert.Equal(2, workerB.ExpectMsg<WorkAssigned>(Wait).Trials.Count);
        Sys.Stop(workerB.Ref);
        AwaitAssert(() => Assert.Equal(2, metrics.Gauge("lstmsweep_trials_rescheduled_total", id, ("reason", "worker_lost"))), Wait);
        Assert.Equal(2, metrics.Gauge("lstmsweep_coordinator_queue_depth", id));

        // Worker C finishes them.
        var workerC = CreateTestProbe();
        coordinator.Tell(new RequestWork(workerC.Ref, "c", 2));
        foreach (var t in workerC.ExpectMsg<WorkAssigned>(Wait).Trials)
            coordinator.Tell(new TrialResult(id, t.TrialId, t.Attempt, TrialStatus.Complete, 0.2, 0.9 + t.TrialId / 100.0, 10, 2000, null));
        AwaitAssert(() => Assert.Equal(3, metrics.Gauge("lstmsweep_trials_completed_total", id)), Wait);

        Assert.Equal(6, metrics.Gauge("lstmsweep_trials_started_total", id)); // 2 on A, 2 on B, 2 on C
        Assert.Equal(0, metrics.Gauge("lstmsweep_trials_failed_total", id));
        Assert.Equal(0, metrics.Gauge("lstmsweep_trials_cancelled_total", id));
        Assert.Equal(0, metrics.Gauge("lstmsweep_trials_rescheduled_total", id, ("reason", "interrupted")));
        Assert.Equal(3, metrics.Gauge("lstmsweep_sweep_trials", id, ("state", "complete")));
        Assert.Equal(0, metrics.Gauge("lstmsweep_sweep_trials", id, ("state", "waiting")));
        Assert.Equal(0, metrics.Gauge("lstmsweep_sweep_trials_remaining", id));
        Assert.Equal(0.92, metrics.Gauge("lstmsweep_sweep_best_accuracy", id), 6);
        Assert.Equal(0.92, metrics.Gauge("lstmsweep_sweep_best_objective", id, ("objective", "accuracy")), 6);
        Assert.Equal([1.5, 2.0, 2.0], metrics.Recorded("lstmsweep_trial_duration", id).Order());
        Assert.NotEmpty(metrics.Recorded("lstmsweep_journal_write_duration", null));

        // A finished sweep stays visible (for its final numbers) while its coordinator lives, and goes with it.
        AwaitAssert(() => Assert.True(StateOf(coordinator, id).IsFinished), Wait);
        Assert.NotNull(metrics.Find("lstmsweep_trials_completed_total", id));
        Watch(coordinator);
        Sys.Stop(coordinator);
        ExpectTerminated(coordinator, Wait);
        Assert.Null(metrics.Find("lstmsweep_trials_completed_total", id));
        Assert.Null(metrics.Find("lstmsweep_sweep_trials", id));
    }

    SweepState StateOf(IActorRef coordinator, string id) => coordinator.Ask<SweepState>(new GetSweepState(id), Wait).Result;

    /// <summary>Reads the LstmSweep meter as an exporter would: observable instruments on demand, histograms as recorded.</summary>
    sealed class MetricsReader : IDisposable
    {
        readonly MeterListener _listener = new();
        readonly List<(string Name, double Value, Dictionary<string, object?> Tags)> _observed = new();
        readonly List<(string Name, double Value, Dictionary<string, object?> Tags)> _recorded = new();

        public MetricsReader()
        {
            LstmSweepMetrics.EnsureCreated();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == LstmSweepMetrics.MeterName) listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
            _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
            _listener.Start();
        }

        void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var entry = (instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value));
            lock (_recorded) (instrument.IsObservable ? _observed : _recorded).Add(entry);
        }

        /// <summary>One observation of every observable instrument: the series of the given sweep (and labels), if any.</summary>
        public double? Find(string name, string? sweep, params (string Key, string Value)[] labels)
        {
            // Exported names carry _total and the unit; the instrument names do not.
            var instrument = name.EndsWith("_total", StringComparison.Ordinal) ? name[..^"_total".Length] : name;
            lock (_recorded) _observed.Clear();
            _listener.RecordObservableInstruments();
            lock (_recorded)
            {
                var matches = _observed.Where(o => o.Name == instrument && Matches(o.Tags, sweep, labels)).ToList();
                Assert.True(matches.Count <= 1, $"{name}: {matches.Count} series match");
                return matches.Count == 0 ? null : matches[0].Value;
            }
        }

        public double Gauge(string name, string sweep, params (string Key, string Value)[] labels)
            => Find(name, sweep, labels) ?? throw new Xunit.Sdk.XunitException($"no {name} series for sweep {sweep}");

        public List<double> Recorded(string name, string? sweep)
        {
            lock (_recorded) return _recorded.Where(r => r.Name == name && Matches(r.Tags, sweep, [])).Select(r => r.Value).ToList();
        }

        static bool Matches(Dictionary<string, object?> tags, string? sweep, (string Key, string Value)[] labels)
            => (sweep is null || Equals(tags.GetValueOrDefault("sweep"), sweep)) && labels.All(l => Equals(tags.GetValueOrDefault(l.Key), l.Value));

        public void Dispose() => _listener.Dispose();
    }
}
