using LstmSweep.Training.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LstmSweep.Training.Loop;

/// <summary>The Adam state of one parameter (PyTorch's state["step"], ["exp_avg"], ["exp_avg_sq"]).</summary>
/// <remarks>The tensors belong to the optimizer (no dispose scope); a checkpoint can read and overwrite them in place.</remarks>
internal sealed class AdamParameterState(Parameter parameter, Tensor expAvg, Tensor expAvgSq)
    : OptimizerParameterState(parameter, [expAvg, expAvgSq])
{
    /// <summary>First moment m, shaped like the parameter.</summary>
    public Tensor ExpAvg { get; } = expAvg;

    /// <summary>Second moment v, shaped like the parameter.</summary>
    public Tensor ExpAvgSq { get; } = expAvgSq;
}

/// <summary>
/// PyTorch's Adam (torch.optim.Adam, amsgrad off, no weight decay, not maximizing), replacing TorchSharp's: that one
/// passes numbers to libtorch through implicit <see cref="Scalar"/> conversions (see <see cref="TorchScalars"/>), which
/// a GC on another thread can free mid-call. Here every Scalar is held for the whole native call: the constants in
/// fields for the optimizer's lifetime, the per-step ones by <c>using</c>.
/// </summary>
/// <remarks>
/// Per parameter with a gradient, step t:
/// m ← β₁·m + (1 − β₁)·g; v ← β₂·v + (1 − β₂)·g²;
/// denom = √v / √(1 − β₂ᵗ) + ε; p ← p − (lr / (1 − β₁ᵗ)) · m / denom.
/// The operations are those of TorchSharp's Adam (and of PyTorch before 2.0, which now updates m with lerp_, equal up
/// to rounding), so results are bit-identical to the optimizer this one replaces. They run once over all parameters
/// laid end to end (<see cref="FlatParameters"/>): six kernels a step whatever the parameter count.
/// </remarks>
internal sealed class AdamOptimizer : ITrialOptimizer
{
    public const double DefaultBeta1 = 0.9;
    public const double DefaultBeta2 = 0.999;
    public const double DefaultEpsilon = 1e-8;

    private readonly List<AdamParameterState> states;
    private readonly FlatParameters flat;
    private readonly Tensor expAvg;
    private readonly Tensor expAvgSq;
    private readonly Scalar beta1;
    private readonly Scalar oneMinusBeta1;
    private readonly Scalar beta2;
    private readonly Scalar oneMinusBeta2;
    private readonly Scalar epsilon;
    private bool disposed;

    public AdamOptimizer(IEnumerable<Parameter> parameters, double learningRate,
        double beta1 = DefaultBeta1, double beta2 = DefaultBeta2, double epsilon = DefaultEpsilon)
    {
        if (!(learningRate >= 0)) throw new ArgumentException($"Invalid learning rate: {learningRate}");
        if (!(epsilon >= 0)) throw new ArgumentException($"Invalid epsilon: {epsilon}");
        if (!(beta1 is >= 0 and < 1)) throw new ArgumentException($"Invalid beta1: {beta1}");
        if (!(beta2 is >= 0 and < 1)) throw new ArgumentException($"Invalid beta2: {beta2}");
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        this.beta1 = beta1.ToScalar();
        oneMinusBeta1 = (1 - beta1).ToScalar();
        this.beta2 = beta2.ToScalar();
        oneMinusBeta2 = (1 - beta2).ToScalar();
        this.epsilon = epsilon.ToScalar();

        flat = new FlatParameters(parameters);
        expAvg = flat.NewSlot();
        expAvgSq = flat.NewSlot();
        states = flat.Parameters
            .Select((parameter, i) => new AdamParameterState(parameter, flat.ViewOf(expAvg, i), flat.ViewOf(expAvgSq, i)))
            .ToList();
    }

    public double LearningRate { get; }
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }

    /// <summary>Per-parameter state, in the order the parameters were given.</summary>
    public IReadOnlyList<AdamParameterState> States => states;

    IReadOnlyList<OptimizerParameterState> ITrialOptimizer.States => states;

    /// <summary>Zeroes the gradients (as TorchSharp's zero_grad; backward then writes exactly g).</summary>
    public void zero_grad()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        flat.ZeroGradients();
    }

    /// <summary>One update of every parameter (each has a gradient slot; see <see cref="FlatParameters"/>).</summary>
    public void step()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var state in states) state.Step++;
        // Every parameter steps together, so they share one step count (a checkpoint restores the same count to each).
        var step = states[0].Step;
        var biasCorrection1 = 1 - Math.Pow(Beta1, step);
        var biasCorrection2 = 1 - Math.Pow(Beta2, step);
        var grad = flat.Gradients;

        expAvg.mul_(beta1).add_(grad, oneMinusBeta1);
        expAvgSq.mul_(beta2).addcmul_(grad, grad, oneMinusBeta2);

        // using: each Scalar stays reachable until after the native call that reads it.
        using var biasCorrection2Sqrt = Math.Sqrt(biasCorrection2).ToScalar();
        var denominator = expAvgSq.sqrt().div(biasCorrection2Sqrt).add_(epsilon, TorchScalars.One);
        using var negativeStepSize = (-(LearningRate / biasCorrection1)).ToScalar();
        flat.Values.addcdiv_(expAvg, denominator, negativeStepSize);
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        flat.Dispose();
        beta1.Dispose();
        oneMinusBeta1.Dispose();
        beta2.Dispose();
        oneMinusBeta2.Dispose();
        epsilon.Dispose();
    }
}
