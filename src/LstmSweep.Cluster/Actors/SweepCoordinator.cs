using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using LstmSweep.Cluster.Protocol;
using LstmSweep.Cluster.Telemetry;
using LstmSweep.Core.Search;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Sweeps;
using LstmSweep.Core.Trials;

namespace LstmSweep.Cluster.Actors;

/// <summary>
/// The single writer of one sweep's state. Persists every decision (trials scheduled, attempts started, epochs, results,
/// the sweep's end) before acting on it, hands waiting trials to workers that ask for work, and ignores results of
/// attempts that are no longer current, so a trial has exactly one result however often messages are delivered.
/// After a restart it recovers from the journal and requeues the attempts that were running when it stopped.
/// </summary>
public sealed class SweepCoordinator : ReceivePersistentActor
{
    public const string InterruptedReason = "interrupted: the process running it stopped before it finished";

    /// <summary>Reason of a <see cref="TrialRequeued"/> for an attempt that failed and is retried: "failed: " + its error.</summary>
    public const string FailedPrefix = "failed: ";

    /// <summary>Reason of a <see cref="TrialRequeued"/> for an attempt whose worker was lost: "worker X" + this.</summary>
    public const string LostSuffix = " was lost";

    /// <summary>
    /// Errors that would repeat on a retry: a non-finite loss (TrialTrainer's "training loss became NaN at epoch 3").
    /// Every attempt of a trial trains from the same seed and config, so it reaches the same NaN again.
    /// </summary>
    static readonly string[] DeterministicErrors = ["training loss became", "evaluation loss became"];

    public static bool IsDeterministicFailure(string? error)
        => error is not null && DeterministicErrors.Any(p => error.StartsWith(p, StringComparison.Ordinal));

    /// <summary>Attempts of each trial that failed (and were retried) or were lost: folded from TrialRequeued reasons.</summary>
    readonly Dictionary<int, (int Failed, int Lost)> _spent = new();

    readonly ILoggingAdapter _log = Context.GetLogger();
    SweepState _state;

    /// <summary>Who runs each running attempt (not persisted: after a restart, running attempts are requeued).</summary>
    readonly Dictionary<int, IActorRef> _runningOn = new();

    /// <summary>Workers that asked for work when there was none; told when there is.</summary>
    readonly HashSet<IActorRef> _idleWorkers = new();

    readonly HashSet<IActorRef> _watchedWorkers = new();

    /// <summary>What to try next and when to stop a trial: built from the journalled spec, pure and seeded.</summary>
    ISampler? _sampler;
    ITrialScheduler _scheduler = FifoScheduler.Instance;

    /// <summary>The scheduler's state: folded from the journalled epoch reports, live and on recovery alike.</summary>
    RungState _rungs = RungState.Empty;

    /// <summary>What this coordinator exports (docs/metrics.md); registered while it lives.</summary>
    SweepMeter _meter = null!;

    /// <summary>The sweep's span while this coordinator runs it (null when not tracing).</summary>
    Activity? _span;

    /// <summary>Self-message: end the sweep if every trial has finished.</summary>
    sealed record CheckFinished { public static readonly CheckFinished Instance = new(); }

    /// <summary>Self-message: the scheduler stopped this attempt at the epoch it reported.</summary>
    sealed record PruneTrial(EpochReported At, SchedulerDecision Decision);

    /// <summary>Self-message: resume the paused trials that have earned a promotion.</summary>
    sealed record PromotePaused { public static readonly PromotePaused Instance = new(); }

    public static Props Props(string sweepId) => Akka.Actor.Props.Create(() => new SweepCoordinator(sweepId));

    public static string PersistenceIdFor(string sweepId) => "sweep-" + sweepId;

