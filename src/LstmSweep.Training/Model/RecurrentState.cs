using static TorchSharp.torch;

namespace LstmSweep.Training.Model;

/// <summary>Hidden and cell state of one stacked layer, shaped (directions, batch, units) like nn.LSTM's h_n/c_n.</summary>
internal sealed record LayerState(Tensor Hidden, Tensor Cell);

/// <summary>
/// The recurrent state a stateful model carries from one batch to the next (Keras stateful=True). It owns its tensors:
/// they are detached from the autograd graph and from every dispose scope, so the next training step's scope cannot
/// free them and backpropagation stops at the batch boundary (truncated BPTT, as in Keras).
/// </summary>
internal sealed class RecurrentState : IDisposable
{
    private RecurrentState(IReadOnlyList<LayerState> layers) => Layers = layers;

    public IReadOnlyList<LayerState> Layers { get; }

    public long BatchSize => Layers[0].Hidden.shape[1];

    /// <summary>Keeps the final state of a forward pass beyond the current dispose scope, cut off from its graph.</summary>
    public static RecurrentState Capture(IReadOnlyList<LayerState> finalStates) =>
        new(finalStates
            .Select(layer => new LayerState(
                layer.Hidden.detach().DetachFromDisposeScope(),
                layer.Cell.detach().DetachFromDisposeScope()))
            .ToList());

    /// <summary>
    /// The state of the first <paramref name="rows"/> batch rows, for a last batch smaller than batch_size: row i of a
    /// batch continues row i of the previous batch, so a shorter batch continues the first rows and drops the rest.
    /// Returned tensors belong to the caller's dispose scope.
    /// </summary>
    public IReadOnlyList<LayerState> ForBatch(long rows) => FirstRows(Layers, rows);

    /// <summary>The state of the first <paramref name="rows"/> batch rows of every layer (views, no copies).</summary>
    public static IReadOnlyList<LayerState> FirstRows(IReadOnlyList<LayerState> layers, long rows) =>
        layers[0].Hidden.shape[1] == rows
            ? layers
            : layers.Select(layer => new LayerState(layer.Hidden.narrow(1, 0, rows), layer.Cell.narrow(1, 0, rows))).ToList();

    public void Dispose()
    {
        foreach (var layer in Layers)
        {
            layer.Hidden.Dispose();
            layer.Cell.Dispose();
        }
    }
}
