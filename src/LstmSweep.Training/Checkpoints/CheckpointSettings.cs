namespace LstmSweep.Training;

/// <summary>
/// Where a trial keeps its checkpoints (a directory of its own, e.g. {root}/{sweep}/trial-{id}) and how often it
/// writes one.
/// </summary>
/// <param name="Directory">
/// The trial's own directory (created if missing). One trainer at a time may use it: files named like checkpoints are
/// overwritten and pruned there.
/// </param>
/// <param name="Every">
/// A checkpoint after every epoch e with e % Every == 0 (once <see cref="MinimumInterval"/> has passed since the
/// previous one), and after the last epoch and at every epoch the trial's <see cref="EvaluationPlan.Always"/> names
/// (ASHA rungs: where a paused trial resumes). At least 1.
/// </param>
public sealed record CheckpointSettings(string Directory, int Every)
{
    /// <summary>
    /// Checkpoints by time as well as by epochs: a multiple of <see cref="Every"/> writes one only if this long has
    /// passed since the trial's previous one (or its start). A checkpoint bounds the work a lost attempt repeats, which
    /// is a matter of time; each costs a flush to disk, which for epochs of a few milliseconds would cost more than
    /// the epochs. Zero (the default): every multiple.
    /// </summary>
    public TimeSpan MinimumInterval { get; init; } = TimeSpan.Zero;
}