    public SweepCoordinator(string sweepId)
    {
        _state = SweepState.Empty(sweepId);
        PersistenceId = PersistenceIdFor(sweepId);

        Recover<ISweepEvent>(e => Fold(e));
        Recover<RecoveryCompleted>(_ =>
        {
            if (_state.IsSubmitted && !_state.IsFinished) StartSpan(recovered: true); // it goes on in a new span
            RequeueInterruptedAttempts();
        });

        Command<SubmitSweep>(Submit);
        Command<RequestWork>(Assign);
        Command<TrialEpoch>(RecordEpoch);
        Command<TrialResult>(RecordResult);
        Command<TrialReturned>(Requeue);
        Command<PruneTrial>(p => Prune(p.At, p.Decision));
        Command<PromotePaused>(_ => Promote());
        Command<CheckFinished>(_ => FinishSweepWhenDone());
        Command<CancelSweep>(_ => Cancel());
        Command<GetSweepState>(_ => Sender.Tell(_state));
        Command<Terminated>(t => WorkerLost(t.ActorRef));
    }

    public override string PersistenceId { get; }

    protected override void PreStart()
    {
        var self = (ActorRefWithCell)Self;
        _meter = SweepMeters.Register(_state.SweepId, () => self.Underlying.NumberOfMessages);
        base.PreStart();
    }

    protected override void PostStop()
    {
        LstmSweepTracing.End(_span, tags: ("lstmsweep.coordinator_stopped", true));
        SweepMeters.Unregister(_meter);
        base.PostStop();
    }

    /// <summary>
    /// A persist handler that first records the journal write latency (lstmsweep_journal_write_duration_seconds): from
    /// now, when the event(s) are handed over, until the handler runs; once per call, a batch at its last event.
    /// </summary>
    static Action<TEvent> Timed<TEvent>(Action<TEvent> handler, int events = 1)
    {
        var start = Stopwatch.GetTimestamp();
        int left = events;
        return e =>
        {
            if (--left == 0) SweepMeter.JournalWritten(Stopwatch.GetElapsedTime(start));
            handler(e);
        };
    }

    void Submit(SubmitSweep submit)
    {
        var sender = Sender;
        if (_state.IsSubmitted)
        {
            sender.Tell(new SweepAccepted(_state.SweepId));
            return;
        }
        var events = new List<ISweepEvent> { submit.Header };
        events.AddRange(submit.Trials);
        if (submit.Trials.Count == 0 && submit.Header.Spec is null) // nothing to try: the journal must still end it
            events.Add(new SweepFinished(submit.Header.SweepId, SweepStatus.Failed, DateTimeOffset.UtcNow));
        PersistAll(events, Timed<ISweepEvent>(Apply, events.Count));
        DeferAsync(submit.Header.SweepId, id =>
        {
            sender.Tell(new SweepAccepted(id));
            NotifyIdleWorkers();
        });
    }

    void Assign(RequestWork request)
    {
        if (_watchedWorkers.Add(request.Worker)) Context.Watch(request.Worker);
        var suggested = SuggestTrials(request.FreeSlots - _state.WaitingTrials.Count());
        if (suggested.Count == 0)
        {
            AssignWaiting(request);
            return;
        }
        // Asked again once the new trials are applied. Persisting from inside another persist's or defer's handler
        // is avoided throughout: Akka.NET's eventsourced actors can stall on it.
        PersistAll(suggested, Timed<ISweepEvent>(Apply, suggested.Count));
        DeferAsync(request, r => Self.Tell(r, r.Worker));
    }

    /// <summary>
    /// For samplers that learn from results (TPE): up to <paramref name="wanted"/> new trials, each suggested from the
    /// history so far (running trials included, so parallel suggestions differ).
    /// </summary>
    List<ISweepEvent> SuggestTrials(int wanted)
    {
        var events = new List<ISweepEvent>();
        if (_sampler is null || _state.Spec is not { } spec || Samplers.IsHistoryFree(spec.Strategy)) return events;
        if (_state.IsFinished || _state.CancelRequested) return events;
        var history = _state.History().ToList();
        for (int n = _state.Trials.Count; events.Count < Math.Min(wanted, _state.TrialsNotYetScheduled); n++)
        {
            if (_sampler.Suggest(n, history) is not { } config) break;
            var scheduled = SweepPlan.Trial(_state.SweepId, spec.Seed, n, config);
            events.Add(scheduled);
            history.Add(new TrialObservation(n, config, TrialStatus.Waiting, null));
        }
        return events;
    }

