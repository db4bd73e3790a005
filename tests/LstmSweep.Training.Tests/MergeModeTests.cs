using LstmSweep.Core.Trials;
using LstmSweep.Training.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LstmSweep.Training.Tests;

public class MergeModeTests
{
    private const int Features = 3;
    private const int Units = 4;

    [Theory]
    [InlineData(MergeMode.Concat, new float[] { 1, 2, 3, 4 })]
    [InlineData(MergeMode.Sum, new float[] { 4, 6 })]
    [InlineData(MergeMode.Mul, new float[] { 3, 8 })]
    [InlineData(MergeMode.Ave, new float[] { 2, 3 })]
    public void MergeCombinesKnownDirectionOutputs(MergeMode mode, float[] expected)
    {
        using var scope = NewDisposeScope();
        var merged = DirectionMerge.Apply(mode, tensor(new float[] { 1, 2 }), tensor(new float[] { 3, 4 }));
        Assert.Equal(expected, merged.data<float>().ToArray());
    }

    [Theory]
    [InlineData(MergeMode.None, Units)]
    [InlineData(MergeMode.Concat, 2 * Units)]
    [InlineData(MergeMode.Sum, Units)]
    [InlineData(MergeMode.Mul, Units)]
    [InlineData(MergeMode.Ave, Units)]
    public void StackedNetworkOutputWidthsFollowTheMergeMode(MergeMode mode, int expectedWidth)
    {
        using var scope = NewDisposeScope();
        using var network = SeededModelFactory.Create(new NetworkShape(Features, Units, Layers: 2, mode, Outputs: 5, OutputHead.PerTimestep), seed: 1);
        Assert.All(network.Layers, layer => Assert.Equal(expectedWidth, layer.OutputWidth));

        var (output, _) = network.Layers[0].Forward(randn(2, 6, Features), tensor(new long[] { 6, 3 }), null);
        Assert.Equal(new long[] { 2, 6, expectedWidth }, output.shape);
        Assert.Equal(new long[] { 2, 6, 5 }, network.call(randn(2, 6, Features)).shape);
    }

    /// <summary>
    /// The layer against its two directions computed by hand (the LSTM equations on its own weights), sequence by
    /// sequence on the valid steps only: forward over x₁…x_L, backward over x_L…x₁ (re-reversed), then merged.
    /// Padding must not reach any valid output.
    /// </summary>
    [Theory]
    [InlineData(MergeMode.Concat)]
    [InlineData(MergeMode.Sum)]
    [InlineData(MergeMode.Mul)]
    [InlineData(MergeMode.Ave)]
    public void BidirectionalLayerMergesDirectionsComputedByHandWithinEachLength(MergeMode mode)
    {
        using var scope = NewDisposeScope();
        var layer = SeededModelFactory.Construct(seed: 5, () => new RecurrentLayer(Features, Units, mode));
        var lengths = new long[] { 5, 2, 4 };
        var input = randn(3, 5, Features, generator: new Generator(11));
        input[1, 2..] = full(3, Features, 100f); // loud padding: any leak shows

        using var noGrad = no_grad();
        var (output, _) = layer.Forward(input, tensor(lengths), null);

        for (var row = 0; row < lengths.Length; row++)
        {
            var length = (int)lengths[row];
            var valid = input[row, ..length];
            var forward = LstmByHand(layer.Lstm, suffix: "", valid);
            var backward = LstmByHand(layer.Lstm, suffix: "_reverse", valid.flip(0)).flip(0);
            var expected = mode switch
            {
                MergeMode.Concat => cat([forward, backward], -1),
                MergeMode.Sum => forward + backward,
                MergeMode.Mul => forward * backward,
                _ => (forward + backward) / 2,
            };
            Assert.True(expected.allclose(output[row, ..length], rtol: 1e-4, atol: 1e-6), $"row {row} differs from the hand-computed directions");
            Assert.Equal(0f, output[row, length..].abs().sum().item<float>());
        }
    }

    [Fact]
    public void UnidirectionalLayerFollowsTheLstmEquationsAndEndsAtTheLastValidStep()
    {
        using var scope = NewDisposeScope();
        var layer = SeededModelFactory.Construct(seed: 5, () => new RecurrentLayer(Features, Units, MergeMode.None));
        var input = randn(2, 4, Features, generator: new Generator(3));
        using var noGrad = no_grad();
        var (output, final) = layer.Forward(input, tensor(new long[] { 4, 2 }), null);

        var expected = LstmByHand(layer.Lstm, suffix: "", input[1, ..2]);
        Assert.True(expected.allclose(output[1, ..2], rtol: 1e-4, atol: 1e-6));
        Assert.True(expected[1].allclose(final.Hidden[0, 1], rtol: 1e-4, atol: 1e-6), "final state is the state after the last valid step");
    }

    /// <summary>
    /// Evaluation runs under no_grad. On this host libtorch's unpacked CPU LSTM gives wrong numbers under no_grad
    /// (its inference fast path), so the network must give the same logits with and without gradients.
    /// </summary>
    [Fact]
    public void NetworkGivesTheSameLogitsWithAndWithoutGradients()
    {
        using var scope = NewDisposeScope();
        using var network = SeededModelFactory.Create(new NetworkShape(Features, Units, Layers: 2, MergeMode.Concat, Outputs: 2, OutputHead.PerTimestep), seed: 2);
        var input = randn(3, 5, Features, generator: new Generator(4));
        var withGradients = network.call(input).detach();
        using var noGrad = no_grad();
        Assert.True(withGradients.allclose(network.call(input), rtol: 1e-5, atol: 1e-7));
    }

