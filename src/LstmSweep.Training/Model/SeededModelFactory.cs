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

    public static LstmNetwork Create(NetworkShape shape, long seed)
    {
        lock (GlobalGeneratorLock)
        {
            torch.random.manual_seed(seed);
            return new LstmNetwork(shape);
        }
    }
}
