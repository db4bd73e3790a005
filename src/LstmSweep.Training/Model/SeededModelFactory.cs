using TorchSharp;

namespace LstmSweep.Training.Model;

/// <summary>
/// Builds networks whose initial weights depend only on the trial seed. TorchSharp modules initialise their weights
/// from torch's global generator, which is shared by the whole process; seeding it and constructing the model under
/// one lock keeps trials on other threads from drawing in between. Nothing else in training draws from that
/// generator (no dropout; data and shuffles use per-trial System.Random).
/// </summary>
internal static class SeededModelFactory
{
    private static readonly Lock GlobalGeneratorLock = new();

    public static LstmNetwork Create(NetworkShape shape, long seed) => Construct(seed, () => new LstmNetwork(shape));

    /// <summary>
    /// Runs <paramref name="construct"/> right after seeding torch's global generator, holding the lock. Anything in
    /// the process that builds torch modules (or otherwise draws from that generator) while trials train must go
    /// through here, or it can shift another trial's initial weights.
    /// </summary>
    public static T Construct<T>(long seed, Func<T> construct)
    {
        lock (GlobalGeneratorLock)
        {
            torch.random.manual_seed(seed);
            return construct();
        }
    }
}
