using LstmSweep.Core.Trials;
using LstmSweep.Training.Model;
using static TorchSharp.torch;

namespace LstmSweep.Training.Packing;

/// <summary>
/// Where a member's unpacked tensors sit in its slice of a stacked one: the unpacked gate rows [g·u, g·u + u) at
/// [g·U, g·U + u) of the padded width U, a concatenated input's backward half at [U, U + u), every other entry zero.
/// The same map serves the weights and the optimizer's slots (Adam's m and v), so a slice copied out is exactly the
/// member's unpacked state, and one copied in leaves the padding zero.
/// </summary>
internal static class MemberTransfer
{
    /// <summary>Copies an unpacked tensor into its (zero-padded) place in the member's slice.</summary>
    public static void Write(Tensor slice, Tensor unpacked, PackedRole role, int layer, int memberUnits, NetworkShape packed)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (rows, columns) = Maps(role, layer, memberUnits, packed);
        var source = unpacked.to(slice.device);
        slice.zero_();
        if (slice.dim() == 1)
        {
            if (rows is null) slice.copy_(source);
            else slice.index_copy_(0, tensor(rows, device: slice.device), source);
            return;
        }
        var rowPlaced = source;
        if (rows is not null)
        {
            rowPlaced = zeros(slice.shape[0], source.shape[1], device: slice.device);
            rowPlaced.index_copy_(0, tensor(rows, device: slice.device), source);
        }
        if (columns is null) slice.copy_(rowPlaced);
        else slice.index_copy_(1, tensor(columns, device: slice.device), rowPlaced);
    }

    /// <summary>The member's unpacked tensor read out of its slice (a new tensor in the caller's scope).</summary>
    public static Tensor Read(Tensor slice, PackedRole role, int layer, int memberUnits, NetworkShape packed)
    {
        var (rows, columns) = Maps(role, layer, memberUnits, packed);
        var result = slice;
        if (rows is not null) result = result.index_select(0, tensor(rows, device: slice.device));
        if (columns is not null) result = result.index_select(1, tensor(columns, device: slice.device));
        return result.contiguous();
    }

    /// <summary>Padded positions of the unpacked rows and columns (null: the same positions).</summary>
    private static (long[]? Rows, long[]? Columns) Maps(PackedRole role, int layer, int memberUnits, NetworkShape packed)
    {
        var units = packed.Units;
        long[] GateRows() => Enumerable.Range(0, 4)
            .SelectMany(gate => Enumerable.Range(0, memberUnits).Select(unit => (long)(gate * units + unit))).ToArray();
        long[] UnitColumns() => Enumerable.Range(0, memberUnits).Select(unit => (long)unit).ToArray();
        long[] RecurrentOutputColumns() => packed.MergeMode == MergeMode.Concat
            ? Enumerable.Range(0, memberUnits).Select(unit => (long)unit)
                .Concat(Enumerable.Range(0, memberUnits).Select(unit => (long)(units + unit))).ToArray()
            : UnitColumns();
        return role switch
        {
            PackedRole.InputKernel => (GateRows(), layer == 0 ? null : RecurrentOutputColumns()),
            PackedRole.RecurrentKernel => (GateRows(), UnitColumns()),
            PackedRole.GateBias => (GateRows(), null),
            PackedRole.DenseKernelFromRecurrent => (null, RecurrentOutputColumns()),
            _ => (null, null),
        };
    }
}
