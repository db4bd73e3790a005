using LstmSweep.Core.Packing;
using LstmSweep.Core.Trials;
using LstmSweep.Training.Loop;
using LstmSweep.Training.Model;
using LstmSweep.Training.Tasks;
using LstmSweep.Training.Torch;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace LstmSweep.Training.Packing;

/// <summary>One trial of a pack: its own task (its data come from its seed), hyperparameters and seed.</summary>
internal sealed record PackMember(ITrainingTask Task, TrialConfig Config, long Seed);

/// <summary>
/// The trials of one shape key training as one <see cref="PackedNetwork"/>: every batch is one forward and one
/// backward for all members, each on its own data in its own shuffled order, each with its own loss, optimizer state,
/// learning rate and failure. A member that fails or stops leaves the pack (<see cref="Remove"/>) and the others go
/// on exactly as before. Members are named by the index they had when the pack was made.
/// </summary>
/// <remarks>
/// Each member computes what <see cref="TrialRun"/> computes for it alone, up to floating-point order: the same
/// initial weights (copied from the unpacked model its seed builds), the same batches, the same loss per batch (the
/// mean over its scored steps), the same optimizer update, the same evaluation.
/// </remarks>
internal sealed class PackedTrialRun : IDisposable
{
    private const int StatelessEvaluationRows = 1024;

    private readonly IReadOnlyList<PackMember> all;
    private readonly TaskShape taskShape;
    private readonly Device device;
    private PackedNetwork network;
    private PackedOptimizer optimizer;
    private List<int> members;

    /// <param name="sources">Per member, the unpacked run whose weights and optimizer state the member starts from
    /// (fresh from its seed, or restored from its checkpoint); null: a fresh one is built from the seed.</param>
    public PackedTrialRun(IReadOnlyList<PackMember> pack, Device device, IReadOnlyList<TrialRun?>? sources = null)
    {
        if (pack.Count < 1) throw new ArgumentException("a pack needs at least one member");
        all = pack;
        this.device = device;
        var first = pack[0];
        taskShape = first.Task.Shape.WithHead(first.Config.Head);
        foreach (var member in pack)
        {
            if (PackKey.Of(member.Config) != PackKey.Of(first.Config))
                throw new ArgumentException($"pack members must share a shape key: {PackKey.Of(member.Config)} is not {PackKey.Of(first.Config)}");
            if (member.Task.Shape.WithHead(member.Config.Head) != taskShape)
                throw new ArgumentException("pack members must train on tasks of the same shape");
        }
        var units = pack.Max(m => m.Config.Units);
        var shape = new NetworkShape(taskShape.InputFeatures, units, first.Config.Layers, first.Config.MergeMode,
            taskShape.NetworkOutputs, taskShape.Head, first.Config.DenseUnits, first.Config.Init);
        network = new PackedNetwork(shape, pack.Count, device);
        optimizer = new PackedOptimizer(network, first.Config.Optimizer, pack.Select(m => m.Config.LearningRate).ToList());
        members = Enumerable.Range(0, pack.Count).ToList();
        for (var k = 0; k < pack.Count; k++)
        {
            if (sources?[k] is { } source)
            {
                Load(k, source);
                continue;
            }
            using var fresh = new TrialRun(pack[k].Task, pack[k].Config, pack[k].Seed, CPU);
            Load(k, fresh);
        }
    }

    /// <summary>The members still in the pack, by their index at creation.</summary>
    public IReadOnlyList<int> Members => members;

    internal PackedNetwork Network => network;

    internal PackedOptimizer Optimizer => optimizer;

    /// <summary>Copies an unpacked run's weights and optimizer state into the slice of member <paramref name="id"/>.</summary>
    public void Load(int id, TrialRun source) => Transfer(id, source, intoPack: true);

    /// <summary>Copies member <paramref name="id"/>'s weights and optimizer state into an unpacked run of its trial.</summary>
    public void Store(int id, TrialRun target) => Transfer(id, target, intoPack: false);

