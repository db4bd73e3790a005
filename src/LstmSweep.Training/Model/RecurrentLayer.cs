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
/// Packing is also what keeps evaluation right: on this host libtorch's unpacked CPU LSTM returns wrong outputs under
/// no_grad (its inference fast path), while the packed path agrees with the LSTM equations with and without gradients
/// (see MergeModeTests).
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
    /// <param name="lengths">int64 on the CPU, one valid length (≥ 1) per batch row.</param>
    /// <param name="initial">State to continue from; null starts from zeros.</param>
    /// <returns>(batch, steps, OutputWidth) and the state after each row's last valid step.</returns>
    public (Tensor Output, LayerState Final) Forward(Tensor input, Tensor lengths, LayerState? initial)
    {
        var steps = input.shape[1];
        using var packed = pack_padded_sequence(input, lengths, batch_first: true, enforce_sorted: false);
        var (packedOutput, hidden, cell) = lstm.call(packed, initial is null ? null : (initial.Hidden, initial.Cell));
        Tensor padded;
        using (packedOutput)
        {
            (padded, _) = pad_packed_sequence(packedOutput, batch_first: true, total_length: steps);
        }
        var final = new LayerState(hidden, cell);
        if (!IsBidirectional) return (padded, final);

        // nn.LSTM lays the directions side by side: [forward units | backward units].
        var forward = padded.narrow(-1, 0, units);
        var backward = padded.narrow(-1, units, units);
        return (DirectionMerge.Apply(mergeMode, forward, backward), final);
    }
}
