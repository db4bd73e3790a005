using System.Text.Json;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;

namespace LstmSweep.Core.Packing;

/// <summary>
/// What trials must share to train as one packed model: the task with its options (so the data's shape and the
/// sequence length), and every hyperparameter that shapes the network or the loop except units (members are padded
/// to the widest), the learning rate (a per-member tensor) and epochs (a member leaves the pack when it is done).
/// </summary>
/// <param name="Task">The task kind and its options as JSON (empty when only configurations are compared).</param>
public sealed record PackKey(
    string Task, MergeMode MergeMode, bool Stateful, int BatchSize, int Layers, OptimizerKind Optimizer, int DenseUnits,
    WeightInit Init, OutputActivation Head)
{
    public static PackKey Of(TaskSpec? task, TrialConfig config) => new(
        task is null ? "" : $"{task.Kind}:{JsonSerializer.Serialize(task.Options)}",
        config.MergeMode, config.Stateful, config.BatchSize, config.Layers, config.Optimizer, config.DenseUnits,
        config.Init, config.Head);

    public static PackKey Of(TrialConfig config) => Of(null, config);
}
