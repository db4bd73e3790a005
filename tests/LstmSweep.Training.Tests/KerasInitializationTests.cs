using LstmSweep.Core.Trials;
using LstmSweep.Training.Model;
using static TorchSharp.torch;

namespace LstmSweep.Training.Tests;

public class KerasInitializationTests
{
    private static LstmNetwork Network(WeightInit init, long seed = 4, MergeMode mode = MergeMode.Concat, int dense = 6) =>
        SeededModelFactory.Create(new NetworkShape(5, 25, Layers: 2, mode, Outputs: 5, OutputHead.LastStep, dense, init), seed);

    private static Dictionary<string, Tensor> Parameters(LstmNetwork network) =>
        network.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);

    [Fact]
    public void KerasInitialisersGiveGlorotKernelsOrthogonalRecurrentKernelsAndUnitForgetBias()
    {
        using var scope = NewDisposeScope();
        using var network = Network(WeightInit.Keras);
        var p = Parameters(network);
        foreach (var suffix in new[] { "", "_reverse" })
        {
            foreach (var (layer, inputs) in new[] { (0, 5), (1, 50) })
            {
                var prefix = $"layers.{layer}.lstm.";
                var kernel = p[prefix + "weight_ih_l0" + suffix];
                var limit = Math.Sqrt(6.0 / (inputs + 4 * 25));
                Assert.True(kernel.abs().max().item<float>() <= limit + 1e-6, "glorot-uniform bound");
                Assert.True(kernel.abs().max().item<float>() > 0.8 * limit, "spread over the glorot range");

                var recurrent = p[prefix + "weight_hh_l0" + suffix]; // (4u, u): orthonormal columns
                Assert.True(recurrent.t().matmul(recurrent).allclose(eye(25), atol: 1e-5), "orthogonal recurrent kernel");

                var bias = p[prefix + "bias_ih_l0" + suffix].data<float>().ToArray();
                Assert.Equal(Enumerable.Range(0, 100).Select(i => i is >= 25 and < 50 ? 1f : 0f), bias);
                var second = network.named_parameters().Single(x => x.name == prefix + "bias_hh_l0" + suffix).parameter;
                Assert.Equal(0f, second.abs().sum().item<float>());
                Assert.False(second.requires_grad, "the second bias vector stays zero: one bias, as in Keras");
            }
        }
        foreach (var (name, fanIn, fanOut) in new[] { ("hidden", 50, 6), ("head", 6, 5) })
        {
            Assert.True(p[name + ".weight"].abs().max().item<float>() <= Math.Sqrt(6.0 / (fanIn + fanOut)) + 1e-6);
            Assert.Equal(0f, p[name + ".bias"].abs().sum().item<float>());
        }
    }

    [Fact]
    public void TrainableParametersCountAsInKeras()
    {
        // echo-second's LSTM(25) on 5 one-hot features: Keras 4·25·(5 + 25 + 1) = 3,100; PyTorch's two biases 3,200.
        static long Trainable(WeightInit init)
        {
            using var network = SeededModelFactory.Create(new NetworkShape(5, 25, 1, MergeMode.None, 5, OutputHead.LastStep, 0, init), 1);
            return network.Layers[0].Lstm.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        }
        Assert.Equal(3100, Trainable(WeightInit.Keras));
        Assert.Equal(3200, Trainable(WeightInit.Torch));
    }

    [Fact]
    public void InitialWeightsDependOnlyOnTheSeed()
    {
        using var scope = NewDisposeScope();
        using var a = Network(WeightInit.Keras, seed: 4);
        using var b = Network(WeightInit.Keras, seed: 4);
        using var c = Network(WeightInit.Keras, seed: 5);
        foreach (var ((name, x), (_, y), (_, z)) in a.named_parameters().Zip(b.named_parameters(), c.named_parameters()))
        {
            Assert.True(x.data<float>().ToArray().SequenceEqual(y.data<float>().ToArray()), $"{name} differs for one seed");
            if (name.Contains("weight")) Assert.False(x.allclose(z), $"{name} is the same for two seeds");
        }
    }

    [Fact]
    public void HiddenDenseLayerIsReluBetweenTheStackAndTheHead()
    {
        using var scope = NewDisposeScope();
        using var network = Network(WeightInit.Keras, dense: 3);
        var p = Parameters(network);
        using var noGrad = no_grad();
        var input = randn(2, 4, 5, generator: new TorchSharp.torch.Generator(8));
        var (logits, finals) = network.Forward(input, tensor(new long[] { 4, 2 }), tensor(new long[] { 3, 5 }), null);
        var last = cat([finals[1].Hidden[0], finals[1].Hidden[1]], -1);
        var expected = nn.functional.relu(last.matmul(p["hidden.weight"].t()) + p["hidden.bias"]).matmul(p["head.weight"].t()) + p["head.bias"];
        Assert.True(expected.allclose(logits, atol: 1e-6));
    }
}
