namespace LstmSweep.Training.Tasks;

/// <summary>
/// A set of padded sequences in plain arrays (no tensors: tasks stay cheap to build and to test).
/// </summary>
/// <param name="Inputs">Row-major (Count, Timesteps, Features); values beyond a sequence's length are padding.</param>
/// <param name="Lengths">Valid steps of each sequence, 1..Timesteps.</param>
/// <param name="Labels">
/// Row-major (Count, LabelSteps): with <paramref name="LabelsPerStep"/> the label of step t sits at t (only
/// t &lt; length is read); otherwise one label per sequence.
/// </param>
internal sealed record SequenceSet(float[] Inputs, int Count, int Timesteps, int Features, int[] Lengths, int[] Labels, bool LabelsPerStep)
{
    public int LabelSteps => LabelsPerStep ? Timesteps : 1;

    /// <summary>Rows [start, start + count) as a new set.</summary>
    public SequenceSet Slice(int start, int count)
    {
        var rowValues = Timesteps * Features;
        return this with
        {
            Inputs = Inputs.AsSpan(start * rowValues, count * rowValues).ToArray(),
            Count = count,
            Lengths = Lengths.AsSpan(start, count).ToArray(),
            Labels = Labels.AsSpan(start * LabelSteps, count * LabelSteps).ToArray(),
        };
    }

    /// <summary>
    /// Keras validation_split: the last fraction of the rows, taken before any shuffling, is held out for evaluation.
    /// </summary>
    public (SequenceSet Training, SequenceSet Evaluation) SplitForValidation(double validationSplit)
    {
        if (validationSplit is <= 0 or >= 1 || double.IsNaN(validationSplit))
            throw new ArgumentException($"validation_split must be between 0 and 1 (exclusive), got {validationSplit}");
        var trainingCount = (int)(Count * (1 - validationSplit));
        if (trainingCount < 1 || trainingCount >= Count)
            throw new ArgumentException(
                $"validation_split {validationSplit} of {Count} samples leaves {trainingCount} for training and " +
                $"{Count - trainingCount} for evaluation; both need at least one");
        return (Slice(0, trainingCount), Slice(trainingCount, Count - trainingCount));
    }

    /// <summary>The same sequences padded (with zeros) to a longer <paramref name="timesteps"/>.</summary>
    public SequenceSet PadTo(int timesteps)
    {
        if (timesteps < Timesteps) throw new ArgumentOutOfRangeException(nameof(timesteps), "cannot pad to fewer steps");
        var labelSteps = LabelsPerStep ? timesteps : 1;
        var inputs = new float[Count * timesteps * Features];
        var labels = new int[Count * labelSteps];
        for (var row = 0; row < Count; row++)
        {
            Inputs.AsSpan(row * Timesteps * Features, Timesteps * Features).CopyTo(inputs.AsSpan(row * timesteps * Features));
            Labels.AsSpan(row * LabelSteps, LabelSteps).CopyTo(labels.AsSpan(row * labelSteps));
        }
        return this with { Inputs = inputs, Timesteps = timesteps, Labels = labels };
    }
}
