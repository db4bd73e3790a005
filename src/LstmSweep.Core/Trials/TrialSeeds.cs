namespace LstmSweep.Core.Trials;

/// <summary>
/// The seed each trial trains (and, for random search, samples) with. It depends only on the sweep seed and the trial
/// number, so a restarted coordinator re-runs trial n exactly as before, whatever ran in between.
/// </summary>
public static class TrialSeeds
{
    /// <summary>
    /// SplitMix64's finaliser over <c>sweepSeed + (trialNumber + 1) · γ</c>: γ is odd, so the inputs differ for every
    /// trial of a sweep, and the finaliser is a bijection, so the seeds do too.
    /// </summary>
    public static long For(long sweepSeed, int trialNumber) =>
        (long)SplitMix64.Mix(unchecked((ulong)sweepSeed + (ulong)(trialNumber + 1L) * SplitMix64.Gamma));
}

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014): a tiny generator whose output is fixed by its algorithm, unlike
/// System.Random's, so seeded sweeps reproduce on any .NET version.
/// </summary>
internal struct SplitMix64(long seed)
{
    internal const ulong Gamma = 0x9E3779B97F4A7C15;

    ulong state = unchecked((ulong)seed);

    internal static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    internal ulong NextUInt64() => Mix(state += Gamma);

    /// <summary>Uniform in [0, 1), from the top 53 bits (a double's precision).</summary>
    internal double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, count); the modulo bias is below 2⁻³¹ for the small counts a search space has.</summary>
    internal long NextBelow(long count) => (long)(NextUInt64() % (ulong)count);
}
