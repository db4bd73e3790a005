using LstmSweep.Training;

namespace LstmSweep.Cluster.Hosting;

/// <summary>
/// The slots a worker offers, one device name per slot. With CUDA devices visible: one trial per GPU, pinned to
/// cuda:i (unless --slots asks for a number explicitly). Otherwise CPU slots, default one per core, and torch's
/// intra-op threads split between them so slots do not fight over cores.
/// </summary>
public static class SlotDevices
{
    public static IReadOnlyList<string> For(int? requestedSlots)
    {
        int gpus = TorchSharp.torch.cuda.is_available() ? TorchSharp.torch.cuda.device_count() : 0;
        if (gpus > 0 && requestedSlots is null)
            return Enumerable.Range(0, gpus).Select(i => $"cuda:{i}").ToList();

        int slots = requestedSlots ?? Environment.ProcessorCount;
        TorchRuntime.ConfigureThreads(Math.Max(1, Environment.ProcessorCount / slots));
        return Enumerable.Repeat("cpu", slots).ToList();
    }
}