    private void Transfer(int id, TrialRun run, bool intoPack)
    {
        var slot = SlotOf(id);
        var memberUnits = all[id].Config.Units;
        if (run.Optimizer.States.Count != run.Model.parameters().Count())
            throw new InvalidOperationException("the unpacked optimizer does not cover the model's parameters");
        var named = run.Model.named_parameters().Select((pair, index) => (pair.name, pair.parameter, index))
            .ToDictionary(entry => entry.name, entry => (entry.parameter, State: run.Optimizer.States[entry.index]));
        using var noGrad = no_grad();
        for (var i = 0; i < network.Parameters.Count; i++)
        {
            var packed = network.Parameters[i];
            for (var direction = 0; direction < packed.UnpackedNames.Count; direction++)
            {
                if (!named.TryGetValue(packed.UnpackedNames[direction], out var unpacked))
                    throw new InvalidOperationException($"the unpacked network has no parameter {packed.UnpackedNames[direction]}");
                var tensors = new List<(Tensor Packed, Tensor Unpacked)>
                {
                    (network.Slice(packed, slot, direction), unpacked.parameter),
                };
                var slotTensors = optimizer.SlotsOf(i);
                if (slotTensors.Count != unpacked.State.Slots.Count)
                    throw new InvalidOperationException($"{unpacked.State.Slots.Count} optimizer slots for {slotTensors.Count}");
                for (var s = 0; s < slotTensors.Count; s++)
                    tensors.Add((SliceOf(slotTensors[s], packed, slot, direction), unpacked.State.Slots[s]));
                foreach (var (packedSlice, unpackedTensor) in tensors)
                {
                    if (intoPack) MemberTransfer.Write(packedSlice, unpackedTensor, packed.Role, packed.Layer, memberUnits, network.Shape);
                    else
                    {
                        using var scope = NewDisposeScope();
                        unpackedTensor.copy_(MemberTransfer.Read(packedSlice, packed.Role, packed.Layer, memberUnits, network.Shape));
                    }
                }
                if (packed.Trainable)
                {
                    if (intoPack) optimizer.SetStep(slot, unpacked.State.Step);
                    else unpacked.State.Step = optimizer.StepOf(slot);
                }
            }
        }
    }

    private Tensor SliceOf(Tensor stacked, PackedParameter parameter, int slot, int direction) =>
        stacked.select(0, PackedNetwork.IsRecurrent(parameter.Role) ? direction * network.Members + slot : slot);

    private int SlotOf(int id)
    {
        var slot = members.IndexOf(id);
        return slot >= 0 ? slot : throw new ArgumentException($"member {id} is not in the pack");
    }

    /// <summary>Takes members out of the pack (stopped, failed or done); the others keep their state.</summary>
    public void Remove(IEnumerable<int> ids) => RemoveSlots(ids.Select(SlotOf).ToHashSet(), carried: null);

    private List<PackedLayerState>? RemoveSlots(HashSet<int> slots, List<PackedLayerState>? carried)
    {
        if (slots.Count == 0) return carried;
        var keep = Enumerable.Range(0, members.Count).Where(slot => !slots.Contains(slot)).ToList();
        List<PackedLayerState>? keptState = null;
        if (carried is not null && keep.Count > 0)
        {
            using var scope = NewDisposeScope();
            var rows = network.DirectionMemberRows(keep);
            keptState = carried.Select(layer => new PackedLayerState(
                layer.Hidden.index_select(0, rows).DetachFromDisposeScope(),
                layer.Cell.index_select(0, rows).DetachFromDisposeScope())).ToList();
        }
        DisposeState(carried);
        members = keep.Select(slot => members[slot]).ToList();
        if (keep.Count == 0) return null;
        var compactedNetwork = network.Compact(keep);
        var compactedOptimizer = optimizer.Compact(compactedNetwork, keep);
        optimizer.Dispose();
        network.Dispose();
        (network, optimizer) = (compactedNetwork, compactedOptimizer);
        return keptState;
    }

