using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Search;

/// <summary>
/// Asynchronous successive halving (Li et al. 2018, "A System for Massively Parallel Hyperparameter Tuning") with
/// epochs as the resource. A trial is judged at each rung of its bracket (<see cref="AshaSettings.RungEpochs"/>) the
/// first time it reports an epoch at or past it, against every result recorded at that rung so far, whatever became
/// of those trials; nothing waits for a rung to fill, which is what makes it asynchronous.
/// </summary>
/// <remarks>
/// <para>
/// The rule: with n results at the rung (the trial's own included), the trial ranks among the top k if fewer than k
/// of the others are strictly better. Ties therefore favour the trial being judged, as in Ray Tune's
/// AsyncHyperBandScheduler (it stops only results strictly below its cutoff).
/// </para>
/// <para>
/// Stop variant (the default; Ray Tune's): k = max(1, ⌊n/η⌋). The floor of one is the "not enough results yet" case:
/// the first trial at a rung always goes on (Ray Tune: no cutoff while the rung is empty), where the paper's strict
/// ⌊n/η⌋ = 0 would stop the first η−1 trials of every rung for good. A trial outside the top k stops (pruned).
/// </para>
/// <para>
/// Pause variant (<see cref="AshaSettings.PauseAtRungs"/>; the paper's Algorithm 2): k = ⌊n/η⌋ exactly, since a trial
/// outside the top k only pauses. As later results arrive below it, a paused trial may enter the top ⌊n/η⌋ of its
/// rung and becomes promotable (<see cref="PromotableTrials"/>); the coordinator resumes it from its checkpoint.
/// </para>
/// <para>
/// A NaN or infinite objective at a rung stops the trial in both variants: it has diverged. A report at or past
/// max_epochs always continues (the trial is finishing anyway), as do reports before the first rung.
/// </para>
/// </remarks>
public sealed class AshaScheduler(AshaSettings settings, Objective objective) : ITrialScheduler
{
    public AshaSettings Settings => settings;

    public SchedulerStep Report(RungState state, EpochObservation report)
    {
        if (report.Epoch >= settings.MaxEpochs || HighestRungReached(report) is not { } rung)
            return new(SchedulerDecision.Continue, state);
        // Judged once per rung: a repeated report (a duplicate message, a journal replay, a restarted attempt)
        // gets the recorded decision back.
        if (state.EntryOf(report.TrialNumber, rung) is { } recorded)
            return new(recorded.Decision, state);

        var bracket = settings.BracketOf(report.TrialNumber);
        var others = state.ResultsAt(bracket, rung).ToList();
        var outcome = Judge(report.Objective, others);
        var entry = new RungEntry(report.TrialNumber, bracket, rung, report.Objective, outcome);
        return new(entry.Decision, state.Add(entry));
    }

    public IReadOnlyList<RungEntry> PromotableTrials(RungState state) =>
        state.Entries
            .Where(e => e.Outcome == RungOutcome.Paused && IsPromotable(state, e))
            // The paper promotes from the highest rung first: those trials are closest to a finished result.
            .OrderByDescending(e => e.Epoch)
            .ThenByDescending(e => objective.Score(e.Objective))
            .ThenBy(e => e.TrialNumber)
            .ToList();

    public RungState Promote(RungState state, TrialPromotion promotion)
    {
        var paused = state.Entries.LastOrDefault(e => e.TrialNumber == promotion.TrialNumber
                                                      && e.Outcome is RungOutcome.Paused or RungOutcome.Promoted);
        if (paused is { Outcome: RungOutcome.Promoted }) return state;
        if (paused is null || !IsPromotable(state, paused))
            throw new ArgumentException($"trial {promotion.TrialNumber} is not promotable", nameof(promotion));
        return state.Replace(paused, paused with { Outcome = RungOutcome.Promoted });
    }

    /// <summary>The highest rung of the trial's bracket at or below the reported epoch, or null before the first.</summary>
    int? HighestRungReached(EpochObservation report)
    {
        int? reached = null;
        foreach (var rung in settings.RungEpochs(settings.BracketOf(report.TrialNumber)))
            if (rung <= report.Epoch) reached = rung;
        return reached;
    }

    RungOutcome Judge(double value, IReadOnlyCollection<RungEntry> others)
    {
        if (!double.IsFinite(value)) return RungOutcome.Stopped;
        var resultsAtRung = others.Count + 1;
        var keep = resultsAtRung / settings.ReductionFactor;
        if (settings.PauseAtRungs)
            return RanksInTop(value, others, keep) ? RungOutcome.Continued : RungOutcome.Paused;
        return RanksInTop(value, others, Math.Max(1, keep)) ? RungOutcome.Continued : RungOutcome.Stopped;
    }

    bool IsPromotable(RungState state, RungEntry paused)
    {
        var others = state.ResultsAt(paused.Bracket, paused.Epoch).Where(e => e.TrialNumber != paused.TrialNumber).ToList();
        return RanksInTop(paused.Objective, others, (others.Count + 1) / settings.ReductionFactor);
    }

    /// <summary>Whether fewer than <paramref name="k"/> of the others are strictly better than <paramref name="value"/>.</summary>
    bool RanksInTop(double value, IEnumerable<RungEntry> others, int k)
    {
        var score = objective.Score(value);
        return others.Count(e => objective.Score(e.Objective) > score) < k;
    }
}
