using LstmSweep.Core.Trials;
using LstmSweep.Training.Loop;
using LstmSweep.Training.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace LstmSweep.Training.Tests;

public class OptimizerTests
{
    private static LstmNetwork Network() =>
        SeededModelFactory.Create(new NetworkShape(3, 4, Layers: 1, MergeMode.Concat, Outputs: 2, OutputHead.LastStep), seed: 9);

    /// <summary>
    /// Keras's RMSprop (rho 0.9, epsilon 1e-7, ε outside the root) is PyTorch's RMSprop with alpha = rho; Keras's SGD
    /// is plain SGD. Twenty steps against TorchSharp's own optimizers on the same network.
    /// </summary>
    [Theory]
    [InlineData(OptimizerKind.RmsProp)]
    [InlineData(OptimizerKind.Sgd)]
    public void MatchesTheReferenceOptimizer(OptimizerKind kind)
    {
        using var ours = Network();
        using var reference = Network();
        using var optimizer = TrialOptimizers.Create(kind, ours.parameters(), learningRate: 0.01);
        using var torchOptimizer = kind == OptimizerKind.Sgd
            ? (IDisposable)optim.SGD(reference.parameters(), 0.01)
            : optim.RMSProp(reference.parameters(), lr: 0.01, alpha: 0.9, eps: 1e-7);
        var input = randn(5, 6, 3, generator: new Generator(1)).DetachFromDisposeScope();
        var targets = tensor(new long[] { 0, 1, 1, 0, 1 });
        for (var step = 0; step < 20; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.cross_entropy(ours.call(input), targets).backward();
            optimizer.step();
            var torchStep = (optim.Optimizer)torchOptimizer;
            torchStep.zero_grad();
            nn.functional.cross_entropy(reference.call(input), targets).backward();
            torchStep.step();
        }
        foreach (var ((name, mine), (_, theirs)) in ours.named_parameters().Zip(reference.named_parameters()))
            Assert.True(mine.allclose(theirs, rtol: 1e-5, atol: 1e-7), $"{name} differs");
        Assert.All(optimizer.States, state => Assert.Equal(20, state.Step));
    }

    [Fact]
    public void OneRmsPropStepFollowsKerassFormula()
    {
        using var parameter = new TorchSharp.Modules.Parameter(tensor(new float[] { 1, -2 }));
        using var rmsprop = new RmsPropOptimizer([parameter], learningRate: 0.1);
        using (NewDisposeScope())
        {
            parameter.mul(parameter).sum().backward(); // g = 2p = (2, -4)
            rmsprop.step();
        }
        // v = 0.1·g²; p − lr·g/(√v + 1e-7)
        double Expected(double p, double g) => p - 0.1 * g / (Math.Sqrt(0.1 * g * g) + 1e-7);
        Assert.Equal([Expected(1, 2), Expected(-2, -4)], parameter.data<float>().ToArray().Select(v => (double)v), (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void SgdStepMovesByTheLearningRateTimesTheGradient()
    {
        using var parameter = new TorchSharp.Modules.Parameter(tensor(new float[] { 1, -2 }));
        using var sgd = new SgdOptimizer([parameter], learningRate: 0.01);
        using (NewDisposeScope())
        {
            parameter.mul(parameter).sum().backward();
            sgd.step();
        }
        Assert.Equal(new[] { 0.98f, -1.96f }, parameter.data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-6);
    }
}
