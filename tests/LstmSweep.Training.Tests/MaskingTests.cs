using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using LstmSweep.Training.Model;
using LstmSweep.Training.Tasks;
using LstmSweep.Training.Loop;
using static TorchSharp.torch;

namespace LstmSweep.Training.Tests;

public class MaskingTests
{
    /// <summary>
    /// The same variable-length sequences padded to max_len and to max_len + 5 (the extra padding filled with loud
    /// values) train and evaluate to the same numbers: padding reaches neither direction, the loss nor the accuracy.
    /// </summary>
    [Theory]
    [InlineData(MergeMode.None, false, false)]
    [InlineData(MergeMode.Concat, false, false)]
    [InlineData(MergeMode.Ave, false, true)]
    [InlineData(MergeMode.Sum, true, false)]
    public void ExtraPaddingChangesNothing(MergeMode mode, bool stateful, bool lastStepHead)
    {
        var task = VariableLengthTasks(lastStepHead ? OutputHead.LastStep : OutputHead.PerTimestep);
        var config = Requests.Config(units: 6, mergeMode: mode, stateful: stateful, batchSize: 4, layers: 2);
        using var tight = new TrialRun(task, config, seed: 3, CPU);
        using var padded = new TrialRun(PadWithNoise(task, extraSteps: 5), config, seed: 3, CPU);

        Assert.Equal(tight.Evaluate(), padded.Evaluate());
        for (var epoch = 1; epoch <= 2; epoch++)
        {
            Assert.Equal(tight.TrainEpoch(epoch, default), padded.TrainEpoch(epoch, default));
            Assert.Equal(tight.Evaluate(), padded.Evaluate());
        }
    }

    private static FixedTask VariableLengthTasks(OutputHead head)
    {
        var source = new VariableLengthTask(new TaskOptions { Samples = 30, MinLen = 2, MaxLen = 6 }, new Random(5));
        if (head == OutputHead.PerTimestep) return new FixedTask(source.Shape, source.TrainingSet(1), source.EvaluationSet);

        // Last-step variant: one label per sequence, the label of its last valid step.
        SequenceSet LastStepLabels(SequenceSet set) => set with
        {
            Labels = Enumerable.Range(0, set.Count).Select(row => set.Labels[row * set.Timesteps + set.Lengths[row] - 1]).ToArray(),
            LabelsPerStep = false,
        };
        return new FixedTask(source.Shape with { Head = OutputHead.LastStep },
            LastStepLabels(source.TrainingSet(1)), LastStepLabels(source.EvaluationSet));
    }

    private static FixedTask PadWithNoise(FixedTask task, int extraSteps)
    {
        SequenceSet Pad(SequenceSet set)
        {
            var padded = set.PadTo(set.Timesteps + extraSteps);
            for (var row = 0; row < padded.Count; row++)
            for (var step = padded.Lengths[row]; step < padded.Timesteps; step++)
                padded.Inputs.AsSpan((row * padded.Timesteps + step) * padded.Features, padded.Features).Fill(50f);
            return padded;
        }
        return new FixedTask(task.Shape, Pad(task.TrainingSet(1)), Pad(task.EvaluationSet));
    }
}
