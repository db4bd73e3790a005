using System.Globalization;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using LstmSweep.Training;

namespace LstmSweep.Bench;

/// <summary>One long trial (cumsum, batch 1): does the process grow? RSS after a warm-up against RSS at the end.</summary>
static class MemoryBenchmark
{
    public sealed record Result(int Epochs, long RssWarmMb, long RssEndMb, long RssPeakMb, TimeSpan Elapsed, double MsPerEpoch);

    public static Result Run(int epochs, int warmupEpochs)
    {
        var config = new TrialConfig(20, MergeMode.Concat, false, epochs, 0.01, 1, 1);
        var request = new TrainingRequest(new TaskSpec(TaskKind.Cumsum, new TaskOptions()), config, Seed: 1);
        long warm = 0, peak = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var outcome = TrialTrainer.Train(request, m =>
        {
            if (m.Epoch % 100 != 0) return;
            var rss = RssMb();
            peak = Math.Max(peak, rss);
            if (m.Epoch == warmupEpochs) warm = rss;
        }, CancellationToken.None);
        if (outcome.Status != TrialStatus.Complete) throw new InvalidOperationException($"trial ended {outcome.Status}: {outcome.Error}");
        return new Result(epochs, warm, RssMb(), peak, clock.Elapsed, clock.Elapsed.TotalMilliseconds / epochs);
    }

    static long RssMb()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    public static string Markdown(Result r, int warmupEpochs) => string.Create(CultureInfo.InvariantCulture, $"""
        ## Native memory over a long trial

        One cumsum trial (T = 10, 20 units, concat, batch 1) for {r.Epochs} epochs, each a fresh sequence plus an evaluation
        of 100 held-out sequences, every step in its own dispose scope. RSS of the process:

        | after epoch {warmupEpochs} | at the end | growth | peak | time | per epoch |
        | ---: | ---: | ---: | ---: | ---: | ---: |
        | {r.RssWarmMb} MB | {r.RssEndMb} MB | {r.RssEndMb - r.RssWarmMb:+0;-0;0} MB | {r.RssPeakMb} MB | {r.Elapsed.TotalSeconds:F0} s | {r.MsPerEpoch:F2} ms |

        Target: less than 50 MB of growth.

        """);
}
