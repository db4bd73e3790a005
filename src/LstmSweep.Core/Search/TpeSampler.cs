using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Search;

/// <summary>
/// Tree-structured Parzen Estimator (Bergstra et al. 2011), following Optuna's TPESampler defaults (independent
/// sampling per hyperparameter). Until <c>nStartupTrials</c> trials have an objective it suggests exactly what
/// <see cref="RandomSampler"/> would. After that it ranks the observed trials, calls the best γ(n) = min(⌈n/10⌉, 25)
/// "good" and the rest "bad", fits a Parzen density l(x) to the good and g(x) to the bad for each hyperparameter,
/// draws <c>nEiCandidates</c> values from l and keeps the one with the largest l(x)/g(x) (which maximises expected
/// improvement).
/// </summary>
/// <remarks>
/// <para>
/// Which trials count: complete trials with a finite objective, ranked by it; then pruned trials (ASHA) with a finite
/// objective — the coordinator passes the last value the trial reported — ranked after every complete trial and among
/// themselves by that value. That is Optuna's rule, except that Optuna also ranks pruned trials that got further
/// first; the history does not carry how far they got. Waiting, running, failed and cancelled trials are ignored.
/// </para>
/// <para>
/// Ranges are modelled in the space they are sampled in (log space for log: true), integers as the continuous range
/// [min, max + 1) floored, the same measure <see cref="RandomSampler"/> draws from; lists (and booleans, merge modes)
/// as categories with smoothed counts. A one-value list is just that value.
/// </para>
/// <para>
/// Pure and seeded: trial n draws from a generator seeded by <see cref="TrialSeeds.For"/>(seed, n), and the history is
/// read in trial-number order, so the same seed and history give the same suggestion whatever order the history
/// comes in. Unlike grid and random it needs the history, so it is asked trial by trial, never expanded up front.
/// </para>
/// </remarks>
public sealed class TpeSampler : ISampler
{
    public const int DefaultStartupTrials = 10;
    public const int DefaultEiCandidates = 24;

    readonly SearchSpace space;
    readonly Objective objective;
    readonly long seed;
    readonly int maxTrials;
    readonly int nStartupTrials;
    readonly int nEiCandidates;
    readonly RandomSampler startupSampler;

