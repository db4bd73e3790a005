using LstmSweep.Core.Trials;
using LstmSweep.Training.Model;
using LstmSweep.Training.Torch;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace LstmSweep.Training.Packing;

/// <summary>What a stacked parameter is, so a member's unpacked weights can be mapped into its slice.</summary>
internal enum PackedRole
{
    /// <summary>weight_ih (4u, inputs): gate rows padded per gate block; input columns padded when they come from a layer.</summary>
    InputKernel,
    /// <summary>weight_hh (4u, u): gate rows and unit columns padded.</summary>
    RecurrentKernel,
    /// <summary>bias_ih or bias_hh (4u): gate rows padded.</summary>
    GateBias,
    /// <summary>A dense weight (outputs, inputs) whose inputs come from the recurrent stack (padded columns).</summary>
    DenseKernelFromRecurrent,
    /// <summary>A dense weight whose inputs come from the hidden dense layer (not padded).</summary>
    DenseKernel,
    /// <summary>A dense bias (not padded).</summary>
    DenseBias,
}

/// <summary>
/// One parameter of every member stacked along a leading axis: (members, …) for dense layers, and for LSTM
/// parameters (directions · members, …) with direction d of member k at d · members + k, so both directions of all
/// members advance in one batched matmul per step.
/// </summary>
/// <param name="UnpackedNames">Per direction, the name of the same parameter in the unpacked network's named_parameters.</param>
internal sealed record PackedParameter(Tensor Value, PackedRole Role, int Layer, IReadOnlyList<string> UnpackedNames, bool Trainable);

/// <summary>A packed layer's state per direction and member: (directions · members, batch, units).</summary>
internal sealed record PackedLayerState(Tensor Hidden, Tensor Cell);

/// <summary>
/// K networks of one shape key (everything but units, learning rate and seed) as one model: weights stacked along a
/// member axis, a hand-written LSTM step that runs both directions of all members with one batched matmul, the
/// hidden and output dense layers as batched matmuls. Members with fewer units than <see cref="Units"/> are padded
/// with zero weights and a zero state: a padded unit's gates see only zeros, so its cell and output stay exactly
/// zero, nothing reads it (its outgoing weights are zero) and every gradient through it is zero; each member
/// computes what its unpacked network computes, up to floating-point order.
/// </summary>
/// <remarks>
/// The parameters are plain tensors owned by this object (no dispose scope); <see cref="Compact"/> replaces them.
/// Computation follows <see cref="RecurrentLayer"/>'s semantics: each direction reads only a row's valid steps (a
/// padded step leaves the state as it was, so the backward direction starts at the last valid step), outputs at
/// padded steps are zero, and a last-step head reads the final states as Keras's Bidirectional does.
/// </remarks>
internal sealed class PackedNetwork : IDisposable
{
    private readonly List<PackedParameter> parameters;

    public PackedNetwork(NetworkShape shape, int members, Device device)
    {
        if (members < 1) throw new ArgumentException($"a pack needs at least one member, got {members}");
        Shape = shape;
        Members = members;
        Device = device;
        parameters = [];
        var directions = Directions;
        var width = shape.InputFeatures;
        var trainableHiddenBias = shape.Init != WeightInit.Keras;
        for (var layer = 0; layer < shape.Layers; layer++)
        {
            var prefix = $"layers.{layer}.lstm.";
            string[] Names(string name) => Enumerable.Range(0, directions)
                .Select(direction => $"{prefix}{name}{(direction == 0 ? "_l0" : "_l0_reverse")}").ToArray();
            Add(zeros(directions * members, 4 * Units, width), PackedRole.InputKernel, layer, Names("weight_ih"), true);
            Add(zeros(directions * members, 4 * Units, Units), PackedRole.RecurrentKernel, layer, Names("weight_hh"), true);
            Add(zeros(directions * members, 4 * Units), PackedRole.GateBias, layer, Names("bias_ih"), true);
            Add(zeros(directions * members, 4 * Units), PackedRole.GateBias, layer, Names("bias_hh"), trainableHiddenBias);
            width = DirectionMerge.OutputWidth(shape.MergeMode, Units);
        }
        var headRole = PackedRole.DenseKernelFromRecurrent;
        if (shape.DenseUnits > 0)
        {
            Add(zeros(members, shape.DenseUnits, width), PackedRole.DenseKernelFromRecurrent, shape.Layers, ["hidden.weight"], true);
            Add(zeros(members, shape.DenseUnits), PackedRole.DenseBias, shape.Layers, ["hidden.bias"], true);
            width = shape.DenseUnits;
            headRole = PackedRole.DenseKernel;
        }
        Add(zeros(members, shape.Outputs, width), headRole, shape.Layers + 1, ["head.weight"], true);
        Add(zeros(members, shape.Outputs), PackedRole.DenseBias, shape.Layers + 1, ["head.bias"], true);
    }

