using LstmSweep.Core.Trials;
using LstmSweep.Training.Loop;
using LstmSweep.Training.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace LstmSweep.Training.Packing;

/// <summary>
/// The trial optimizers (<see cref="AdamOptimizer"/>, <see cref="RmsPropOptimizer"/>, <see cref="SgdOptimizer"/>)
/// over stacked parameters: the same update rule element by element, with each member's learning rate and bias
/// correction (its own step count) as a per-member tensor broadcast over its slice. Every member of a pack steps
/// together; a member that stops leaves the pack (<see cref="Compact"/>), so it takes no step while others go on.
/// </summary>
/// <remarks>Scalars are held explicitly (see <see cref="TorchScalars"/>): constants for the optimizer's life, per-step
/// values as tensors.</remarks>
internal sealed class PackedOptimizer : IDisposable
{
    private readonly PackedNetwork network;
    private readonly OptimizerKind kind;
    private readonly double[] learningRates;
    private readonly long[] steps;
    private readonly List<Tensor[]> slots;
    private readonly Scalar beta1;
    private readonly Scalar oneMinusBeta1;
    private readonly Scalar beta2;
    private readonly Scalar oneMinusBeta2;
    private readonly Scalar adamEpsilon;
    private readonly Scalar rho;
    private readonly Scalar oneMinusRho;
    private readonly Scalar rmsEpsilon;
    private bool disposed;

    public PackedOptimizer(PackedNetwork network, OptimizerKind kind, IReadOnlyList<double> learningRates)
        : this(network, kind, learningRates.ToArray(), new long[learningRates.Count], null)
    {
    }

    private PackedOptimizer(PackedNetwork network, OptimizerKind kind, double[] learningRates, long[] steps, List<Tensor[]>? slots)
    {
        if (learningRates.Length != network.Members) throw new ArgumentException($"{learningRates.Length} learning rates for {network.Members} members");
        foreach (var rate in learningRates)
            if (!(rate >= 0)) throw new ArgumentException($"Invalid learning rate: {rate}");
        (this.network, this.kind, this.learningRates, this.steps) = (network, kind, learningRates, steps);
        var slotCount = SlotCount(kind);
        this.slots = slots ?? network.Parameters
            .Select(p => Enumerable.Range(0, slotCount).Select(_ => zeros_like(p.Value).DetachFromDisposeScope()).ToArray())
            .ToList();
        beta1 = AdamOptimizer.DefaultBeta1.ToScalar();
        oneMinusBeta1 = (1 - AdamOptimizer.DefaultBeta1).ToScalar();
        beta2 = AdamOptimizer.DefaultBeta2.ToScalar();
        oneMinusBeta2 = (1 - AdamOptimizer.DefaultBeta2).ToScalar();
        adamEpsilon = AdamOptimizer.DefaultEpsilon.ToScalar();
        rho = RmsPropOptimizer.DefaultRho.ToScalar();
        oneMinusRho = (1 - RmsPropOptimizer.DefaultRho).ToScalar();
        rmsEpsilon = RmsPropOptimizer.DefaultEpsilon.ToScalar();
    }

    public OptimizerKind Kind => kind;

    /// <summary>Slots of the parameter at <paramref name="parameter"/> (Adam: m, v; RMSprop: mean square; SGD: none).</summary>
    public IReadOnlyList<Tensor> SlotsOf(int parameter) => slots[parameter];

    /// <summary>Steps a member's trainable parameters have taken (a frozen one's stay 0, as unpacked).</summary>
    public long StepOf(int member) => steps[member];

    public void SetStep(int member, long step) => steps[member] = step;

    public static int SlotCount(OptimizerKind kind) => kind switch
    {
        OptimizerKind.Adam => 2,
        OptimizerKind.RmsProp => 1,
        _ => 0,
    };

