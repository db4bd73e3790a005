namespace LstmSweep.Training.Tasks;

/// <summary>
/// Per-trial random streams (System.Random, never torch's process-wide generator), so a trial's data and shuffles
/// depend on its seed alone, whatever other trials do on other threads.
/// </summary>
internal static class TrialRandom
{
    public const int DataStream = 1;
    public const int ShuffleStream = 2;

    /// <summary>An independent generator for one purpose (stream) of the trial with <paramref name="seed"/>.</summary>
    public static Random Create(long seed, int stream)
    {
        // SplitMix64 finaliser: nearby seeds and streams give unrelated 32-bit seeds.
        var mixed = unchecked((ulong)seed + (ulong)stream * 0x9E3779B97F4A7C15UL);
        mixed = (mixed ^ (mixed >> 30)) * 0xBF58476D1CE4E5B9UL;
        mixed = (mixed ^ (mixed >> 27)) * 0x94D049BB133111EBUL;
        mixed ^= mixed >> 31;
        return new Random(unchecked((int)mixed));
    }
}
