using LstmSweep.Core.Trials;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LstmSweep.Training.Model;

/// <param name="Outputs">Width of the dense head: 1 for a sigmoid (binary) output, the class count for softmax.</param>
/// <param name="DenseUnits">Width of a hidden Dense(relu) layer between the LSTM stack and the head; 0: none.</param>
/// <param name="Init">How the weights are initialised (see <see cref="KerasInitialization"/>).</param>
internal sealed record NetworkShape(int InputFeatures, int Units, int Layers, MergeMode MergeMode, int Outputs, OutputHead Head,
    int DenseUnits = 0, WeightInit Init = WeightInit.Torch);

/// <summary>
/// Stacked (optionally bidirectional) LSTM layers, an optional hidden Dense(relu) layer and a dense head: the Keras
/// tutorials' models. The head returns logits; the sigmoid or softmax lives in the loss.
/// </summary>
internal sealed class LstmNetwork : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<RecurrentLayer> layers;
    private readonly Linear? hidden;
    private readonly Linear head;

    public LstmNetwork(NetworkShape shape) : base(nameof(LstmNetwork))
    {
        if (shape.Units < 1) throw new ArgumentException($"units must be at least 1, got {shape.Units}");
        if (shape.Layers < 1) throw new ArgumentException($"layers must be at least 1, got {shape.Layers}");
        if (shape.DenseUnits < 0) throw new ArgumentException($"dense_units must be at least 0, got {shape.DenseUnits}");
        Shape = shape;
        var stack = new List<RecurrentLayer>();
        var width = shape.InputFeatures;
        for (var i = 0; i < shape.Layers; i++)
        {
            var layer = new RecurrentLayer(width, shape.Units, shape.MergeMode);
            stack.Add(layer);
            width = layer.OutputWidth;
        }
        layers = nn.ModuleList(stack.ToArray());
        if (shape.DenseUnits > 0)
        {
            hidden = nn.Linear(width, shape.DenseUnits);
            width = shape.DenseUnits;
        }
        head = nn.Linear(width, shape.Outputs);
        RegisterComponents();
        if (shape.Init == WeightInit.Keras) KerasInitialization.Apply(this);
    }

    public NetworkShape Shape { get; }

    internal IReadOnlyList<RecurrentLayer> Layers => layers.ToList();

    /// <summary>The dense layers after the LSTM stack: the hidden one (if any), then the head.</summary>
    internal IReadOnlyList<Linear> DenseLayers => hidden is null ? [head] : [hidden, head];

    /// <summary>
    /// Runs a padded batch and scores the steps <paramref name="scoredSteps"/> names (see <see cref="ScoredSteps"/>).
    /// </summary>
    /// <param name="inputs">(batch, steps, features).</param>
    /// <param name="lengths">int64 on the CPU: valid steps per row; null: every row is valid to its last step, and the
    /// layers run unpacked (never under no_grad: see <see cref="RecurrentLayer"/>).</param>
    /// <param name="scoredSteps">int64 flat positions row·steps + step, on the inputs' device (a per-timestep head; a
    /// last-step head scores each row's last output, see <see cref="LastOutput"/>); null: every step of every row, in
    /// order (no selection).</param>
    /// <param name="initial">Per-layer state to continue from (stateful), or null for zeros.</param>
    /// <returns>Logits (scored steps, outputs) and each layer's state after each row's last valid step.</returns>
    public (Tensor Logits, IReadOnlyList<LayerState> Final) Forward(
        Tensor inputs, Tensor? lengths, Tensor? scoredSteps, IReadOnlyList<LayerState>? initial)
    {
        var finals = new List<LayerState>(layers.Count);
        var sequence = inputs;
        for (var i = 0; i < layers.Count; i++)
        {
            var (output, final) = layers[i].Forward(sequence, lengths, initial?[i]);
            finals.Add(final);
            sequence = output;
        }
        var features = Shape.Head == OutputHead.LastStep
            ? LastOutput(finals[^1])
            // Score only the selected steps: the head never sees padding, and its result does not depend on how far
            // the batch is padded.
            : scoredSteps is null
                ? sequence.reshape(-1, sequence.shape[2])
                : sequence.reshape(-1, sequence.shape[2]).index_select(0, scoredSteps);
        if (hidden is not null) features = nn.functional.relu(hidden.call(features));
        return (head.call(features), finals);
    }

    /// <summary>
    /// Keras's <c>return_sequences=False</c> output of the last layer, one row per batch row: the forward direction's
    /// state after the last valid step, and (bidirectional) merged with the backward direction's state after the
    /// whole reversed pass, i.e. after it has read back to the first step. Keras's Bidirectional merges the two
    /// directions' last outputs this way; the per-step output at the last step would merge a backward direction that
    /// has read only the last element.
    /// </summary>
    private Tensor LastOutput(LayerState last) => Shape.MergeMode == MergeMode.None
        ? last.Hidden[0]
        : DirectionMerge.Apply(Shape.MergeMode, last.Hidden[0], last.Hidden[1]);

    /// <summary>Full-length sequences from a zero state: (batch, steps, outputs) per step, or (batch, outputs) last step.</summary>
    public override Tensor forward(Tensor inputs)
    {
        var (batch, steps) = ((int)inputs.shape[0], (int)inputs.shape[1]);
        var fullLengths = Enumerable.Repeat(steps, batch).ToArray();
        var lengths = tensor(fullLengths.Select(length => (long)length).ToArray());
        var scored = tensor(ScoredSteps.FlatIndices(Shape.Head, fullLengths, steps), device: inputs.device);
        var (logits, _) = Forward(inputs, lengths, scored, null);
        return Shape.Head == OutputHead.PerTimestep ? logits.reshape(batch, steps, -1) : logits;
    }
}
