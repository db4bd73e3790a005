using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Search;

/// <summary>
/// Random search: each key drawn independently, a list uniformly, a range uniformly or (log: true) log-uniformly, an
/// integer range with both ends included. Trial n draws from its own generator seeded by
/// <see cref="TrialSeeds.For"/>(seed, n), so its config depends only on (seed, n), never on the history or the order in
/// which trials are asked for.
/// </summary>
public sealed class RandomSampler(SearchSpace space, long seed, int? maxTrials = null) : ISampler
{
    /// <summary>The config for trial n, or null once <c>maxTrials</c> trials have been suggested.</summary>
    public TrialConfig? Suggest(int trialNumber, IReadOnlyList<TrialObservation> history)
    {
        if (trialNumber < 0 || trialNumber >= maxTrials) return null;

        var random = new SplitMix64(TrialSeeds.For(seed, trialNumber));
        // Drawn in table order; the order is part of what makes (seed, n) → config reproducible. A key left out still
        // takes one draw (of its one default), so adding a row at the end never moves the earlier rows' draws.
        var config = TrialConfig.Legacy;
        foreach (var row in Hyperparameters.All)
        {
            var domain = space.Given(row);
            if (domain is null) { random.NextBelow(1); continue; }
            config = row.With(config, Draw(row, domain, ref random));
        }
        return SearchSpaces.WithDefaults(space, config);
    }

    internal static object Draw(Hyperparameter row, IParameterDomain domain, ref SplitMix64 random)
    {
        if (!domain.IsRange) return domain.ValueAt((int)random.NextBelow(domain.Count));
        if (row.Kind == HyperparameterKind.Integer)
        {
            var (min, max) = ((int)domain.Low, (int)domain.High);
            if (!domain.Log) return min + (int)random.NextBelow((long)max - min + 1);
            // Log-uniform over [min, max + 1) then floored: each integer k gets the mass of [k, k + 1) on a log scale.
            var drawn = (int)Math.Floor(LogUniform(min, max + 1.0, random.NextDouble()));
            return Math.Clamp(drawn, min, max);
        }
        var u = random.NextDouble();
        return domain.Log ? LogUniform(domain.Low, domain.High, u) : domain.Low + u * (domain.High - domain.Low);
    }

    static double LogUniform(double min, double max, double u) => Math.Exp(Math.Log(min) + u * (Math.Log(max) - Math.Log(min)));
}
