using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using LstmSweep.Training.Loop;
using LstmSweep.Training.Packing;
using LstmSweep.Training.Tasks;
using static TorchSharp.torch;

namespace LstmSweep.Training.Tests.Packing;

/// <summary>
/// A packed member's learning curve (training loss and evaluation loss after every epoch) equals the curve of the
/// same trial trained alone by <see cref="TrialRun"/>, within 1e-4 relative: only floating-point order differs (and
/// accuracy within one evaluation sequence, as a prediction at the boundary can flip with the rounding).
/// </summary>
public class PackedEqualityTests
{
    internal const double Tolerance = 1e-4;

    /// <summary>
    /// Every merge mode, with members of different units, learning rates and seeds (so different data and shuffles).
    /// Echo-second with 60 samples and small units: 100 epochs (400 Adam steps) in a few seconds per case. Rounding
    /// differences grow with training: a two-layer ave pack once reached 1.8e-4 at epoch 97, so two layers are
    /// checked with concat here and over 30 epochs below.
    /// </summary>
    [Theory]
    [InlineData(MergeMode.None, 1)]
    [InlineData(MergeMode.Concat, 2)]
    [InlineData(MergeMode.Sum, 1)]
    [InlineData(MergeMode.Mul, 1)]
    [InlineData(MergeMode.Ave, 1)]
    public void EveryMergeModeMatchesTheUnpackedCurve(MergeMode mode, int layers)
    {
        var options = new TaskOptions { Samples = 60, Timesteps = 5 };
        var members = new (int Units, double Rate, long Seed)[] { (4, 0.01, 11L), (6, 0.003, 12L), (3, 0.006, 13L) }
            .Select(m => Member(TaskKind.EchoSecond, options,
                new TrialConfig(m.Units, mode, false, 100, m.Rate, BatchSize: 16, Layers: layers), m.Seed))
            .ToArray();
        AssertCurvesMatch(members, epochs: 100);
    }

    /// <summary>Stateful (state carried across batches, a smaller last batch) and masked variable-length data
    /// (each member with its own lengths), per-timestep heads; 30 epochs keep it to about a second.</summary>
    [Theory]
    [InlineData(false, MergeMode.Concat)]
    [InlineData(true, MergeMode.Sum)]
    [InlineData(true, MergeMode.None)]
    public void MaskedAndStatefulTasksMatchTheUnpackedCurve(bool stateful, MergeMode mode)
    {
        var options = new TaskOptions { Samples = 44, MinLen = 2, MaxLen = 6 };
        var members = new (int Units, double Rate, long Seed)[] { (5, 0.01, 21L), (3, 0.02, 22L) }
            .Select(m => Member(TaskKind.VariableLength, options,
                new TrialConfig(m.Units, mode, stateful, 30, m.Rate, BatchSize: 8, Layers: 2), m.Seed))
            .ToArray();
        AssertCurvesMatch(members, epochs: 30);
    }

    /// <summary>RMSprop and SGD, a hidden dense layer and Keras initialisation (frozen bias_hh), a last-step head.</summary>
    [Theory]
    [InlineData(OptimizerKind.RmsProp)]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adam)]
    public void OtherOptimizersDenseLayerAndKerasInitMatch(OptimizerKind optimizer)
    {
        var options = new TaskOptions { Samples = 60, Timesteps = 5 };
        var members = new (int Units, double Rate, long Seed)[] { (4, 0.01, 31L), (7, 0.005, 32L) }
            .Select(m => Member(TaskKind.EchoSecond, options,
                new TrialConfig(m.Units, MergeMode.Concat, false, 40, m.Rate, BatchSize: 16, Layers: 1, optimizer,
                    DenseUnits: 5, Init: WeightInit.Keras), m.Seed))
            .ToArray();
        AssertCurvesMatch(members, epochs: 40);
    }

    internal static PackMember Member(TaskKind kind, TaskOptions options, TrialConfig config, long seed) =>
        new(TrainingTasks.Create(new TaskSpec(kind, options), config, seed, null), config, seed);

    internal static List<(double Train, double Loss, double Accuracy)> UnpackedCurve(PackMember member, int epochs)
    {
        using var run = new TrialRun(member.Task, member.Config, member.Seed, CPU);
        var curve = new List<(double, double, double)>();
        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            var training = run.TrainEpoch(epoch, default);
            var (loss, accuracy) = run.Evaluate();
            curve.Add((training.MeanLoss, loss, accuracy));
        }
        return curve;
    }

    internal static List<(double Train, double Loss, double Accuracy)>[] PackedCurves(IReadOnlyList<PackMember> members, int epochs)
    {
        using var pack = new PackedTrialRun(members, CPU);
        var curves = members.Select(_ => new List<(double, double, double)>()).ToArray();
        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            var training = pack.TrainEpoch(pack.Members.ToDictionary(id => id, _ => epoch));
            var evaluation = pack.Evaluate();
            foreach (var id in pack.Members) curves[id].Add((training[id].MeanLoss, evaluation[id].Loss, evaluation[id].Accuracy));
        }
        return curves;
    }

    internal static void AssertCurvesMatch(IReadOnlyList<PackMember> members, int epochs)
    {
        var packed = PackedCurves(members, epochs);
        for (var k = 0; k < members.Count; k++)
        {
            var alone = UnpackedCurve(members[k], epochs);
            Assert.Equal(epochs, packed[k].Count);
            for (var e = 0; e < epochs; e++)
            {
                AssertClose(alone[e].Train, packed[k][e].Train, $"member {k} epoch {e + 1} training loss");
                AssertClose(alone[e].Loss, packed[k][e].Loss, $"member {k} epoch {e + 1} evaluation loss");
                // Accuracy counts predictions: a prediction right at the boundary may flip with the rounding, so it
                // may differ by one evaluation sequence's share, never more.
                Assert.True(Math.Abs(alone[e].Accuracy - packed[k][e].Accuracy) <= 1.0 / members[k].Task.EvaluationSet.Count + 1e-12,
                    $"member {k} epoch {e + 1} accuracy: unpacked {alone[e].Accuracy}, packed {packed[k][e].Accuracy}");
            }
        }
    }

    internal static void AssertClose(double expected, double actual, string what)
    {
        var scale = Math.Max(Math.Abs(expected), 1e-3);
        Assert.True(Math.Abs(expected - actual) <= Tolerance * scale,
            $"{what}: unpacked {expected:R}, packed {actual:R} (relative {Math.Abs(expected - actual) / scale:E2})");
    }
}