    void AssignWaiting(RequestWork request)
    {
        var waiting = _state.IsFinished || _state.CancelRequested
            ? new List<TrialState>()
            : _state.WaitingTrials.Take(Math.Max(0, request.FreeSlots)).ToList();
        if (waiting.Count == 0)
        {
            if (!_state.IsFinished) _idleWorkers.Add(request.Worker);
            request.Worker.Tell(new WorkAssigned([]));
            return;
        }
        _idleWorkers.Remove(request.Worker);
        foreach (var trial in waiting) _runningOn[trial.TrialId] = request.Worker;
        // Each attempt is journalled as started before the worker hears of it.
        var started = waiting.Select(t => new TrialStarted(_state.SweepId, t.TrialId, t.Attempts + 1, request.WorkerName, DateTimeOffset.UtcNow)).ToList();
        PersistAll(started, Timed<TrialStarted>(Apply, started.Count));
        DeferAsync(started, events => request.Worker.Tell(new WorkAssigned(events
            .Select(e => new AssignTrial(_state.SweepId, e.TrialId, e.Attempt, _state.Task!, _state.Trials[e.TrialId].Config,
                _state.Trials[e.TrialId].Seed, Self, _state.Spec?.CheckpointEvery ?? SweepSpec.DefaultCheckpointEvery,
                LstmSweepTracing.TraceParentOf(_span)))
            .ToList())));
    }

    void RecordEpoch(TrialEpoch epoch)
    {
        if (!_state.IsCurrentAttempt(epoch.TrialId, epoch.Attempt)) return;
        var m = epoch.Metrics;
        // Epoch reports are progress, not decisions: written asynchronously so a fast trial never waits on the disk.
        PersistAsync(new EpochReported(_state.SweepId, epoch.TrialId, epoch.Attempt, m.Epoch, m.Loss, m.Accuracy, m.TrainLoss), Timed<EpochReported>(e =>
        {
            var decision = ApplyAndDecide(e);
            if (decision is SchedulerDecision.Stop or SchedulerDecision.Pause) Self.Tell(new PruneTrial(e, decision));
            Self.Tell(PromotePaused.Instance); // a new result at a rung may lift a paused trial into its top 1/η
        }));
    }

    /// <summary>
    /// The scheduler stopped a trial at a rung: it ends pruned with the metrics it had there, and its worker is told
    /// to stop (whatever it reports afterwards belongs to a finished attempt and is ignored).
    /// </summary>
    void Prune(EpochReported at, SchedulerDecision decision)
    {
        if (!_state.IsCurrentAttempt(at.TrialId, at.Attempt)) return; // pruned already, or it finished meanwhile
        var trial = _state.Trials[at.TrialId];
        var ran = trial.StartedAt is { } started ? (long)(DateTimeOffset.UtcNow - started).TotalMilliseconds : 0;
        var pruned = new TrialFinished(_state.SweepId, at.TrialId, at.Attempt, TrialStatus.Pruned, at.Loss, at.Accuracy,
            at.Epoch, ran, decision == SchedulerDecision.Pause
                ? $"paused at epoch {at.Epoch}: not in the top 1/reduction_factor of its rung yet; may be promoted"
                : $"pruned at epoch {at.Epoch}: not in the top 1/reduction_factor of its rung", DateTimeOffset.UtcNow);
        Persist(pruned, Timed<TrialFinished>(e =>
        {
            Apply(e);
            if (_runningOn.Remove(e.TrialId, out var worker)) worker.Tell(new CancelTrial(_state.SweepId, e.TrialId, e.Attempt));
            Self.Tell(CheckFinished.Instance);
            NotifyIdleWorkers(); // a slot is about to free up, and TPE may now suggest from a new result
        }));
    }

