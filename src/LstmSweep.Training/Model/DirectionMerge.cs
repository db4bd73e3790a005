using LstmSweep.Training.Torch;
using LstmSweep.Core.Trials;
using static TorchSharp.torch;

namespace LstmSweep.Training.Model;

/// <summary>Keras Bidirectional merge_mode: how one layer combines its forward and backward outputs.</summary>
internal static class DirectionMerge
{
    /// <summary>Output width of a layer with <paramref name="units"/> per direction.</summary>
    public static int OutputWidth(MergeMode mode, int units) => mode == MergeMode.Concat ? 2 * units : units;

    /// <summary>Combines per-step outputs of the two directions (same shape, last dimension = units).</summary>
    /// <remarks>No operators with numbers or + (implicit Scalars): see <see cref="TorchScalars"/>.</remarks>
    public static Tensor Apply(MergeMode mode, Tensor forward, Tensor backward) => mode switch
    {
        MergeMode.Concat => cat([forward, backward], -1),
        MergeMode.Sum => TorchScalars.Add(forward, backward),
        MergeMode.Mul => forward * backward,
        MergeMode.Ave => TorchScalars.Add(forward, backward).div(TorchScalars.Two),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "a unidirectional layer has nothing to merge"),
    };
}
