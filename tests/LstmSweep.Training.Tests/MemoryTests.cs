using System.Diagnostics;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using Xunit.Abstractions;

namespace LstmSweep.Training.Tests;

[Collection(NonParallel.Name)]
public class MemoryTests(ITestOutputHelper output)
{
    /// <summary>
    /// 5,000 epochs of one batch-1 step plus an evaluation each: every tensor a step or an evaluation makes must be
    /// freed by its dispose scope, so resident memory stays flat after warm-up.
    /// </summary>
    [Fact]
    public void LongTrialKeepsResidentMemoryFlat()
    {
        const int warmUpEpochs = 500;
        long rssAfterWarmUp = 0;
        var stopwatch = new Stopwatch();
        // A small evaluation set keeps the test short; the evaluation still runs (and allocates) every epoch.
        var request = Requests.For(TaskKind.Cumsum, Requests.Config(mergeMode: MergeMode.Concat, epochs: 5000, batchSize: 1),
            options: new TaskOptions { EvalSamples = 20 });

        var outcome = TrialTrainer.Train(request, metrics =>
        {
            if (metrics.Epoch != warmUpEpochs) return;
            rssAfterWarmUp = ResidentKilobytes();
            stopwatch.Start();
        }, default);

        var growthMegabytes = (ResidentKilobytes() - rssAfterWarmUp) / 1024.0;
        var millisecondsPerEpoch = stopwatch.Elapsed.TotalMilliseconds / (5000 - warmUpEpochs);
        output.WriteLine($"RSS after epoch {warmUpEpochs}: {rssAfterWarmUp / 1024.0:F1} MB, growth to the end: {growthMegabytes:F1} MB, " +
                         $"{millisecondsPerEpoch:F2} ms per epoch, final accuracy {outcome.Accuracy:F3}");
        Assert.Equal(TrialStatus.Complete, outcome.Status);
        Assert.True(growthMegabytes < 50, $"RSS grew by {growthMegabytes:F1} MB");
    }

    private static long ResidentKilobytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:"));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }
}