    /// <summary>
    /// The full-length path (lengths null: packed without sorting, the output read straight from the packed data)
    /// against the LSTM equations and against the variable-length path given full lengths, with gradients and
    /// without, both directions, one and several rows, from zeros and continuing a state (a stateful batch).
    /// </summary>
    [Theory]
    [InlineData(MergeMode.None, 1, false)]
    [InlineData(MergeMode.None, 3, true)]
    [InlineData(MergeMode.Concat, 1, false)]
    [InlineData(MergeMode.Concat, 1, true)]
    [InlineData(MergeMode.Concat, 4, false)]
    [InlineData(MergeMode.Concat, 4, true)]
    public void FullLengthPathFollowsTheLstmEquationsAndTheVariableLengthPath(MergeMode mode, int rows, bool noGradients)
    {
        using var scope = NewDisposeScope();
        var layer = SeededModelFactory.Construct(seed: 7, () => new RecurrentLayer(Features, Units, mode));
        var input = randn(rows, 6, Features, generator: new Generator(13));
        var fullLengths = tensor(Enumerable.Repeat(6L, rows).ToArray());
        using var gradients = noGradients ? no_grad() : enable_grad();
        var (output, final) = layer.Forward(input, lengths: null, null);
        var (packedOutput, packedFinal) = layer.Forward(input, fullLengths, null);

        Assert.Null(Disagreement(layer, mode, input, output, final.Hidden));
        Assert.True(Same(packedOutput, output), "the two paths' outputs differ");
        Assert.True(Same(packedFinal.Hidden, final.Hidden) && Same(packedFinal.Cell, final.Cell), "the two paths' final states differ");

        var (continued, _) = layer.Forward(input, lengths: null, final);
        var (packedContinued, _) = layer.Forward(input, fullLengths, packedFinal);
        Assert.True(Same(packedContinued, continued), "continued outputs differ between the paths");
    }

    /// <summary>
    /// The reproduction of why no path of the layer calls libtorch's LSTM on an unpacked tensor: on the CPU under
    /// no_grad (TorchSharp 0.107, libtorch 2.5: its inference fast path) its outputs disagree with the LSTM equations,
    /// one direction or two, while with gradients they agree. If an upgrade fixes it, the no_grad case fails here,
    /// and the full-length path could call the LSTM unpacked.
    /// </summary>
    [Theory]
    [InlineData(MergeMode.None, false)]
    [InlineData(MergeMode.Concat, false)]
    [InlineData(MergeMode.None, true)]
    [InlineData(MergeMode.Concat, true)]
    public void UnpackedLibtorchLstmIsWrongOnlyUnderNoGrad(MergeMode mode, bool noGradients)
    {
        using var scope = NewDisposeScope();
        var layer = SeededModelFactory.Construct(seed: 7, () => new RecurrentLayer(Features, Units, mode));
        var input = randn(3, 6, Features, generator: new Generator(13));
        using var gradients = noGradients ? no_grad() : enable_grad();
        var (output, hidden, _) = layer.Lstm.call(input, null);
        var disagreement = Disagreement(layer, mode, input, output, hidden);
        if (noGradients) Assert.NotNull(disagreement);
        else Assert.Null(disagreement);
    }

    /// <summary>Same shape and the same numbers bit for bit.</summary>
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    /// <summary>The first way a full-length output (directions side by side) departs from the equations, or null if none.</summary>
    private static string? Disagreement(RecurrentLayer layer, MergeMode mode, Tensor input, Tensor output, Tensor finalHidden)
    {
        for (var row = 0; row < input.shape[0]; row++)
        {
            var forward = LstmByHand(layer.Lstm, suffix: "", input[row]);
            if (!forward.allclose(output[row, .., ..Units], rtol: 1e-4, atol: 1e-6)) return $"row {row}: forward direction";
            if (!forward[-1].allclose(finalHidden[0, row], rtol: 1e-4, atol: 1e-6)) return $"row {row}: forward final state";
            if (mode == MergeMode.None) continue;
            var backward = LstmByHand(layer.Lstm, suffix: "_reverse", input[row].flip(0)).flip(0);
            if (!backward.allclose(output[row, .., Units..], rtol: 1e-4, atol: 1e-6)) return $"row {row}: backward direction";
            if (!backward[0].allclose(finalHidden[1, row], rtol: 1e-4, atol: 1e-6)) return $"row {row}: backward final state";
        }
        return null;
    }

    /// <summary>The LSTM equations (PyTorch gate order i, f, g, o) over one sequence (steps, features) from zeros.</summary>
    private static Tensor LstmByHand(LSTM lstm, string suffix, Tensor sequence)
    {
        var parameters = lstm.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        var (inputWeights, hiddenWeights) = (parameters["weight_ih_l0" + suffix], parameters["weight_hh_l0" + suffix]);
        var bias = parameters["bias_ih_l0" + suffix] + parameters["bias_hh_l0" + suffix];
        var (hidden, cell) = (zeros(Units), zeros(Units));
        var outputs = new List<Tensor>();
        for (var step = 0; step < sequence.shape[0]; step++)
        {
            var gates = inputWeights.matmul(sequence[step]) + hiddenWeights.matmul(hidden) + bias;
            var (inputGate, forgetGate, candidate, outputGate) =
                (gates[..Units].sigmoid(), gates[Units..(2 * Units)].sigmoid(), gates[(2 * Units)..(3 * Units)].tanh(), gates[(3 * Units)..].sigmoid());
            cell = forgetGate * cell + inputGate * candidate;
            hidden = outputGate * cell.tanh();
            outputs.Add(hidden);
        }
        return stack(outputs);
    }
}
