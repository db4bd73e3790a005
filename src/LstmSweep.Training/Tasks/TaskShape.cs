using LstmSweep.Training.Model;

namespace LstmSweep.Training.Tasks;

/// <summary>How a task's predictions are scored.</summary>
internal enum PredictionKind
{
    /// <summary>One sigmoid output, binary cross-entropy; the label is 0 or 1.</summary>
    Binary,
    /// <summary>One output per class, softmax cross-entropy; the label is a class index.</summary>
    Multiclass,
}

/// <summary>What a task feeds the network and expects back.</summary>
internal sealed record TaskShape(int InputFeatures, int Classes, PredictionKind Prediction, OutputHead Head)
{
    public int NetworkOutputs => Prediction == PredictionKind.Binary ? 1 : Classes;
}