    /// <summary>
    /// One pass of every member over its training set: member id's epoch <paramref name="epochs"/>[id] (1-based;
    /// members may be at different epochs, e.g. resumed from different checkpoints). A member whose batch loss is not
    /// finite, or whose token is cancelled, leaves the pack at that batch; the others finish the epoch.
    /// </summary>
    public IReadOnlyDictionary<int, EpochTraining> TrainEpoch(
        IReadOnlyDictionary<int, int> epochs, Func<int, bool>? cancelled = null)
    {
        var results = new Dictionary<int, EpochTraining>();
        var sets = members.ToDictionary(id => id, id => all[id].Task.TrainingSet(epochs[id]));
        var count = sets[members[0]].Count;
        if (sets.Values.Any(set => set.Count != count)) throw new InvalidOperationException("pack members' training sets differ in size");
        var batchSize = all[members[0]].Config.BatchSize;
        var stateful = all[members[0]].Config.Stateful;
        var orders = members.ToDictionary(id => id, id =>
        {
            var order = Enumerable.Range(0, count).ToArray();
            if (!stateful) TrialRandom.ForEpoch(all[id].Seed, TrialRandom.ShuffleStream, epochs[id]).Shuffle(order);
            return order.Chunk(batchSize).ToArray();
        });
        var lossSums = members.ToDictionary(id => id, _ => 0.0);
        var batches = 0;
        List<PackedLayerState>? carried = null;
        try
        {
            for (var b = 0; b < orders[members[0]].Length && members.Count > 0; b++)
            {
                var stopping = new HashSet<int>();
                for (var slot = 0; slot < members.Count; slot++)
                {
                    if (cancelled?.Invoke(members[slot]) != true) continue;
                    results[members[slot]] = new EpochTraining(double.NaN, Cancelled: true, null);
                    stopping.Add(slot);
                }
                carried = RemoveSlots(stopping, carried);
                if (members.Count == 0) break;

                using var scope = NewDisposeScope();
                var batch = PackedBatch.Create(members.Select(id => sets[id]).ToList(), members.Select(id => (IReadOnlyList<int>)orders[id][b]).ToList(), taskShape, device);
                var initial = carried is null ? null : FirstRows(carried, batch.Rows);
                var (logits, finals) = network.Forward(batch.Inputs, batch.Lengths, initial);
                var losses = PackedLoss.PerMember(taskShape.Prediction, logits, batch);
                var values = losses.detach().cpu().data<float>().ToArray();
                var failed = new HashSet<int>();
                for (var slot = 0; slot < values.Length; slot++)
                {
                    if (float.IsFinite(values[slot])) continue;
                    results[members[slot]] = new EpochTraining(double.NaN, Cancelled: false, values[slot]);
                    failed.Add(slot);
                }
                if (failed.Count < values.Length)
                {
                    var total = failed.Count == 0
                        ? losses.sum()
                        : losses.index_select(0, tensor(Enumerable.Range(0, values.Length).Where(s => !failed.Contains(s)).Select(s => (long)s).ToArray(), device: device)).sum();
                    optimizer.zero_grad();
                    total.backward();
                    optimizer.step();
                    for (var slot = 0; slot < values.Length; slot++)
                        if (!failed.Contains(slot)) lossSums[members[slot]] += values[slot];
                    batches++;
                }
                if (stateful)
                {
                    var next = finals.Select(layer => new PackedLayerState(
                        layer.Hidden.detach().DetachFromDisposeScope(), layer.Cell.detach().DetachFromDisposeScope())).ToList();
                    DisposeState(carried);
                    carried = next;
                }
                carried = RemoveSlots(failed, carried);
            }
            foreach (var id in members) results[id] = new EpochTraining(lossSums[id] / batches, Cancelled: false, null);
            return results;
        }
        finally
        {
            DisposeState(carried);
        }
    }

    /// <summary>Loss (mean over all scored steps) and accuracy of every member on its evaluation set, as
    /// <see cref="TrialRun.Evaluate"/> computes them.</summary>
    public IReadOnlyDictionary<int, (double Loss, double Accuracy)> Evaluate()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var sets = members.Select(id => all[id].Task.EvaluationSet).ToList();
        var count = sets[0].Count;
        if (sets.Any(set => set.Count != count)) throw new InvalidOperationException("pack members' evaluation sets differ in size");
        var config = all[members[0]].Config;
        var rowsPerBatch = config.Stateful ? config.BatchSize : StatelessEvaluationRows;
        IReadOnlyList<PackedLayerState>? carried = null;
        var lossSums = new double[members.Count];
        var correct = new long[members.Count];
        var scored = new long[members.Count];
        foreach (var rows in Enumerable.Range(0, count).Chunk(rowsPerBatch))
        {
            var batch = PackedBatch.Create(sets, sets.Select(_ => (IReadOnlyList<int>)rows).ToList(), taskShape, device);
            var initial = carried is null ? null : FirstRows(carried, batch.Rows);
            var (logits, finals) = network.Forward(batch.Inputs, batch.Lengths, initial);
            var losses = PackedLoss.PerMember(taskShape.Prediction, logits, batch).cpu().data<float>().ToArray();
            var right = PackedLoss.CountCorrect(taskShape.Prediction, logits, batch).cpu().data<long>().ToArray();
            for (var slot = 0; slot < members.Count; slot++)
            {
                lossSums[slot] += losses[slot] * (double)batch.ScoredCounts[slot];
                correct[slot] += right[slot];
                scored[slot] += batch.ScoredCounts[slot];
            }
            if (config.Stateful) carried = finals;
        }
        return Enumerable.Range(0, members.Count)
            .ToDictionary(slot => members[slot], slot => (lossSums[slot] / scored[slot], (double)correct[slot] / scored[slot]));
    }

    private static IReadOnlyList<PackedLayerState> FirstRows(IReadOnlyList<PackedLayerState> layers, long rows) =>
        layers[0].Hidden.shape[1] == rows
            ? layers
            : layers.Select(layer => new PackedLayerState(layer.Hidden.narrow(1, 0, rows), layer.Cell.narrow(1, 0, rows))).ToList();

    private static void DisposeState(List<PackedLayerState>? state)
    {
        if (state is null) return;
        foreach (var layer in state)
        {
            layer.Hidden.Dispose();
            layer.Cell.Dispose();
        }
    }

    public void Dispose()
    {
        optimizer.Dispose();
        network.Dispose();
    }
}

