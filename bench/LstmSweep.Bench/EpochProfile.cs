using System.Diagnostics;
using System.Globalization;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using LstmSweep.Training;
using LstmSweep.Training.Loop;
using LstmSweep.Training.Tasks;
using static TorchSharp.torch;

namespace LstmSweep.Bench;

/// <summary>
/// Where one epoch of the seed-002 trial spends its time: the whole <see cref="TrialTrainer.Train"/> per epoch, then the
/// loop's parts timed one by one on the same model (batch building, forward, loss, backward, optimizer step, evaluation).
/// The parts are timed in the thread's CPU time, which a busy machine disturbs less than the wall clock.
/// </summary>
static class EpochProfile
{
    public static readonly TrialConfig Seed002 = new(20, MergeMode.Concat, false, 2000, 0.001, 1, 1, Init: WeightInit.Keras);

    public static IReadOnlyList<(string Part, double MicrosecondsPerEpoch)> Run(int epochs, int evalEvery)
    {
        TorchSharp.torch.set_num_threads(1);
        var rows = new List<(string, double)>();
        var spec = new TaskSpec(TaskKind.Cumsum, new TaskOptions { Timesteps = 10, EvalSamples = 100 });
        var config = Seed002 with { Epochs = epochs };
        var request = new TrainingRequest(spec, config, Seed: 1);
        TrialTrainer.Train(request with { Config = config with { Epochs = 50 } }, null, CancellationToken.None); // warm-up
        var clock = Stopwatch.StartNew();
        var cpu = ThreadCpu.Now();
        var outcome = TrialTrainer.Train(request, null, CancellationToken.None);
        if (outcome.Status != TrialStatus.Complete) throw new InvalidOperationException(outcome.Error);
        rows.Add(($"TrialTrainer.Train, eval_every {evalEvery} (wall)", clock.Elapsed.TotalMicroseconds / epochs));
        rows.Add(($"TrialTrainer.Train, eval_every {evalEvery} (thread CPU)", Us(cpu, ThreadCpu.Now()) / epochs));

        var task = TrainingTasks.Create(spec, config, 1, null);
        using var run = new TrialRun(task, config, 1, CPU);
        var shape = task.Shape.WithHead(config.Head);
        double evalGradUs = 0, evalPackedUs = 0, batchUs = 0, forwardUs = 0, lossUs = 0, backwardUs = 0, stepUs = 0, evalUs = 0, dataUs = 0;
        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            using var scope = NewDisposeScope();
            var t0 = ThreadCpu.Now();
            var set = task.TrainingSet(epoch);
            var t1 = ThreadCpu.Now();
            var batch = SequenceBatch.Create(set, [0], shape, CPU);
            var t2 = ThreadCpu.Now();
            var (logits, _) = run.Model.Forward(batch.Inputs, batch.NetworkLengths, batch.ScoredSteps, null);
            var t3 = ThreadCpu.Now();
            var loss = PredictionLoss.Mean(shape.Prediction, logits, batch.Targets);
            _ = loss.item<float>();
            var t4 = ThreadCpu.Now();
            run.Optimizer.zero_grad();
            loss.backward();
            var t5 = ThreadCpu.Now();
            run.Optimizer.step();
            var t6 = ThreadCpu.Now();
            run.Evaluate();
            var t7 = ThreadCpu.Now();
            {
                var all = Enumerable.Range(0, task.EvaluationSet.Count).ToArray();
                var evalBatch = SequenceBatch.Create(task.EvaluationSet, all, shape, CPU);
                using var ng = no_grad();
                var (l2, _) = run.Model.Forward(evalBatch.Inputs, null, null, null);
                var el = PredictionLoss.Mean(shape.Prediction, l2, evalBatch.Targets).item<float>();
                PredictionLoss.CountCorrect(shape.Prediction, l2, evalBatch.Targets);
            }
            var t8 = ThreadCpu.Now();
            {
                var all = Enumerable.Range(0, task.EvaluationSet.Count).ToArray();
                var evalBatch = SequenceBatch.Create(task.EvaluationSet, all, shape, CPU);
                using var ng = no_grad();
                var (l2, _) = run.Model.Forward(evalBatch.Inputs, evalBatch.Lengths, null, null);
                var el = PredictionLoss.Mean(shape.Prediction, l2, evalBatch.Targets).item<float>();
                PredictionLoss.CountCorrect(shape.Prediction, l2, evalBatch.Targets);
            }
            var t9 = ThreadCpu.Now();
            evalGradUs += Us(t7, t8); evalPackedUs += Us(t8, t9);
            dataUs += Us(t0, t1); batchUs += Us(t1, t2); forwardUs += Us(t2, t3); lossUs += Us(t3, t4);
            backwardUs += Us(t4, t5); stepUs += Us(t5, t6); evalUs += Us(t6, t7);
        }
        rows.Add(("task data (managed)", dataUs / epochs));
        rows.Add(("batch tensors", batchUs / epochs));
        rows.Add(("forward", forwardUs / epochs));
        rows.Add(("loss + item", lossUs / epochs));
        rows.Add(("zero_grad + backward", backwardUs / epochs));
        rows.Add(("optimizer step", stepUs / epochs));
        rows.Add(("evaluation (100 sequences)", evalUs / epochs));
        rows.Add(("evaluation full-length path (no_grad)", evalGradUs / epochs));
        rows.Add(("evaluation variable-length path (no_grad)", evalPackedUs / epochs));
        return rows;
    }

    static double Us(long from, long to) => (to - from) / 1e3;

    public static string Format(IReadOnlyList<(string Part, double MicrosecondsPerEpoch)> rows) =>
        string.Join('\n', rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Part,-40} {r.MicrosecondsPerEpoch,9:F1} µs")));
}

/// <summary>The calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID), in nanoseconds.</summary>
static class ThreadCpu
{
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    struct TimeSpec { public long Seconds; public long Nanoseconds; }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    static extern int ClockGetTime(int clock, out TimeSpec time);

    public static long Now()
    {
        ClockGetTime(3, out var time);
        return time.Seconds * 1_000_000_000 + time.Nanoseconds;
    }
}
