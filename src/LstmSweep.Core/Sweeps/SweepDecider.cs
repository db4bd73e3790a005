using LstmSweep.Core.Search;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using static LstmSweep.Core.Sweeps.SweepCommand;

namespace LstmSweep.Core.Sweeps;

/// <summary>
/// Every rule of a sweep, as one pure function from its state and a command to the events that record what was
/// decided; <see cref="SweepState.Apply"/> is the matching evolve step. The coordinator persists the events and acts on
/// them; it decides nothing itself. Commands about an attempt that is no longer current (late or duplicate messages)
/// decide nothing, so a trial has exactly one result however often messages are delivered.
/// </summary>
public static class SweepDecider
{
    public const string InterruptedReason = "interrupted: the process running it stopped before it finished";

    public static IReadOnlyList<ISweepEvent> Decide(SweepState state, ISweepCommand command)
    {
        var decided = new Decision(state);
        switch (command)
        {
            case Submit s: Submitted(decided, s); return decided.Events; // a new sweep has nothing to settle yet
            case RequestWork r: Assign(decided, r); break;
            case ReportEpoch r: Epoch(decided, r); break;
            case EndAttempt r: Ended(decided, r); break;
            case LoseAttempts l: foreach (var a in l.Attempts) Lost(decided, a, l.At); break;
            case ReturnAttempt r when state.IsCurrentAttempt(r.TrialId, r.Attempt):
                decided.Add(new TrialRequeued(state.SweepId, r.TrialId, r.Attempt, r.Reason, RequeueReason.Returned));
                break;
            case Cancel c: Cancelled(decided, c); break;
            case Recover r: Recovered(decided, r); break;
        }
        Settle(decided, command.At);
        return decided.Events;
    }

    /// <summary>The events so far, and the state after them (so a later rule sees what an earlier one decided).</summary>
    sealed class Decision(SweepState state)
    {
        public SweepState State { get; private set; } = state;
        public List<ISweepEvent> Events { get; } = new();

        public void Add(ISweepEvent e)
        {
            Events.Add(e);
            State = State.Apply(e);
        }
    }

    static void Submitted(Decision d, Submit s)
    {
        if (d.State.IsSubmitted) return; // a repeated submit: accepted again, nothing new
        d.Add(s.Header);
        foreach (var trial in s.Trials) d.Add(trial);
        if (s.Trials.Count == 0 && s.Header.Spec is null) // nothing to try and no sampler to ask: the journal must still end it
            d.Add(new SweepFinished(s.Header.SweepId, SweepStatus.Failed, s.At));
    }

    static void Assign(Decision d, RequestWork r)
    {
        if (d.State.IsFinished || d.State.CancelRequested) return;
        Suggest(d, r.FreeSlots - d.State.WaitingTrials.Count());
        foreach (var trial in d.State.WaitingTrials.Take(Math.Max(0, r.FreeSlots)).ToList())
            d.Add(new TrialStarted(d.State.SweepId, trial.TrialId, trial.Attempts + 1, r.Worker, r.At));
    }

    /// <summary>
    /// For samplers that learn from results (TPE): up to <paramref name="wanted"/> new trials, each suggested from the
    /// history so far (running trials included, so parallel suggestions differ).
    /// </summary>
    static void Suggest(Decision d, int wanted)
    {
        if (d.State.Spec is not { } spec || Samplers.IsHistoryFree(spec.Strategy)) return;
        var sampler = SweepSearch.For(spec).Sampler;
        var limit = Math.Min(wanted, d.State.TrialsNotYetScheduled);
        for (int added = 0; added < limit; added++)
        {
            var n = d.State.Trials.Count;
            // repeats: a configuration's later repeats copy its first; the sampler numbers configurations.
            var repeats = spec.Repeats;
            var config = n % repeats != 0 ? d.State.Trials[n - n % repeats].Config : sampler.Suggest(n / repeats, d.State.History());
            if (config is null) return;
            d.Add(SweepPlan.Trial(d.State.SweepId, spec.Seed, n, config));
        }
    }

    /// <summary>The epoch is recorded; a scheduler that stops or pauses the trial at a rung ends this attempt there.</summary>
    static void Epoch(Decision d, ReportEpoch r)
    {
        var state = d.State;
        if (!state.IsCurrentAttempt(r.TrialId, r.Attempt)) return;
        var m = r.Metrics;
        var objective = state.Objective == Objective.Accuracy ? m.Accuracy : m.Loss;
        var decision = state.Scheduler().Report(state.Rungs, new EpochObservation(r.TrialId, m.Epoch, objective)).Decision;
        d.Add(new EpochReported(state.SweepId, r.TrialId, r.Attempt, m.Epoch, m.Loss, m.Accuracy, m.TrainLoss));
        if (decision is not (SchedulerDecision.Stop or SchedulerDecision.Pause)) return;
        var paused = decision == SchedulerDecision.Pause;
        d.Add(new TrialFinished(state.SweepId, r.TrialId, r.Attempt, paused ? TrialStatus.Paused : TrialStatus.Pruned,
            m.Loss, m.Accuracy, m.Epoch, RanMs(state.Trials[r.TrialId], r.At), paused
                ? $"paused at epoch {m.Epoch}: not in the top 1/reduction_factor of its rung yet; may be promoted"
                : $"pruned at epoch {m.Epoch}: not in the top 1/reduction_factor of its rung", r.At));
    }

