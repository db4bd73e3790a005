using LstmSweep.Core.Spec;
using LstmSweep.Training.Model;

namespace LstmSweep.Training.Tasks;

/// <summary>
/// The Keras bidirectional-LSTM tutorial: T values uniform in [0, 1); the label of step t is whether the cumulative
/// sum up to t exceeds T/4. Fresh training sequences every epoch (one batch by default); a fixed evaluation set.
/// </summary>
/// <remarks>
/// The evaluation set is drawn from the trial's data stream; epoch e's sequences from that stream's generator of
/// epoch e (<see cref="TrialRandom.ForEpoch"/>), so they do not depend on which epochs ran before in this process.
/// </remarks>
internal sealed class CumsumTask : ITrainingTask
{
    private readonly int timesteps;
    private readonly int sequencesPerEpoch;
    private readonly long seed;

    public CumsumTask(TaskOptions options, int batchSize, long seed)
    {
        if (options.Timesteps < 1) throw new ArgumentException($"cumsum: timesteps must be at least 1, got {options.Timesteps}");
        if (options.EvalSamples < 1) throw new ArgumentException($"cumsum: eval_samples must be at least 1, got {options.EvalSamples}");
        timesteps = options.Timesteps;
        sequencesPerEpoch = options.SequencesPerEpoch ?? batchSize;
        if (sequencesPerEpoch < 1) throw new ArgumentException($"cumsum: sequences_per_epoch must be at least 1, got {sequencesPerEpoch}");
        this.seed = seed;
        EvaluationSet = Generate(options.EvalSamples, TrialRandom.Create(seed, TrialRandom.DataStream));
    }

    public TaskShape Shape { get; } = new(InputFeatures: 1, Classes: 2, PredictionKind.Binary, OutputHead.PerTimestep);

    public SequenceSet EvaluationSet { get; }

    public SequenceSet TrainingSet(int epoch) =>
        Generate(sequencesPerEpoch, TrialRandom.ForEpoch(seed, TrialRandom.DataStream, epoch));

    private SequenceSet Generate(int count, Random random)
    {
        var inputs = new float[count * timesteps];
        var labels = new int[count * timesteps];
        var threshold = timesteps / 4.0;
        for (var row = 0; row < count; row++)
        {
            var sum = 0.0;
            for (var step = 0; step < timesteps; step++)
            {
                var value = (float)random.NextDouble();
                sum += value;
                inputs[row * timesteps + step] = value;
                labels[row * timesteps + step] = sum > threshold ? 1 : 0;
            }
        }
        return new SequenceSet(inputs, count, timesteps, Features: 1, Enumerable.Repeat(timesteps, count).ToArray(), labels, LabelsPerStep: true);
    }
}