    void RecordResult(TrialResult result)
    {
        if (!_state.IsCurrentAttempt(result.TrialId, result.Attempt))
        {
            _log.Info("ignoring a result for trial {0} attempt {1}: not the current attempt", result.TrialId, result.Attempt);
            return;
        }
        if (result.Status == TrialStatus.Failed && MayRetry(result.TrialId) && !IsDeterministicFailure(result.Error))
        {
            // Another attempt, journalled like a lost one: recovery counts it from the same event.
            _runningOn.Remove(result.TrialId);
            _log.Info("trial {0} attempt {1} failed ({2}); retrying", result.TrialId, result.Attempt, result.Error);
            Persist(new TrialRequeued(_state.SweepId, result.TrialId, result.Attempt, FailedPrefix + (result.Error ?? "no error given")), Timed<TrialRequeued>(e =>
            {
                Apply(e);
                NotifyIdleWorkers();
            }));
            return;
        }
        var finished = new TrialFinished(_state.SweepId, result.TrialId, result.Attempt, result.Status, result.Loss,
            result.Accuracy, result.EpochsRun, result.DurationMs, result.Error, DateTimeOffset.UtcNow, result.ResumedFromEpoch);
        Persist(finished, Timed<TrialFinished>(e =>
        {
            Apply(e);
            _runningOn.Remove(e.TrialId);
            Self.Tell(CheckFinished.Instance);
        }));
    }

    void Requeue(TrialReturned returned)
    {
        if (!_state.IsCurrentAttempt(returned.TrialId, returned.Attempt)) return;
        _runningOn.Remove(returned.TrialId);
        Persist(new TrialRequeued(_state.SweepId, returned.TrialId, returned.Attempt, returned.Reason), Timed<TrialRequeued>(e =>
        {
            Apply(e);
            NotifyIdleWorkers();
        }));
    }

    void Cancel()
    {
        if (_state.IsFinished || _state.CancelRequested)
        {
            Sender.Tell(new SweepAccepted(_state.SweepId));
            return;
        }
        var sender = Sender;
        var events = new List<ISweepEvent> { new SweepCancelRequested(_state.SweepId, DateTimeOffset.UtcNow) };
        events.AddRange(_state.WaitingTrials.Select(t => new TrialFinished(_state.SweepId, t.TrialId, t.Attempts,
            TrialStatus.Cancelled, null, null, 0, 0, "cancelled before it started", DateTimeOffset.UtcNow)));
        PersistAll(events, Timed<ISweepEvent>(Apply, events.Count));
        DeferAsync("cancelled", _ =>
        {
            foreach (var trial in _state.RunningTrials)
                if (_runningOn.TryGetValue(trial.TrialId, out var worker))
                    worker.Tell(new CancelTrial(_state.SweepId, trial.TrialId, trial.Attempts));
            sender.Tell(new SweepAccepted(_state.SweepId));
            Self.Tell(CheckFinished.Instance);
        });
    }

    /// <summary>A worker died or left: its attempts will never report, so they wait for another slot.</summary>
    void WorkerLost(IActorRef worker)
    {
        _watchedWorkers.Remove(worker);
        _idleWorkers.Remove(worker);
        var lost = _runningOn.Where(p => p.Value.Equals(worker)).Select(p => p.Key).ToList();
        if (lost.Count == 0) return;
        foreach (var trialId in lost) _runningOn.Remove(trialId);
        var events = lost.Select(LostAttempt).ToList();
        PersistAll(events, Timed<ISweepEvent>(Apply, events.Count));
        DeferAsync(worker, _ =>
        {
            NotifyIdleWorkers();
            if (events.Any(e => e is TrialFinished)) Self.Tell(CheckFinished.Instance);
        });
    }