    static void Ended(Decision d, EndAttempt r)
    {
        var state = d.State;
        if (!state.IsCurrentAttempt(r.TrialId, r.Attempt)) return;
        var o = r.Outcome;
        var failure = o.Status == TrialStatus.Failed ? o.Failure ?? FailureKind.Error : (FailureKind?)null;
        // A non-finite loss would come back: every attempt trains from the same seed and config.
        if (failure == FailureKind.Error && MayRetry(state, state.Trials[r.TrialId]))
        {
            d.Add(new TrialRequeued(state.SweepId, r.TrialId, r.Attempt, "failed: " + (o.Error ?? "no error given"), RequeueReason.FailedRetry));
            return;
        }
        d.Add(new TrialFinished(state.SweepId, r.TrialId, r.Attempt, o.Status, o.Loss, o.Accuracy, o.EpochsRun, o.DurationMs,
            o.Error, r.At, o.ResumedFromEpoch, failure));
    }

    /// <summary>
    /// A lost attempt counts against the trial's retries like a failed one, so a trial that kills its worker every time
    /// cannot go round the cluster for ever: within the budget it waits again, beyond it the trial fails.
    /// </summary>
    static void Lost(Decision d, TrialAttempt attempt, DateTimeOffset at)
    {
        var state = d.State;
        if (!state.IsCurrentAttempt(attempt.TrialId, attempt.Attempt)) return;
        var trial = state.Trials[attempt.TrialId];
        var reason = $"worker {trial.Worker} was lost";
        if (MayRetry(state, trial))
        {
            d.Add(new TrialRequeued(state.SweepId, trial.TrialId, trial.Attempts, reason, RequeueReason.WorkerLost));
            return;
        }
        var ran = RanMs(trial, at);
        if (state.CancelRequested) // nothing more runs in a cancelled sweep: the attempt ends here
        {
            d.Add(new TrialFinished(state.SweepId, trial.TrialId, trial.Attempts, TrialStatus.Cancelled, null, null, trial.EpochsRun,
                ran, $"cancelled; {reason}", at));
            return;
        }
        var error = trial.FailedAttempts == 0
            ? $"lost {Times(trial.LostAttempts + 1)}; last: {reason}"
            : $"lost {Times(trial.LostAttempts + 1)} and failed {Times(trial.FailedAttempts)}; last: {reason}";
        d.Add(new TrialFinished(state.SweepId, trial.TrialId, trial.Attempts, TrialStatus.Failed, null, null, trial.EpochsRun, ran,
            error, at, Failure: FailureKind.WorkerLost));
    }

    static string Times(int n) => n == 1 ? "once" : $"{n} times";

    /// <summary>Whether a trial may have another attempt after its current one fails or is lost (spec key retries).</summary>
    static bool MayRetry(SweepState state, TrialState trial)
        => !state.CancelRequested && trial.SpentAttempts < (state.Spec?.Retries ?? SweepSpec.DefaultRetries);

    static void Cancelled(Decision d, Cancel c)
    {
        if (d.State.IsFinished || d.State.CancelRequested) return;
        d.Add(new SweepCancelRequested(d.State.SweepId, c.At));
        foreach (var trial in d.State.WaitingTrials.ToList())
            d.Add(new TrialFinished(d.State.SweepId, trial.TrialId, trial.Attempts, TrialStatus.Cancelled, null, null, 0, 0,
                "cancelled before it started", c.At));
        // Running attempts are stopped by their workers and report cancelled; paused ones end pruned once all have.
    }

    /// <summary>Attempts found running after a restart were interrupted, not at fault: they wait again, uncounted.</summary>
    static void Recovered(Decision d, Recover r)
    {
        foreach (var trial in d.State.RunningTrials.ToList())
            d.Add(new TrialRequeued(d.State.SweepId, trial.TrialId, trial.Attempts, InterruptedReason, RequeueReason.Interrupted));
    }

    /// <summary>
    /// After every command: paused trials that the rungs now promote wait again (their checkpoints carry them on); once
    /// every trial is finished or paused with none to promote, the paused ones end pruned and the sweep ends.
    /// </summary>
    static void Settle(Decision d, DateTimeOffset at)
    {
        if (!d.State.IsSubmitted || d.State.IsFinished) return;
        if (!d.State.CancelRequested && d.State.PausedTrials.Any())
            foreach (var entry in d.State.Scheduler().PromotableTrials(d.State.Rungs).ToList())
                if (d.State.Trials.TryGetValue(entry.TrialNumber, out var t) && t.Status == TrialStatus.Paused)
                    d.Add(new TrialPromoted(d.State.SweepId, entry.TrialNumber, entry.Epoch));
        if (!d.State.AllTrialsSettled) return;
        foreach (var paused in d.State.PausedTrials.ToList())
            d.Add(new TrialFinished(d.State.SweepId, paused.TrialId, paused.Attempts, TrialStatus.Pruned, paused.Loss, paused.Accuracy,
                paused.EpochsRun, paused.DurationMs, $"paused at epoch {paused.EpochsRun} and never promoted: pruned there", at));
        d.Add(new SweepFinished(d.State.SweepId, d.State.OutcomeWhenAllFinished(), at));
    }

    static long RanMs(TrialState trial, DateTimeOffset at)
        => trial.StartedAt is { } started ? Math.Max(0, (long)(at - started).TotalMilliseconds) : 0;
}
