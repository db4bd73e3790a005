using TorchSharp;
using static TorchSharp.torch;

namespace LstmSweep.Training.Torch;

/// <summary>
/// Scalars that outlive every native call they are passed to.
/// </summary>
/// <remarks>
/// TorchSharp's <see cref="Scalar"/> (0.107) is a finalizable object that no dispose scope tracks. A Scalar made by an
/// implicit conversion (a number passed where a Scalar parameter is expected, e.g. <c>t.gt(0)</c>, <c>t / 2</c>, or
/// <c>a + b</c>, which TorchSharp turns into <c>add(b, alpha: 1)</c>) is referenced only by the argument: once its
/// handle is loaded, the JIT may consider it dead, and a GC triggered by another thread lets its finalizer free the
/// native value while libtorch still reads it (an "overflow" error from <c>toFloat</c>, or silently wrong numbers).
/// Code in this project therefore never converts implicitly: constants come from here (static fields are never
/// finalized while the process runs), per-call values are held by a <c>using var</c> around the call.
/// </remarks>
internal static class TorchScalars
{
    /// <summary>Integer 0 (what the literal <c>0</c> converted to).</summary>
    public static readonly Scalar Zero = 0.ToScalar();

    /// <summary>Integer 1: the alpha of a plain addition.</summary>
    public static readonly Scalar One = 1.ToScalar();

    /// <summary>Integer 2.</summary>
    public static readonly Scalar Two = 2.ToScalar();

    /// <summary><paramref name="left"/> + <paramref name="right"/> with an explicit alpha (the + operator makes one implicitly).</summary>
    public static Tensor Add(Tensor left, Tensor right) => left.add(right, One);
}
