using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using Xunit.Abstractions;

namespace LstmSweep.Training.Tests;

/// <summary>
/// TorchSharp's Scalar is a finalizable object that no dispose scope tracks. A Scalar made by an implicit conversion
/// (a number passed where a Scalar is expected) can be collected while libtorch still reads it, when another thread's
/// allocation triggers a GC; its finalizer then frees the native value mid-call. These tests train trials
/// concurrently while another thread forces collections and finalizers as fast as it can: every trial must complete
/// with exactly the numbers it gives alone (a freed Scalar shows as an "overflow" error or as wrong numbers).
/// </summary>
[Collection(NonParallel.Name)]
public class FinalizerStressTests(ITestOutputHelper output)
{
    private static readonly TrainingRequest[] Requests3 =
    [
        // Ave merges through add and div; batch 1 makes hundreds of optimizer steps, each with several Scalars.
        Requests.For(TaskKind.Cumsum, Requests.Config(units: 8, mergeMode: MergeMode.Ave, epochs: 40, batchSize: 1),
            seed: 11, options: new TaskOptions { EvalSamples = 4, Timesteps = 6, SequencesPerEpoch = 40 }),
        Requests.For(TaskKind.Cumsum, Requests.Config(units: 8, mergeMode: MergeMode.Sum, epochs: 40, batchSize: 1),
            seed: 12, options: new TaskOptions { EvalSamples = 4, Timesteps = 6, SequencesPerEpoch = 40 }),
        Requests.For(TaskKind.EchoSecond, Requests.Config(units: 6, mergeMode: MergeMode.Ave, epochs: 2, batchSize: 2),
            seed: 13, options: new TaskOptions { Samples = 150, Timesteps = 4, NMax = 4 }),
    ];

    [Fact]
    public void ConcurrentTrialsUnderConstantCollectionGiveTheNumbersEachGivesAlone()
    {
        var alone = Requests3.Select(Run).ToArray();

        var stop = new ManualResetEventSlim();
        var collections = 0;
        var collector = new Thread(() =>
        {
            while (!stop.IsSet)
            {
                // Garbage of the kind that makes gen0 collections happen on their own too.
                var garbage = new object[256];
                for (var i = 0; i < garbage.Length; i++) garbage[i] = new byte[64];
                GC.KeepAlive(garbage);
                GC.Collect();
                GC.WaitForPendingFinalizers();
                collections++;
            }
        }) { IsBackground = true };
        collector.Start();

        var concurrent = new (TrainingOutcome Outcome, List<EpochMetrics> Epochs)[Requests3.Length];
        var threads = Requests3.Select((request, i) => new Thread(() => concurrent[i] = Run(request))).ToList();
        threads.ForEach(thread => thread.Start());
        threads.ForEach(thread => thread.Join());
        stop.Set();
        collector.Join();
        output.WriteLine($"{collections} forced collections while the trials trained");

        for (var i = 0; i < alone.Length; i++)
        {
            Assert.True(concurrent[i].Outcome.Status == TrialStatus.Complete, $"trial {i}: {concurrent[i].Outcome.Error}");
            Assert.Equal(alone[i].Outcome, concurrent[i].Outcome);
            Assert.Equal(alone[i].Epochs, concurrent[i].Epochs);
        }
    }

    private static (TrainingOutcome Outcome, List<EpochMetrics> Epochs) Run(TrainingRequest request)
    {
        var epochs = new List<EpochMetrics>();
        var outcome = TrialTrainer.Train(request, epochs.Add, default);
        return (outcome, epochs);
    }
}
