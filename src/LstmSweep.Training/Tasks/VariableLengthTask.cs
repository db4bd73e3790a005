using LstmSweep.Core.Spec;
using LstmSweep.Training.Model;

namespace LstmSweep.Training.Tasks;

/// <summary>
/// Input and target sequences of different lengths, both padded and masked. The input is L one-hot symbols
/// (L uniform in [min_len, max_len]) followed by one end-of-input step; the target, one step longer than the input
/// symbols, is the input delayed by one step: a start marker, then x₁ … x_L. So at step t the network must recall the
/// symbol it saw at step t − 1 — a per-timestep model can learn it — and the padded length varies per sequence.
/// </summary>
/// <remarks>
/// Features: <c>alphabet</c> symbol channels plus an end-of-input channel. Classes: the symbols plus the start marker
/// (class <c>alphabet</c>). Every sequence is padded to max_len + 1 steps; loss and accuracy skip the padding.
/// </remarks>
internal sealed class VariableLengthTask : ITrainingTask
{
    private readonly SequenceSet training;

    public VariableLengthTask(TaskOptions options, Random random)
    {
        var (minLength, maxLength, alphabet, samples) = (options.MinLen, options.MaxLen, options.Alphabet, options.Samples);
        if (minLength < 1 || maxLength < minLength)
            throw new ArgumentException($"variable-length: need 1 <= min_len <= max_len, got min_len {minLength}, max_len {maxLength}");
        if (alphabet < 2) throw new ArgumentException($"variable-length: alphabet must be at least 2, got {alphabet}");
        if (samples < 2) throw new ArgumentException($"variable-length: samples must be at least 2, got {samples}");

        var features = alphabet + 1;
        var endOfInputChannel = alphabet;
        var startMarker = alphabet;
        var timesteps = maxLength + 1;
        var inputs = new float[samples * timesteps * features];
        var labels = new int[samples * timesteps];
        var lengths = new int[samples];
        for (var row = 0; row < samples; row++)
        {
            var symbolCount = random.Next(minLength, maxLength + 1);
            lengths[row] = symbolCount + 1;
            var previous = startMarker;
            for (var step = 0; step <= symbolCount; step++)
            {
                var stepValues = inputs.AsSpan((row * timesteps + step) * features, features);
                labels[row * timesteps + step] = previous;
                if (step == symbolCount)
                {
                    OneHot.Write(stepValues, endOfInputChannel);
                    break;
                }
                var symbol = random.Next(alphabet);
                OneHot.Write(stepValues, symbol);
                previous = symbol;
            }
        }
        var all = new SequenceSet(inputs, samples, timesteps, features, lengths, labels, LabelsPerStep: true);
        (training, EvaluationSet) = all.SplitForValidation(options.ValidationSplit, options.Validation);
        Shape = new TaskShape(features, Classes: alphabet + 1, PredictionKind.Multiclass, OutputHead.PerTimestep);
    }

    public TaskShape Shape { get; }

    public SequenceSet EvaluationSet { get; }

    public SequenceSet TrainingSet(int epoch) => training;
}
