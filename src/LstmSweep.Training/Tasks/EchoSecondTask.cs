using LstmSweep.Core.Spec;
using LstmSweep.Training.Model;

namespace LstmSweep.Training.Tasks;

/// <summary>
/// Sequences of T integers in [0, n_values), one-hot over n_max classes (the tutorial: randint(0, n_max - 1), so 0 … 3
/// of 5 by default); the target is the second element, predicted at the last step, so the network must remember it
/// across the rest of the sequence. Generated once and split for validation.
/// </summary>
internal sealed class EchoSecondTask : ITrainingTask
{
    private readonly SequenceSet training;

    public EchoSecondTask(TaskOptions options, Random random)
    {
        var (timesteps, symbols, samples) = (options.Timesteps, options.NMax, options.Samples);
        if (timesteps < 2) throw new ArgumentException($"echo-second: timesteps must be at least 2 to have a second element, got {timesteps}");
        if (symbols < 2) throw new ArgumentException($"echo-second: n_max must be at least 2, got {symbols}");
        var values = options.EchoValues;
        if (values < 2 || values > symbols) throw new ArgumentException($"echo-second: n_values must be from 2 to n_max ({symbols}), got {values}");
        if (samples < 2) throw new ArgumentException($"echo-second: samples must be at least 2, got {samples}");

        var inputs = new float[samples * timesteps * symbols];
        var labels = new int[samples];
        for (var row = 0; row < samples; row++)
        {
            for (var step = 0; step < timesteps; step++)
            {
                var symbol = random.Next(values);
                OneHot.Write(inputs.AsSpan((row * timesteps + step) * symbols, symbols), symbol);
                if (step == 1) labels[row] = symbol;
            }
        }
        var all = new SequenceSet(inputs, samples, timesteps, symbols, Enumerable.Repeat(timesteps, samples).ToArray(), labels, LabelsPerStep: false);
        (training, EvaluationSet) = all.SplitForValidation(options.ValidationSplit, options.Validation);
        Shape = new TaskShape(InputFeatures: symbols, Classes: symbols, PredictionKind.Multiclass, OutputHead.LastStep);
    }

    public TaskShape Shape { get; }

    public SequenceSet EvaluationSet { get; }

    public SequenceSet TrainingSet(int epoch) => training;
}
