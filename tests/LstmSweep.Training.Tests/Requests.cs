using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;

namespace LstmSweep.Training.Tests;

/// <summary>Small requests for the tests, tutorial-like defaults.</summary>
internal static class Requests
{
    public static TrialConfig Config(
        int units = 20, MergeMode mergeMode = MergeMode.None, bool stateful = false, int epochs = 10,
        double learningRate = 0.01, int batchSize = 1, int layers = 1) =>
        new(units, mergeMode, stateful, epochs, learningRate, batchSize, layers);

    public static TrainingRequest For(TaskKind kind, TrialConfig config, long seed = 7, TaskOptions? options = null) =>
        new(new TaskSpec(kind, options ?? new TaskOptions()), config, seed);
}
