using LstmSweep.Core.Data;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;

namespace LstmSweep.Training.Tasks;

internal static class TrainingTasks
{
    /// <summary>The task of a spec, its data drawn from the data stream of the trial with <paramref name="seed"/>.</summary>
    /// <param name="arrayData">The loaded dataset; required for the array task, ignored otherwise.</param>
    public static ITrainingTask Create(TaskSpec spec, TrialConfig config, long seed, ArrayDataset? arrayData) => spec.Kind switch
    {
        TaskKind.Cumsum => new CumsumTask(spec.Options, config.BatchSize, seed),
        TaskKind.EchoSecond => new EchoSecondTask(spec.Options, TrialRandom.Create(seed, TrialRandom.DataStream)),
        TaskKind.StatefulCounter => new StatefulCounterTask(),
        TaskKind.Array when spec.Options.ValidationFile is { } evaluationFile => new ArrayTask(
            arrayData ?? throw new ArgumentException("array: no dataset was given (the task's path was not loaded)"),
            ArrayDatasetCache.Shared.Get(evaluationFile, spec.Options.Features)),
        TaskKind.Array => new ArrayTask(
            arrayData ?? throw new ArgumentException("array: no dataset was given (the task's path was not loaded)"),
            spec.Options.ValidationSplit, spec.Options.Validation),
        TaskKind.VariableLength => new VariableLengthTask(spec.Options, TrialRandom.Create(seed, TrialRandom.DataStream)),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "unknown task"),
    };
}
