using LstmSweep.Training.Torch;
using LstmSweep.Training.Tasks;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace LstmSweep.Training.Loop;

/// <summary>Loss and accuracy of the head's logits over the scored steps, per <see cref="PredictionKind"/>.</summary>
internal static class PredictionLoss
{
    /// <summary>Mean loss over the scored steps: sigmoid + binary cross-entropy, or softmax cross-entropy.</summary>
    public static Tensor Mean(PredictionKind kind, Tensor logits, Tensor targets) => kind == PredictionKind.Binary
        ? binary_cross_entropy_with_logits(logits.squeeze(-1), targets)
        : cross_entropy(logits, targets);

    /// <summary>How many scored steps are predicted right (sigmoid > 0.5, or the arg-max class).</summary>
    public static long CountCorrect(PredictionKind kind, Tensor logits, Tensor targets)
    {
        var predicted = kind == PredictionKind.Binary
            ? logits.squeeze(-1).gt(TorchScalars.Zero).to_type(ScalarType.Float32)
            : logits.argmax(-1);
        return predicted.eq(targets).sum().item<long>();
    }
}
