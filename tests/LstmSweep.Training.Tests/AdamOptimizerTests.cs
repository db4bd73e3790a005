using LstmSweep.Core.Trials;
using LstmSweep.Training.Model;
using LstmSweep.Training.Loop;
using TorchSharp;
using static TorchSharp.torch;

namespace LstmSweep.Training.Tests;

public class AdamOptimizerTests
{
    private static LstmNetwork Network() =>
        SeededModelFactory.Create(new NetworkShape(3, 4, Layers: 1, MergeMode.Concat, Outputs: 2, OutputHead.LastStep), seed: 9);

    /// <summary>Same operations as TorchSharp's Adam (beta2 0.999, eps 1e-8): the same parameters bit for bit.</summary>
    [Fact]
    public void MatchesTorchSharpsAdamBitForBit()
    {
        using var ours = Network();
        using var reference = Network();
        using var adam = new AdamOptimizer(ours.parameters(), learningRate: 0.01);
        using var torchAdam = optim.Adam(reference.parameters(), lr: 0.01);
        var input = randn(5, 6, 3, generator: new Generator(1)).DetachFromDisposeScope();
        var targets = tensor(new long[] { 0, 1, 1, 0, 1 });
        for (var step = 0; step < 20; step++)
        {
            using var scope = NewDisposeScope();
            adam.zero_grad();
            nn.functional.cross_entropy(ours.call(input), targets).backward();
            adam.step();
            torchAdam.zero_grad();
            nn.functional.cross_entropy(reference.call(input), targets).backward();
            torchAdam.step();
        }
        foreach (var ((name, mine), (_, theirs)) in ours.named_parameters().Zip(reference.named_parameters()))
            Assert.True(mine.data<float>().ToArray().SequenceEqual(theirs.data<float>().ToArray()), $"{name} differs");
        Assert.All(adam.States, state => Assert.Equal(20, state.Step));
    }

    [Fact]
    public void StateOutlivesTheScopeItWasMadeInAndFirstStepMovesEachWeightByTheLearningRate()
    {
        using var parameter = new TorchSharp.Modules.Parameter(tensor(new float[] { 1, -1 }));
        AdamOptimizer adam;
        using (NewDisposeScope()) adam = new AdamOptimizer([parameter], learningRate: 0.1);
        using (adam)
        {
            using (NewDisposeScope())
            {
                adam.zero_grad(); // no gradient yet: nothing to do
                parameter.mul(parameter).sum().backward();
                adam.step(); // first Adam step: m/sqrt(v) = sign(g), so each weight moves by lr against its gradient
            }
            Assert.Equal(new[] { 0.9f, -0.9f }, parameter.data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-6);
            Assert.Equal(1, adam.States[0].Step);
            using (NewDisposeScope()) adam.zero_grad();
            Assert.Equal(0f, parameter.grad!.abs().sum().item<float>());
        }
    }
}