    /// <summary>
    /// A lost attempt counts against the trial's retries like a failed one, so a trial that kills its worker every time
    /// cannot go round the cluster for ever: within the budget it waits again, beyond it the trial fails.
    /// </summary>
    ISweepEvent LostAttempt(int trialId)
    {
        var trial = _state.Trials[trialId];
        var reason = $"worker {trial.Worker}{LostSuffix}";
        if (MayRetry(trialId))
            return new TrialRequeued(_state.SweepId, trialId, trial.Attempts, reason);
        var ran = trial.StartedAt is { } started ? (long)(DateTimeOffset.UtcNow - started).TotalMilliseconds : 0;
        if (_state.CancelRequested) // nothing more runs in a cancelled sweep: the attempt ends here
            return new TrialFinished(_state.SweepId, trialId, trial.Attempts, TrialStatus.Cancelled, null, null, trial.EpochsRun,
                ran, $"cancelled; {reason}", DateTimeOffset.UtcNow);
        var (failed, lost) = _spent.GetValueOrDefault(trialId);
        var error = failed == 0
            ? $"lost {Times(lost + 1)}; last: {reason}"
            : $"lost {Times(lost + 1)} and failed {Times(failed)}; last: {reason}";
        return new TrialFinished(_state.SweepId, trialId, trial.Attempts, TrialStatus.Failed, null, null, trial.EpochsRun, ran,
            error, DateTimeOffset.UtcNow);
    }

    static string Times(int n) => n == 1 ? "once" : $"{n} times";

    /// <summary>Whether a trial may have another attempt after its current one fails or is lost (spec key retries).</summary>
    bool MayRetry(int trialId)
    {
        var (failed, lost) = _spent.GetValueOrDefault(trialId);
        return !_state.CancelRequested && failed + lost < (_state.Spec?.Retries ?? SweepSpec.DefaultRetries);
    }

    void RequeueInterruptedAttempts()
    {
        var interrupted = _state.RunningTrials
            .Select(t => (ISweepEvent)new TrialRequeued(_state.SweepId, t.TrialId, t.Attempts, InterruptedReason))
            .ToList();
        if (interrupted.Count > 0)
        {
            _log.Info("sweep {0}: requeueing {1} interrupted trial(s)", _state.SweepId, interrupted.Count);
            PersistAll(interrupted, Timed<ISweepEvent>(Apply, interrupted.Count));
        }
        if (_state.IsSubmitted && !_state.IsFinished)
            Self.Tell(CheckFinished.Instance);
    }

    /// <summary>Paused trials that the rungs now promote go back to waiting; their checkpoints carry them on.</summary>
    void Promote()
    {
        if (_state.IsFinished || _state.CancelRequested) return;
        var promoted = PromotableNow().Select(e => (ISweepEvent)new TrialPromoted(_state.SweepId, e.TrialNumber, e.Epoch)).ToList();
        if (promoted.Count == 0) return;
        PersistAll(promoted, Timed<ISweepEvent>(Apply, promoted.Count));
        DeferAsync(promoted, _ => NotifyIdleWorkers());
    }

    IEnumerable<RungEntry> PromotableNow() => _scheduler.PromotableTrials(_rungs)
        .Where(e => _state.Trials.TryGetValue(e.TrialNumber, out var t) && t.Status == TrialStatus.Pruned);

    void FinishSweepWhenDone()
    {
        if (_state.IsFinished || !_state.AllTrialsFinished) return;
        if (!_state.CancelRequested && PromotableNow().Any())
        {
            Promote();
            return;
        }
        Persist(new SweepFinished(_state.SweepId, _state.OutcomeWhenAllFinished(), DateTimeOffset.UtcNow), Timed<SweepFinished>(Apply));
    }

    void NotifyIdleWorkers()
    {
        foreach (var worker in _idleWorkers) worker.Tell(new WorkAvailable(_state.SweepId));
        _idleWorkers.Clear();
    }

    /// <summary>Applies a persisted event and tells local listeners (progress views) about it.</summary>
    void Apply(ISweepEvent e) => ApplyAndDecide(e);