    private PackedNetwork(NetworkShape shape, int members, Device device, List<PackedParameter> parameters)
    {
        (Shape, Members, Device, this.parameters) = (shape, members, device, parameters);
    }

    /// <summary>The shared shape; <see cref="NetworkShape.Units"/> is the widest member's units.</summary>
    public NetworkShape Shape { get; }

    public int Units => Shape.Units;

    public int Members { get; }

    public Device Device { get; }

    public int Directions => Shape.MergeMode == MergeMode.None ? 1 : 2;

    /// <summary>Per layer: the four LSTM parameters (both directions in one tensor), then the dense layers'.</summary>
    public IReadOnlyList<PackedParameter> Parameters => parameters;

    private void Add(Tensor value, PackedRole role, int layer, string[] names, bool trainable)
    {
        var placed = value.to(Device).DetachFromDisposeScope();
        if (!ReferenceEquals(placed, value)) value.Dispose();
        placed.requires_grad_(trainable);
        parameters.Add(new PackedParameter(placed, role, layer, names, trainable));
    }

    /// <summary>A network of the members at <paramref name="keep"/> (in that order); this one is left as it was.</summary>
    public PackedNetwork Compact(IReadOnlyList<int> keep)
    {
        using var noGrad = no_grad();
        var compacted = parameters.Select(p =>
        {
            using var scope = NewDisposeScope();
            var value = p.Value.index_select(0, MemberRows(p, keep)).contiguous();
            var kept = value.DetachFromDisposeScope().requires_grad_(p.Trainable);
            return p with { Value = kept };
        }).ToList();
        return new PackedNetwork(Shape, keep.Count, Device, compacted);
    }

    /// <summary>Rows of a stacked parameter (or state) that belong to the members <paramref name="keep"/>.</summary>
    internal Tensor MemberRows(PackedParameter parameter, IReadOnlyList<int> keep) =>
        IsRecurrent(parameter.Role) ? DirectionMemberRows(keep) : tensor(keep.Select(k => (long)k).ToArray(), device: Device);

    /// <summary>Rows d · members + k for every direction d and kept member k.</summary>
    internal Tensor DirectionMemberRows(IReadOnlyList<int> keep) => tensor(
        Enumerable.Range(0, Directions).SelectMany(d => keep.Select(k => (long)(d * Members + k))).ToArray(), device: Device);

    internal static bool IsRecurrent(PackedRole role) => role is PackedRole.InputKernel or PackedRole.RecurrentKernel or PackedRole.GateBias;

    /// <summary>The slice of member <paramref name="member"/> and direction in a stacked parameter: a view.</summary>
    internal Tensor Slice(PackedParameter parameter, int member, int direction) =>
        parameter.Value.select(0, IsRecurrent(parameter.Role) ? direction * Members + member : member);

    /// <summary>
    /// Runs a padded batch of every member: <paramref name="inputs"/> (members, batch, steps, features) with valid
    /// lengths <paramref name="lengths"/> (members, batch, int64 on the device) or null when every row is full length.
    /// </summary>
    /// <param name="initial">Per-layer state to continue from (stateful), or null for zeros.</param>
    /// <returns>
    /// Logits (members, positions, outputs): a per-timestep head scores every (row, step) position, row-major; a
    /// last-step head one position per row. And each layer's state after each row's last valid step.
    /// </returns>
    public (Tensor Logits, IReadOnlyList<PackedLayerState> Final) Forward(
        Tensor inputs, Tensor? lengths, IReadOnlyList<PackedLayerState>? initial)
    {
        var (members, batch, steps) = (inputs.shape[0], inputs.shape[1], inputs.shape[2]);
        Tensor? valid = null;
        if (lengths is not null)
        {
            // (members, batch, steps, 1): step t of a row is valid when t < its length.
            var positions = arange(steps, dtype: ScalarType.Int64, device: Device).reshape(1, 1, steps);
            valid = positions.lt(lengths.unsqueeze(-1)).unsqueeze(-1);
        }
        var finals = new List<PackedLayerState>(Shape.Layers);
        var sequence = inputs;
        Tensor? lastHidden = null;
        for (var layer = 0; layer < Shape.Layers; layer++)
        {
            var needsOutputs = layer < Shape.Layers - 1 || Shape.Head == OutputHead.PerTimestep;
            var (output, final) = RunLayer(layer, sequence, valid, initial?[layer], needsOutputs);
            finals.Add(final);
            sequence = output!;
            lastHidden = final.Hidden;
        }

        Tensor features;
        if (Shape.Head == OutputHead.LastStep)
        {
            features = Directions == 1
                ? lastHidden!
                : DirectionMerge.Apply(Shape.MergeMode, lastHidden!.narrow(0, 0, members), lastHidden.narrow(0, members, members));
        }
        else
        {
            features = sequence.reshape(members, batch * steps, sequence.shape[3]);
        }
        var dense = parameters.Skip(parameters.Count - (Shape.DenseUnits > 0 ? 4 : 2)).ToList();
        if (Shape.DenseUnits > 0)
        {
            features = relu(TorchScalars.Add(features.bmm(dense[0].Value.transpose(1, 2)), dense[1].Value.unsqueeze(1)));
            dense = dense.Skip(2).ToList();
        }
        var logits = TorchScalars.Add(features.bmm(dense[0].Value.transpose(1, 2)), dense[1].Value.unsqueeze(1));
        return (logits, finals);
    }

