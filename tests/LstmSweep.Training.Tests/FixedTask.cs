using LstmSweep.Training.Tasks;

namespace LstmSweep.Training.Tests;

/// <summary>A task over given sequence sets, to train and evaluate hand-made data.</summary>
internal sealed class FixedTask(TaskShape shape, SequenceSet training, SequenceSet evaluation) : ITrainingTask
{
    public TaskShape Shape => shape;

    public SequenceSet EvaluationSet => evaluation;

    public SequenceSet TrainingSet(int epoch) => training;
}
