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
/// A checkpoint after every epoch e with e % Every == 0, and after the last epoch. At least 1.
/// </param>
public sealed record CheckpointSettings(string Directory, int Every);
