using LstmSweep.Training.Model;
using LstmSweep.Training.Tasks;
using static TorchSharp.torch;

namespace LstmSweep.Training.Loop;

/// <summary>
/// Some rows of a <see cref="SequenceSet"/> as tensors; they belong to the dispose scope they were made in, unless
/// <see cref="Keep"/> takes them out of it (then <see cref="Dispose"/> frees them).
/// </summary>
internal sealed class SequenceBatch : IDisposable
{
    private SequenceBatch(Tensor inputs, Tensor lengths, bool fullLength, Tensor? scoredSteps, long scoredCount, Tensor targets, int rows)
    {
        Inputs = inputs;
        Lengths = lengths;
        FullLength = fullLength;
        ScoredSteps = scoredSteps;
        ScoredCount = scoredCount;
        Targets = targets;
        Rows = rows;
    }

    /// <summary>(rows, timesteps, features) on the training device.</summary>
    public Tensor Inputs { get; }

    /// <summary>int64 valid lengths, on the CPU as sequence packing requires.</summary>
    public Tensor Lengths { get; }

    /// <summary>Every row is valid to the last step (<see cref="NetworkLengths"/>).</summary>
    public bool FullLength { get; }

    /// <summary>
    /// The lengths to pass the network: null for a full-length batch (the layers' fast path, see
    /// <see cref="RecurrentLayer"/>), else <see cref="Lengths"/>.
    /// </summary>
    public Tensor? NetworkLengths => FullLength ? null : Lengths;

    /// <summary>
    /// Flat positions the head scores (<see cref="ScoredSteps"/>), on the training device; null when the head scores
    /// every step of every row in order (a per-timestep head on a full-length batch) or reads each row's final state
    /// (a last-step head), so no selection is needed.
    /// </summary>
    public Tensor? ScoredSteps { get; }

    /// <summary>One label per scored step, in the same order: float 0/1 for binary, int64 class for multiclass.</summary>
    public Tensor Targets { get; }

    public int Rows { get; }

    private IEnumerable<Tensor> Tensors => new[] { Inputs, Lengths, ScoredSteps, Targets }.OfType<Tensor>();

    /// <summary>Takes the tensors out of their dispose scope (a batch reused for the whole trial); dispose it then.</summary>
    public SequenceBatch Keep()
    {
        foreach (var tensor in Tensors) tensor.DetachFromDisposeScope();
        return this;
    }

    public void Dispose()
    {
        foreach (var tensor in Tensors) tensor.Dispose();
    }

    public long ScoredCount { get; }

    public static SequenceBatch Create(SequenceSet set, IReadOnlyList<int> rows, TaskShape shape, Device device)
    {
        var (steps, features) = (set.Timesteps, set.Features);
        var rowValues = steps * features;
        var inputs = new float[rows.Count * rowValues];
        var lengths = new int[rows.Count];
        var fullLength = true;
        for (var i = 0; i < rows.Count; i++)
        {
            set.Inputs.AsSpan(rows[i] * rowValues, rowValues).CopyTo(inputs.AsSpan(i * rowValues));
            lengths[i] = set.Lengths[rows[i]];
            fullLength &= lengths[i] == steps;
        }
        var scored = Model.ScoredSteps.FlatIndices(shape.Head, lengths, steps);
        var labels = new long[scored.Length];
        for (var i = 0; i < scored.Length; i++)
        {
            var (batchRow, step) = ((int)(scored[i] / steps), (int)(scored[i] % steps));
            labels[i] = set.Labels[rows[batchRow] * set.LabelSteps + (set.LabelsPerStep ? step : 0)];
        }
        Tensor targets;
        if (shape.Prediction == PredictionKind.Binary)
        {
            var binary = new float[labels.Length];
            for (var i = 0; i < labels.Length; i++) binary[i] = labels[i];
            targets = tensor(binary, device: device);
        }
        else targets = tensor(labels, device: device);
        var longLengths = new long[lengths.Length];
        for (var i = 0; i < lengths.Length; i++) longLengths[i] = lengths[i];
        var selectionNeeded = shape.Head == OutputHead.PerTimestep && !fullLength;
        return new SequenceBatch(
            tensor(inputs, [rows.Count, steps, features], device: device),
            tensor(longLengths),
            fullLength,
            selectionNeeded ? tensor(scored, device: device) : null,
            scored.Length,
            targets,
            rows.Count);
    }
}
