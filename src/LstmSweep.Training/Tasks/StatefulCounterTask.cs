using LstmSweep.Training.Model;

namespace LstmSweep.Training.Tasks;

/// <summary>
/// The sequence 0, 1, 0, 2 cut into two one-step samples, [0 → 1] and [0 → 2], with identical inputs. Only a model
/// that carries its state from the first sample to the second (stateful, batch size 1, samples in order) can tell
/// them apart. Evaluation replays both samples in order from a fresh state.
/// </summary>
internal sealed class StatefulCounterTask : ITrainingTask
{
    private const int Symbols = 3;
    private readonly SequenceSet samples;

    public StatefulCounterTask()
    {
        var inputs = new float[2 * Symbols];
        OneHot.Write(inputs.AsSpan(0, Symbols), 0);
        OneHot.Write(inputs.AsSpan(Symbols, Symbols), 0);
        samples = new SequenceSet(inputs, Count: 2, Timesteps: 1, Features: Symbols, Lengths: [1, 1], Labels: [1, 2], LabelsPerStep: false);
    }

    public TaskShape Shape { get; } = new(InputFeatures: Symbols, Classes: Symbols, PredictionKind.Multiclass, OutputHead.LastStep);

    public SequenceSet EvaluationSet => samples;

    public SequenceSet TrainingSet(int epoch) => samples;
}
