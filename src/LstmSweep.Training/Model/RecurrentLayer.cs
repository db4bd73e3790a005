using LstmSweep.Core.Trials;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.utils.rnn;

namespace LstmSweep.Training.Model;

/// <summary>
/// One layer of the stack: an LSTM, or for a merge mode other than None a Keras Bidirectional(LSTM) whose two
/// directions are merged before the next layer reads them.
/// </summary>
/// <remarks>
/// Sequences are packed by length, so each direction sees only the valid steps of each sequence: the backward
/// direction starts at the last valid step (never at trailing padding), and the final state is the state after the
/// last valid step, as with a Keras mask. Padded output steps are zero.
/// A batch whose rows are all valid to the last step may run unpacked (lengths null): the same numbers without
/// packing's sort, gathers and scatter, the fast path of training. Never under no_grad: libtorch's unpacked CPU LSTM
/// (its inference fast path, TorchSharp 0.107 / libtorch 2.5) returns outputs that disagree with the LSTM equations
/// there, for one and both directions, while the packed path agrees with and without gradients
/// (MergeModeTests.UnpackedLayerFollowsTheLstmEquationsWithAndWithoutGradients reproduces both), so evaluation packs.
/// </remarks>
internal sealed class RecurrentLayer : nn.Module
{
    private readonly LSTM lstm;
    private readonly MergeMode mergeMode;
    private readonly int units;

    public RecurrentLayer(int inputWidth, int units, MergeMode mergeMode) : base(nameof(RecurrentLayer))
    {
        this.units = units;
        this.mergeMode = mergeMode;
        lstm = nn.LSTM(inputWidth, units, batchFirst: true, bidirectional: IsBidirectional);
        RegisterComponents();
    }

    public bool IsBidirectional => mergeMode != MergeMode.None;

    public int OutputWidth => DirectionMerge.OutputWidth(mergeMode, units);

    /// <summary>Units per direction.</summary>
    public int Units => units;

    /// <summary>The wrapped LSTM (its parameters are weight_ih_l0 … and, when bidirectional, …_reverse).</summary>
    internal LSTM Lstm => lstm;

    /// <param name="input">(batch, steps, features), zero or arbitrary beyond each length.</param>
    /// <param name="lengths">int64 on the CPU, one valid length (≥ 1) per batch row; null: every row is valid to the
    /// last step, and the layer runs unpacked (the same numbers without packing's sort, gathers and scatter).</param>
    /// <param name="initial">State to continue from; null starts from zeros.</param>
    /// <returns>(batch, steps, OutputWidth) and the state after each row's last valid step.</returns>
    public (Tensor Output, LayerState Final) Forward(Tensor input, Tensor? lengths, LayerState? initial)
    {
        var state = initial is null ? null : ((Tensor, Tensor)?)(initial.Hidden, initial.Cell);
        var (batch, steps) = (input.shape[0], input.shape[1]);
        Tensor padded, hidden, cell;
        if (lengths is null)
        {
            // Every row full-length: packed without the sort (equal lengths are already in order), and the output read
            // straight from the packed data, time-major, as a batch-first view (no padding to fill, nothing to unsort).
            // Still the packed LSTM, so the arithmetic is the variable-length path's and it stays right under no_grad.
            using var fullLengths = tensor(Enumerable.Repeat(steps, (int)batch).ToArray());
            using var packed = pack_padded_sequence(input, fullLengths, batch_first: true, enforce_sorted: true);
            var (packedOutput, packedHidden, packedCell) = lstm.call(packed, state);
            (hidden, cell) = (packedHidden, packedCell);
            using (packedOutput)
            {
                padded = packedOutput.data.view(steps, batch, -1).transpose(0, 1);
            }
        }
        else
        {
            using var packed = pack_padded_sequence(input, lengths, batch_first: true, enforce_sorted: false);
            var (packedOutput, packedHidden, packedCell) = lstm.call(packed, state);
            (hidden, cell) = (packedHidden, packedCell);
            using (packedOutput)
            {
                (padded, _) = pad_packed_sequence(packedOutput, batch_first: true, total_length: steps);
            }
        }
        var final = new LayerState(hidden, cell);
        if (!IsBidirectional) return (padded, final);

        // nn.LSTM lays the directions side by side: [forward units | backward units].
        var forward = padded.narrow(-1, 0, units);
        var backward = padded.narrow(-1, units, units);
        return (DirectionMerge.Apply(mergeMode, forward, backward), final);
    }
}
