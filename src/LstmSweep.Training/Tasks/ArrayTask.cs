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
        (training, EvaluationSet) = AsSequences(data).SplitForValidation(validationSplit, validation);
        Shape = new TaskShape(data.Features, data.Classes, PredictionKind.Multiclass,
            data.LabelSteps > 1 ? OutputHead.PerTimestep : OutputHead.LastStep);
    }

    /// <summary>Every row of <paramref name="data"/> trains; <paramref name="evaluation"/> (the validation_file) is evaluated.</summary>
    public ArrayTask(ArrayDataset data, ArrayDataset evaluation)
    {
        Validate(data);
        Validate(evaluation);
        if ((evaluation.Timesteps, evaluation.Features, evaluation.LabelSteps) != (data.Timesteps, data.Features, data.LabelSteps))
            throw new ArgumentException(
                $"array: the validation_file's samples are ({evaluation.Timesteps}, {evaluation.Features}) with {evaluation.LabelSteps} label step(s), " +
                $"the training file's ({data.Timesteps}, {data.Features}) with {data.LabelSteps}");
        if (evaluation.Classes > data.Classes)
            throw new ArgumentException($"array: the validation_file has labels up to {evaluation.Classes - 1}, the training file only up to {data.Classes - 1}");
        training = AsSequences(data);
        EvaluationSet = AsSequences(evaluation);
        Shape = new TaskShape(data.Features, data.Classes, PredictionKind.Multiclass,
            data.LabelSteps > 1 ? OutputHead.PerTimestep : OutputHead.LastStep);
    }

    /// <summary>Every row of a dataset as the task lays it out (labels per output step: padded to the output steps).</summary>
    internal static SequenceSet AsSequences(ArrayDataset data) => data.LabelSteps > 1
        ? SequenceLabels(data)
        : new SequenceSet(data.Values, data.Samples, data.Timesteps, data.Features,
            Enumerable.Repeat(data.Timesteps, data.Samples).ToArray(), data.Labels, LabelsPerStep: false);

    public TaskShape Shape { get; }

    public SequenceSet EvaluationSet { get; }

    public SequenceSet TrainingSet(int epoch) => training;

    /// <summary>
    /// Labels per output step: the input is padded with zero steps to t_out (the network reads the t_in real steps,
    /// then zeros, as Keras does when x is padded to the labels' length) and every step is scored.
    /// </summary>
    private static SequenceSet SequenceLabels(ArrayDataset data)
    {
        if (data.LabelSteps < data.Timesteps)
            throw new ArgumentException(
                $"array: y has {data.LabelSteps} output steps per sample, fewer than x's {data.Timesteps} timesteps; " +
                $"give y one label per sample, or {data.Timesteps} or more output steps");
        var (steps, rowValues) = (data.LabelSteps, data.Timesteps * data.Features);
        var inputs = new float[data.Samples * steps * data.Features];
        for (var row = 0; row < data.Samples; row++)
            data.Values.AsSpan(row * rowValues, rowValues).CopyTo(inputs.AsSpan(row * steps * data.Features));
        return new SequenceSet(inputs, data.Samples, steps, data.Features,
            Enumerable.Repeat(steps, data.Samples).ToArray(), data.Labels, LabelsPerStep: true);
    }

    private static void Validate(ArrayDataset data)
    {
        if (data.Samples < 2 || data.Timesteps < 1 || data.Features < 1)
            throw new ArgumentException($"array: need at least 2 samples, 1 timestep and 1 feature, got ({data.Samples}, {data.Timesteps}, {data.Features})");
        if (data.Values.Length != (long)data.Samples * data.Timesteps * data.Features)
            throw new ArgumentException($"array: {data.Values.Length} values do not fill ({data.Samples}, {data.Timesteps}, {data.Features})");
        if (data.LabelSteps < 1 || data.Labels.Length != (long)data.Samples * data.LabelSteps)
            throw new ArgumentException($"array: {data.Labels.Length} labels for {data.Samples} samples of {data.LabelSteps} output steps");
        if (data.Classes < 2)
            throw new ArgumentException($"array: need at least 2 classes, got {data.Classes}");
        var outOfRange = Array.FindIndex(data.Labels, label => label < 0 || label >= data.Classes);
        if (outOfRange >= 0)
            throw new ArgumentException($"array: label {data.Labels[outOfRange]} of sample {outOfRange / data.LabelSteps} is outside [0, {data.Classes})");
    }
}
