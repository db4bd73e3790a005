using LstmSweep.Cluster.Hosting;

namespace LstmSweep.Node.Tests;

/// <summary>Device selection is a pure plan; the CPU fallback on a GPU machine is reported.</summary>
public sealed class SlotDevicesTests
{
    [Fact]
    public void GpusGetOneSlotEachUnlessSlotsAreAskedFor()
    {
        Assert.Equal(["cuda:0", "cuda:1"], SlotDevices.Plan(null, gpus: 2, cores: 16, cudaExpected: true).Devices);
        Assert.Equal(["cpu", "cpu", "cpu"], SlotDevices.Plan(3, gpus: 2, cores: 16, cudaExpected: true).Devices);
    }

    [Fact]
    public void CpuSlotsSplitTheCoresAndAGpuMachineWithoutCudaSaysSo()
    {
        var plain = SlotDevices.Plan(4, gpus: 0, cores: 16, cudaExpected: false);
        var fallback = SlotDevices.Plan(null, gpus: 0, cores: 8, cudaExpected: true);

        Assert.Equal((4, 4), (plain.Devices.Count, plain.ThreadsPerTrial));
        Assert.Null(plain.FallbackNote);
        Assert.Equal(8, fallback.Devices.Count);
        Assert.Contains("training on the CPU", fallback.FallbackNote);
    }
}