    /// <returns>The merged per-step output (members, batch, steps, width), or null when not needed; the final state.</returns>
    private (Tensor? Output, PackedLayerState Final) RunLayer(
        int layer, Tensor input, Tensor? valid, PackedLayerState? initial, bool needsOutputs)
    {
        var directions = Directions;
        var (members, batch, steps, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3]);
        var weights = parameters.Where(p => p.Layer == layer && IsRecurrent(p.Role)).ToList();
        var (inputKernel, recurrentKernel, inputBias, hiddenBias) = (weights[0].Value, weights[1].Value, weights[2].Value, weights[3].Value);

        // The backward direction reads the sequence reversed: with the validity mask reversed too, a row's state
        // stays at its initial value through the trailing padding and starts at the last valid step.
        // Reversed by a gather, not flip(): libtorch's CPU flip is slow on these shapes (an evaluation batch spent
        // most of its time in it).
        var reversedSteps = directions == 1 ? null : arange(steps - 1, -1, -1, dtype: ScalarType.Int64, device: Device);
        var directed = directions == 1 ? input : cat([input, input.index_select(2, reversedSteps!)], 0);
        var directedValid = valid is null ? null : directions == 1 ? valid : cat([valid, valid.index_select(2, reversedSteps!)], 0);
        var units = Units;
        // The additions grouped as nn.LSTM groups them, (x·W_ih + b_ih) + (h·W_hh + b_hh), so that rounding, which
        // training amplifies over many epochs, stays as close to the unpacked network's as a batched matmul allows.
        var projected = TorchScalars.Add(directed.reshape(directions * members, batch * steps, width).bmm(inputKernel.transpose(1, 2)), inputBias.unsqueeze(1))
            .reshape(directions * members, batch, steps, 4 * units);
        var recurrentT = recurrentKernel.transpose(1, 2);
        var recurrentBias = hiddenBias.unsqueeze(1);

        var hidden = initial?.Hidden ?? zeros(directions * members, batch, units, device: Device);
        var cell = initial?.Cell ?? zeros(directions * members, batch, units, device: Device);
        var outputs = needsOutputs ? new List<Tensor>((int)steps) : null;
        for (var step = 0; step < steps; step++)
        {
            var gates = TorchScalars.Add(projected.select(2, step), TorchScalars.Add(hidden.bmm(recurrentT), recurrentBias));
            var activated = gates.sigmoid();
            var inputGate = activated.narrow(-1, 0, units);
            var forgetGate = activated.narrow(-1, units, units);
            var candidate = gates.narrow(-1, 2 * units, units).tanh();
            var outputGate = activated.narrow(-1, 3 * units, units);
            // As ATen's LSTM cell: (f · c) + (i · g), two roundings, no fused multiply-add.
            var nextCell = forgetGate.mul(cell).add_(inputGate.mul(candidate), TorchScalars.One);
            var nextHidden = outputGate.mul(nextCell.tanh());
            if (directedValid is null)
            {
                (hidden, cell) = (nextHidden, nextCell);
                outputs?.Add(nextHidden);
            }
            else
            {
                var stepValid = directedValid.select(2, step);
                hidden = where(stepValid, nextHidden, hidden);
                cell = where(stepValid, nextCell, cell);
                outputs?.Add(nextHidden.mul(stepValid));
            }
        }
        var final = new PackedLayerState(hidden, cell);
        if (outputs is null) return (null, final);

        var all = stack(outputs, 2);
        if (directions == 1) return (all, final);
        var forward = all.narrow(0, 0, members);
        // The backward direction's output at step t is what it computed at reversed step T − 1 − t.
        var backward = stack(Enumerable.Reverse(outputs).ToList(), 2).narrow(0, members, members);
        return (DirectionMerge.Apply(Shape.MergeMode, forward, backward), final);
    }

    public void Dispose()
    {
        foreach (var parameter in parameters) parameter.Value.Dispose();
    }
}
