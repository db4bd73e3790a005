using LstmSweep.Core.Trials;
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

    /// <summary>The shape with the output layer a trial's <c>head</c> asks for.</summary>
    /// <exception cref="ArgumentException">sigmoid on a task with more than two classes.</exception>
    public TaskShape WithHead(OutputActivation head) => head switch
    {
        OutputActivation.Sigmoid when Classes != 2 =>
            throw new ArgumentException($"head sigmoid needs a two-class task; this one has {Classes} classes; use head softmax or auto"),
        OutputActivation.Sigmoid => this with { Prediction = PredictionKind.Binary },
        OutputActivation.Softmax => this with { Prediction = PredictionKind.Multiclass },
        _ => this,
    };
}
