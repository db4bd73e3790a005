using LstmSweep.Core.Data;
using LstmSweep.Core.Spec;
using LstmSweep.Training.Model;

namespace LstmSweep.Training.Tasks;

/// <summary>
/// The user's own (samples, timesteps, features) data with one class label per sample, predicted at the last step
/// with softmax cross-entropy (also for two classes, so every class count is scored the same way).
/// </summary>
internal sealed class ArrayTask : ITrainingTask
{
    private readonly SequenceSet training;

    public ArrayTask(ArrayDataset data, double validationSplit, ValidationRows validation = ValidationRows.Random)
    {
        Validate(data);
        var all = new SequenceSet(data.Values, data.Samples, data.Timesteps, data.Features,
            Enumerable.Repeat(data.Timesteps, data.Samples).ToArray(), data.Labels, LabelsPerStep: false);
        (training, EvaluationSet) = all.SplitForValidation(validationSplit, validation);
        Shape = new TaskShape(data.Features, data.Classes, PredictionKind.Multiclass, OutputHead.LastStep);
    }

    public TaskShape Shape { get; }

    public SequenceSet EvaluationSet { get; }

    public SequenceSet TrainingSet(int epoch) => training;

    private static void Validate(ArrayDataset data)
    {
        if (data.Samples < 2 || data.Timesteps < 1 || data.Features < 1)
            throw new ArgumentException($"array: need at least 2 samples, 1 timestep and 1 feature, got ({data.Samples}, {data.Timesteps}, {data.Features})");
        if (data.Values.Length != (long)data.Samples * data.Timesteps * data.Features)
            throw new ArgumentException($"array: {data.Values.Length} values do not fill ({data.Samples}, {data.Timesteps}, {data.Features})");
        if (data.Labels.Length != data.Samples)
            throw new ArgumentException($"array: {data.Labels.Length} labels for {data.Samples} samples");
        if (data.Classes < 2)
            throw new ArgumentException($"array: need at least 2 classes, got {data.Classes}");
        var outOfRange = Array.FindIndex(data.Labels, label => label < 0 || label >= data.Classes);
        if (outOfRange >= 0)
            throw new ArgumentException($"array: label {data.Labels[outOfRange]} of sample {outOfRange} is outside [0, {data.Classes})");
    }
}
