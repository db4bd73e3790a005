namespace LstmSweep.Training.Tasks;

/// <summary>
/// Per-trial random streams (System.Random, never torch's process-wide generator), so a trial's data and shuffles
/// depend on its seed alone, whatever other trials do on other threads.
/// </summary>
/// <remarks>
/// What an epoch draws (cumsum's fresh sequences, the shuffle order) comes from <see cref="ForEpoch"/>: a generator of
/// its own per (seed, stream, epoch), so epoch e sees the same numbers whether the trial ran epochs 1..e−1 in this
/// process or resumed from a checkpoint. A checkpoint therefore needs no generator state.
/// </remarks>
internal static class TrialRandom
{
    public const int DataStream = 1;
    public const int ShuffleStream = 2;
    public const int ValidationStream = 3;

    /// <summary>An independent generator for one purpose (stream) of the trial with <paramref name="seed"/>.</summary>
    public static Random Create(long seed, int stream) => new(unchecked((int)Mix(seed, stream)));

    /// <summary>
    /// The generator of one epoch (1-based) of a stream, independent of <see cref="Create"/>'s for the same stream and
    /// of every other epoch's.
    /// </summary>
    public static Random ForEpoch(long seed, int stream, int epoch) =>
        new(unchecked((int)Mix((long)Mix(seed, stream), epoch)));

    /// <summary>SplitMix64 finaliser of seed + salt·φ: nearby seeds and salts give unrelated values.</summary>
    private static ulong Mix(long seed, long salt)
    {
        var mixed = unchecked((ulong)seed + (ulong)salt * 0x9E3779B97F4A7C15UL);
        mixed = (mixed ^ (mixed >> 30)) * 0xBF58476D1CE4E5B9UL;
        mixed = (mixed ^ (mixed >> 27)) * 0x94D049BB133111EBUL;
        mixed ^= mixed >> 31;
        return mixed;
    }
}
