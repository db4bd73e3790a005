using TorchSharp;
using static TorchSharp.torch;

namespace LstmSweep.Training.Tests;

public class SmokeTests
{
    [Fact]
    public void LstmBackwardRuns()
    {
        using var scope = NewDisposeScope();
        var lstm = nn.LSTM(3, 4, bidirectional: true, batchFirst: true);
        var x = randn(2, 5, 3);
        var (y, _, _) = lstm.forward(x);
        y.sum().backward();
        Assert.Equal(new long[] { 2, 5, 8 }, y.shape);
    }
}
