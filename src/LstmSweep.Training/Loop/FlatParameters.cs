using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LstmSweep.Training.Loop;

/// <summary>
/// A trial's parameters and their gradients laid end to end in two contiguous buffers, so an optimizer updates them
/// all with a handful of kernels instead of several per parameter (what torch.optim's foreach/fused paths buy; seed-002
/// has ten small parameters, and the per-parameter loop cost more than its arithmetic).
/// </summary>
/// <remarks>
/// Each parameter is re-pointed (<c>set_</c>) at its slice of <see cref="Values"/>, and its gradient set to its slice of
/// <see cref="Gradients"/> before the first backward: autograd then accumulates into that slice in place (a defined
/// gradient is added to, never replaced), and zeroing the buffer zeroes every gradient. The values, their order and
/// the update rules are unchanged; only where the numbers live moves. Every parameter of these models receives a
/// gradient in every step, so updating them all is what the per-parameter loop did (a parameter that never got a
/// gradient would keep zero moments and not move either).
/// The buffers and the slices handed out belong to this object (no dispose scope); the parameters keep the storage
/// alive as long as the model lives.
/// </remarks>
internal sealed class FlatParameters : IDisposable
{
    private readonly List<Tensor> views = [];
    private bool disposed;

    public FlatParameters(IEnumerable<Parameter> parameters)
    {
        Parameters = parameters.ToList();
        if (Parameters.Count == 0) throw new ArgumentException("an optimizer needs at least one parameter");
        var first = Parameters[0];
        if (Parameters.Any(p => p.dtype != first.dtype || p.device.type != first.device.type || p.device.index != first.device.index))
            throw new ArgumentException("all parameters of one optimizer must share a dtype and a device");
        Offsets = new long[Parameters.Count];
        long total = 0;
        for (var i = 0; i < Parameters.Count; i++)
        {
            Offsets[i] = total;
            total += Parameters[i].numel();
        }
        Count = total;

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Values = empty(total, first.dtype, first.device).DetachFromDisposeScope();
        Gradients = zeros(total, first.dtype, first.device).DetachFromDisposeScope();
        for (var i = 0; i < Parameters.Count; i++)
        {
            var parameter = Parameters[i];
            var values = SliceOf(Values, i);
            values.copy_(parameter);
            parameter.set_(values);
            parameter.grad = SliceOf(Gradients, i);
        }
    }

    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Where each parameter starts in the buffers.</summary>
    private long[] Offsets { get; }

    /// <summary>Numbers in all parameters together.</summary>
    public long Count { get; }

    /// <summary>Every parameter's values, in order (each parameter is a view of its slice).</summary>
    public Tensor Values { get; }

    /// <summary>Every parameter's gradient, in order (each gradient is a view of its slice).</summary>
    public Tensor Gradients { get; }

    /// <summary>A zeroed buffer shaped like <see cref="Values"/> (an optimizer slot); owned by this object.</summary>
    public Tensor NewSlot()
    {
        using var scope = NewDisposeScope();
        var slot = zeros(Count, Values.dtype, Values.device).DetachFromDisposeScope();
        views.Add(slot);
        return slot;
    }

    /// <summary>Parameter <paramref name="index"/>'s slice of a flat buffer, shaped like the parameter; owned by this object.</summary>
    public Tensor ViewOf(Tensor flat, int index)
    {
        using var scope = NewDisposeScope();
        var view = SliceOf(flat, index).DetachFromDisposeScope();
        views.Add(view);
        return view;
    }

    private Tensor SliceOf(Tensor flat, int index) =>
        flat.narrow(0, Offsets[index], Parameters[index].numel()).view(Parameters[index].shape);

    /// <summary>Zeroes every gradient (one kernel).</summary>
    public void ZeroGradients()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        Gradients.zero_();
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var view in views) view.Dispose();
        Values.Dispose();
        Gradients.Dispose();
    }
}