    /// <summary><see cref="Apply"/>, returning what the scheduler decided on an epoch report.</summary>
    SchedulerDecision ApplyAndDecide(ISweepEvent e)
    {
        var decision = Fold(e);
        RecordTelemetry(e);
        Context.System.EventStream.Publish(e);
        return decision;
    }

    /// <summary>
    /// The metrics and the sweep's span, for a live event (never a replayed one: a recovered coordinator counts from 0
    /// what it does from then on).
    /// </summary>
    void RecordTelemetry(ISweepEvent e)
    {
        switch (e)
        {
            case EpochReported:
                _meter.EpochReported();
                break;
            case TrialStarted:
                _meter.TrialStarted();
                break;
            case TrialFinished f:
                _meter.TrialFinished(f.Status, f.DurationMs);
                break;
            case TrialRequeued q:
                _meter.TrialRescheduled(ReasonOf(q.Reason));
                break;
            case SweepSubmitted:
                StartSpan(recovered: false);
                break;
            case SweepFinished f:
                LstmSweepTracing.End(_span, f.Status == SweepStatus.Failed ? "every trial failed" : null,
                    ("lstmsweep.status", f.Status.ToName()), ("lstmsweep.trials_complete", _state.Count(TrialStatus.Complete)));
                _span = null;
                break;
        }
    }

    void StartSpan(bool recovered) => _span = LstmSweepTracing.Start("sweep", tags:
    [
        ("lstmsweep.sweep", _state.SweepId), ("lstmsweep.name", _state.Name), ("lstmsweep.strategy", _state.Strategy.ToName()),
        ("lstmsweep.trials_planned", _state.PlannedTrials), ("lstmsweep.recovered", recovered),
    ]);

    static RescheduleReason ReasonOf(string requeueReason)
    {
        if (requeueReason.StartsWith(FailedPrefix, StringComparison.Ordinal)) return RescheduleReason.FailedRetry;
        if (requeueReason == InterruptedReason) return RescheduleReason.Interrupted;
        if (requeueReason.StartsWith("worker ", StringComparison.Ordinal) && requeueReason.EndsWith(LostSuffix, StringComparison.Ordinal))
            return RescheduleReason.WorkerLost;
        return RescheduleReason.Returned;
    }

    /// <summary>
    /// The one place state changes, live and during recovery: the sweep state, and the scheduler's rung state from
    /// each epoch report of a current attempt (replayed in journal order, so a restarted coordinator reaches the
    /// same rungs and decisions).
    /// </summary>
    SchedulerDecision Fold(ISweepEvent e)
    {
        var decision = SchedulerDecision.Continue;
        if (e is EpochReported r && _state.IsCurrentAttempt(r.TrialId, r.Attempt))
        {
            var objective = _state.Objective == Objective.Accuracy ? r.Accuracy : r.Loss;
            var step = _scheduler.Report(_rungs, new EpochObservation(r.TrialId, r.Epoch, objective));
            (_rungs, decision) = (step.State, step.Decision);
        }
        if (e is TrialRequeued q && _state.IsCurrentAttempt(q.TrialId, q.Attempt))
        {
            var (failed, lost) = _spent.GetValueOrDefault(q.TrialId);
            switch (ReasonOf(q.Reason))
            {
                case RescheduleReason.FailedRetry: _spent[q.TrialId] = (failed + 1, lost); break;
                case RescheduleReason.WorkerLost: _spent[q.TrialId] = (failed, lost + 1); break;
            }
        }
        if (e is TrialPromoted p && _state.Trials.TryGetValue(p.TrialId, out var paused) && paused.Status == TrialStatus.Pruned)
            _rungs = _scheduler.Promote(_rungs, new TrialPromotion(p.TrialId));
        _state = _state.Apply(e);
        _meter.Observe(_state);
        if (e is SweepSubmitted { Spec: { } spec })
        {
            _sampler = Samplers.For(spec);
            _scheduler = TrialSchedulers.For(spec);
        }
        return decision;
    }
}
