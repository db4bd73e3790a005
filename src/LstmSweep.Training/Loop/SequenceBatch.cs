using LstmSweep.Training.Model;
using LstmSweep.Training.Tasks;
using static TorchSharp.torch;

namespace LstmSweep.Training.Loop;

/// <summary>Some rows of a <see cref="SequenceSet"/> as tensors; they belong to the dispose scope they were made in.</summary>
internal sealed class SequenceBatch
{
    private SequenceBatch(Tensor inputs, Tensor lengths, Tensor scoredSteps, Tensor targets, int rows)
    {
        Inputs = inputs;
        Lengths = lengths;
        ScoredSteps = scoredSteps;
        Targets = targets;
        Rows = rows;
    }

    /// <summary>(rows, timesteps, features) on the training device.</summary>
    public Tensor Inputs { get; }

    /// <summary>int64 valid lengths, on the CPU as sequence packing requires.</summary>
    public Tensor Lengths { get; }

    /// <summary>Flat positions the head scores (<see cref="ScoredSteps"/>), on the training device.</summary>
    public Tensor ScoredSteps { get; }

    /// <summary>One label per scored step, in the same order: float 0/1 for binary, int64 class for multiclass.</summary>
    public Tensor Targets { get; }

    public int Rows { get; }

    public long ScoredCount => ScoredSteps.shape[0];

    public static SequenceBatch Create(SequenceSet set, IReadOnlyList<int> rows, TaskShape shape, Device device)
    {
        var (steps, features) = (set.Timesteps, set.Features);
        var rowValues = steps * features;
        var inputs = new float[rows.Count * rowValues];
        var lengths = new int[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            set.Inputs.AsSpan(rows[i] * rowValues, rowValues).CopyTo(inputs.AsSpan(i * rowValues));
            lengths[i] = set.Lengths[rows[i]];
        }
        var scored = Model.ScoredSteps.FlatIndices(shape.Head, lengths, steps);
        var labels = new long[scored.Length];
        for (var i = 0; i < scored.Length; i++)
        {
            var (batchRow, step) = ((int)(scored[i] / steps), (int)(scored[i] % steps));
            labels[i] = set.Labels[rows[batchRow] * set.LabelSteps + (set.LabelsPerStep ? step : 0)];
        }
        var targets = shape.Prediction == PredictionKind.Binary
            ? tensor(labels.Select(label => (float)label).ToArray(), device: device)
            : tensor(labels, device: device);
        return new SequenceBatch(
            tensor(inputs, [rows.Count, steps, features], device: device),
            tensor(lengths.Select(length => (long)length).ToArray()),
            tensor(scored, device: device),
            targets,
            rows.Count);
    }
}
