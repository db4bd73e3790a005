using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using LstmSweep.Training.Checkpoints;
using LstmSweep.Training.Packing;
using LstmSweep.Training.Tasks;
using static TorchSharp.torch;

namespace LstmSweep.Training.Tests.Packing;

/// <summary>Per-member failure, stop, checkpoints and determinism of packed training.</summary>
public class PackedTrainerTests
{
    private static readonly TaskOptions EchoOptions = new() { Samples = 48, Timesteps = 5 };

    private static TrainingRequest Request(int units, double rate, long seed, int epochs = 4, string? checkpoints = null) =>
        new(new TaskSpec(TaskKind.EchoSecond, EchoOptions),
            new TrialConfig(units, MergeMode.Concat, false, epochs, rate, BatchSize: 16, Layers: 1), seed,
            Checkpoints: checkpoints is null ? null : new CheckpointSettings(checkpoints, 1));

    /// <summary>A NaN in one member's data fails that member at its first batch; the others train on and their
    /// curves still equal their unpacked ones.</summary>
    [Fact]
    public void ANonFiniteLossFailsThatMemberOnly()
    {
        var healthy = PackedEqualityTests.Member(TaskKind.EchoSecond, EchoOptions,
            new TrialConfig(4, MergeMode.Sum, false, 6, 0.01, BatchSize: 16, Layers: 1), seed: 51);
        var other = PackedEqualityTests.Member(TaskKind.EchoSecond, EchoOptions, healthy.Config with { Units = 6 }, seed: 52);
        var source = (EchoSecondTask)TrainingTasks.Create(new TaskSpec(TaskKind.EchoSecond, EchoOptions), healthy.Config, 53, null);
        var poisoned = source.TrainingSet(1) with { Inputs = source.TrainingSet(1).Inputs.ToArray() };
        poisoned.Inputs[3] = float.NaN;
        var broken = new PackMember(new FixedTask(source.Shape, poisoned, source.EvaluationSet), healthy.Config, 53);

        using var pack = new PackedTrialRun([healthy, broken, other], CPU);
        var first = pack.TrainEpoch(pack.Members.ToDictionary(id => id, _ => 1));
        Assert.True(first[1].NonFiniteLoss is { } loss && float.IsNaN(loss));
        Assert.Equal([0, 2], pack.Members);

        var expected = new[] { PackedEqualityTests.UnpackedCurve(healthy, 6), PackedEqualityTests.UnpackedCurve(other, 6) };
        var evaluation = pack.Evaluate();
        for (var epoch = 1; epoch <= 6; epoch++)
        {
            var training = epoch == 1 ? first : pack.TrainEpoch(pack.Members.ToDictionary(id => id, _ => epoch));
            if (epoch > 1) evaluation = pack.Evaluate();
            foreach (var (id, slot) in new[] { (0, 0), (2, 1) })
            {
                PackedEqualityTests.AssertClose(expected[slot][epoch - 1].Train, training[id].MeanLoss, $"member {id} epoch {epoch} training loss");
                PackedEqualityTests.AssertClose(expected[slot][epoch - 1].Loss, evaluation[id].Loss, $"member {id} epoch {epoch} evaluation loss");
            }
        }
    }

    /// <summary>ASHA stops one member (its token) after epoch 2: it ends Cancelled with two epochs, the others
    /// complete with what they reach alone.</summary>
    [Fact]
    public void CancellingOneMemberLeavesTheOthersTraining()
    {
        TrainingRequest[] requests = [Request(4, 0.01, 61), Request(6, 0.02, 62), Request(3, 0.005, 63)];
        using var stop = new CancellationTokenSource();
        var heard = new List<(int Member, int Epoch)>();
        var outcomes = PackedTrainer.Train(requests, null, (member, metrics) =>
        {
            heard.Add((member, metrics.Epoch));
            if (member == 1 && metrics.Epoch == 2) stop.Cancel();
        }, [CancellationToken.None, stop.Token, CancellationToken.None]);

        Assert.Equal(TrialStatus.Cancelled, outcomes[1].Status);
        Assert.Equal(2, outcomes[1].EpochsRun);
        Assert.Equal([1, 2], heard.Where(h => h.Member == 1).Select(h => h.Epoch));
        foreach (var i in new[] { 0, 2 })
        {
            var alone = TrialTrainer.Train(requests[i], null, default);
            Assert.Equal(TrialStatus.Complete, outcomes[i].Status);
            Assert.Equal(4, outcomes[i].EpochsRun);
            PackedEqualityTests.AssertClose(alone.Loss, outcomes[i].Loss, $"member {i} final loss");
            PackedEqualityTests.AssertClose(alone.Accuracy, outcomes[i].Accuracy, $"member {i} final accuracy");
        }
    }

