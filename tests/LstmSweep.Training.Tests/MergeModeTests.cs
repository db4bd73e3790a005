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
