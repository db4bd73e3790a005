using LstmSweep.Core.Trials;
using TorchSharp;

namespace LstmSweep.Training.Tests;

public class TorchRuntimeTests
{
    [Fact]
    public void CpuIsKeptAndCudaFallsBackToCpuWithAReasonWhenUnavailable()
    {
        Assert.Equal("cpu", TorchRuntime.ResolveDevice("CPU", out var noReason));
        Assert.Null(noReason);
        if (torch.cuda.is_available()) return; // the fallback only happens without CUDA (this project ships TorchSharp-cpu)

        Assert.Equal("cpu", TorchRuntime.ResolveDevice("cuda", out var reason));
        Assert.Contains("CUDA is not available", reason);
        Assert.Equal("cpu", TorchRuntime.ResolveDevice("cuda:1"));
    }

    [Theory]
    [InlineData("tpu")]
    [InlineData("cuda:x")]
    [InlineData("")]
    public void UnknownDeviceNamesAreRejected(string name) =>
        Assert.Throws<ArgumentException>(() => TorchRuntime.ResolveDevice(name));

    [Fact]
    public void ATrialAskingForCudaTrainsOnTheResolvedDevice()
    {
        var request = Requests.For(TaskKind.Cumsum, Requests.Config(epochs: 2)) with { Device = "cuda" };
        Assert.Equal(TrialStatus.Complete, TrialTrainer.Train(request, null, default).Status);
    }
}
