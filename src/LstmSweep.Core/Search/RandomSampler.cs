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
        // Drawn in grid key order; the order is part of what makes (seed, n) → config reproducible.
        return new TrialConfig(
            Units: DrawInt(space.Units, ref random),
            MergeMode: DrawListed(space.MergeMode, ref random),
            Stateful: DrawListed(space.Stateful, ref random),
            Epochs: DrawInt(space.Epochs, ref random),
            LearningRate: DrawDouble(space.LearningRate, ref random),
            BatchSize: DrawInt(space.BatchSize, ref random),
            Layers: DrawInt(space.Layers, ref random));
    }

    static T DrawListed<T>(ParameterDomain<T> domain, ref SplitMix64 random)
    {
        if (domain.Values is not { } values)
            throw new ArgumentException("only numeric hyperparameters can be ranges", nameof(domain));
        return values[(int)random.NextBelow(values.Count)];
    }

    static int DrawInt(ParameterDomain<int> domain, ref SplitMix64 random)
    {
        if (!domain.IsRange) return DrawListed(domain, ref random);
        if (!domain.Log) return domain.Min + (int)random.NextBelow((long)domain.Max - domain.Min + 1);
        // Log-uniform over [min, max + 1) then floored: each integer k gets the mass of [k, k + 1) on a log scale.
        var drawn = (int)Math.Floor(LogUniform(domain.Min, domain.Max + 1.0, random.NextDouble()));
        return Math.Clamp(drawn, domain.Min, domain.Max);
    }

    static double DrawDouble(ParameterDomain<double> domain, ref SplitMix64 random)
    {
        if (!domain.IsRange) return DrawListed(domain, ref random);
        var u = random.NextDouble();
        return domain.Log ? LogUniform(domain.Min, domain.Max, u) : domain.Min + u * (domain.Max - domain.Min);
    }

    static double LogUniform(double min, double max, double u) => Math.Exp(Math.Log(min) + u * (Math.Log(max) - Math.Log(min)));
}
