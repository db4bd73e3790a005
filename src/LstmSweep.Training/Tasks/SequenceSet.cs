using LstmSweep.Core.Spec;

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
    /// Holds out a validation_split fraction of the rows for evaluation: the last rows (Keras's validation_split,
    /// taken before any shuffling), or a random subset drawn from a generator of fixed seed, so every trial on the same
    /// data evaluates on the same rows. Both parts keep the rows' order.
    /// </summary>
    public (SequenceSet Training, SequenceSet Evaluation) SplitForValidation(double validationSplit, ValidationRows rows = ValidationRows.Last)
    {
        if (validationSplit is <= 0 or >= 1 || double.IsNaN(validationSplit))
            throw new ArgumentException($"validation_split must be between 0 and 1 (exclusive), got {validationSplit}");
        var trainingCount = (int)(Count * (1 - validationSplit));
        if (trainingCount < 1 || trainingCount >= Count)
            throw new ArgumentException(
                $"validation_split {validationSplit} of {Count} samples leaves {trainingCount} for training and " +
                $"{Count - trainingCount} for evaluation; both need at least one");
        if (rows == ValidationRows.Last) return (Slice(0, trainingCount), Slice(trainingCount, Count - trainingCount));

        var held = HeldOutRows(Count, validationSplit, rows).ToHashSet();
        return (Select(Enumerable.Range(0, Count).Where(r => !held.Contains(r)).ToArray()),
            Select(Enumerable.Range(0, Count).Where(held.Contains).ToArray()));
    }

    /// <summary>
    /// The rows <see cref="SplitForValidation"/> holds out of <paramref name="count"/>, ascending (one place decides
    /// them, so predict can score the same rows the sweep evaluated on).
    /// </summary>
    public static int[] HeldOutRows(int count, double validationSplit, ValidationRows rows)
    {
        var trainingCount = (int)(count * (1 - validationSplit));
        if (rows == ValidationRows.Last) return Enumerable.Range(trainingCount, count - trainingCount).ToArray();
        var order = Enumerable.Range(0, count).ToArray();
        TrialRandom.Create(seed: 0, TrialRandom.ValidationStream).Shuffle(order);
        return order.Skip(trainingCount).Order().ToArray();
    }

    /// <summary>The given rows, in the given order, as a new set.</summary>
    public SequenceSet Select(IReadOnlyList<int> rows)
    {
        var rowValues = Timesteps * Features;
        var inputs = new float[rows.Count * rowValues];
        var labels = new int[rows.Count * LabelSteps];
        for (var i = 0; i < rows.Count; i++)
        {
            Inputs.AsSpan(rows[i] * rowValues, rowValues).CopyTo(inputs.AsSpan(i * rowValues));
            Labels.AsSpan(rows[i] * LabelSteps, LabelSteps).CopyTo(labels.AsSpan(i * LabelSteps));
        }
        return this with { Inputs = inputs, Count = rows.Count, Lengths = rows.Select(r => Lengths[r]).ToArray(), Labels = labels };
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
