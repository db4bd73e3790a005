using LstmSweep.Core.Data;
using LstmSweep.Core.Search;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Spec;

/// <summary>
/// An upper estimate of one trial's memory for the largest configuration a space allows, checked against
/// <see cref="SpecLimits.MaxTrialMemoryBytes"/> so a spec cannot ask a worker for more than it has. It counts what
/// dominates an LSTM's training: weights, their gradients and Adam's two moments (4 copies of every parameter), and
/// one batch's activations kept for backpropagation (gates, cell and hidden state per timestep, layer and direction).
/// </summary>
public static class TrialMemory
{
    /// <summary>What a task feeds the network: input width, sequence length, output width.</summary>
    public readonly record struct TaskDimensions(int Inputs, int Timesteps, int Outputs);

    public static TaskDimensions DimensionsOf(TaskSpec task, ArrayDataset? arrayData)
    {
        var o = task.Options;
        return task.Kind switch
        {
            TaskKind.Cumsum => new(1, o.Timesteps, 2),
            TaskKind.EchoSecond => new(o.NMax, o.Timesteps, o.NMax),
            TaskKind.VariableLength => new(o.Alphabet, o.MaxLen, o.Alphabet),
            TaskKind.Array when arrayData is not null => new(arrayData.Features, arrayData.Timesteps, arrayData.Classes),
            _ => new(1, 10, 2),
        };
    }

    /// <summary>Bytes for the largest units, layers and batch size of the space, bidirectional if any merge mode is.</summary>
    public static double EstimateBytes(SearchSpace space, TaskDimensions task)
    {
        double units = Largest(space.Get(Hyperparameters.Units)), layers = Largest(space.Get(Hyperparameters.Layers)),
            batch = Largest(space.Get(Hyperparameters.BatchSize));
        double directions = space.Get(Hyperparameters.MergeMode).Values is { } modes && modes.Any(m => m != MergeMode.None) ? 2 : 1;
        // Per layer and direction: 4 gates, each with input weights, recurrent weights and two biases.
        double firstLayer = 4 * units * (task.Inputs + units + 2);
        double laterLayer = 4 * units * (directions * units + units + 2);
        double parameters = directions * (firstLayer + (layers - 1) * laterLayer) + directions * units * task.Outputs + task.Outputs;
        double activations = batch * task.Timesteps * layers * directions * units * 6 + batch * task.Timesteps * (task.Inputs + task.Outputs);
        return 4.0 * (4 * parameters + 2 * activations);
    }

    static double Largest(ParameterDomain<int> domain) => domain.Values is { Count: > 0 } values ? values.Max() : domain.Max;

    public static string Format(double bytes) => bytes >= 1 << 30
        ? $"{bytes / (1 << 30):F1} GiB"
        : $"{bytes / (1 << 20):F1} MiB";
}
