using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Search;

/// <summary>
/// TPE's density over one numeric hyperparameter (Bergstra et al. 2011; Optuna's _ParzenEstimator with its defaults:
/// consider_prior, prior_weight 1, consider_magic_clip, no consider_endpoints): a mixture of Gaussians truncated to
/// [low, high], one per observation plus a wide prior, in the space the parameter is searched in (log space for log
/// ranges), so that the density never rules out any part of the range.
/// </summary>
internal sealed class NumericParzenEstimator : IParzenEstimator<double>
{
    readonly double low, high;
    readonly double[] mus, sigmas, weights, logMassInRange;

    /// <param name="observations">Observed values, already in search space (inside [low, high]).</param>
    /// <param name="observationWeights">One weight per observation (<see cref="TpeWeights.For"/>).</param>
    public NumericParzenEstimator(double low, double high, IReadOnlyList<double> observations,
        IReadOnlyList<double> observationWeights, double priorWeight = 1.0)
    {
        this.low = low;
        this.high = high;
        var range = high - low;
        // The prior: one component centred on the range and as wide as it, so unexplored values keep some density.
        mus = [.. observations, low + range / 2];
        sigmas = Bandwidths(mus, low, high);
        // Optuna's "magic clip": no component narrower than range/min(100, components + 1), lest one lucky point
        // become a spike; none wider than the range.
        var minSigma = range / Math.Min(100.0, 1.0 + mus.Length);
        for (var i = 0; i < sigmas.Length; i++) sigmas[i] = Math.Clamp(sigmas[i], minSigma, range);
        sigmas[^1] = range;

        weights = [.. observationWeights, priorWeight];
        var total = weights.Sum();
        for (var i = 0; i < weights.Length; i++) weights[i] /= total;

        // Each component is truncated to [low, high]; its density is divided by its mass there.
        logMassInRange = new double[mus.Length];
        for (var i = 0; i < mus.Length; i++)
            logMassInRange[i] = Math.Log(Math.Max(
                Gaussian.Cdf((high - mus[i]) / sigmas[i]) - Gaussian.Cdf((low - mus[i]) / sigmas[i]), 1e-300));
    }

    /// <summary>
    /// Each point's bandwidth is the larger gap to its neighbours in sorted order, the range's ends counting as
    /// neighbours, except that the outermost points look inwards only (Optuna without consider_endpoints).
    /// </summary>
    static double[] Bandwidths(double[] mus, double low, double high)
    {
        var order = Enumerable.Range(0, mus.Length).OrderBy(i => mus[i]).ThenBy(i => i).ToArray();
        var withEnds = new double[mus.Length + 2];
        withEnds[0] = low;
        for (var j = 0; j < order.Length; j++) withEnds[j + 1] = mus[order[j]];
        withEnds[^1] = high;

        var sorted = new double[mus.Length];
        for (var j = 0; j < sorted.Length; j++)
            sorted[j] = Math.Max(withEnds[j + 1] - withEnds[j], withEnds[j + 2] - withEnds[j + 1]);
        if (mus.Length >= 2)
        {
            sorted[0] = withEnds[2] - withEnds[1];
            sorted[^1] = withEnds[^2] - withEnds[^3];
        }
        var sigmas = new double[mus.Length];
        for (var j = 0; j < order.Length; j++) sigmas[order[j]] = sorted[j];
        return sigmas;
    }

    public double Sample(ref SplitMix64 random)
    {
        var component = TpeWeights.Pick(weights, random.NextDouble());
        // Rejection from the untruncated Gaussian: its mean lies in the range and its width is at most the range, so
        // at least about a third of the draws land inside; the cap only guards against a pathological range.
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var x = mus[component] + sigmas[component] * Gaussian.Standard(ref random);
            if (x >= low && x <= high) return x;
        }
        return mus[component];
    }

    public double LogPdf(double x)
    {
        var terms = new double[mus.Length];
        for (var i = 0; i < mus.Length; i++)
        {
            var z = (x - mus[i]) / sigmas[i];
            terms[i] = Math.Log(weights[i]) + Gaussian.LogDensity(z) - Math.Log(sigmas[i]) - logMassInRange[i];
        }
        return LogSumExp(terms);
    }

    static double LogSumExp(double[] terms)
    {
        var max = terms.Max();
        return max + Math.Log(terms.Sum(t => Math.Exp(t - max)));
    }
}

/// <summary>
/// TPE's density over a list of values (a categorical parameter): the observations' weighted counts, smoothed by a
/// prior that spreads <c>priorWeight</c> evenly, so a value never observed keeps some probability.
/// </summary>
internal sealed class CategoricalParzenEstimator : IParzenEstimator<int>
{
    readonly double[] probabilities;

    /// <param name="observations">Observed choices, as indices into the list.</param>
    public CategoricalParzenEstimator(int choices, IReadOnlyList<int> observations, IReadOnlyList<double> observationWeights,
        double priorWeight = 1.0)
    {
        probabilities = Enumerable.Repeat(priorWeight / choices, choices).ToArray();
        for (var i = 0; i < observations.Count; i++) probabilities[observations[i]] += observationWeights[i];
        var total = probabilities.Sum();
        for (var c = 0; c < choices; c++) probabilities[c] /= total;
    }

    public int Sample(ref SplitMix64 random) => TpeWeights.Pick(probabilities, random.NextDouble());

    public double LogPdf(int choice) => Math.Log(probabilities[choice]);
}

/// <summary>The standard normal distribution, from an algorithm fixed on every platform.</summary>
/// <summary>A density TPE can draw candidates from and score them with.</summary>
internal interface IParzenEstimator<T>
{
    T Sample(ref SplitMix64 random);
    double LogPdf(T x);
}

internal static class ParzenEstimators
{
    /// <summary>
    /// TPE's choice: draw candidates from the good trials' density l(x) and keep the one with the largest l(x)/g(x),
    /// the ratio that maximises expected improvement.
    /// </summary>
    public static T MostPromising<T>(IParzenEstimator<T> good, IParzenEstimator<T> bad, int candidates, ref SplitMix64 random)
    {
        var best = default(T)!;
        var bestScore = double.NegativeInfinity;
        for (var i = 0; i < candidates; i++)
        {
            var candidate = good.Sample(ref random);
            var score = good.LogPdf(candidate) - bad.LogPdf(candidate);
            if (score > bestScore) (best, bestScore) = (candidate, score);
        }
        return best;
    }
}

internal static class Gaussian
{
    static readonly double LogSqrtTwoPi = 0.5 * Math.Log(2 * Math.PI);

    public static double LogDensity(double z) => -0.5 * z * z - LogSqrtTwoPi;

    public static double Cdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2));

    /// <summary>Box–Muller; one of its pair of draws is discarded to keep the generator's use simple.</summary>
    public static double Standard(ref SplitMix64 random)
    {
        var u1 = 1.0 - random.NextDouble(); // (0, 1]: the logarithm stays finite
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Complementary error function (Numerical Recipes' Chebyshev fit; relative error below 1.2e-7 everywhere).</summary>
    static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + 0.5 * z);
        var r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