    public void zero_grad()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        using var scope = NewDisposeScope();
        foreach (var parameter in network.Parameters) parameter.Value.grad?.zero_();
    }

    /// <summary>One update of every member's trainable parameters.</summary>
    public void step()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (var member = 0; member < steps.Length; member++) steps[member]++;
        // Per member, computed in double as the unpacked optimizers do, then one float per member.
        var negativeStepSizes = new float[steps.Length];
        var correction2Roots = new float[steps.Length];
        for (var member = 0; member < steps.Length; member++)
        {
            var rate = learningRates[member];
            negativeStepSizes[member] = kind == OptimizerKind.Adam
                ? (float)-(rate / (1 - Math.Pow(AdamOptimizer.DefaultBeta1, steps[member])))
                : (float)-rate;
            correction2Roots[member] = (float)Math.Sqrt(1 - Math.Pow(AdamOptimizer.DefaultBeta2, steps[member]));
        }
        var memberStep = tensor(negativeStepSizes, device: network.Device);
        var memberRoot = tensor(correction2Roots, device: network.Device);
        var directedStep = network.Directions == 1 ? memberStep : cat([memberStep, memberStep], 0);
        var directedRoot = network.Directions == 1 ? memberRoot : cat([memberRoot, memberRoot], 0);

        for (var i = 0; i < network.Parameters.Count; i++)
        {
            var parameter = network.Parameters[i];
            var grad = parameter.Value.grad;
            if (!parameter.Trainable || grad is null) continue;
            var recurrent = PackedNetwork.IsRecurrent(parameter.Role);
            var broadcast = Enumerable.Repeat(1L, (int)parameter.Value.dim()).ToArray();
            broadcast[0] = -1;
            var stepSize = (recurrent ? directedStep : memberStep).reshape(broadcast);
            var value = parameter.Value;
            switch (kind)
            {
                case OptimizerKind.Adam:
                    var (expAvg, expAvgSq) = (slots[i][0], slots[i][1]);
                    expAvg.mul_(beta1).add_(grad, oneMinusBeta1);
                    expAvgSq.mul_(beta2).addcmul_(grad, grad, oneMinusBeta2);
                    var root = (recurrent ? directedRoot : memberRoot).reshape(broadcast);
                    var denominator = expAvgSq.sqrt().div(root).add_(adamEpsilon, TorchScalars.One);
                    // addcdiv_ as the unpacked optimizer: p + (step · m) / denominator.
                    value.addcdiv_(expAvg.mul(stepSize), denominator, TorchScalars.One);
                    break;
                case OptimizerKind.RmsProp:
                    var meanSquare = slots[i][0];
                    meanSquare.mul_(rho).addcmul_(grad, grad, oneMinusRho);
                    var rmsDenominator = meanSquare.sqrt().add_(rmsEpsilon, TorchScalars.One);
                    value.addcdiv_(grad.mul(stepSize), rmsDenominator, TorchScalars.One);
                    break;
                default:
                    value.add_(grad.mul(stepSize));
                    break;
            }
        }
    }

    /// <summary>The optimizer of <paramref name="compacted"/> (made from this one's network by the same
    /// <paramref name="keep"/>), each kept member's state carried over.</summary>
    public PackedOptimizer Compact(PackedNetwork compacted, IReadOnlyList<int> keep)
    {
        using var noGrad = no_grad();
        var keptSlots = network.Parameters.Select((p, i) => slots[i].Select(slot =>
        {
            using var scope = NewDisposeScope();
            return slot.index_select(0, network.MemberRows(p, keep)).contiguous().DetachFromDisposeScope();
        }).ToArray()).ToList();
        return new PackedOptimizer(compacted, kind, keep.Select(k => learningRates[k]).ToArray(), keep.Select(k => steps[k]).ToArray(), keptSlots);
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var slot in slots.SelectMany(s => s)) slot.Dispose();
        foreach (var scalar in new[] { beta1, oneMinusBeta1, beta2, oneMinusBeta2, adamEpsilon, rho, oneMinusRho, rmsEpsilon }) scalar.Dispose();
    }
}
