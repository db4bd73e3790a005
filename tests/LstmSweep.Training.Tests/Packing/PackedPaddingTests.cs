using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using LstmSweep.Training.Loop;
using LstmSweep.Training.Packing;
using static TorchSharp.torch;

namespace LstmSweep.Training.Tests.Packing;

/// <summary>
/// A member narrower than the pack is padded with zero weights and a zero state: its padded units stay exactly
/// zero, receive exactly zero gradient, and the optimizer leaves them at zero, however long it trains.
/// </summary>
public class PackedPaddingTests
{
    [Theory]
    [InlineData(MergeMode.Concat)]
    [InlineData(MergeMode.Mul)]
    public void PaddedUnitsStayZeroAndGetZeroGradient(MergeMode mode)
    {
        var options = new TaskOptions { Samples = 40, Timesteps = 5 };
        var narrow = PackedEqualityTests.Member(TaskKind.EchoSecond, options,
            new TrialConfig(2, mode, false, 5, 0.05, BatchSize: 8, Layers: 2, DenseUnits: 3), seed: 41);
        var wide = PackedEqualityTests.Member(TaskKind.EchoSecond, options, narrow.Config with { Units = 7, LearningRate = 0.01 }, seed: 42);
        using var pack = new PackedTrialRun([narrow, wide], CPU);

        for (var epoch = 1; epoch <= 5; epoch++)
        {
            pack.TrainEpoch(pack.Members.ToDictionary(id => id, _ => epoch));
            // After the epoch's last step: the gradients of that step, the weights and the optimizer slots.
            AssertPaddingIsZero(pack, member: 0, memberUnits: 2);
        }

        // The narrow member's hidden and cell states on padded units are zero after a forward pass.
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var set = narrow.Task.EvaluationSet;
        var rows = Enumerable.Range(0, 8).ToArray();
        var batch = PackedBatch.Create([set, wide.Task.EvaluationSet], [rows, rows], narrow.Task.Shape, CPU);
        var (_, finals) = pack.Network.Forward(batch.Inputs, batch.Lengths, null);
        var members = pack.Network.Members;
        foreach (var layer in finals)
        {
            foreach (var direction in new[] { 0, 1 })
            {
                var row = direction * members;
                Assert.Equal(0, layer.Hidden[row].narrow(-1, 2, 5).abs().max().item<float>());
                Assert.Equal(0, layer.Cell[row].narrow(-1, 2, 5).abs().max().item<float>());
                Assert.True(layer.Hidden[row].narrow(-1, 0, 2).abs().max().item<float>() > 0, "the real units are not all zero");
            }
        }
    }

    /// <summary>Every entry of member <paramref name="member"/>'s slices outside its real units is exactly zero: the
    /// weights, their gradients and the optimizer's slots.</summary>
    private static void AssertPaddingIsZero(PackedTrialRun pack, int member, int memberUnits)
    {
        using var scope = NewDisposeScope();
        var network = pack.Network;
        var checkedEntries = 0L;
        for (var i = 0; i < network.Parameters.Count; i++)
        {
            var parameter = network.Parameters[i];
            for (var direction = 0; direction < parameter.UnpackedNames.Count; direction++)
            {
                var slice = network.Slice(parameter, member, direction);
                var real = zeros_like(slice);
                var unpackedShape = MemberTransfer.Read(slice, parameter.Role, parameter.Layer, memberUnits, network.Shape).shape;
                MemberTransfer.Write(real, ones(unpackedShape), parameter.Role, parameter.Layer, memberUnits, network.Shape);
                var padding = real.eq(zeros_like(real));
                checkedEntries += padding.sum().item<long>();
                var tensors = new List<(string What, Tensor Value)> { ("weight", slice.detach()) };
                if (parameter.Value.grad is { } grad)
                    tensors.Add(("gradient", grad.select(0, PackedNetwork.IsRecurrent(parameter.Role) ? direction * network.Members + member : member)));
                foreach (var slot in pack.Optimizer.SlotsOf(i))
                    tensors.Add(("optimizer slot", slot.select(0, PackedNetwork.IsRecurrent(parameter.Role) ? direction * network.Members + member : member)));
                foreach (var (what, value) in tensors)
                {
                    var leaked = value.masked_select(padding);
                    if (leaked.numel() == 0) continue;
                    Assert.True(leaked.abs().max().item<float>() == 0, $"{parameter.UnpackedNames[direction]} {what}: a padded entry is not zero");
                }
            }
        }
        Assert.True(checkedEntries > 0, "the narrow member has padding");
    }
}