/// <summary>One batch of every member: the rows each member's order gives, as stacked tensors.</summary>
internal sealed class PackedBatch
{
    /// <summary>(members, rows, steps, features).</summary>
    public required Tensor Inputs { get; init; }

    /// <summary>(members, rows) int64 valid lengths, or null when every row has every step.</summary>
    public required Tensor? Lengths { get; init; }

    /// <summary>(members, positions): one label per position of the logits (0 where not scored).</summary>
    public required Tensor Targets { get; init; }

    /// <summary>(members, positions) 1 where scored, 0 on padding; null when every position is scored.</summary>
    public required Tensor? Scored { get; init; }

    /// <summary>(members) float: scored positions per member.</summary>
    public required Tensor Counts { get; init; }

    public required long[] ScoredCounts { get; init; }

    public required int Rows { get; init; }

    public static PackedBatch Create(IReadOnlyList<SequenceSet> sets, IReadOnlyList<IReadOnlyList<int>> rows, TaskShape shape, Device device)
    {
        var members = sets.Count;
        var (steps, features) = (sets[0].Timesteps, sets[0].Features);
        var rowCount = rows[0].Count;
        var rowValues = steps * features;
        var inputs = new float[members * rowCount * rowValues];
        var lengths = new long[members * rowCount];
        var positions = shape.Head == OutputHead.LastStep ? rowCount : rowCount * steps;
        var labels = new long[members * positions];
        var scored = new float[members * positions];
        var counts = new long[members];
        var full = true;
        for (var member = 0; member < members; member++)
        {
            var set = sets[member];
            if (set.Timesteps != steps || set.Features != features || rows[member].Count != rowCount)
                throw new InvalidOperationException("pack members' batches differ in shape");
            for (var i = 0; i < rowCount; i++)
            {
                var row = rows[member][i];
                var batchRow = member * rowCount + i;
                set.Inputs.AsSpan(row * rowValues, rowValues).CopyTo(inputs.AsSpan(batchRow * rowValues));
                var length = set.Lengths[row];
                lengths[batchRow] = length;
                full &= length == steps;
                if (shape.Head == OutputHead.LastStep)
                {
                    labels[member * positions + i] = set.Labels[row * set.LabelSteps + (set.LabelsPerStep ? length - 1 : 0)];
                    scored[member * positions + i] = 1;
                    counts[member]++;
                    continue;
                }
                for (var step = 0; step < length; step++)
                {
                    var position = member * positions + i * steps + step;
                    labels[position] = set.Labels[row * set.LabelSteps + (set.LabelsPerStep ? step : 0)];
                    scored[position] = 1;
                    counts[member]++;
                }
            }
        }
        var allScored = shape.Head == OutputHead.LastStep || full;
        return new PackedBatch
        {
            Inputs = tensor(inputs, [members, rowCount, steps, features], device: device),
            Lengths = full ? null : tensor(lengths, [members, rowCount], device: device),
            Targets = shape.Prediction == PredictionKind.Binary
                ? tensor(labels.Select(label => (float)label).ToArray(), [members, positions], device: device)
                : tensor(labels, [members, positions], device: device),
            Scored = allScored ? null : tensor(scored, [members, positions], device: device),
            Counts = tensor(counts.Select(c => (float)c).ToArray(), device: device),
            ScoredCounts = counts,
            Rows = rowCount,
        };
    }
}

/// <summary><see cref="PredictionLoss"/> per member: the mean over each member's scored positions.</summary>
internal static class PackedLoss
{
    /// <returns>(members) mean loss.</returns>
    public static Tensor PerMember(PredictionKind kind, Tensor logits, PackedBatch batch)
    {
        var (members, positions) = (logits.shape[0], logits.shape[1]);
        var elementwise = kind == PredictionKind.Binary
            ? binary_cross_entropy_with_logits(logits.squeeze(-1), batch.Targets, reduction: nn.Reduction.None)
            : cross_entropy(logits.reshape(members * positions, logits.shape[2]), batch.Targets.reshape(-1), reduction: nn.Reduction.None)
                .reshape(members, positions);
        if (batch.Scored is not null) elementwise = elementwise.mul(batch.Scored);
        return elementwise.sum(1).div(batch.Counts);
    }

    /// <returns>(members) int64 scored positions predicted right.</returns>
    public static Tensor CountCorrect(PredictionKind kind, Tensor logits, PackedBatch batch)
    {
        var predicted = kind == PredictionKind.Binary
            ? logits.squeeze(-1).gt(TorchScalars.Zero).to_type(ScalarType.Float32)
            : logits.argmax(-1);
        var right = predicted.eq(batch.Targets);
        if (batch.Scored is not null) right = right.logical_and(batch.Scored.to_type(ScalarType.Bool));
        return right.sum(1, type: ScalarType.Int64);
    }
}