    /// <summary>A member's checkpoint, written by the pack, is what the unpacked trainer writes (same identity and
    /// layout, weights within tolerance); the unpacked trainer resumes it, and the pack resumes the unpacked
    /// trainer's, each ending where a straight unpacked run ends.</summary>
    [Fact]
    public void CheckpointsMoveBetweenPackedAndUnpacked()
    {
        using var packedDir = new TempDirectory();
        using var unpackedDir = new TempDirectory();
        using var straightDir = new TempDirectory();
        var straight = TrialTrainer.Train(Request(5, 0.01, 71, epochs: 4), null, default);
        TrialTrainer.Train(Request(5, 0.01, 71, epochs: 2, straightDir.Path), null, default);

        // Packed to epoch 2 (the narrow member is padded), then the unpacked trainer resumes it to 4.
        var packed = PackedTrainer.Train(
            [Request(5, 0.01, 71, epochs: 2, packedDir.Path), Request(8, 0.02, 72, epochs: 2)], null, null);
        Assert.All(packed, outcome => Assert.Equal(TrialStatus.Complete, outcome.Status));
        var identity = CheckpointStore.IdentityOf(Request(5, 0.01, 71), null);
        var fromPack = Read(packedDir, 2, identity);
        var fromStraight = Read(straightDir, 2, identity);
        Assert.Equal(fromStraight.Parameters.Select(p => (p.Name, p.Shape)), fromPack.Parameters.Select(p => (p.Name, p.Shape)));
        for (var i = 0; i < fromPack.Parameters.Count; i++)
        {
            Assert.Equal(fromStraight.Optimizer[i].Step, fromPack.Optimizer[i].Step);
            AssertValuesClose(fromStraight.Parameters[i].Values, fromPack.Parameters[i].Values, fromPack.Parameters[i].Name);
            for (var s = 0; s < fromPack.Optimizer[i].Slots.Length; s++)
                AssertValuesClose(fromStraight.Optimizer[i].Slots[s], fromPack.Optimizer[i].Slots[s], $"{fromPack.Parameters[i].Name} slot {s}");
        }
        var resumedUnpacked = TrialTrainer.Train(Request(5, 0.01, 71, epochs: 4, packedDir.Path), null, default);
        Assert.Equal(2, resumedUnpacked.ResumedFromEpoch);
        PackedEqualityTests.AssertClose(straight.Loss, resumedUnpacked.Loss, "unpacked resumed from a packed checkpoint");

        // Unpacked to epoch 2, then a pack resumes it to 4 next to a fresh member.
        TrialTrainer.Train(Request(5, 0.01, 71, epochs: 2, unpackedDir.Path), null, default);
        var resumedPacked = PackedTrainer.Train(
            [Request(8, 0.02, 72, epochs: 4), Request(5, 0.01, 71, epochs: 4, unpackedDir.Path)], null, null);
        Assert.Equal(2, resumedPacked[1].ResumedFromEpoch);
        Assert.Equal(0, resumedPacked[0].ResumedFromEpoch);
        Assert.Equal(4, resumedPacked[1].EpochsRun);
        PackedEqualityTests.AssertClose(straight.Loss, resumedPacked[1].Loss, "packed resumed from an unpacked checkpoint");
        PackedEqualityTests.AssertClose(straight.Accuracy, resumedPacked[1].Accuracy, "packed resumed from an unpacked checkpoint");
    }

    /// <summary>Packs training at the same time on several threads (slots) give exactly the numbers each gives alone.</summary>
    [Fact]
    public void PacksOnSeveralSlotsGiveExactlyTheirNumbersAlone()
    {
        TrainingRequest[][] packs =
        [
            [Request(4, 0.01, 81, epochs: 3), Request(6, 0.02, 82, epochs: 3)],
            [Request(3, 0.01, 83, epochs: 3), Request(5, 0.005, 84, epochs: 3), Request(2, 0.03, 85, epochs: 3)],
        ];
        var alone = packs.Select(pack => PackedTrainer.Train(pack, null, null)).ToArray();
        var concurrent = new TrainingOutcome[packs.Length][];
        var threads = packs.Select((pack, i) => new Thread(() => concurrent[i] = PackedTrainer.Train(pack, null, null))).ToList();
        threads.ForEach(thread => thread.Start());
        threads.ForEach(thread => thread.Join());
        for (var i = 0; i < packs.Length; i++) Assert.Equal(alone[i], concurrent[i]);
    }

    [Fact]
    public void RequestsOfDifferentShapeKeysAreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => PackedTrainer.Train(
            [Request(4, 0.01, 1), Request(4, 0.01, 2) with { Config = Request(4, 0.01, 2).Config with { Layers = 2 } }], null, null));
        Assert.Contains("shape key", error.Message);
    }

    [Fact]
    public void AMemberWithBadOptionsFailsAloneWithTheReason()
    {
        var outcomes = PackedTrainer.Train([Request(4, 0.01, 1, epochs: 2), Request(0, 0.01, 2, epochs: 2)], null, null);
        Assert.Equal(TrialStatus.Complete, outcomes[0].Status);
        Assert.Equal(TrialStatus.Failed, outcomes[1].Status);
        Assert.StartsWith("units must be at least 1", outcomes[1].Error);
    }

    private static CheckpointContents Read(TempDirectory dir, int epoch, string identity)
    {
        var (contents, rejection) = CheckpointStore.TryRead(Path.Combine(dir.Path, CheckpointStore.FileName(epoch)), identity, null);
        Assert.True(contents is not null, rejection);
        return contents;
    }

    private static void AssertValuesClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * Math.Max(Math.Abs(expected[i]), 1e-2),
                $"{what}[{i}]: unpacked {expected[i]:R}, packed {actual[i]:R}");
    }

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("lstmsweep-packed-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