    public TpeSampler(SearchSpace space, Objective objective, long seed, int maxTrials,
        int nStartupTrials = DefaultStartupTrials, int nEiCandidates = DefaultEiCandidates)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nStartupTrials, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(nEiCandidates, 1);
        (this.space, this.objective, this.seed, this.maxTrials) = (space, objective, seed, maxTrials);
        (this.nStartupTrials, this.nEiCandidates) = (nStartupTrials, nEiCandidates);
        startupSampler = new RandomSampler(space, seed, maxTrials);
    }

    /// <summary>Optuna's default γ: how many of n ranked trials count as good.</summary>
    public static int GoodCount(int observed) => Math.Min((int)Math.Ceiling(0.1 * observed), 25);

    public TrialConfig? Suggest(int trialNumber, IReadOnlyList<TrialObservation> history)
    {
        if (trialNumber < 0 || trialNumber >= maxTrials) return null;
        var ranked = RankedObservations(history);
        if (ranked.Count < nStartupTrials) return startupSampler.Suggest(trialNumber, history);

        var goodCount = GoodCount(ranked.Count);
        var split = new Split(
            Good: ranked.Take(goodCount).OrderBy(o => o.TrialNumber).Select(o => o.Config).ToList(),
            Bad: ranked.Skip(goodCount).OrderBy(o => o.TrialNumber).Select(o => o.Config).ToList());
        var random = new SplitMix64(TrialSeeds.For(seed, trialNumber));
        // Drawn in table order, like RandomSampler, for the same reproducibility; a key left out is its default.
        var config = TrialConfig.Legacy;
        foreach (var row in space.GivenRows)
            config = row.With(config, Suggest(row, space.Given(row)!, split, ref random));
        return SearchSpaces.WithDefaults(space, config);
    }

    /// <summary>The configs of the good and the bad trials, each oldest first (the order the weights follow).</summary>
    sealed record Split(IReadOnlyList<TrialConfig> Good, IReadOnlyList<TrialConfig> Bad);

    /// <summary>The trials that count, best first (see the remarks); ties go to the lower trial number.</summary>
    List<TrialObservation> RankedObservations(IReadOnlyList<TrialObservation> history) =>
        history
            .Where(o => o.Status is TrialStatus.Complete or TrialStatus.Pruned or TrialStatus.Paused && o.Objective is double v && double.IsFinite(v))
            .OrderBy(o => o.Status == TrialStatus.Complete ? 0 : 1)
            .ThenByDescending(o => objective.Score(o.Objective!.Value))
            .ThenBy(o => o.TrialNumber)
            .ToList();

    object Suggest(Hyperparameter row, IParameterDomain domain, Split split, ref SplitMix64 random)
    {
        if (!domain.IsRange) return SuggestListed(row, domain, split, ref random);
        double Observed(TrialConfig config) => row.ToNumber(row.ValueOf(config));
        if (row.Kind == HyperparameterKind.Integer)
        {
            var (min, max) = ((int)domain.Low, (int)domain.High);
            // Integer k owns the cell [k, k + 1) (on a log scale for log: true); an observation sits mid-cell.
            var scale = domain.Log
                ? new NumericScale(Math.Log(min), Math.Log(max + 1.0), k => Math.Log(k + 0.5), Math.Exp)
                : new NumericScale(min, max + 1.0, k => k + 0.5, y => y);
            var drawn = scale.FromSearch(SuggestNumeric(scale, split, Observed, ref random));
            return Math.Clamp((int)Math.Floor(drawn), min, max);
        }
        if (domain.Low >= domain.High) return domain.Low;
        var realScale = domain.Log
            ? new NumericScale(Math.Log(domain.Low), Math.Log(domain.High), Math.Log, Math.Exp)
            : new NumericScale(domain.Low, domain.High, x => x, y => y);
        return Math.Clamp(realScale.FromSearch(SuggestNumeric(realScale, split, Observed, ref random)), domain.Low, domain.High);
    }

    object SuggestListed(Hyperparameter row, IParameterDomain domain, Split split, ref SplitMix64 random)
    {
        if (domain.Count == 1) return domain.ValueAt(0);
        var good = Categorical(domain, split.Good.Select(row.ValueOf));
        var bad = Categorical(domain, split.Bad.Select(row.ValueOf));
        return domain.ValueAt(ParzenEstimators.MostPromising(good, bad, nEiCandidates, ref random));
    }

    static CategoricalParzenEstimator Categorical(IParameterDomain domain, IEnumerable<object> observed)
    {
        // A value no longer in the list (a history from an edited spec) says nothing about this space.
        var indices = observed.Select(domain.IndexOf).Where(i => i >= 0).ToList();
        return new CategoricalParzenEstimator(domain.Count, indices, TpeWeights.For(indices.Count));
    }

    /// <summary>A range as TPE models it: [Low, High] in search space, and the maps between values and that space.</summary>
    sealed record NumericScale(double Low, double High, Func<double, double> ToSearch, Func<double, double> FromSearch);

    double SuggestNumeric(NumericScale scale, Split split, Func<TrialConfig, double> select, ref SplitMix64 random)
    {
        var good = Numeric(scale, split.Good.Select(select));
        var bad = Numeric(scale, split.Bad.Select(select));
        return ParzenEstimators.MostPromising(good, bad, nEiCandidates, ref random);
    }

    static NumericParzenEstimator Numeric(NumericScale scale, IEnumerable<double> observed)
    {
        // Values outside the range (a history from an edited spec) are clamped onto it rather than dropped.
        var points = observed.Select(v => Math.Clamp(scale.ToSearch(v), scale.Low, scale.High)).ToList();
        return new NumericParzenEstimator(scale.Low, scale.High, points, TpeWeights.For(points.Count));
    }
}

/// <summary>Helpers TPE's estimators share.</summary>
internal static class TpeWeights
{
    /// <summary>
    /// Optuna's default_weights: the newest 25 observations weigh 1, older ones ramp linearly from 1/n up to 1, so
    /// the density follows where the search is now more than where it began.
    /// </summary>
    public static double[] For(int observations)
    {
        var weights = new double[observations];
        var ramped = Math.Max(0, observations - 25);
        for (var i = 0; i < observations; i++)
            weights[i] = i >= ramped ? 1.0
                : ramped == 1 ? 1.0 / observations
                : 1.0 / observations + (1.0 - 1.0 / observations) * i / (ramped - 1);
        return weights;
    }

    /// <summary>The index whose share of the cumulative <paramref name="weights"/> holds <paramref name="u"/> ∈ [0, 1).</summary>
    public static int Pick(IReadOnlyList<double> weights, double u)
    {
        var target = u * weights.Sum();
        var cumulative = 0.0;
        for (var i = 0; i < weights.Count; i++)
        {
            cumulative += weights[i];
            if (target < cumulative) return i;
        }
        return weights.Count - 1;
    }
}
