using LstmSweep.Core.Trials;
using LstmSweep.Training.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LstmSweep.Training.Loop;

/// <summary>
/// What an optimizer keeps per parameter: the steps taken and its slot tensors (Adam: m and v; RMSprop: the mean
/// square; SGD: none). The tensors belong to the optimizer; a checkpoint reads and overwrites them in place.
/// </summary>
internal class OptimizerParameterState(Parameter parameter, IReadOnlyList<Tensor> slots)
{
    public Parameter Parameter { get; } = parameter;

    /// <summary>Steps taken with a gradient.</summary>
    public long Step { get; internal set; }

    public IReadOnlyList<Tensor> Slots { get; } = slots;
}

/// <summary>An optimizer of a trial: every Scalar it hands to libtorch is held explicitly (see <see cref="TorchScalars"/>).</summary>
internal interface ITrialOptimizer : IDisposable
{
    void zero_grad();

    void step();

    /// <summary>Per-parameter state, in the order the parameters were given (what a checkpoint stores).</summary>
    IReadOnlyList<OptimizerParameterState> States { get; }
}

internal static class TrialOptimizers
{
    public static ITrialOptimizer Create(OptimizerKind kind, IEnumerable<Parameter> parameters, double learningRate) => kind switch
    {
        OptimizerKind.Adam => new AdamOptimizer(parameters, learningRate),
        OptimizerKind.RmsProp => new RmsPropOptimizer(parameters, learningRate),
        OptimizerKind.Sgd => new SgdOptimizer(parameters, learningRate),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown optimizer"),
    };

    /// <summary>The optimizer's constants, for the checkpoint identity (a change of constants is another trajectory).</summary>
    public static string ConstantsOf(OptimizerKind kind) => kind switch
    {
        OptimizerKind.Adam => string.Create(Invariant, $"adam={AdamOptimizer.DefaultBeta1:R},{AdamOptimizer.DefaultBeta2:R},{AdamOptimizer.DefaultEpsilon:R}"),
        OptimizerKind.RmsProp => string.Create(Invariant, $"rmsprop={RmsPropOptimizer.DefaultRho:R},{RmsPropOptimizer.DefaultEpsilon:R}"),
        _ => "sgd",
    };

    private static readonly System.Globalization.CultureInfo Invariant = System.Globalization.CultureInfo.InvariantCulture;

    /// <summary>Zeroes the gradients that exist (as TorchSharp's zero_grad; backward then writes exactly g).</summary>
    internal static void ZeroGradients(IEnumerable<OptimizerParameterState> states)
    {
        using var scope = NewDisposeScope();
        foreach (var state in states) state.Parameter.grad?.zero_();
    }

    /// <summary>
    /// One step of a per-parameter update rule over every parameter that has a gradient, in one dispose scope without
    /// autograd; the rule's temporaries die with the scope.
    /// </summary>
    internal static void Step(IEnumerable<OptimizerParameterState> states, Action<OptimizerParameterState, Tensor> update)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var state in states)
        {
            var grad = state.Parameter.grad;
            if (grad is null) continue;
            state.Step++;
            update(state, grad);
        }
    }

    internal static List<OptimizerParameterState> States(IEnumerable<Parameter> parameters, int slots) =>
        parameters.Select(parameter => new OptimizerParameterState(parameter,
            Enumerable.Range(0, slots).Select(_ => zeros_like(parameter).DetachFromDisposeScope()).ToArray())).ToList();
}

/// <summary>
/// Keras's RMSprop (tf.keras.optimizers.RMSprop defaults: rho 0.9, epsilon 1e-7, no momentum, not centred):
/// v ← ρ·v + (1 − ρ)·g²; p ← p − lr · g / (√v + ε).
/// </summary>
internal sealed class RmsPropOptimizer : ITrialOptimizer
{
    public const double DefaultRho = 0.9;
    public const double DefaultEpsilon = 1e-7;

    private readonly List<OptimizerParameterState> states;
    private readonly Scalar rho;
    private readonly Scalar oneMinusRho;
    private readonly Scalar epsilon;
    private readonly Scalar negativeLearningRate;
    private bool disposed;

    public RmsPropOptimizer(IEnumerable<Parameter> parameters, double learningRate, double rho = DefaultRho, double epsilon = DefaultEpsilon)
    {
        if (!(learningRate >= 0)) throw new ArgumentException($"Invalid learning rate: {learningRate}");
        if (!(rho is >= 0 and < 1)) throw new ArgumentException($"Invalid rho: {rho}");
        (LearningRate, Rho, Epsilon) = (learningRate, rho, epsilon);
        this.rho = rho.ToScalar();
        oneMinusRho = (1 - rho).ToScalar();
        this.epsilon = epsilon.ToScalar();
        negativeLearningRate = (-learningRate).ToScalar();
        states = TrialOptimizers.States(parameters, slots: 1);
    }

    public double LearningRate { get; }
    public double Rho { get; }
    public double Epsilon { get; }

    public IReadOnlyList<OptimizerParameterState> States => states;

    public void zero_grad()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        TrialOptimizers.ZeroGradients(states);
    }

    public void step()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        TrialOptimizers.Step(states, (state, grad) =>
        {
            var meanSquare = state.Slots[0];
            meanSquare.mul_(rho).addcmul_(grad, grad, oneMinusRho);
            var denominator = meanSquare.sqrt().add_(epsilon, TorchScalars.One);
            state.Parameter.addcdiv_(grad, denominator, negativeLearningRate);
        });
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var slot in states.SelectMany(s => s.Slots)) slot.Dispose();
        rho.Dispose();
        oneMinusRho.Dispose();
        epsilon.Dispose();
        negativeLearningRate.Dispose();
    }
}

/// <summary>Keras's SGD (tf.keras.optimizers.SGD defaults: no momentum, no Nesterov): p ← p − lr · g.</summary>
internal sealed class SgdOptimizer : ITrialOptimizer
{
    private readonly List<OptimizerParameterState> states;
    private readonly Scalar negativeLearningRate;
    private bool disposed;

    public SgdOptimizer(IEnumerable<Parameter> parameters, double learningRate)
    {
        if (!(learningRate >= 0)) throw new ArgumentException($"Invalid learning rate: {learningRate}");
        LearningRate = learningRate;
        negativeLearningRate = (-learningRate).ToScalar();
        states = TrialOptimizers.States(parameters, slots: 0);
    }

    public double LearningRate { get; }

    public IReadOnlyList<OptimizerParameterState> States => states;

    public void zero_grad()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        TrialOptimizers.ZeroGradients(states);
    }

    public void step()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        TrialOptimizers.Step(states, (state, grad) => state.Parameter.add_(grad, negativeLearningRate));
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        negativeLearningRate.Dispose();
    }
}
