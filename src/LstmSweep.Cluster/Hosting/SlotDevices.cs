using LstmSweep.Training;

namespace LstmSweep.Cluster.Hosting;

/// <summary>
/// The slots a worker offers, one device name per slot. With CUDA devices visible: one trial per GPU, pinned to
/// cuda:i (unless --slots asks for a number explicitly). Otherwise CPU slots, default one per core, and torch's
/// intra-op threads split between them so slots do not fight over cores.
/// </summary>
public static class SlotDevices
{
    /// <summary>What a worker will train on: a device per slot, torch threads per trial, and a note when it falls back to the CPU.</summary>
    public sealed record SlotPlan(IReadOnlyList<string> Devices, int ThreadsPerTrial, string? FallbackNote);

    /// <summary>The plan for a machine, decided without touching torch's settings (so it can be shown or tested first).</summary>
    /// <param name="cudaExpected">Whether the machine looks like it has a GPU (an NVIDIA device, CUDA_VISIBLE_DEVICES).</param>
    public static SlotPlan Plan(int? requestedSlots, int gpus, int cores, bool cudaExpected)
    {
        if (gpus > 0 && requestedSlots is null)
            return new SlotPlan(Enumerable.Range(0, gpus).Select(i => $"cuda:{i}").ToList(), 1, null);
        int slots = requestedSlots ?? cores;
        var note = gpus == 0 && cudaExpected
            ? "this machine has an NVIDIA GPU, but torch sees no CUDA device (the CPU build of libtorch, or no driver): training on the CPU"
            : null;
        return new SlotPlan(Enumerable.Repeat("cpu", slots).ToList(), Math.Max(1, cores / slots), note);
    }

    /// <summary>This machine's plan, from what torch and the system report.</summary>
    public static SlotPlan PlanForThisMachine(int? requestedSlots)
    {
        int gpus = TorchSharp.torch.cuda.is_available() ? TorchSharp.torch.cuda.device_count() : 0;
        var cudaExpected = File.Exists("/dev/nvidia0") || Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES") is { Length: > 0 } and not "-1";
        return Plan(requestedSlots, gpus, Environment.ProcessorCount, cudaExpected);
    }

    /// <summary>Sets torch's threads for the plan's CPU slots (the one side effect, done once by the worker's process).</summary>
    public static IReadOnlyList<string> Apply(SlotPlan plan)
    {
        if (plan.Devices.Any(d => d == "cpu")) TorchRuntime.ConfigureThreads(plan.ThreadsPerTrial);
        return plan.Devices;
    }

    /// <summary>Plans and applies; prints nothing (callers that can report <see cref="SlotPlan.FallbackNote"/> use the two steps).</summary>
    public static IReadOnlyList<string> For(int? requestedSlots) => Apply(PlanForThisMachine(requestedSlots));
}
