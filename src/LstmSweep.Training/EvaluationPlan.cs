namespace LstmSweep.Training;

/// <summary>
/// When a trial evaluates (and tells its caller of an epoch): every <paramref name="Every"/>-th epoch, the last
/// epoch, every epoch in <paramref name="Always"/> (the scheduler's rungs) and every epoch a checkpoint is written.
/// </summary>
public sealed record EvaluationPlan(int Every = 1, IReadOnlyCollection<int>? Always = null)
{
    /// <summary>Evaluation after every epoch (what a request without a plan gets).</summary>
    public static EvaluationPlan EveryEpoch { get; } = new();

    public bool IsAlways(int epoch) => Always?.Contains(epoch) ?? false;

    public bool IsDue(int epoch, int lastEpoch) => epoch == lastEpoch || epoch % Math.Max(1, Every) == 0 || IsAlways(epoch);
}
